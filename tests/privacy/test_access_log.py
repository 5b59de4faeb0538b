import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import access_log, exceptional, family, policy
from familiebro.privacy.models import AuditEvent, Purpose
from tests import factories
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

API = "/api/privacy/persons/{}/access-log"
A_PARENT = family.Citizen(identity_hash="not-used-by-these-tests")


def as_the_family(child):
    return access_log.family_access_log(
        A_PARENT, family.FamilyMember(child, family.Relation.PARENT)
    )


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def child(unit, staff):
    child, _guardian, _ = make.child_with_guardian(unit.organisation)
    make.assign(child, user=staff)
    return child


@pytest.fixture
def bup():
    """A unit in another organisation (the health trust), with a leader and a worker."""
    unit = make.unit(name="BUP Innlandet")
    make.member(unit, Membership.Role.LEADER)
    return unit


@pytest.fixture
def colleague(unit):
    """A health worker of another unit of the same organisation, who does not know the child:
    the one who may break the glass to them."""
    return make.member(make.unit(unit.organisation, name="Legevakten"))


def read_by(user, person, purpose=policy.Purpose.CASEWORK):
    policy.get_or_404(user, Person, person.pk, purpose)


def test_the_log_names_who_read_in_which_role_unit_and_organisation(staff, unit, child):
    read_by(staff, child)
    entry = access_log.access_log_for(staff, child)[0]
    assert entry.actor_name == staff.get_full_name()
    assert (entry.actor_role, entry.actor_unit) == ("Worker", unit.name)
    assert entry.actor_organisation == unit.organisation.name
    assert (entry.record_type, entry.action, entry.basis) == ("Person", "Viewed", "Own service")


def test_a_read_through_consent_names_the_consent_and_its_purpose(staff, child, bup):
    reader = make.member(bup)
    make.assign(child, user=reader, domain=bup.domain)  # works on the child, under consent
    consent = make.consent(
        child, purpose=Purpose.COORDINATION, recipient_organisations=[bup.organisation]
    )
    read_by(reader, child, Purpose.COORDINATION)
    entry = access_log.access_log_for(staff, child)[0]
    assert entry.actor_organisation == bup.organisation.name
    assert entry.basis == f"Consent no. {consent.pk} for coordination across services"


def test_exceptional_accesses_are_named_by_their_basis(staff, child, colleague):
    reader = colleague
    exceptional.open_access(
        reader,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        reason="Bekymringsmelding fra skolen i dag",
    )
    read_by(reader, child)
    opened, viewed = reversed(access_log.access_log_for(staff, child)[:2])
    words = "Break-glass access"
    assert (opened.action, opened.basis) == ("Opened an exceptional access", words)
    assert (viewed.action, viewed.basis) == ("Viewed", words)


def test_a_read_under_break_glass_is_recorded_under_it_even_when_a_need_to_know_opens_it(
    staff, unit, child
):
    """The staff member works with the child and breaks the glass too: what they read in the
    access's window is recorded and shown under the access, not as their own service's
    ordinary reading, while what the access does not open (an internal note) stays on the
    need to know, and the need to know still lets them change what they may change."""
    from familiebro.cases import case_services
    from familiebro.cases.models import Case, LogEntry

    case = case_services.open_case(
        staff, child=child, unit=unit, origin=Case.Origin.STAFF_CONCERN, concern="Vekt."
    )
    internal = case_services.write_log_entry(
        staff, case, kind=LogEntry.Kind.NOTE, text="Til oss selv.", internal_reason="Intern."
    )
    access = exceptional.open_access(
        staff,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        reason="Barnet er innlagt akutt i natt",
    )
    read_by(staff, child)
    event = AuditEvent.objects.latest("id")
    assert event.legal_basis == "break_glass"
    assert event.detail["exceptional_access_ids"] == [access.pk]
    basis = policy.bases_for(staff, [child], policy.Purpose.CASEWORK)[0]
    assert (basis.kind, basis.need_to_know) == ("break_glass", True)
    assert policy.may_change_on(staff, child, basis, policy.Purpose.CASEWORK)
    assert policy.bases_for(staff, [internal], policy.Purpose.CASEWORK)[0].kind == (
        policy.Basis.OWN_ORGANISATION
    )
    family_log = as_the_family(child)
    viewed = next(e for e in family_log if e.action == "Viewed" and e.record_type == "Person")
    assert viewed.basis == "Break-glass access"
    # Once the access has ended, the same read is the need to know's again.
    exceptional.ExceptionalAccess.objects.filter(pk=access.pk).update(revoked_at=timezone.now())
    read_by(staff, child)
    assert AuditEvent.objects.latest("id").legal_basis == policy.Basis.OWN_ORGANISATION


def test_a_list_page_shows_each_persons_own_basis(staff, unit, child, bup):
    reader = make.member(bup)
    own = factories.PersonFactory(organisation=bup.organisation)
    make.assign(own, user=reader)
    make.assign(child, user=reader, domain=bup.domain)  # works on the child, under consent
    make.consent(child, purpose=Purpose.COORDINATION, recipient_organisations=[bup.organisation])
    policy.list_page(
        reader, policy.visible(reader, Person, Purpose.COORDINATION), Purpose.COORDINATION
    )
    [childs_entry] = access_log.access_log_for(staff, child)[:1]
    assert childs_entry.action == "Listed"
    assert childs_entry.basis.startswith("Consent no.")
    own_log = access_log.access_log_for(reader, own)
    assert own_log[0].basis == "Own service"


def test_the_log_does_not_mix_up_persons_whose_ids_share_digits(staff, unit):
    base = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    short = factories.PersonFactory(pk=base, organisation=unit.organisation)
    long = factories.PersonFactory(pk=base * 10 + 1, organisation=unit.organisation)
    for person in (short, long):
        make.assign(person, user=staff)
    read_by(staff, long)
    assert access_log.access_log_for(staff, short) == []
    assert len(access_log.access_log_for(staff, long)) == 1


# Hidden from the family


@pytest.fixture
def hidden_access(child, colleague):
    """A colleague finds the child by number, breaks the glass and reads; their leader
    decides for the organisation that the family does not see it for a month."""
    number = identity_number(datetime.date(2019, 3, 14))
    child.set_national_id(number)
    child.save()
    reader = colleague
    found = exceptional.find_for_exceptional_access(reader, number)
    access = exceptional.open_access(
        reader,
        person_id=child.pk,
        found_person_ids={c.person_id for c in found},
        looked_up_at=timezone.now(),
        reason="Undersøkelse etter bekymringsmelding",
    )
    read_by(reader, child)
    leader = make.member(reader.memberships.get().unit, Membership.Role.LEADER)
    exceptional.decide_hiding(
        leader,
        access.pk,
        justification="Undersøkelsen ville bli skadet om foreldrene fikk vite det nå",
        until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return reader, access


def test_the_family_does_not_see_an_access_hidden_from_them_nor_its_search_and_reads(
    staff, child, hidden_access
):
    read_by(staff, child)
    family_log = as_the_family(child)
    staff_log = access_log.access_log_for(staff, child)
    reader, _access = hidden_access
    reader_name = reader.get_full_name()
    assert reader_name not in {e.actor_name for e in family_log}
    hidden = [e for e in staff_log if e.actor_name == reader_name]
    assert {e.action for e in hidden} == {
        "Searched by identity number before an exceptional access",
        "Opened an exceptional access",
        "Viewed",
    }
    assert "Decided to hide an exceptional access from the family" not in {
        e.action for e in family_log
    }
    assert all(e.hidden_from_family for e in hidden)
    assert staff.get_full_name() in {e.actor_name for e in family_log}


def test_after_the_end_date_the_hidden_access_shows_in_the_familys_log(child, hidden_access):
    reader, access = hidden_access
    # The end date was yesterday.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(access).objects.filter(pk=access.pk).update(hidden_until=yesterday)
    family_log = as_the_family(child)
    actions = [e.action for e in family_log if e.actor_name == reader.get_full_name()]
    assert "Opened an exceptional access" in actions and "Viewed" in actions
    assert "Decided to hide an exceptional access from the family" in {e.action for e in family_log}


def test_an_access_the_family_may_see_is_in_their_log(child, colleague):
    reader = colleague
    exceptional.open_access(
        reader,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        reason="Barnet er innlagt akutt i natt",
    )
    read_by(reader, child)
    family_log = as_the_family(child)
    assert [e.action for e in family_log if e.actor_name == reader.get_full_name()] == [
        "Viewed",
        "Opened an exceptional access",
    ]
    assert not any(e.hidden_from_family for e in family_log)


def test_reading_the_log_as_the_family_is_itself_logged(child):
    as_the_family(child)
    event = AuditEvent.objects.latest("id")
    assert (event.purpose, event.legal_basis) == (policy.Purpose.ACCESS_LOG, "data_subject")
    assert event.subject_ids == [str(child.pk)]


# The staff page and the API


def test_the_access_log_page_shows_the_log_and_logs_the_reading(staff_client, staff, child):
    read_by(staff, child)
    response = staff_client.get(reverse("person-access-log", args=[child.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Own service" in page
    assert staff.get_full_name() in page
    event = AuditEvent.objects.filter(purpose=policy.Purpose.ACCESS_LOG).get()
    assert event.object_ids == [str(child.pk)]
    assert event.actor_id == staff.pk


def test_the_access_log_of_a_person_the_user_may_not_see_is_not_found(staff_client, unit):
    colleagues_child = factories.PersonFactory(organisation=unit.organisation)
    stranger = factories.PersonFactory()
    for person in (colleagues_child, stranger):
        url = reverse("person-access-log", args=[person.pk])
        assert staff_client.get(url).status_code == 404
        assert staff_client.get(API.format(person.pk)).status_code == 404
    assert not AuditEvent.objects.filter(purpose=policy.Purpose.ACCESS_LOG).exists()


def test_the_api_returns_the_log_to_staff_past_the_second_factor(staff_client, staff, child):
    read_by(staff, child)
    response = staff_client.get(API.format(child.pk))
    assert response.status_code == 200
    first = response.json()[-1]
    assert first["actor_name"] == staff.get_full_name()
    assert first["basis"] == "Own service"
    assert set(first) >= {"occurred_at", "actor_role", "actor_unit", "record_type", "action"}


def test_the_api_refuses_callers_without_login_or_second_factor(client, staff, child):
    assert client.get(API.format(child.pk)).status_code == 401
    client.force_login(staff)
    assert client.get(API.format(child.pk)).status_code == 401


def test_the_log_page_takes_a_few_queries_with_ten_thousand_audit_events(
    staff_client, staff, unit, child
):
    others = [factories.PersonFactory(organisation=unit.organisation) for _ in range(20)]
    now = timezone.now()
    events = []
    for number in range(10_000):
        about = child if number % 50 == 0 else others[number % 20]
        events.append(
            AuditEvent(
                occurred_at=now - datetime.timedelta(minutes=number),
                actor_id=staff.pk,
                actor_label=staff.username,
                organisation_id=unit.organisation_id,
                action="view",
                object_type="core.person",
                object_ids=[str(about.pk)],
                subject_ids=[str(about.pk)],
                purpose="casework",
                legal_basis="own_organisation",
                prev_hash="0" * 64,
                hash=f"{number:064d}",
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    url = reverse("person-access-log", args=[child.pk])
    staff_client.get(url)  # warm up templates and the chain head
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(url)
    assert response.status_code == 200
    # 200 reads, and the two readings of the log itself.
    assert "(202 entries)" in response.content.decode()
    # Its cost is counted, not timed: a few queries, none of them per event.
    assert len(captured) < 25
