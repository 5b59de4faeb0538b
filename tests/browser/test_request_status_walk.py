"""A parent's request followed to Min side, in a real Chromium: she logs in, follows the
header's link to ask for help, sends her request, reads on the receipt whom to call and when,
and finds the request with its status on Min side, where the status changes as the service
makes contact. Each page on the way has zero axe-core violations."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from familiebro.cases.help_requests import services
from familiebro.cases.models import HelpRequest
from familiebro.core.models import ServiceUnit
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_portal_pages import MOTHER, provider  # noqa: F401 (a fixture)
from tests.cases.factories import HelpRequestFactory
from tests.interop.oidc_server import configure

pytestmark = pytest.mark.browser


@pytest.fixture
def health_centre(transactional_db, settings, provider) -> ServiceUnit:  # noqa: F811
    configure(settings, provider)
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    organisation = factories.OrganisationFactory(name="Hamar kommune", municipality=hamar)
    return factories.ServiceUnitFactory(
        organisation=organisation,
        name="Helsestasjonen på Hamar",
        kind=ServiceUnit.Kind.HEALTH_CENTRE,
        phone="+4762512000",
        phone_hours="Monday to Friday 8–15",
    )


def log_in(page) -> None:
    page.goto(reverse("portal:login"))
    page.locator("form[action$='id-porten/'] button").click()
    page.get_by_label("Fødselsnummer").fill(MOTHER)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"**{reverse('portal:home')}")


def send_a_request(page) -> None:
    page.locator("header").get_by_role("link", name="Ask for help").click()
    page.wait_for_url("**/ta-kontakt/")
    page.locator("select[name=kommune]").select_option("3403")
    page.get_by_role("button", name="Show services").click()
    page.wait_for_url("**kommune=3403**")
    page.locator("input[name=requester_role][value=parent]").check()
    page.locator("input[name=requester_name]").fill("Kari Nordmann")
    page.locator("input[name=phone]").fill("912 34 567")
    page.locator("textarea[name=message]").fill("Babyen sover lite.")
    page.locator("input[name=storage_notice_agreed]").check()
    page.locator("main form button[type=submit]", has_text="Send request").click()
    page.wait_for_url("**/ta-kontakt/kvittering/")


def status_on_min_side(page, reference: str):
    return page.get_by_role("row").filter(has_text=reference).locator("td").last


@pytest.mark.parametrize("java_script", [True, False])
def test_a_parents_request_goes_from_the_receipt_to_min_side_with_its_status(
    browsing, health_centre, java_script
):
    page = browsing.new_page(language="en", java_script_enabled=java_script)
    log_in(page)
    send_a_request(page)

    stored = HelpRequest.objects.get()
    assert stored.requester_identity_hash  # matched by identity, not by name
    main = page.locator("main")
    expect(main).to_contain_text("62 51 20 00")
    expect(main).to_contain_text("Phone hours: Monday to Friday 8–15")
    page.get_by_role("link", name="Go to Min side").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    expect(status_on_min_side(page, stored.reference)).to_have_text("Received")
    assert AuditEvent.objects.filter(
        actor_label__startswith="citizen:", object_type="cases.helprequest"
    ).exists()

    nurse = factories.MembershipFactory(unit=health_centre).user
    services.mark_contacted(nurse, stored)
    page.reload()
    expect(status_on_min_side(page, stored.reference)).to_have_text("Contacted")


def test_a_parent_who_sent_without_login_follows_the_request_after_logging_in_from_the_receipt(
    browsing, health_centre
):
    page = browsing.new_page(language="en")
    page.goto("/")
    send_a_request(page)
    stored = HelpRequest.objects.get()
    assert not stored.requester_identity_hash
    page.get_by_role("link", name="Log in on Min side").click()
    page.wait_for_url(f"**{reverse('portal:login')}")
    log_in(page)
    expect(status_on_min_side(page, stored.reference)).to_have_text("Received")


def test_another_parent_does_not_see_the_request(browsing, health_centre):
    someone_elses = HelpRequestFactory(
        unit=health_centre, requester_identity_hash="0" * 64, reference="FB-ANDRE-1"
    )
    page = browsing.new_page(language="en")
    log_in(page)
    assert someone_elses.reference not in page.content()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_receipt_and_min_side_with_a_request_have_no_axe_violations(
    browsing, health_centre, language
):
    page = browsing.axe_page(language=language)
    log_in(page)
    page.goto("/ta-kontakt/?kommune=3403")
    page.locator("input[name=requester_role][value=parent]").check()
    page.locator("input[name=requester_name]").fill("Kari Nordmann")
    page.locator("input[name=phone]").fill("912 34 567")
    page.locator("input[name=storage_notice_agreed]").check()
    page.locator("main form button[type=submit][data-variant=primary]").click()
    page.wait_for_url("**/ta-kontakt/kvittering/")
    assert_no_axe_violations(page, path="/ta-kontakt/kvittering/")
    page.goto(reverse("portal:home"))
    assert_no_axe_violations(page, path=reverse("portal:home"))
