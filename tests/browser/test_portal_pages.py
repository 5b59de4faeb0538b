"""Min side in a real Chromium: the login walk through the provider with the keyboard and
without JavaScript, and zero axe-core violations on every page of Min side."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from familiebro.cases import case_services, measure_services
from familiebro.cases.measure_services import MeasureFields
from familiebro.cases.models import LogEntry
from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations
from tests.cases import builders
from tests.factories import identity_number
from tests.interop.oidc_server import configure, running_provider

pytestmark = pytest.mark.browser

MOTHER = identity_number(datetime.date(1984, 2, 3), synthetic=True)


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(live_server.url) as provider:
        yield provider


@pytest.fixture
def case(transactional_db, settings, provider):
    install_shipped()  # the live server's database is flushed between tests
    configure(settings, provider)
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)
    mother = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    mother.set_national_id(MOTHER)
    mother.save()
    measure_services.add_goal(town.teacher, case, "Åse skal glede seg til barnehagen")
    today = datetime.date.today()
    measure_services.add_measure(
        town.teacher,
        case,
        MeasureFields(
            title="Samtaler med helsesykepleier",
            responsible_unit=case.unit,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
        ),
    )
    case_services.write_log_entry(
        town.teacher, case, kind=LogEntry.Kind.AGREEMENT, text="Vi møtes igjen om tre uker."
    )
    case.consent = builders.coordination_consent(case, town.bup)
    return case


def log_in_with_the_keyboard(page) -> None:
    page.goto(reverse("portal:login"))
    page.get_by_role("button", name="Log in with ID-porten").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Fødselsnummer").wait_for()
    page.get_by_label("Fødselsnummer").focus()
    page.keyboard.type(MOTHER)
    page.get_by_role("button", name="Logg inn").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal:home')}")


@pytest.mark.parametrize("java_script", [True, False])
def test_a_parent_logs_in_and_reads_her_childs_case_with_the_keyboard(browsing, case, java_script):
    page = browsing.new_page(language="en", java_script_enabled=java_script)
    log_in_with_the_keyboard(page)
    page.get_by_role("link", name="Åse Sæther at Tangen barnehage").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal:case', args=[case.pk])}")
    assert page.get_by_role("rowheader", name="Samtaler med helsesykepleier").is_visible()
    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    if not java_script:  # with it, the page sends her on to ID-porten by itself
        page.get_by_role("button", name="Log out of ID-porten").focus()
        page.keyboard.press("Enter")
    # The provider asks before it ends its own session too, then sends her back.
    page.get_by_role("button", name="Yes, sign me out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal:logged-out')}")
    assert page.get_by_role("heading", name="You are logged out").is_visible()
    page.goto(reverse("portal:home"))
    page.wait_for_url(f"**{reverse('portal:login')}")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_min_side_pages_have_no_axe_violations(browsing, case, language):
    page = browsing.axe_page(language=language)
    page.goto(reverse("portal:login"))
    assert_no_axe_violations(page, path=reverse("portal:login"))
    page.locator("form[action$='id-porten/'] button").click()
    page.get_by_label("Fødselsnummer").fill(MOTHER)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    assert_no_axe_violations(page, path=reverse("portal:home"))
    for url in (
        reverse("portal:case", args=[case.pk]),
        reverse("portal:access-log", args=[case.child_id]),
        reverse("portal:withdraw-consent", args=[case.consent.pk]),
        reverse("portal:logged-out"),
    ):
        page.goto(url)
        assert_no_axe_violations(page, path=url)
