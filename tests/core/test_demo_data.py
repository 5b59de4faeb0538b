"""The demo data: real municipality numbers, fictional people, and safe to load twice."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from stdnum.no import orgnr

from familiebro.core import demo as core_demo
from familiebro.core.identifiers import birth_date_from_identity_number
from familiebro.core.models import (
    GuardianRelation,
    Membership,
    Municipality,
    Organisation,
    Person,
    ServiceUnit,
    User,
)
from familiebro.demo import data as demo
from familiebro.persons import demo as persons_demo
from familiebro.privacy.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

DEMO_DOCS = Path(__file__).resolve().parents[2] / "docs" / "demo.md"

# Written out here rather than read from demo.py, so that a wrong number there fails a test.
PILOT_MUNICIPALITIES_2024 = {
    "Stange": "3413",
    "Rana": "1833",
    "Namsos": "5007",
    "Gloppen": "4650",
    "Skien": "4003",
    "Lillestrøm": "3205",
    "Averøy": "1554",
    "Hustadvika": "1579",
    "Molde": "1506",
    "Smøla": "1573",
}

Unit = ServiceUnit.Kind
MUNICIPAL_SERVICES = {
    Unit.HEALTH_CENTRE,
    Unit.KINDERGARTEN,
    Unit.SCHOOL,
    Unit.PPT,
    Unit.CHILD_WELFARE,
}
DEMO_MODELS = (
    Municipality,
    Organisation,
    ServiceUnit,
    User,
    Membership,
    Person,
    GuardianRelation,
    AuditEvent,
)


@pytest.fixture
def loaded() -> core_demo.LoadResult:
    return demo.load_demo_data()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS} | {
        "municipalities served": ServiceUnit.municipalities_served.through.objects.count()
    }


def test_the_pilot_municipalities_have_their_2024_numbers(loaded):
    pilots = Municipality.objects.filter(organisation__isnull=False)
    assert {m.name: m.number for m in pilots} == PILOT_MUNICIPALITIES_2024


def test_it_creates_the_whole_demo(loaded):
    # The list Familiebro ships already holds every municipality the demo names.
    assert Municipality.objects.count() == 357
    assert Organisation.objects.count() == 19
    assert ServiceUnit.objects.count() == 60
    assert User.objects.count() == len(core_demo.DEMO_LOGINS) == 12
    # The couples of the family counselling office in Mo i Rana add six records.
    assert Person.objects.count() == 43
    assert 8 <= len(persons_demo.FAMILIES) <= 14
    assert (loaded.municipalities, loaded.units, loaded.staff, loaded.persons) == (0, 60, 12, 43)


def test_each_municipality_has_its_own_services_with_a_valid_organisation_number(loaded):
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    assert municipalities.count() == 10
    for organisation in municipalities:
        assert orgnr.is_valid(organisation.org_number), organisation
        assert organisation.name == f"{organisation.municipality.name} kommune"
        units = organisation.units.all()
        assert {unit.kind for unit in units} >= MUNICIPAL_SERVICES, organisation
        for unit in units:
            assert list(unit.municipalities_served.all()) == [organisation.municipality]
    assert ServiceUnit.objects.get(name="Helsestasjonen i Stange").kind == Unit.HEALTH_CENTRE


def test_stange_has_the_low_threshold_team_familiehjelpa(loaded):
    team = ServiceUnit.objects.get(name="Familiehjelpa")
    assert team.kind == Unit.LOW_THRESHOLD_TEAM
    assert team.organisation.municipality.number == "3413"


def test_every_family_counselling_office_serves_several_municipalities(loaded):
    expected_host = {
        "Familievernkontoret Mo i Rana": "1833",
        "Familievernkontoret Namsos": "5007",
        "Familievernkontoret Nordfjord": "4650",
        "Familievernkontoret Grenland": "4003",
        "Familievernkontoret Romerike-Kongsvinger": "3205",
    }
    offices = ServiceUnit.objects.filter(kind=Unit.FAMILY_COUNSELLING)
    assert {office.name for office in offices} == set(expected_host)
    for office in offices:
        served = set(office.municipalities_served.values_list("number", flat=True))
        assert expected_host[office.name] in served
        assert len(served) >= 5, office
        assert office.organisation.kind == Organisation.Kind.STATE_SERVICE
        assert office.organisation.name.startswith("Bufetat")


def test_bup_molde_serves_the_four_municipalities_of_the_collaboration_pathway(loaded):
    bup = ServiceUnit.objects.get(name="BUP Molde")
    assert bup.kind == Unit.BUP
    assert bup.organisation.name == "Helse Møre og Romsdal HF"
    assert bup.organisation.kind == Organisation.Kind.HEALTH_TRUST
    served = {m.name for m in bup.municipalities_served.all()}
    assert served == {"Averøy", "Hustadvika", "Molde", "Smøla"}
    stange_bup = ServiceUnit.objects.get(kind=Unit.BUP, municipalities_served__number="3413")
    assert stange_bup.organisation.name == "Sykehuset Innlandet HF"


def test_there_is_a_voluntary_offer(loaded):
    offer = ServiceUnit.objects.get(kind=Unit.VOLUNTARY)
    assert offer.organisation.kind == Organisation.Kind.VOLUNTARY
    assert "Home-Start" in offer.name


def test_every_role_has_a_demo_login(loaded):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    admin = User.objects.get(is_instance_admin=True)
    assert not admin.memberships.exists()
    assert not User.objects.filter(is_demo_account=False).exists()


def test_the_demo_logins_are_the_accounts_with_their_titles_and_units(loaded, settings):
    for login in core_demo.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.professional_title == login.title
        assert user.get_full_name() == login.name
        memberships = {(m.unit.name, m.role) for m in user.memberships.select_related("unit")}
        assert memberships == ({(login.unit, login.role)} if login.unit else set())
    nurse = User.objects.get(username="helsesykepleier")
    assert nurse.professional_title == User.Title.PUBLIC_HEALTH_NURSE
    assert nurse.check_password(settings.DEMO_PASSWORD)


def test_every_identity_number_is_synthetic_and_matches_the_birth_date(loaded):
    persons = Person.objects.exclude(national_id_hash=None)
    assert persons.count() == Person.objects.count() - 1  # the father known by name only
    for person in persons:
        number = person.national_id
        assert int(number[2:4]) > 80, person
        assert person.birth_date == birth_date_from_identity_number(number)


def test_the_families_include_the_guardian_situations_the_services_meet(loaded):
    relations = GuardianRelation.objects.all()
    assert relations.filter(
        kind=GuardianRelation.Kind.BIOLOGICAL,
        has_parental_responsibility=False,
        lives_with_child=False,
    ).exists()
    assert relations.filter(kind=GuardianRelation.Kind.FOSTER, lives_with_child=True).exists()
    assert relations.filter(kind=GuardianRelation.Kind.STEP).exists()
    assert Person.objects.filter(kind=Person.Kind.EXPECTANT_PARENT, birth_date=None).exists()
    assert Person.objects.filter(kind=Person.Kind.YOUNG_PERSON).exists()


def test_a_family_known_to_two_organisations_has_a_record_in_each(loaded):
    jakob = Person.objects.filter(given_name="Jakob", family_name="Strand")
    assert {p.organisation.name for p in jakob} == {"Molde kommune", "Helse Møre og Romsdal HF"}
    assert len({p.national_id_hash for p in jakob}) == 1


def test_persons_and_relations_are_registered_through_the_audited_services(loaded):
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, actor_id=None)
    assert created.filter(object_type="core.person").count() == Person.objects.count()
    relations = created.filter(object_type="core.guardianrelation")
    assert relations.count() == GuardianRelation.objects.count()


def test_a_second_run_creates_nothing_and_writes_no_audit_events(loaded):
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        second = demo.load_demo_data()
    assert not second.created_anything
    assert row_counts() == before
    statements = [query["sql"].split()[0].upper() for query in queries]
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    # Fast: one lookup per person and per family, a handful for everything else (each
    # part's demo asks once or twice whether its rows are there).
    persons = sum(len(family.members) for family in persons_demo.FAMILIES)
    assert len(statements) <= persons + len(persons_demo.FAMILIES) + 20


def test_the_command_prints_what_it_created_and_then_that_nothing_was_missing():
    first, second = StringIO(), StringIO()
    call_command("demo-data", stdout=first)
    call_command("demo-data", stdout=second)
    assert "Created 19 organisations, 60 service units" in first.getvalue()
    assert "already loaded: nothing to create" in second.getvalue()
    assert "12 demo logins" in second.getvalue()


@override_settings(DEMO_MODE=False, MODE="production")
def test_it_refuses_to_run_on_a_production_instance():
    with pytest.raises(CommandError, match="only on a demo or test instance"):
        call_command("demo-data", stdout=StringIO())
    assert Municipality.objects.count() == 357
    assert not User.objects.exists()


def test_it_refuses_to_take_over_an_account_that_is_not_a_demo_account():
    factories.UserFactory(username="leder")
    with pytest.raises(CommandError, match="'leder' already exists and is not a demo account"):
        call_command("demo-data", stdout=StringIO())
    # One transaction: what was created before the refusal is gone again.
    assert Municipality.objects.count() == 357
    assert not Person.objects.exists()


def test_the_data_refers_only_to_what_it_defines():
    numbers = [m.number for m in core_demo.MUNICIPALITIES]
    assert len(numbers) == len(set(numbers))
    unit_names = [unit.name for org in core_demo.ORGANISATIONS for unit in org.units]
    # Logins name their unit by name alone, so names must be unique across organisations.
    assert len(unit_names) == len(set(unit_names))
    assert {login.unit for login in core_demo.DEMO_LOGINS} - {None} <= set(unit_names)
    served = {n for org in core_demo.ORGANISATIONS for unit in org.units for n in unit.serves}
    assert served <= set(numbers)
    org_numbers = {org.org_number for org in core_demo.ORGANISATIONS}
    assert {family.organisation for family in persons_demo.FAMILIES} <= org_numbers
    assert all(number.startswith("9") and orgnr.is_valid(number) for number in org_numbers)


def test_the_demo_docs_list_every_login_and_the_password(settings):
    text = DEMO_DOCS.read_text(encoding="utf-8")
    for login in core_demo.DEMO_LOGINS:
        assert f"| `{login.username}` | {login.name} |" in text
    assert f"`{settings.DEMO_PASSWORD}`" in text


# The demo offers (familiebro.catalogue.demo), loaded by the same command. ------------------


def test_the_demo_has_about_forty_published_offers_across_many_units(loaded):
    from familiebro.catalogue.models import Offer

    offers = Offer.objects.filter(status=Offer.Status.PUBLISHED)
    assert 35 <= offers.count() <= 45
    assert offers.values("unit").distinct().count() >= 20
    for offer in offers.prefetch_related("topics", "target_groups"):
        assert offer.topics.exists() and offer.target_groups.exists(), offer.title
        assert offer.contact_phone, offer.title
    assert offers.filter(title="Samtale på helsestasjonen").count() == 5


def test_the_demo_offers_span_languages_translations_sessions_and_one_stale_offer(loaded):
    from django.utils import timezone

    from familiebro.catalogue import reads
    from familiebro.catalogue.models import Offer, OfferSession, OfferTranslation

    assert Offer.objects.filter(languages__contains=" ar ").exists()
    assert Offer.objects.filter(languages__contains=" so ").exists()
    assert Offer.objects.filter(languages__contains=" ti ").exists()
    assert Offer.objects.filter(languages__contains=" uk ").exists()
    assert OfferTranslation.objects.filter(language="ar").exists()
    assert {"ar", "uk", "en", "nn"} <= set(
        OfferTranslation.objects.values_list("language", flat=True)
    )
    assert OfferSession.objects.filter(starts_at__gt=timezone.now()).count() >= 40
    assert Offer.objects.filter(age_from_months__lt=0).exists()
    assert Offer.objects.filter(referral_required=True).exists()
    assert Offer.objects.filter(programme__slug="pmto", unit__name="Familiehjelpa").exists()
    (stale,) = reads.stale_offers()
    assert stale.unit.name == "Helsestasjonen i Smøla"


def test_the_demo_offers_are_created_through_the_audited_services(loaded):
    from familiebro.catalogue.models import Offer

    published = AuditEvent.objects.filter(
        object_type="catalogue.offer", detail__event="publish", actor_id=None
    )
    assert published.count() == Offer.objects.count()


def test_a_second_run_creates_no_offers(loaded):
    from familiebro.catalogue.demo import load_demo_offers
    from familiebro.catalogue.models import Offer

    before = Offer.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert load_demo_offers() == 0
    assert Offer.objects.count() == before
    assert len(queries) == 1


def test_every_demo_offer_names_a_unit_and_municipalities_the_demo_defines():
    from familiebro.catalogue.demo import DEMO_OFFERS

    unit_names = {unit.name for org in core_demo.ORGANISATIONS for unit in org.units}
    numbers = {m.number for m in core_demo.MUNICIPALITIES}
    keys = [offer.key for offer in DEMO_OFFERS]
    assert len(keys) == len(set(keys))
    for offer in DEMO_OFFERS:
        assert offer.unit in unit_names, offer.key
        assert set(offer.municipalities) <= numbers, offer.key
        assert offer.place is None or offer.place.municipality in numbers, offer.key


def test_the_demo_staff_find_cases_to_work_on(loaded):
    from familiebro.cases import case_pages
    from familiebro.core.models import User

    coordinator = User.objects.get(username="koordinator")
    nurse = User.objects.get(username="helsesykepleier")
    allocation = case_pages.allocation(coordinator)
    assert [row.case.child.given_name for row in allocation.cases] == ["Emma"]
    assert [r.requester_name for r in allocation.requests] == ["Jon Nilsen"]
    rows = case_pages.my_cases(nurse)
    assert [row.case.child.given_name for row in rows] == ["Oskar"]
    assert rows[0].next_deadline is not None  # the measure's evaluation date


def test_every_demo_participation_across_a_duty_of_confidentiality_is_under_consent(loaded):
    """A unit of another confidentiality domain than the case's owning unit, in the same
    organisation as in another, takes part only under a consent naming it."""
    from familiebro.cases.models import Participant
    from familiebro.privacy.models import Consent

    crossing = [
        p
        for p in Participant.objects.select_related("unit", "case__unit")
        if p.unit.organisation_id != p.case.organisation_id or p.unit.domain != p.case.unit.domain
    ]
    assert crossing, "the demo shows a service of another domain taking part"
    for participant in crossing:
        assert participant.consent_id is not None, participant.unit.name
        in_force = Consent.objects.valid_at().filter(pk=participant.consent_id)
        assert in_force.filter(recipient_units=participant.unit).exists(), participant.unit.name
