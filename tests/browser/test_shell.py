"""The page shell in a real browser: keyboard use, language switch, small screens, focus,
and a clean console under the strict Content Security Policy."""

import pytest
from django.urls import reverse

from tests.browser.test_accessibility import open_lookup_with_error

pytestmark = pytest.mark.browser

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
NARROW = {"width": 360, "height": 740}
# Describes the focused element and whether it shows a focus indicator.
FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    const label = (el.getAttribute('aria-label') || el.textContent || el.name || '').trim();
    return {
        element: `${el.tagName.toLowerCase()} "${label.slice(0, 40)}"`,
        visible: outline || shadow,
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
        boxShadow: style.boxShadow,
    };
}"""


def is_focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit: int = 40) -> None:
    """Press Tab until the locator's element has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(page, locator):
            return
    pytest.fail(f"{limit} presses of Tab never reached {locator}")


def language_button(page, language):
    return page.locator("header").get_by_role("button", name=LANGUAGE_NAMES[language], exact=True)


def test_the_first_tab_focuses_the_skip_link_and_enter_moves_focus_to_main(browsing):
    page = browsing.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.locator("a[href='#main']")
    assert is_focused(page, skip_link), "the first Tab did not reach the skip link"
    assert skip_link.is_visible(), "the focused skip link is not shown"
    assert skip_link.bounding_box()["height"] > 20
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


@pytest.mark.parametrize("path", ["/", reverse("login")])
def test_the_language_switch_works_with_the_keyboard_alone(browsing, path):
    page = browsing.new_page(language="nb")
    page.goto(path)
    assert page.get_attribute("html", "lang") == "nb"
    for language in ["en", "nn", "nb"]:
        tab_to(page, language_button(page, language))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_attribute("html", "lang") == language
        assert page.url.endswith(path), "the switch did not return to the same page"
        current = language_button(page, language)
        assert current.get_attribute("aria-current") == "true"


def test_the_language_switch_works_without_javascript(browsing):
    page = browsing.new_page(language="nb", java_script_enabled=False)
    page.goto(reverse("login"))
    assert page.get_attribute("html", "lang") == "nb"
    with page.expect_navigation():
        language_button(page, "en").click()
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.endswith(reverse("login"))
    with page.expect_navigation():
        language_button(page, "nn").click()
    assert page.get_attribute("html", "lang") == "nn"


def test_the_current_language_is_marked_and_each_name_is_in_its_own_language(browsing):
    page = browsing.new_page(language="en")
    page.goto("/")
    for language in LANGUAGE_NAMES:
        button = language_button(page, language)
        assert button.get_attribute("lang") == language
        expected = "true" if language == "en" else None
        assert button.get_attribute("aria-current") == expected


def _open(page, name):
    if name == "lookup-with-error":
        return open_lookup_with_error(page)
    page.goto({"front": "/", "login": reverse("login"), "staff-home": reverse("staff-home")}[name])
    return page


PAGES = ["front", "login", "staff-home", "lookup-with-error"]
STAFF_PAGES = {"staff-home", "lookup-with-error"}


def open_named(browsing, staff_page, name, **kwargs):
    page = staff_page(**kwargs) if name in STAFF_PAGES else browsing.new_page(**kwargs)
    return _open(page, name)


@pytest.mark.parametrize("name", PAGES)
def test_pages_fit_a_360_pixel_wide_screen(browsing, staff_page, name):
    page = open_named(browsing, staff_page, name, viewport=NARROW)
    assert page.evaluate("window.innerWidth") == 360
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 360, f"{name} scrolls sideways: {scroll_width}px wide"
    # Nothing the user reads or uses sticks out to the right either (content inside a box
    # that scrolls on its own, such as a wide table, is reachable and may).
    overflowing = page.evaluate(
        """() => {
            const scrollsInside = el => {
                for (let box = el.parentElement; box; box = box.parentElement) {
                    if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
                }
                return false;
            };
            return [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 360 + 0.5
                              && el.getClientRects().length > 0
                              && getComputedStyle(el).visibility !== 'hidden'
                              && !el.matches('.ds-skip-link:not(:focus), .ds-sr-only')
                              && !scrollsInside(el))
                .map(el => el.outerHTML.slice(0, 80));
        }"""
    )
    assert not overflowing, f"{name}: elements wider than the screen: {overflowing}"


@pytest.mark.parametrize("name", ["front", "staff-home", "lookup-with-error"])
def test_every_focusable_element_shows_visible_focus(browsing, staff_page, name):
    page = open_named(browsing, staff_page, name)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen, missing = [], []
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (seen and state["element"] == seen[0]):
            break
        seen.append(state["element"])
        if not state["visible"]:
            missing.append(state)
    assert len(seen) >= 4, f"too few focusable elements reached with Tab: {seen}"
    assert not missing, f"focus is invisible on: {missing}"


@pytest.mark.parametrize("name", PAGES)
def test_pages_load_their_assets_without_csp_violations(browsing, staff_page, name):
    page = open_named(browsing, staff_page, name)
    page.wait_for_load_state("networkidle")
    browsing.problems.assert_clean()
    loaded = set(browsing.problems.loaded_assets)
    assert {
        "/static/vendor/designsystemet-css/index.css",
        "/static/vendor/designsystemet-theme/digdir.css",
        "/static/familiebro/familiebro.css",
        "/static/vendor/htmx/htmx.min.js",
    } <= loaded, f"assets not loaded: {loaded}"
    # The stylesheets apply: the theme's colour tokens are defined on the page.
    token = "getComputedStyle(document.body).getPropertyValue('--ds-color-neutral-text-default')"
    assert page.evaluate(token).strip().startswith("#")
