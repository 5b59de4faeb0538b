"""Zero axe-core violations (WCAG 2.0/2.1 A and AA, and best practice) on the shell's pages."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from familiebro.core.models import Person
from familiebro.persons.services import register_person
from tests import factories
from tests.browser.conftest import AXE_SCRIPT, assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

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
    assert_no_axe_violations(page, path=reverse("login"))


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


@pytest.fixture
def worker_with_a_child(transactional_db):
    """A worker who registered a child (their need to know), and a colleague who works with
    the child too (shown without an end form)."""
    membership = factories.MembershipFactory()
    child = register_person(
        membership.user,
        membership.unit.organisation,
        kind=Person.Kind.CHILD,
        given_name="Emma",
        family_name="Berg",
        birth_date=datetime.date(2018, 4, 12),
    )
    make.assign(child, user=make.member(membership.unit))
    return session_key_for(membership.user), child


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_person_page_with_who_works_with_the_person_has_no_axe_violations(
    browsing, worker_with_a_child, language
):
    session_key, child = worker_with_a_child
    page = browsing.axe_page(language=language, session_key=session_key)
    page.goto(reverse("person-detail", args=[child.pk]))
    assert page.locator("main table tbody tr").count() == 2
    assert page.locator("main form[action*='/tilgang/']").count() == 1
    assert_no_axe_violations(page)


def test_ending_the_need_to_know_works_without_javascript(browsing, worker_with_a_child):
    session_key, child = worker_with_a_child
    page = browsing.new_page(language="en", session_key=session_key, java_script_enabled=False)
    page.goto(reverse("person-detail", args=[child.pk]))
    page.get_by_label("Why does it end?").select_option("taken_over")
    with page.expect_navigation():
        page.get_by_role("button", name="End the need to know").click()
    assert page.url.endswith(reverse("person-list"))
    expect(page.locator(".fb-messages")).to_contain_text("Your need to know of Emma Berg has ended")
    response = page.goto(reverse("person-detail", args=[child.pk]))
    assert response is not None and response.status == 404


def test_the_error_message_is_announced_with_its_field(staff_page):
    page = open_lookup_with_error(staff_page())
    field = page.get_by_role("textbox")
    field_id = field.get_attribute("id")
    error = page.locator(f"#{field_id}_error")
    expect(error).to_be_visible()
    error_text = error.inner_text().strip()
    assert error_text
    assert field.get_attribute("aria-invalid") == "true"
    described_by = (field.get_attribute("aria-describedby") or "").split()
    assert described_by == [f"{field_id}_helptext", f"{field_id}_error"]
    for element_id in described_by:
        assert page.locator(f"#{element_id}").count() == 1, f"#{element_id} is missing"
    # What a screen reader reads with the field: the help text, then the error.
    help_text = page.locator(f"#{field_id}_helptext").inner_text().strip()
    expect(field).to_have_accessible_description(f"{help_text} {error_text}")


def test_the_strict_csp_blocks_injected_scripts(browser, live_server):
    """Why the axe pages bypass CSP: the policy refuses the inline script axe arrives in."""
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        refusals = []
        page.on(
            "console",
            lambda message: (
                refusals.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto("/")
        with pytest.raises(PlaywrightError):
            page.add_script_tag(path=str(AXE_SCRIPT))
        assert page.evaluate("typeof window.axe") == "undefined"
        assert refusals, "the browser reported no CSP refusal"
    finally:
        context.close()


def test_the_axe_check_fails_on_violations_and_names_them(browsing):
    page = browsing.axe_page()
    page.set_content('<html><body><main><img src="data:,"><button></button></main></body></html>')
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_axe_violations(page)
    report = str(failure.value)
    for expected in ["html-has-lang (serious)", "image-alt (critical)", "button-name", "    img"]:
        assert expected in report, report


def test_the_axe_check_first_checks_it_is_on_the_page_it_meant(browsing):
    """A check that ran on a "not found" page, or on another page than the test meant, would
    pass and prove nothing: it fails instead, before axe runs."""
    page = browsing.axe_page(language="en")
    page.goto("/ansatt/saker/999999/")  # no session: sent to the login page
    with pytest.raises(BaseException, match="login page"):
        assert_no_axe_violations(page)
    page.goto("/finnes-ikke/")
    with pytest.raises(AssertionError, match="answered 404"):
        assert_no_axe_violations(page)
    page.goto("/")
    with pytest.raises(AssertionError, match="meant to check /konto/logg-inn/"):
        assert_no_axe_violations(page, path="/konto/logg-inn/")
    with pytest.raises(AssertionError, match="meant to check the page 'Not this page'"):
        assert_no_axe_violations(page, heading="Not this page")


def test_the_demo_banner_has_no_axe_violations(browsing, settings):
    settings.DEMO_MODE = True
    page = browsing.axe_page()
    page.goto("/")
    expect(page.locator(".fb-demo-banner")).to_be_visible()
    assert_no_axe_violations(page)
