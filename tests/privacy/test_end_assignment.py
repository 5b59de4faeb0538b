"""Ending a need to know: staff say they no longer work with a person, and stop seeing them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import policy, retention
from familiebro.privacy.models import Assignment, AuditEvent
from familiebro.privacy.services import end_assignment
from tests import factories
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy import factories_retention
from tests.privacy.factories_retention import YEAR

pytestmark = pytest.mark.django_db

WORK_FINISHED = Assignment.EndReason.WORK_FINISHED


def sees(user, person) -> bool:
    return policy.visible(user, Person, policy.Purpose.CASEWORK).filter(pk=person.pk).exists()


@pytest.fixture
def health_centre():
    return make.unit()


@pytest.fixture
def worker(health_centre):
    return make.member(health_centre)


@pytest.fixture
def child(worker):
    """A child registered by the worker, which gives the worker the need to know."""
    return factories_retention.person(worker, "Emma", "Berg")


def own_assignment(user, person) -> Assignment:
    return Assignment.objects.get(person=person, user=user, ended_at=None)


def test_a_worker_who_ends_their_own_need_to_know_no_longer_sees_the_person(worker, child):
    assert sees(worker, child)
    ended = end_assignment(worker, own_assignment(worker, child), WORK_FINISHED)
    assert ended.ended_at is not None
    assert ended.work_ended_at == ended.ended_at
    assert ended.end_reason == WORK_FINISHED
    # The policy caches the user's memberships, never their assignments.
    assert not sees(worker, child)


def test_a_worker_ends_their_units_need_to_know_for_the_whole_unit(health_centre, worker):
    colleague = make.member(health_centre)
    person = factories.PersonFactory(organisation=health_centre.organisation)
    unit_wide = make.assign(person, unit=health_centre)
    assert sees(colleague, person)
    end_assignment(worker, unit_wide, Assignment.EndReason.TAKEN_OVER)
    assert not sees(colleague, person)
    assert not sees(worker, person)


def test_a_leader_ends_the_need_to_know_of_a_member_of_their_unit(health_centre, worker, child):
    leader = make.member(health_centre, Membership.Role.LEADER)
    end_assignment(leader, own_assignment(worker, child), Assignment.EndReason.IN_ERROR)
    assert not sees(worker, child)


def test_a_worker_cannot_end_a_colleagues_need_to_know(health_centre, worker, child):
    colleague = make.member(health_centre)
    make.assign(child, user=colleague)
    with pytest.raises(PermissionDenied, match="only your own or your unit's"):
        end_assignment(colleague, own_assignment(worker, child), WORK_FINISHED)
    assert sees(worker, child)


def test_a_leader_of_another_unit_cannot_end_it(health_centre, worker, child):
    kindergarten = make.unit(health_centre.organisation)
    other_leader = make.member(kindergarten, Membership.Role.LEADER)
    with pytest.raises(PermissionDenied, match="leader of their unit"):
        end_assignment(other_leader, own_assignment(worker, child), WORK_FINISHED)
    assert sees(worker, child)


def test_a_need_to_know_that_has_ended_cannot_be_ended_again(worker, child):
    assignment = own_assignment(worker, child)
    end_assignment(worker, assignment, WORK_FINISHED)
    with pytest.raises(ValidationError, match="already ended on"):
        end_assignment(worker, assignment, WORK_FINISHED)
    assert AuditEvent.objects.filter(object_type="privacy.assignment", action="change").count() == 1


def test_the_reason_is_chosen_from_the_list(worker, child):
    with pytest.raises(ValidationError, match="Choose why the need to know ends"):
        end_assignment(worker, own_assignment(worker, child), "no longer relevant, says mum")
    assert sees(worker, child)


def test_a_need_to_know_an_open_case_depends_on_is_refused_for_every_family_member():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    given_by_case = Assignment.objects.filter(user=town.nurse, given_by_case=case, ended_at=None)
    assert given_by_case.count() > 1  # the child and the guardians
    refusal = f"Case {case.reference} is open .* Close the case, or end the participation"
    for assignment in given_by_case:
        with pytest.raises(ValidationError, match=refusal):
            end_assignment(town.nurse, assignment, WORK_FINISHED)
    assert given_by_case.count() > 1


def test_the_need_to_know_from_registering_ends_though_a_case_keeps_its_own(worker, child):
    town_case = builders.open_concern(worker, worker.memberships.get().unit, child=child)
    end_assignment(worker, Assignment.objects.get(person=child, reason="registered"), WORK_FINISHED)
    # The worker coordinates the case, and its assignment keeps the child open to them.
    assert sees(worker, child)
    assert Assignment.objects.filter(person=child, given_by_case=town_case, ended_at=None).exists()


def test_the_ending_is_audited_with_its_reason_and_no_free_text(worker, child):
    assignment = own_assignment(worker, child)
    end_assignment(worker, assignment, WORK_FINISHED)
    event = AuditEvent.objects.get(object_type="privacy.assignment", action="change")
    assert event.actor_id == worker.pk
    assert event.object_ids == [str(assignment.pk)]
    assert [str(s) for s in event.subject_ids] == [str(child.pk)]
    assert event.organisation_id == child.organisation_id
    assert (event.purpose, event.legal_basis) == ("casework", "own_organisation")
    assert event.detail == {"event": "ended", "end_reason": "work_finished"}


def test_retention_anonymises_the_person_once_the_period_has_passed_since_the_ending(worker, child):
    end_assignment(worker, own_assignment(worker, child), WORK_FINISHED)
    day = datetime.timedelta(days=1)
    retention.apply_retention(now=timezone.now() + 2 * YEAR - day)
    child.refresh_from_db()
    assert str(child) == "Emma Berg"
    retention.apply_retention(now=timezone.now() + 2 * YEAR + day)
    child.refresh_from_db()
    assert str(child) == "Anonymisert person"


def test_an_open_need_to_know_keeps_the_person_from_retention(worker, child):
    retention.apply_retention(now=timezone.now() + 3 * YEAR)
    child.refresh_from_db()
    assert str(child) == "Emma Berg"
