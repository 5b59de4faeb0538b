"""Zero axe-core violations (WCAG 2.0/2.1 A and AA, and best practice) on the shell's pages."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import AXE_SCRIPT, assert_no_axe_violations

pytestmark = pytest.mark.browser

LANGUAGES = ["nb", "en"]
INVALID_IDENTITY_NUMBER = "15061210111"  # eleven digits, wrong control digits


def open_lookup_with_error(page):
    page.goto(reverse("person-lookup"))
    page.get_by_role("textbox").fill(INVALID_IDENTITY_NUMBER)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_front_page_has_no_axe_violations(browsing, language):
    page = browsing.axe_page(language=language)
    page.goto("/")
    assert page.get_attribute("html", "lang") == language
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_has_no_axe_violations(browsing, language):
    page = browsing.axe_page(language=language)
    page.goto(reverse("login"))
    assert page.get_attribute("html", "lang") == language
    assert page.locator("main form input").count() >= 2
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_home_has_no_axe_violations(staff_page, language):
    page = staff_page(axe=True, language=language)
    page.goto(reverse("staff-home"))
    assert page.url.endswith(reverse("staff-home")), "the staff session was not accepted"
    assert page.locator("main table tbody tr").count() == 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_person_lookup_with_a_validation_error_has_no_axe_violations(staff_page, language):
    page = open_lookup_with_error(staff_page(axe=True, language=language))
    assert page.get_attribute("html", "lang") == language
    assert page.locator("[aria-invalid=true]").count() == 1
    assert_no_axe_violations(page)


def test_the_error_message_is_announced_with_its_field(staff_page):
    page = open_lookup_with_error(staff_page())
    field = page.get_by_role("textbox")
    error = page.locator(".ds-validation-message")
    assert error.count() == 1
    error_text = error.inner_text().strip()
    assert error_text
    assert field.get_attribute("aria-invalid") == "true"
    described_by = (field.get_attribute("aria-describedby") or "").split()
    assert error.get_attribute("id") in described_by
    assert f"{field.get_attribute('id')}_helptext" in described_by
    # The accessible description a screen reader reads: help text and error together.
    expect(field).to_have_accessible_description(re.compile(re.escape(error_text)))
    expect(field).to_have_accessible_description(re.compile("11"))


def test_the_strict_csp_blocks_injected_scripts(browser, live_server):
    """Why the axe pages bypass CSP: the policy refuses the inline script axe arrives in."""
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        refusals = []
        page.on(
            "console",
            lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text
            else None,
        )
        page.goto("/")
        with pytest.raises(Exception, match="Content Security Policy|script"):
            page.add_script_tag(path=str(AXE_SCRIPT))
        assert page.evaluate("typeof window.axe") == "undefined"
        assert refusals, "the browser reported no CSP refusal"
    finally:
        context.close()
