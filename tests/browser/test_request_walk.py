"""Asking for help in a real browser: keyboard-only walks to a sent request, with and without
JavaScript, and axe-core on the request form (with its errors), the receipt and the inbox.

The walks use Tab, Shift+Tab, Enter, Space, arrow keys and typing; never the mouse. The front
page links to "Ask for help" (/ta-kontakt/), which is the first walk; the finder has no link
on the front page yet, so the walk through the finder and an offer starts on /finn-hjelp/.
"""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.cases.models import HelpRequest
from familiebro.core.models import Membership, ServiceUnit
from tests import factories
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_shell import is_focused, tab_to
from tests.cases.factories import HelpRequestFactory
from tests.catalogue.factories import PublishedOfferFactory

pytestmark = pytest.mark.browser

RECEIPT = "/ta-kontakt/kvittering/"
NAME = "Kari Nordmann"
# Enough presses to cross the header, the filters of the finder and a few result cards.
TAB_LIMIT = 120


@pytest.fixture
def hamar_health_centre(transactional_db) -> ServiceUnit:
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    organisation = factories.OrganisationFactory(name="Hamar kommune", municipality=hamar)
    return factories.ServiceUnitFactory(
        organisation=organisation,
        name="Helsestasjonen på Hamar",
        kind=ServiceUnit.Kind.HEALTH_CENTRE,
        email="helsestasjonen@hamar.example",
    )


@pytest.fixture
def offer(hamar_health_centre):
    return PublishedOfferFactory(
        unit=hamar_health_centre,
        title="Barselgruppe på Hamar",
        summary="Møt andre nybakte foreldre.",
    )


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_with_space(page, locator) -> None:
    tab_to(page, locator, limit=TAB_LIMIT)
    page.keyboard.press("Space")
    expect(locator).to_be_checked()


def fill_in_the_request_by_keyboard(page) -> None:
    """From wherever focus is, Tab forward through the request form and send it."""
    choose_with_space(page, page.locator("input[name=requester_role][value=parent]"))

    tab_to(page, page.locator("input[name=requester_name]"), limit=TAB_LIMIT)
    page.keyboard.type(NAME)
    tab_to(page, page.locator("input[name=phone]"))
    page.keyboard.type("912 34 567")
    tab_to(page, page.locator("input[name=preferred_contact_time]"))
    page.keyboard.type("Etter klokka 15")

    age = page.locator("select[name=child_age_months]")
    tab_to(page, age)
    # "Choose age" → "Expecting a child" → "Under 1 year".
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(age).to_have_value("0")

    tab_to(page, page.locator("textarea[name=message]"))
    page.keyboard.type("Babyen sover lite, og vi er slitne.")

    choose_with_space(page, page.locator("input[name=storage_notice_agreed]"))
    send = page.locator("main form button[type=submit]", has_text="Send request")
    tab_to(page, send)
    press_enter_and_wait(page)


def assert_on_the_receipt(page, unit: ServiceUnit) -> None:
    assert page.url.endswith(RECEIPT), f"ended on {page.url}, not the receipt"
    stored = HelpRequest.objects.get()
    assert stored.unit == unit
    assert stored.requester_name == NAME
    assert stored.child_age_months == 0
    assert stored.phone == "+4791234567"
    expect(page.locator("h1")).to_have_text("Your request has been sent")
    expect(page.locator(".fb-receipt__reference")).to_have_text(stored.reference)
    assert NAME not in page.content()


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_from_the_front_page_to_a_sent_request_with_the_keyboard_alone(
    browsing, hamar_health_centre, javascript
):
    page = browsing.new_page(language="en", java_script_enabled=javascript)
    page.goto("/")

    tab_to(page, page.locator("main a[href='/ta-kontakt/']"), limit=TAB_LIMIT)
    press_enter_and_wait(page)
    assert page.url.endswith("/ta-kontakt/")

    municipality = page.locator("select[name=kommune]")
    tab_to(page, municipality, limit=TAB_LIMIT)
    page.keyboard.type("Hamar")
    expect(municipality).to_have_value("3403")
    tab_to(page, page.get_by_role("button", name="Show services"))
    press_enter_and_wait(page)
    assert "kommune=3403" in page.url

    # The only service is chosen already; a keyboard user confirms it with Space anyway.
    unit_choice = page.locator(f"input[name=unit][value='{hamar_health_centre.pk}']")
    expect(unit_choice).to_be_checked()
    choose_with_space(page, unit_choice)
    fill_in_the_request_by_keyboard(page)

    assert_on_the_receipt(page, hamar_health_centre)


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_from_the_finder_through_an_offer_to_a_sent_request_with_the_keyboard_alone(
    browsing, offer, hamar_health_centre, javascript
):
    page = browsing.new_page(language="en", java_script_enabled=javascript)
    page.goto("/finn-hjelp/")

    tab_to(page, page.locator(f"a[href='/tilbud/{offer.pk}/']"), limit=TAB_LIMIT)
    press_enter_and_wait(page)
    tab_to(page, page.locator(f"main a[href='/tilbud/{offer.pk}/ta-kontakt/']").first)
    press_enter_and_wait(page)
    expect(page.locator("h1")).to_have_text("Ask to be contacted")

    fill_in_the_request_by_keyboard(page)

    assert_on_the_receipt(page, hamar_health_centre)
    assert HelpRequest.objects.get().offer_id == offer.pk


def test_the_error_summary_leads_the_keyboard_to_the_field_to_fix(browsing, offer):
    page = browsing.new_page(language="en")
    page.goto(f"/tilbud/{offer.pk}/ta-kontakt/")
    tab_to(page, page.locator("main form button[type=submit]"), limit=TAB_LIMIT)
    press_enter_and_wait(page)

    summary_link = page.locator(".ds-error-summary a[href='#id_requester_name']")
    tab_to(page, summary_link, limit=TAB_LIMIT)
    page.keyboard.press("Enter")
    name = page.locator("input[name=requester_name]")
    expect(name).to_be_focused()
    assert name.get_attribute("aria-invalid") == "true"
    assert not HelpRequest.objects.exists()


def test_the_honeypot_is_never_reached_with_tab(browsing, offer):
    page = browsing.new_page(language="en")
    page.goto(f"/tilbud/{offer.pk}/ta-kontakt/")
    honeypot = page.locator("input[name=website]")
    send = page.locator("main form button[type=submit]")
    tab_to(page, page.locator("textarea[name=message]"), limit=TAB_LIMIT)
    for _ in range(10):
        page.keyboard.press("Tab")
        assert not is_focused(page, honeypot)
        if is_focused(page, send):
            break
    assert is_focused(page, send)
    assert honeypot.bounding_box() is None or honeypot.bounding_box()["x"] < 0


# axe-core ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_request_form_with_errors_has_no_axe_violations(
    browsing, hamar_health_centre, language
):
    page = browsing.axe_page(language=language)
    page.goto("/ta-kontakt/?kommune=3403")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.press("Enter")
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)


def test_the_offer_request_form_has_no_axe_violations(browsing, offer):
    page = browsing.axe_page(language="en")
    page.goto(f"/tilbud/{offer.pk}/ta-kontakt/")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_receipt_has_no_axe_violations(browsing, offer, language):
    page = browsing.axe_page(language=language)
    page.goto(f"/tilbud/{offer.pk}/ta-kontakt/")
    page.locator("input[name=requester_role][value=parent]").check()
    page.locator("input[name=requester_name]").fill(NAME)
    page.locator("input[name=email]").fill("kari@example.no")
    page.locator("input[name=storage_notice_agreed]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").press("Enter")
    assert page.url.endswith(RECEIPT)
    assert_no_axe_violations(page)


def unit_of_session(session_key: str) -> ServiceUnit:
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return Membership.objects.get(user_id=session[SESSION_KEY]).unit


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_inbox_and_a_request_have_no_axe_violations(staff_page, staff_session_key, language):
    unit = unit_of_session(staff_session_key)
    overdue = HelpRequestFactory(
        unit=unit, received_at=timezone.now() - datetime.timedelta(days=10)
    )
    HelpRequestFactory(unit=unit, message="Vi trenger noen å snakke med.")
    page = staff_page(axe=True, language=language)

    page.goto("/ansatt/henvendelser/")
    assert page.locator("main table tbody tr").count() == 2
    assert_no_axe_violations(page)

    page.goto(f"/ansatt/henvendelser/{overdue.pk}/")
    assert_no_axe_violations(page)

    with page.expect_navigation():
        page.locator("form[action$='/lukk/'] button[type=submit]").press("Enter")
    assert page.locator("[aria-invalid=true], .ds-validation-message").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("form", ["general", "offer"])
def test_the_request_form_fits_a_360_pixel_wide_screen(browsing, offer, form):
    page = browsing.new_page(language="nb", viewport={"width": 360, "height": 740})
    page.goto(
        "/ta-kontakt/?kommune=3403" if form == "general" else f"/tilbud/{offer.pk}/ta-kontakt/"
    )
    assert page.locator("textarea[name=message]").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
