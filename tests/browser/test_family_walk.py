"""Registering a family in a real Chromium, the whole path: a parent's request for help
arrives → the nurse registers the child and both parents from the request → opens the case →
records the parents' consent → adds BUP as a participant → the mother logs in on Min side and
sees her child's case with BUP taking part, and the consent she gave.

Nothing here is made by the demo data or by a factory's guardian relation: the only link
between the mother and the child is the one the nurse makes in the browser."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.cases.models import Case, HelpRequest
from familiebro.cases.pathway_library import install_shipped
from familiebro.core import crypto
from familiebro.core.models import GuardianRelation, Person
from familiebro.privacy.models import AuditEvent, Consent, Purpose
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.factories import identity_number
from tests.interop.oidc_server import configure, running_provider
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

CHILD = identity_number(datetime.date(2019, 3, 4), synthetic=True)
MOTHER = identity_number(datetime.date(1988, 5, 6), synthetic=True)


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(live_server.url) as provider:
        yield provider


@pytest.fixture
def town(transactional_db, settings, provider):
    # The live server's database is flushed between tests, taking the pathways and the
    # consent texts the migrations made with it.
    install_shipped()
    make.consent_text(Purpose.COORDINATION, "en")
    configure(settings, provider)
    return builders.municipality()


@pytest.fixture
def help_request(town) -> HelpRequest:
    return HelpRequestFactory(
        unit=town.health_centre,
        requester_role=HelpRequest.RequesterRole.PARENT,
        requester_name="Nina Lund",
        phone="+4791234567",
        email="nina@example.no",
        message="Datteren vår har vondt i magen hver morgen før barnehagen.",
    )


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def register_the_family(page, *, from_request: bool = True) -> None:
    page.locator("#id_barn-given_name").fill("Ada")
    page.locator("#id_barn-family_name").fill("Lund")
    page.locator("#id_barn-national_id").fill(CHILD)
    if from_request:
        # The mother asked; her name and contact details come from the request.
        expect(page.locator("#id_forelder1-given_name")).to_have_value("Nina")
        expect(page.locator("#id_forelder1-family_name")).to_have_value("Lund")
    else:
        page.locator("#id_forelder1-given_name").fill("Nina")
        page.locator("#id_forelder1-family_name").fill("Lund")
    page.locator("#id_forelder1-national_id").fill(MOTHER)
    page.locator("#id_forelder1-parental_responsibility_0").check()
    page.locator("#id_forelder1-same_address_0").check()
    page.locator("#id_forelder1-known_from").select_option("population_register")
    # The father has no Norwegian identity number yet.
    page.locator("#id_forelder2-given_name").fill("Ole")
    page.locator("#id_forelder2-family_name").fill("Lund")
    page.locator("#id_forelder2-birth_date").fill("1986-09-10")
    page.locator("#id_forelder2-parental_responsibility_0").check()
    page.locator("#id_forelder2-same_address_1").check()
    page.locator("#id_forelder2-known_from").select_option("family")


def record_the_parents_consent(page, child: Person, town) -> None:
    mother, father = (
        r.guardian for r in child.guardians_rel.select_related("guardian").order_by("pk")
    )
    page.goto(reverse("consent-record", args=[child.pk]))
    page.locator("select[name=purpose]").select_option("coordination")
    # BUP is in another organisation: among the services elsewhere, found by searching.
    page.get_by_text("Services elsewhere").click()
    page.get_by_label("Search for a service or an organisation").fill("BUP")
    page.locator(f"input[name=recipient_units][value='{town.bup.pk}']").check()
    for scope in ("measures_and_plans", "log_entries"):
        page.locator(f"input[name=scope][value='{scope}']").check()
    valid_to = timezone.localdate() + datetime.timedelta(days=180)
    page.locator("input[name=valid_to]").fill(valid_to.isoformat())
    page.locator("input[name=channel][value='oral']").check()
    page.locator(f"input[name=givers][value='{mother.pk}']").check()
    page.locator(f"input[name=givers][value='{father.pk}']").check()
    page.locator("input[name=witness]").fill("Lise Leder")
    if page.locator("textarea[name=child_view]").count():
        page.locator("textarea[name=child_view]").fill("Ada vil at BUP skal hjelpe.")
    submit(page, "Record the consent")
    refusals = page.locator(".ds-validation-message").all_inner_texts()
    assert not refusals, refusals


def test_a_request_becomes_a_registered_family_with_consent_and_bup_seen_on_min_side(
    browsing, town, help_request
):
    nurse = browsing.new_page(language="en", session_key=session_key_for(town.nurse))
    nurse.goto(reverse("inbox:detail", args=[help_request.pk]))
    with nurse.expect_navigation():
        nurse.get_by_role("link", name="Register the family").click()
    register_the_family(nurse)
    submit(nurse, "Register the family")

    # Back on opening the case, from the request, with the child chosen.
    child = Person.objects.get(national_id_hash=crypto.lookup_hash(CHILD))
    assert nurse.url.endswith(f"?henvendelse={help_request.pk}&barn={child.pk}")
    expect(nurse.locator("select[name=child]")).to_have_value(str(child.pk))
    relations = GuardianRelation.objects.filter(child=child).select_related("guardian")
    assert {
        (r.guardian.given_name, r.has_parental_responsibility, r.lives_with_child)
        for r in relations
    } == {
        ("Nina", True, True),
        ("Ole", True, False),
    }
    submit(nurse, "Open the case")
    case = Case.objects.get(child=child)
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.CONVERTED

    record_the_parents_consent(nurse, child, town)
    consent = Consent.objects.get(subject=child)
    assert set(consent.givers.values_list("person__given_name", flat=True)) == {"Nina", "Ole"}

    nurse.goto(reverse("cases:add-participant", args=[case.pk]))
    nurse.locator("select[name=participant-unit]").select_option(str(town.bup.pk))
    submit(nurse, "Add the service")
    assert case.participants.filter(unit=town.bup, ended_at=None).exists()

    # The mother logs in on Min side with ID-porten and sees what the nurse did.
    mother = browsing.new_page(language="en")
    mother.goto(reverse("portal:login"))
    mother.locator("form[action$='id-porten/'] button").click()
    mother.get_by_label("Fødselsnummer").fill(MOTHER)
    mother.get_by_role("button", name="Logg inn").click()
    mother.wait_for_url(f"**{reverse('portal:home')}")
    expect(mother.get_by_text("BUP Hamar").first).to_be_visible()  # the consent she gave
    with mother.expect_navigation():
        mother.get_by_role("link", name="Ada Lund at Helsestasjonen i Stange").click()
    expect(mother.locator("dd", has_text="BUP Hamar")).to_be_visible()

    # Every step was the nurse's, audited: the two links with how they are known.
    links = AuditEvent.objects.filter(action="create", object_type="core.guardianrelation")
    assert {e.actor_id for e in links} == {town.nurse.pk}
    assert {e.detail["known_from"] for e in links} == {"population_register", "family"}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_family_pages_have_no_axe_violations(browsing, town, help_request, language):
    page = browsing.axe_page(language=language, session_key=session_key_for(town.nurse))
    url = reverse("inbox:register-family", args=[help_request.pk])
    page.goto(url)
    assert_no_axe_violations(page, path=url)
    # With errors: the summary and every field's message.
    page.locator("#id_forelder2-given_name").fill("Ole")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page, path=url)
    register_the_family(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    child = Person.objects.get(national_id_hash=crypto.lookup_hash(CHILD))
    detail = reverse("person-detail", args=[child.pk])
    page.goto(detail)
    assert page.locator("form[action$='/fjern/']").count() == 2
    assert_no_axe_violations(page, path=detail)
    link = reverse("person-guardian-link", args=[child.pk])
    page.goto(link)
    assert_no_axe_violations(page, path=link)


def test_the_family_form_fits_a_phone_and_works_without_javascript(browsing, town):
    page = browsing.new_page(
        language="nb",
        session_key=session_key_for(town.nurse),
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
    )
    page.goto(f"{reverse('person-family-register')}?neste=sak")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    register_the_family(page, from_request=False)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    child = Person.objects.get(national_id_hash=crypto.lookup_hash(CHILD))
    assert page.url.endswith(f"{reverse('cases:open')}?barn={child.pk}")
    assert child.guardians_rel.count() == 2
