"""Who may change a case: those who work on it, not everyone who knows the child.

The owning unit's caseworkers and the services taking part write to a case. A colleague of
another unit of the same organisation who knows the child from elsewhere, and a unit
administrator by that role alone, read what their need to know opens but change nothing.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import (
    case_pages,
    case_services,
    measure_services,
    participant_services,
    permissions,
)
from familiebro.cases.models import Case, Goal, LogEntry, Milestone
from familiebro.core.models import Membership, ServiceUnit
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

PATHWAY = "kvalitet-i-alle-ledd"  # has a milestone in its first phase
MILESTONE = "screening_done"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def case(town) -> Case:
    """The health centre's case about a child the kindergarten also knows."""
    return builders.open_concern(town.nurse, town.health_centre, pathway=PATHWAY)


def school_nurse(town):
    """A nurse of the school health service: another unit under the same duty of
    confidentiality as the health centre, so her need to know the child opens its case."""
    school_health = make.unit(
        town.organisation, name="Skolehelsetjenesten i Stange", kind=ServiceUnit.Kind.SCHOOL_HEALTH
    )
    return make.member(school_health, first_name="Sara", last_name="Skolesykepleier")


def knows_child_from_elsewhere(town, case: Case):
    """The school nurse, assigned to the child for the school health service's own work."""
    nurse = school_nurse(town)
    make.assign(case.child, user=nurse)
    return nurse


def unit_administrator(town):
    return make.member(town.health_centre, Membership.Role.UNIT_ADMIN, first_name="Knut")


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def written(case: Case) -> tuple[int, int, int]:
    return (
        Goal.objects.filter(case=case).count(),
        LogEntry.objects.filter(case=case).count(),
        Milestone.objects.filter(case=case).count(),
    )


def post_each_write(client: Client, case: Case):
    """Post a goal, a log entry and a milestone, one at a time (a generator, so that each
    answer can be read before the next is sent)."""
    url = lambda name: reverse(f"cases:{name}", args=[case.pk])  # noqa: E731
    today = timezone.localdate().isoformat()
    yield client.post(url("add-goal"), {"goal-text": "Åse trives igjen."})
    yield client.post(url("write-log"), {"log-kind": "note", "log-text": "Mor ringte."})
    yield client.post(
        url("milestone"), {"milestone-key": MILESTONE, "milestone-occurred_on": today}
    )


def refusal_text(client: Client, response) -> str:
    if response.status_code == 302:
        return client.get(response["Location"]).content.decode()
    return response.content.decode()


def test_who_only_knows_the_child_cannot_write_to_the_case(town, case):
    client = as_user(knows_child_from_elsewhere(town, case))
    # They read the case: the need to know opens it.
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    before = written(case)
    for response in post_each_write(client, case):
        assert response.status_code in (302, 403), response.status_code
        assert "Only the unit that owns this case" in refusal_text(client, response)
    assert written(case) == before


def test_a_unit_administrator_neither_reads_nor_writes_the_units_cases(town, case):
    """The role sets the unit up; it opens none of the unit's families' data."""
    client = as_user(unit_administrator(town))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    before = written(case)
    for response in post_each_write(client, case):
        assert response.status_code == 404, response.status_code
    assert written(case) == before


@pytest.mark.parametrize("who", ["colleague_of_another_unit", "unit_administrator"])
def test_the_services_refuse_who_does_not_work_on_the_case(town, case, who):
    actor = (
        knows_child_from_elsewhere(town, case)
        if who == "colleague_of_another_unit"
        else unit_administrator(town)
    )
    before = written(case)
    with pytest.raises(PermissionDenied):
        measure_services.add_goal(actor, case, "Et mål")
    with pytest.raises(PermissionDenied):
        case_services.write_log_entry(actor, case, kind=LogEntry.Kind.NOTE, text="Et notat")
    with pytest.raises(PermissionDenied):
        case_services.record_milestone(actor, case, MILESTONE)
    assert not permissions.may_change(actor, case)
    assert written(case) == before


def test_the_case_page_offers_no_forms_to_who_does_not_work_on_the_case(town, case):
    page = case_pages.case_page(knows_child_from_elsewhere(town, case), case.pk, case_pages.LOG)
    assert not page.can_change
    # Owning-organisation staff with the need to know still read the log's history.
    assert page.log


def test_the_owning_units_caseworker_writes(town, case):
    colleague = make.member(town.health_centre, first_name="Nina")
    client = as_user(colleague)
    before = written(case)
    for response in post_each_write(client, case):
        assert response.status_code == 302
    goals, log, milestones = written(case)
    assert (goals, milestones) == (before[0] + 1, before[2] + 1)
    assert log > before[1]
    assert case_pages.case_page(colleague, case.pk).can_change


def test_a_participating_units_member_writes(town, case):
    participant_services.add_participant(town.nurse, case, unit=town.team, role="Familieterapi")
    client = as_user(town.therapist)
    before = written(case)
    for response in post_each_write(client, case):
        assert response.status_code == 302
    assert written(case)[0] == before[0] + 1


def test_a_unit_administrator_who_also_works_in_the_unit_writes(town, case):
    nurse = make.member(town.health_centre, Membership.Role.UNIT_ADMIN)
    Membership.objects.create(user=nurse, unit=town.health_centre, role=Membership.Role.WORKER)
    measure_services.add_goal(nurse, case, "Åse trives igjen.")
    assert Goal.objects.filter(case=case, created_by=nurse).exists()


def test_a_colleague_offered_the_coordinator_role_may_accept_it(town, case):
    """The offer is what lets a colleague of another unit join: accepting it is allowed."""
    colleague = school_nurse(town)
    handover = participant_services.offer_handover(town.nurse, case, colleague)
    participant_services.accept_handover(colleague, handover.pk)
    case.refresh_from_db()
    assert case.coordinator_id == colleague.pk
    # Now taking part by name, they work on the case.
    measure_services.add_goal(colleague, case, "Åse trives igjen.")


def test_a_unit_administrator_by_role_alone_cannot_open_a_case(town):
    admin = unit_administrator(town)
    child = builders.child_of(town.nurse)
    make.assign(child, user=admin, domain="health")
    before = Case.objects.count()
    # The role opens none of the unit's data, the child included.
    with pytest.raises(PermissionDenied):
        builders.open_concern(admin, town.health_centre, child=child)
    assert Case.objects.count() == before
