"""What the course pages show, each read in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.privacy import family, policy
from familiebro.privacy.family import Citizen

from ..models import (
    Attendance,
    Course,
    CourseLeader,
    CourseSession,
    Enrolment,
    Headcount,
)
from . import permissions, seats


def unit_courses(user: Any) -> list[Course]:
    """The courses of the user's units, each with its seats taken and its waiting list's
    length (counts, which name nobody)."""
    seated = Q(enrolments__status__in=seats.SEATED)
    return list(
        permissions.courses_of_units(user)
        .select_related("unit", "offer")
        .annotate(
            people=Count("enrolments", filter=seated & Q(enrolments__partner_name=""))
            + 2 * Count("enrolments", filter=seated & ~Q(enrolments__partner_name="")),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
        )
        .order_by("unit__name", "name")
    )


def leadership(leaders: list[CourseLeader]) -> str:
    """Mixed-gender leadership in words, from the genders the leaders stated."""
    genders = {leader.gender for leader in leaders}
    if {CourseLeader.Gender.WOMAN, CourseLeader.Gender.MAN} <= genders:
        return _("Female and male course leader")
    return ""


def course_or_404(user: Any, course_id: Any) -> Course:
    """A course of one of the user's units (no personal data); 404 for any other."""
    course = (
        permissions.courses_of_units(user)
        .select_related("unit", "offer")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404(_("Not found, or you do not have access."))
    return course


def session_or_404(user: Any, course: Course, session_id: Any) -> CourseSession:
    session = course.sessions.filter(pk=session_id).first()
    if session is None:
        raise Http404(_("Not found, or you do not have access."))
    session.course = course
    return session


@dataclass
class CoursePage:
    course: Course
    sessions: list[CourseSession]
    leaders: list[CourseLeader]
    leadership: str
    runs: bool
    taken: int
    # Only for those who run the course (permissions.runs); empty for everyone else.
    seated: list[Enrolment] = field(default_factory=list)
    waiting: list[Enrolment] = field(default_factory=list)
    offered: list[Enrolment] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.course.capacity - self.taken, 0)


def course_page(user: Any, course_id: Any) -> CoursePage:
    course = course_or_404(user, course_id)
    leaders = list(course.leaders.select_related("user").order_by("user__first_name", "pk"))
    runs = permissions.runs(user, course)
    page = CoursePage(
        course=course,
        sessions=list(course.sessions.all()),
        leaders=leaders,
        leadership=leadership(leaders),
        runs=runs,
        taken=seats.taken(course),
    )
    if runs:
        rows = policy.list_page(
            user,
            permissions.participants(user, course).filter(status__in=seats.ACTIVE),
            permissions.PURPOSE,
        )
        page.seated = [e for e in rows if e.status == Enrolment.Status.CONFIRMED]
        page.offered = [e for e in rows if e.status == Enrolment.Status.OFFERED]
        page.waiting = [e for e in rows if e.status == Enrolment.Status.WAITING]
    return page


@dataclass
class AttendancePage:
    session: CourseSession
    participants: list[Enrolment]
    came: set[tuple[str, bool]]


def attendance_page(user: Any, course: Course, session: CourseSession) -> AttendancePage:
    permissions.require_runs(user, course)
    rows = policy.list_page(
        user,
        permissions.participants(user, course).filter(status=Enrolment.Status.CONFIRMED),
        permissions.PURPOSE,
    )
    came = {
        (str(enrolment_id), partner)
        for enrolment_id, partner in Attendance.objects.filter(
            session=session, enrolment__in=[e.pk for e in rows]
        ).values_list("enrolment_id", "partner")
    }
    return AttendancePage(session=session, participants=rows, came=came)


def headcounts(session: CourseSession) -> dict[tuple[str, str], int]:
    return {
        (role, band): count
        for role, band, count in Headcount.objects.filter(session=session).values_list(
            "role", "age_band", "count"
        )
    }


def my_enrolments(citizen: Citizen) -> list[Enrolment]:
    """The enrolments a parent made logged in on Min side, newest first, audited as their
    own read."""
    rows = list(
        family.sent_by(citizen, Enrolment)
        .select_related("course", "course__unit")
        .prefetch_related(
            Prefetch(
                "course__sessions",
                queryset=CourseSession.objects.filter(starts_at__gte=timezone.now()),
                to_attr="upcoming",
            )
        )
        .order_by("-enrolled_at")
    )
    family.record_sent_read(citizen, policy.Action.LIST, rows, permissions.PURPOSE)
    return rows


def open_courses(offer_id: Any) -> list[Course]:
    """The courses of a published offer that take enrolments, with their coming sessions:
    public, no personal data."""
    return list(
        Course.objects.filter(
            offer_id=offer_id,
            offer__status="published",
            open_for_enrolment=True,
            mode=Course.Mode.ENROLMENT,
        )
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=CourseSession.objects.filter(starts_at__gte=timezone.now()),
                to_attr="upcoming",
            ),
            Prefetch("leaders", to_attr="leader_list"),
        )
    )


def public_course_or_404(course_id: Any) -> Course:
    course = (
        Course.objects.filter(pk=course_id, offer__status="published")
        .select_related("unit", "offer")
        .first()
    )
    if course is None:
        raise Http404(_("Not found."))
    return course
