"""Min side: what parents see of a child of 12 to 17 in health and child welfare services.

From 12 the records a health or child welfare service holds about the child reach the parents
only once the service has released them; from 16 only what it released from the 16th birthday
on (pasient- og brukerrettighetsloven § 3-4). The young person's own view does not change.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services
from familiebro.cases.models import Case, Goal, LogEntry, Measure
from familiebro.core.models import Membership, ServiceUnit
from familiebro.portal import services as portal
from familiebro.privacy.family import Citizen
from familiebro.privacy.models import AuditEvent, FamilyAccessRule
from tests import factories
from tests.cases import builders
from tests.factories import identity_number
from tests.portal.test_family_pages import logged_in_as, measure
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

MOTHER = identity_number(datetime.date(1984, 2, 3), synthetic=True)
DAY = datetime.timedelta(days=1)


def born_years_ago(years: int, *, days_later: int = 0) -> datetime.date:
    """A birth date whose `years`th birthday is today (or `days_later` days from today)."""
    today = timezone.localdate() + datetime.timedelta(days=days_later)
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@pytest.fixture
def town():
    return builders.municipality()


@pytest.fixture
def health_case(town):
    """The health nurse's case on a child, with an agreement, a measure and a goal in it."""
    case = builders.open_concern(town.nurse, town.health_centre)
    mother = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    mother.set_national_id(MOTHER)
    mother.save()
    case_services.write_log_entry(
        town.nurse, case, kind=LogEntry.Kind.AGREEMENT, text="Samtale hver uke om søvn."
    )
    measure(case, town.nurse, "Samtaler med helsesykepleier")
    Goal.objects.create(
        case=case,
        organisation=case.organisation,
        text="Sove bedre",
        created_by=town.nurse,
        created_at=timezone.now(),
    )
    return case


def aged(case: Case, birth_date: datetime.date | None) -> None:
    case.child.birth_date = birth_date
    case.child.save(update_fields=["birth_date"])


def parent() -> Citizen:
    return Citizen(identity_hash=_hash(MOTHER))


def _hash(number: str) -> str:
    from familiebro.core import crypto

    return crypto.lookup_hash(number)


def seen_cases(citizen: Citizen) -> list[int]:
    return [c.pk for section in portal.overview(citizen) for c in section.cases]


def agreement(case: Case) -> LogEntry:
    return LogEntry.objects.get(case=case, kind=LogEntry.Kind.AGREEMENT)


def release(actor, case, kind, item_id=None):
    return case_services.set_released_to_family(
        actor, case, kind=kind, item_id=item_id, released=True
    )


# The 12th birthday -------------------------------------------------------------------------


def test_the_day_before_the_12th_birthday_the_parent_sees_the_health_case_whole(health_case):
    aged(health_case, born_years_ago(12, days_later=1))
    assert seen_cases(parent()) == [health_case.pk]
    shown = portal.family_case(parent(), health_case.pk)
    assert [e.text for e in shown.log_entries if e.kind == LogEntry.Kind.AGREEMENT] == [
        "Samtale hver uke om søvn."
    ]
    assert [m.title for m in shown.measures] == ["Samtaler med helsesykepleier"]
    assert [g.text for g in shown.goals] == ["Sove bedre"]


def test_on_the_12th_birthday_the_health_case_is_gone_from_the_parents_view(health_case):
    aged(health_case, born_years_ago(12))
    assert seen_cases(parent()) == []
    with pytest.raises(Http404):
        portal.family_case(parent(), health_case.pk)


def test_from_12_the_parent_sees_what_the_nurse_released_and_nothing_else(health_case, town):
    aged(health_case, born_years_ago(13))
    release(town.nurse, health_case, "case")
    release(town.nurse, health_case, "logentry", agreement(health_case).pk)
    assert seen_cases(parent()) == [health_case.pk]
    shown = portal.family_case(parent(), health_case.pk)
    assert [e.text for e in shown.log_entries] == ["Samtale hver uke om søvn."]
    assert shown.measures == []
    assert shown.goals == []
    goal = Goal.objects.get(case=health_case)
    release(town.nurse, health_case, "goal", goal.pk)
    assert [g.text for g in portal.family_case(parent(), health_case.pk).goals] == ["Sove bedre"]


def test_taking_a_release_back_hides_it_again(health_case, town):
    aged(health_case, born_years_ago(14))
    release(town.nurse, health_case, "case")
    case_services.set_released_to_family(
        town.nurse, health_case, kind="case", item_id=None, released=False
    )
    assert seen_cases(parent()) == []


def test_a_kindergarten_case_on_a_13_year_old_is_shown_as_before(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    mother = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    mother.set_national_id(MOTHER)
    mother.save()
    aged(case, born_years_ago(13))
    assert seen_cases(parent()) == [case.pk]


def test_a_child_without_a_birth_date_is_not_shown_to_the_parent_at_all(health_case):
    aged(health_case, None)
    assert seen_cases(parent()) == []


# The 16th birthday -------------------------------------------------------------------------


def released_yesterday(case: Case) -> None:
    """The case and the agreement released the day before (while the child was 15)."""
    yesterday = timezone.now() - DAY
    Case.objects.filter(pk=case.pk).update(released_to_family_at=yesterday)
    LogEntry.objects.filter(pk=agreement(case).pk).update(released_to_family_at=yesterday)


def test_the_day_before_the_16th_birthday_an_earlier_release_is_still_shown(health_case):
    aged(health_case, born_years_ago(16, days_later=1))
    released_yesterday(health_case)
    assert seen_cases(parent()) == [health_case.pk]
    shown = portal.family_case(parent(), health_case.pk)
    assert [e.text for e in shown.log_entries] == ["Samtale hver uke om søvn."]


def test_on_the_16th_birthday_a_release_made_before_it_no_longer_counts(health_case):
    aged(health_case, born_years_ago(16))
    released_yesterday(health_case)
    assert seen_cases(parent()) == []


def test_from_16_what_is_released_for_parental_responsibility_is_shown(health_case, town):
    aged(health_case, born_years_ago(16))
    released_yesterday(health_case)
    release(town.nurse, health_case, "case")
    shown = portal.family_case(parent(), health_case.pk)
    assert shown.log_entries == []  # released at 15: not again since the birthday
    release(town.nurse, health_case, "logentry", agreement(health_case).pk)
    shown = portal.family_case(parent(), health_case.pk)
    assert [e.text for e in shown.log_entries] == ["Samtale hver uke om søvn."]


def test_a_measure_released_from_16_is_shown_and_the_others_not(health_case, town):
    aged(health_case, born_years_ago(17))
    other = measure(health_case, town.nurse, "Prevensjonsveiledning")
    release(town.nurse, health_case, "case")
    first = Measure.objects.get(case=health_case, title="Samtaler med helsesykepleier")
    release(town.nurse, health_case, "measure", first.pk)
    titles = [m.title for m in portal.family_case(parent(), health_case.pk).measures]
    assert titles == ["Samtaler med helsesykepleier"]
    assert other.title not in titles


# The young person themselves ---------------------------------------------------------------


def test_the_young_person_sees_their_own_health_case_whole_at_16(health_case):
    aged(health_case, born_years_ago(16))
    own = identity_number(health_case.child.birth_date, synthetic=True)
    health_case.child.set_national_id(own)
    health_case.child.save()
    themselves = Citizen(identity_hash=_hash(own))
    assert seen_cases(themselves) == [health_case.pk]
    shown = portal.family_case(themselves, health_case.pk)
    assert [m.title for m in shown.measures] == ["Samtaler med helsesykepleier"]
    assert "Samtale hver uke om søvn." in [e.text for e in shown.log_entries]
    log = portal.access_log(themselves, health_case.child_id).entries
    assert "Hanne Helsesykepleier" in {entry.actor_name for entry in log}


# Child welfare -----------------------------------------------------------------------------


def child_welfare_case(town, child):
    unit = factories.ServiceUnitFactory(
        organisation=town.organisation,
        name="Barneverntjenesten i Stange",
        kind=ServiceUnit.Kind.CHILD_WELFARE,
    )
    worker = make.member(unit, first_name="Kari", last_name="Saksbehandler")
    make.assign(child, worker)
    for relation in child.guardians_rel.all():
        make.assign(relation.guardian, worker)
    return worker, builders.open_concern(worker, unit, child=child)


def test_a_child_welfare_case_on_a_12_year_old_is_shown_only_once_released(health_case, town):
    aged(health_case, born_years_ago(12, days_later=1))
    worker, welfare = child_welfare_case(town, health_case.child)
    assert welfare.pk in seen_cases(parent())  # 11 years old: shown as any case
    aged(health_case, born_years_ago(12))
    assert welfare.pk not in seen_cases(parent())
    release(worker, welfare, "case")
    assert welfare.pk in seen_cases(parent())


def test_an_organisation_may_apply_the_rule_to_child_welfare_from_another_age(health_case, town):
    _worker, welfare = child_welfare_case(town, health_case.child)
    aged(health_case, born_years_ago(13))
    FamilyAccessRule.objects.create(
        organisation=town.organisation, young_person_age=14, domains="health"
    )
    assert set(seen_cases(parent())) == {health_case.pk, welfare.pk}
    FamilyAccessRule.objects.filter(organisation=town.organisation).update(young_person_age=13)
    assert seen_cases(parent()) == [welfare.pk]


# Who may release, and the audit trail ------------------------------------------------------


def test_a_staff_member_without_write_access_cannot_release(health_case, town):
    aged(health_case, born_years_ago(13))
    with pytest.raises(PermissionDenied):
        release(town.teacher, health_case, "case")
    admin = make.member(town.health_centre, Membership.Role.UNIT_ADMIN, first_name="Ada")
    make.assign(health_case.child, admin, domain="health")
    with pytest.raises(PermissionDenied):
        release(admin, health_case, "case")
    health_case.refresh_from_db()
    assert health_case.released_to_family_at is None
    assert seen_cases(parent()) == []


def test_a_release_is_audited_as_a_change_by_the_nurse(health_case, town):
    entry = agreement(health_case)
    release(town.nurse, health_case, "logentry", entry.pk)
    event = AuditEvent.objects.filter(object_type="cases.logentry", action="change").get()
    assert event.actor_id == town.nurse.pk
    assert event.object_ids == [str(entry.pk)]
    assert event.subject_ids == [str(health_case.child_id)]
    assert event.detail["released_to_family"] is True


def test_a_record_of_another_case_cannot_be_released_through_this_one(health_case, town):
    other = builders.open_concern(town.nurse, town.health_centre)
    foreign = LogEntry.objects.filter(case=other).first()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        release(town.nurse, health_case, "logentry", foreign.pk)
    with pytest.raises(ValidationError):
        release(town.nurse, health_case, "minutes", foreign.pk)


# The pages and the API follow the rule -----------------------------------------------------


def test_min_side_and_the_access_log_api_follow_the_rule(client, citizen_login, health_case):
    logged_in_as(client, citizen_login, MOTHER)
    aged(health_case, born_years_ago(12, days_later=1))
    api = f"/api/portal/persons/{health_case.child_id}/access-log"
    case_link = reverse("portal:case", args=[health_case.pk])
    assert case_link in client.get(reverse("portal:home")).content.decode()
    before = client.get(api).json()
    assert {"Sak", "Loggføring"} <= {entry["record_type"] for entry in before}
    assert "Hanne Helsesykepleier" in {entry["actor_name"] for entry in before}
    aged(health_case, born_years_ago(12))
    assert case_link not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:case", args=[health_case.pk])).status_code == 404
    answer = client.get(api)
    assert answer.status_code == 200
    entries = answer.json()
    # Neither the nurse's work in the case nor her registering the child is shown; the
    # parent's own reading of the log is.
    assert not {"Sak", "Loggføring"} & {entry["record_type"] for entry in entries}
    assert not [e for e in entries if "Helsesykepleier" in e["actor_name"]]
    assert entries


# The case page tells staff and lets them release -------------------------------------------


def test_the_case_page_tells_the_nurse_what_the_parents_see_and_releases(health_case, town):
    aged(health_case, born_years_ago(16))
    nurse = make.logged_in(town.nurse)
    nurse.cookies["familiebro_language"] = "en"
    page = nurse.get(reverse("cases:participants", args=[health_case.pk])).content.decode()
    assert "What the parents see" in page
    assert "as needed for them to exercise parental responsibility" in page
    answer = nurse.post(
        reverse("cases:release-to-family", args=[health_case.pk]),
        {"kind": "case", "item": health_case.pk, "released": "1"},
    )
    assert answer.status_code == 302
    assert seen_cases(parent()) == [health_case.pk]
    page = nurse.get(reverse("cases:participants", args=[health_case.pk])).content.decode()
    assert "released to the parents" in page


def test_the_case_page_of_an_11_year_old_has_no_release_section(health_case, town):
    aged(health_case, born_years_ago(12, days_later=1))
    nurse = make.logged_in(town.nurse)
    nurse.cookies["familiebro_language"] = "en"
    page = nurse.get(reverse("cases:participants", args=[health_case.pk])).content.decode()
    assert "What the parents see" not in page


def test_a_unit_administrator_is_refused_on_the_page(health_case, town):
    """The role sets the unit up: even with a need to know recorded, the case stays shut."""
    aged(health_case, born_years_ago(13))
    admin = make.member(town.health_centre, Membership.Role.UNIT_ADMIN, first_name="Ada")
    make.assign(health_case.child, admin, domain="health")
    client = make.logged_in(admin)
    page = client.get(reverse("cases:participants", args=[health_case.pk]))
    assert page.status_code == 404
    answer = client.post(
        reverse("cases:release-to-family", args=[health_case.pk]),
        {"kind": "case", "item": health_case.pk, "released": "1"},
    )
    assert answer.status_code == 404
    assert seen_cases(parent()) == []


# The whole table: the child's age on the day of reading, the service, the release ----------

# (age today, release) -> whether the parent sees the health centre's case. The
# kindergarten's case on the same child is seen in every cell. "earlier": released 400 days
# ago, before the 16th birthday of a child who is 16 or 17 today.
HEALTH_CASE_SEEN = {
    ("11", "none"): True,
    ("11", "earlier"): True,
    ("11", "today"): True,
    ("12", "none"): False,
    ("12", "earlier"): True,
    ("12", "today"): True,
    ("15", "none"): False,
    ("15", "earlier"): True,
    ("15", "today"): True,
    ("16", "none"): False,
    ("16", "earlier"): False,
    ("16", "today"): True,
    ("17", "none"): False,
    ("17", "earlier"): False,
    ("17", "today"): True,
}
BIRTH_DATES = {
    "11": lambda: born_years_ago(12, days_later=1),
    "12": lambda: born_years_ago(12),
    "15": lambda: born_years_ago(16, days_later=1),
    "16": lambda: born_years_ago(16),
    "17": lambda: born_years_ago(17),
}


@pytest.mark.parametrize(("age", "released"), sorted(HEALTH_CASE_SEEN))
def test_the_parent_sees_exactly_the_cells_of_the_table(health_case, town, age, released):
    for person in (health_case.child, *(r.guardian for r in health_case.child.guardians_rel.all())):
        make.assign(person, town.teacher)
    kindergarten = builders.open_concern(town.teacher, town.kindergarten, child=health_case.child)
    aged(health_case, BIRTH_DATES[age]())
    when = {
        "none": None,
        "earlier": timezone.now() - datetime.timedelta(days=400),
        "today": timezone.now(),
    }[released]
    Case.objects.filter(pk=health_case.pk).update(released_to_family_at=when)
    seen = set(seen_cases(parent()))
    assert (health_case.pk in seen) is HEALTH_CASE_SEEN[(age, released)]
    assert kindergarten.pk in seen
