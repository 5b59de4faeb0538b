"""Figures of courses, for the course page and the reports: counts that name no one.

- fill rate: the seats taken (a couple counts two) out of the seats there are;
- the waiting list's length now, and how long those who got a seat from it waited;
- attendance by role in the family, and the fathers' share of it;
- for anonymous courses, the headcounts by role.

The reports part suppresses small counts before it shows figures beyond the unit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, F, Sum

from ..models import FAMILY_ROLES, Attendance, Course, Enrolment, Headcount
from . import seats


@dataclass(frozen=True)
class CourseFigures:
    capacity: int
    taken: int
    waiting: int
    # How long those seated from the waiting list waited, middle value; None if nobody did.
    median_wait: datetime.timedelta | None
    by_role: list[tuple[str, int]]
    attended: int
    fathers: int

    @property
    def fill_rate(self) -> int | None:
        return round(100 * self.taken / self.capacity) if self.capacity else None

    @property
    def fathers_share(self) -> int | None:
        return round(100 * self.fathers / self.attended) if self.attended else None

    @property
    def median_wait_days(self) -> int | None:
        return None if self.median_wait is None else round(self.median_wait.days)


def course_figures(course: Course) -> CourseFigures:
    labels = dict(FAMILY_ROLES)
    if course.mode == Course.Mode.HEADCOUNT:
        counted = dict(
            Headcount.objects.filter(session__course=course)
            .values_list("role")
            .annotate(n=Sum("count"))
            .values_list("role", "n")
        )
    else:
        counted = dict(
            Attendance.objects.filter(session__course=course)
            .values_list("role")
            .annotate(n=Count("pk"))
            .values_list("role", "n")
        )
    waits = [
        (seated - enrolled).total_seconds()
        for enrolled, seated in Enrolment.objects.filter(
            # Seated later than enrolled: those who waited (a seat given at once is given
            # the moment of enrolling).
            course=course,
            seated_at__gt=F("enrolled_at"),
        ).values_list("enrolled_at", "seated_at")
        if seated is not None
    ]
    return CourseFigures(
        capacity=course.capacity,
        taken=seats.taken(course),
        waiting=Enrolment.objects.filter(course=course, status=Enrolment.Status.WAITING).count(),
        median_wait=datetime.timedelta(seconds=median(waits)) if waits else None,
        by_role=[(str(labels[role]), counted.get(role, 0)) for role, _label in FAMILY_ROLES],
        attended=sum(counted.values()),
        fathers=counted.get("father", 0),
    )
