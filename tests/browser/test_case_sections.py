"""The case page's sections: reached by keyboard alone, swapped by htmx with JavaScript, and
the same flows through the same addresses without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.cases.models import Goal
from tests.browser.conftest import session_key_for
from tests.browser.test_case_pages import case, tab_to, town  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# The sections in the order of their navigation, with their headings in English.
SECTIONS = (
    ("detail", "Overview"),
    ("write-log", "Log"),
    ("goals", "Goals and measures"),
    ("meetings", "Meetings"),
    ("participants", "Participants and consent"),
    ("decisions", "Plan and decisions"),
)


def current_section(page) -> str:
    return page.locator("nav.fb-case__sections [aria-current=page]").inner_text().strip()


def test_the_sections_are_walked_by_keyboard_and_swapped_by_htmx(browsing, town, case):  # noqa: F811
    page = browsing.new_page(session_key=session_key_for(town.teacher), language="en")
    page.goto(reverse("cases:detail", args=[case.pk]))
    # A marker on the document: a full page load would lose it, an htmx swap keeps it.
    page.evaluate("window.notReloaded = true")
    for name, heading in SECTIONS[1:]:
        url = reverse(f"cases:{name}", args=[case.pk])
        link = page.locator(f'nav.fb-case__sections a[href="{url}"]')
        link_id = f"section-link-{name}"
        page.evaluate(
            "([url, id]) => document.querySelector(`nav.fb-case__sections a[href='${url}']`)"
            ".id = id",
            [url, link_id],
        )
        tab_to(page, link_id)
        with page.expect_response(lambda r, url=url: r.url.endswith(url)):
            page.keyboard.press("Enter")
        page.wait_for_function(
            "(h) => document.getElementById('section-heading')?.textContent.trim() === h",
            arg=heading,
        )
        assert page.url.endswith(url)  # the address follows the section
        assert current_section(page) == heading
        assert link.count() == 1
        # The focus moves to the section's heading, so the keyboard goes on from there (htmx
        # focuses the swapped section's autofocus element once the swap has settled).
        page.wait_for_function("() => document.activeElement?.id === 'section-heading'")
        assert heading in page.title()
    assert page.evaluate("window.notReloaded === true")

    # A goal is added in the background, and the section comes back with it.
    page.goto(reverse("cases:goals", args=[case.pk]))
    page.locator("#goal summary").focus()
    page.keyboard.press("Enter")
    tab_to(page, "id_goal-text")
    page.keyboard.type("Åse leker med de andre barna.")
    tab_to(page, "goal-submit")
    page.evaluate("window.notReloaded = true")
    with page.expect_response(lambda r: r.url.endswith("/mal-og-tiltak/")):
        page.keyboard.press("Enter")
    page.get_by_text("Åse leker med de andre barna.").first.wait_for()
    assert page.evaluate("window.notReloaded === true")
    assert current_section(page) == "Goals and measures"
    assert Goal.objects.filter(case=case, text="Åse leker med de andre barna.").exists()


def test_without_javascript_the_same_addresses_do_the_same(browsing, town, case):  # noqa: F811
    page = browsing.new_page(
        session_key=session_key_for(town.teacher), language="en", java_script_enabled=False
    )
    page.goto(reverse("cases:detail", args=[case.pk]))
    for name, heading in SECTIONS[1:]:
        with page.expect_navigation():
            page.locator("nav.fb-case__sections").get_by_role("link", name=heading).click()
        assert page.url.endswith(reverse(f"cases:{name}", args=[case.pk]))
        assert current_section(page) == heading
        assert page.locator("#section-heading").inner_text().strip() == heading

    # A log entry: the form opens without JavaScript (a <details>), the post is a plain one,
    # and it returns to the log.
    page.goto(reverse("cases:write-log", args=[case.pk]))
    page.locator("#log summary").click()
    page.get_by_label("Entry", exact=True).fill("Mor ringte om møtet.")
    with page.expect_navigation():
        page.locator("#log-submit").click()
    assert page.url.endswith(reverse("cases:write-log", args=[case.pk]))
    assert "The entry is in the shared log." in page.content()
    assert page.locator(".fb-log").get_by_text("Mor ringte om møtet.").count() == 1

    # An internal entry without its reason is refused, with the form open and what to fix.
    page.locator("#log summary").click()
    page.get_by_label("Entry", exact=True).fill("Bekymring for mor.")
    page.get_by_label("Only our service sees this").check()
    with page.expect_navigation():
        page.locator("#log-submit").click()
    assert page.locator("#log[open] .ds-error-summary").count() == 1
    assert "Write why only our service may see it" in page.content()
    page.get_by_label("Why only our service sees it").fill("Vurderes først.")
    with page.expect_navigation():
        page.locator("#log-submit").click()
    assert page.url.endswith(reverse("cases:write-log", args=[case.pk]))
    assert case.log_entries.get(text="Bekymring for mor.").internal_reason == "Vurderes først."


def test_consent_is_recorded_from_the_case_with_a_searchable_list_of_services(
    browsing,
    town,  # noqa: F811
    case,  # noqa: F811
):
    from tests.browser.conftest import assert_no_axe_violations

    page = browsing.axe_page(
        session_key=session_key_for(town.teacher),
        language="en",
        viewport={"width": 390, "height": 844},
    )
    page.goto(reverse("cases:participants", args=[case.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Record a consent", exact=True).click()
    assert page.url.endswith(reverse("cases:record-consent", args=[case.pk]))
    assert_no_axe_violations(page)
    # The case's services come first; BUP, of another organisation, is found by searching.
    page.locator(".fb-recipients summary").click()
    search = page.get_by_label("Search for a service or an organisation")
    search.fill("BUP")
    others = page.locator(".fb-recipients__others > .ds-field")
    visible = [row.inner_text() for row in others.all() if row.is_visible()]
    assert visible and all("BUP" in text for text in visible)
    assert_no_axe_violations(page)
    back = page.get_by_role("link", name=f"Back to case {case.reference}")
    assert back.get_attribute("href") == reverse("cases:participants", args=[case.pk])
