"""Who may do what with courses, declared in one place.

- A unit's courses (names, sessions, capacity) are no one's personal data: every member of
  the unit with a casework role sees them and may set up a new one; who sets it up leads it.
- A course's participants (its enrolments, waiting list and attendance) are personal data of
  the parents. They are read through the access policy, which opens a unit's enrolments to
  its members only (an enrolment is registered like a request for help: held by the unit,
  about no registered person), and narrowed here to the people who run the course: its
  leaders, and the owning unit's coordinators and leaders, who plan the unit's courses and
  stand in when a leader is away. Other members of the unit, other units and other
  organisations see no participant.
- Who leads a course is therefore decided by the unit's coordinators and leaders, and by the
  one who set the course up (who chooses their co-leaders). A leader added by someone else
  cannot add more, so the participant list never spreads from colleague to colleague: they
  ask the unit's leader, as the messages say.
- A parent reads only the enrolments they made logged in on Min side (privacy.family), or
  the one their single-use link names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from familiebro.core.models import Membership
from familiebro.privacy import policy

from ..models import Course, Enrolment

# Why a course's participants are read, as the audit trail records it.
PURPOSE = "course_participants"

CASEWORK_ROLES = {Membership.Role.WORKER, Membership.Role.COORDINATOR, Membership.Role.LEADER}
RUNNING_ROLES = {Membership.Role.COORDINATOR, Membership.Role.LEADER}


def units_of(user: Any) -> frozenset[int]:
    """The units where the user works with families (not those they only administer)."""
    return policy.scope_of(user).unit_ids


def running_units_of(user: Any) -> frozenset[int]:
    """The units whose courses the user runs as coordinator or leader."""
    return frozenset(
        unit for unit, role in policy.scope_of(user).unit_roles if role in RUNNING_ROLES
    )


def courses_of_units(user: Any) -> QuerySet:
    return Course.objects.filter(unit_id__in=units_of(user))


def runs(user: Any, course: Course) -> bool:
    """Whether the user runs the course: leads it, or coordinates or leads its unit."""
    if course.unit_id not in units_of(user):
        return False
    if course.unit_id in running_units_of(user):
        return True
    return course.leaders.filter(user_id=user.pk).exists()


def require_runs(user: Any, course: Course) -> None:
    if not runs(user, course):
        raise PermissionDenied(
            _(
                "Only the course's leaders and the unit's coordinators and leaders can see and "
                "change its participants. Ask the unit's leader to add you as a course leader."
            )
        )


def may_add_leaders(user: Any, course: Course) -> bool:
    """Whether the user may make a colleague a leader (and so show them the participants)."""
    if course.unit_id not in units_of(user):
        return False
    return course.unit_id in running_units_of(user) or course.created_by_id == user.pk


def require_adds_leaders(user: Any, course: Course) -> None:
    if not may_add_leaders(user, course):
        raise PermissionDenied(
            _(
                "Only the unit's coordinators and leaders, and the one who set up the course, "
                "can add its leaders. Ask the unit's leader."
            )
        )


def may_set_up_in(user: Any, unit_id: int) -> bool:
    return unit_id in units_of(user)


def courses_run_by(user: Any) -> Q:
    """The courses whose participants the user may see, as a condition on Course."""
    return Q(unit_id__in=running_units_of(user)) | Q(
        unit_id__in=units_of(user), leaders__user_id=user.pk
    )


def participants(user: Any, course: Course) -> QuerySet:
    """The enrolments of one course the user may read: the policy's rows of the user's units,
    narrowed to a course the user runs; none otherwise."""
    if not runs(user, course):
        return Enrolment.objects.none()
    return policy.visible(user, Enrolment, PURPOSE).filter(course=course)
