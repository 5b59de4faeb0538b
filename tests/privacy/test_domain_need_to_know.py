"""A need to know given in one confidentiality domain opens no other domain's records: not by
assigning on from it, not through a leader's oversight, not from before domains were recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from familiebro.cases import case_services
from familiebro.cases.models import Case
from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy import policy
from familiebro.privacy import services as privacy_services
from tests.cases import builders
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

READ = case_services.READ


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def school(town) -> ServiceUnit:
    return make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)


def kindergarten_case(town) -> Case:
    """The kindergarten (education) has a case on the child; nobody in health works on it."""
    return builders.open_concern(town.teacher, town.kindergarten)


def sees(user, case: Case) -> dict[str, bool]:
    """Whether `user` reads the case on each of the policy's paths."""
    user._familiebro_scope = None  # memberships were added after the user was read
    return {
        "list": policy.visible(user, Case, READ).filter(pk=case.pk).exists(),
        "probe": policy.visible(user, Case, READ, few_rows=True).filter(pk=case.pk).exists(),
    }


def dual_staff(town, school):
    """A nurse of the health centre who also teaches a few hours at the school."""
    dual = make.member(town.health_centre, first_name="Dina", last_name="Todelt")
    Membership.objects.create(user=dual, unit=school, role=Membership.Role.WORKER)
    return dual


def test_a_health_need_to_know_cannot_be_turned_into_an_education_one_by_assigning_a_unit(
    town, school
):
    """The dual nurse works with the child in health only. Assigning her own school unit (a
    unit of a domain she works in, so the check in privacy.services.assign passes) gives the
    school, and herself, a need to know in education: the kindergarten's case opens."""
    case = kindergarten_case(town)
    dual = dual_staff(town, school)
    make.assign(case.child, user=dual, domain="health")
    assert sees(dual, case) == {"list": False, "probe": False}  # the domain rule holds so far

    with pytest.raises(ValidationError, match="do not work with the person in this service"):
        privacy_services.assign(dual, case.child, unit=school, reason="følger opp")

    assert sees(dual, case) == {"list": False, "probe": False}


def test_a_health_need_to_know_cannot_give_an_education_colleague_one(town, school):
    """Same, through a colleague: the dual nurse assigns a plain teacher of the school (the two
    share education), who then reads the kindergarten's case."""
    case = kindergarten_case(town)
    dual = dual_staff(town, school)
    make.assign(case.child, user=dual, domain="health")
    teacher = make.member(school, first_name="Sindre", last_name="Lærer")
    assert sees(teacher, case) == {"list": False, "probe": False}

    with pytest.raises(ValidationError, match="do not work with the person in this service"):
        privacy_services.assign(dual, case.child, user=teacher, reason="følger opp")

    assert sees(teacher, case) == {"list": False, "probe": False}


def test_a_leaders_oversight_of_a_health_unit_does_not_open_a_members_education_work(town, school):
    """The health centre's leader also teaches at the school (education). A member of the
    health centre also works in the kindergarten, where she has a need to know in education.
    Overseeing the health centre must not open the kindergarten's case to the leader: she
    does not lead the kindergarten."""
    case = kindergarten_case(town)
    Membership.objects.create(user=town.nurse_leader, unit=school, role=Membership.Role.WORKER)
    both = make.member(town.health_centre, first_name="Bodil", last_name="Begge")
    Membership.objects.create(user=both, unit=town.kindergarten, role=Membership.Role.WORKER)
    assert sees(town.nurse_leader, case) == {"list": False, "probe": False}
    make.assign(case.child, user=both, domain="education")
    assert sees(both, case) == {"list": True, "probe": True}  # her own work: fine

    assert sees(town.nurse_leader, case) == {"list": False, "probe": False}


def test_the_case_page_is_closed_to_the_leader_overseeing_only_the_health_centre(town, school):
    """The leak above through the case page itself (and its parts: log, measures, ...)."""
    from django.urls import reverse

    from tests.privacy.factories import logged_in

    case = kindergarten_case(town)
    Membership.objects.create(user=town.nurse_leader, unit=school, role=Membership.Role.WORKER)
    both = make.member(town.health_centre, first_name="Bodil", last_name="Begge")
    Membership.objects.create(user=both, unit=town.kindergarten, role=Membership.Role.WORKER)
    make.assign(case.child, user=both, domain="education")

    response = logged_in(town.nurse_leader).get(reverse("cases:detail", args=[case.pk]))

    assert response.status_code == 404


def test_the_leader_overseeing_only_the_health_centre_cannot_change_the_kindergartens_case(
    town, school
):
    """Oversight opens writes too: policy.require(CHANGE) on the kindergarten's case passes for
    the health centre's leader (a change needs the need to know in the row's domain)."""
    case = kindergarten_case(town)
    Membership.objects.create(user=town.nurse_leader, unit=school, role=Membership.Role.WORKER)
    both = make.member(town.health_centre, first_name="Bodil", last_name="Begge")
    Membership.objects.create(user=both, unit=town.kindergarten, role=Membership.Role.WORKER)
    make.assign(case.child, user=both, domain="education")
    town.nurse_leader._familiebro_scope = None

    with pytest.raises(PermissionDenied):
        policy.require(town.nurse_leader, policy.Action.CHANGE, case, policy.Purpose.CASEWORK)


def test_a_legacy_assignment_without_domain_opens_nothing_when_its_holder_returns(town):
    """Migration 0010 leaves domain "" on the assignments of staff with no membership left in
    the organisation ("it opens nothing any unit holds"). It still opens the rows no unit
    holds (the person, guardians, consents, assignments, exceptional accesses with their
    reasons) once the staff member returns to any unit of the organisation, in any domain."""
    from familiebro.core.models import Person
    from familiebro.privacy.models import Assignment

    child = builders.child_of(town.nurse)
    returning = make.user(first_name="Rita", last_name="Tilbake")
    legacy = Assignment.objects.create(
        organisation=town.organisation, person=child, user=returning, domain="health", reason="x"
    )
    Assignment.objects.filter(pk=legacy.pk).update(domain="")  # as the migration left it
    Membership.objects.create(user=returning, unit=town.kindergarten)  # back, in education

    returning._familiebro_scope = None
    assert not policy.visible(returning, Person, READ).filter(pk=child.pk).exists()
