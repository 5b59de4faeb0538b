"""Seats and the waiting list: how many are free, and who is offered a freed seat.

Every function here runs inside a transaction that has locked the course's row
(`locked_course`), so two enrolments, a cancellation and an expiring hold never count the same
free seat twice: whoever takes the lock second counts after the first has written. That lock
is what makes "no double booking of the last seat" hold on PostgreSQL; SQLite serialises
writers anyway.

Like pretix's waiting list, a freed seat is offered to the first in line for whom it is
enough (a couple needs two), as a hold that lapses after the course's `hold_hours`; a lapsed
hold is offered to the next in line.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, IntegerField, Q, Sum, Value, When

from ..models import Course, Enrolment

# Statuses that take a seat: a held seat is nobody else's until the hold lapses.
SEATED = (Enrolment.Status.CONFIRMED, Enrolment.Status.OFFERED)
ACTIVE = (*SEATED, Enrolment.Status.WAITING)


def locked_course(course_id: Any) -> Course:
    """The course's row, locked until the transaction ends (raises Course.DoesNotExist)."""
    return Course.objects.select_for_update().get(pk=course_id)


def _seats() -> Case:
    return Case(When(partner_name="", then=Value(1)), default=Value(2), output_field=IntegerField())


def taken(course: Course) -> int:
    return (
        Enrolment.objects.filter(course=course, status__in=SEATED).aggregate(n=Sum(_seats()))["n"]
        or 0
    )


def free(course: Course) -> int:
    return max(course.capacity - taken(course), 0)


def anyone_waiting(course: Course) -> bool:
    return Enrolment.objects.filter(course=course, status=Enrolment.Status.WAITING).exists()


def offer_free_seats(course: Course, now: datetime.datetime) -> list[Enrolment]:
    """Hold the free seats for the first in line they are enough for; the enrolments offered."""
    left = free(course)
    offered: list[Enrolment] = []
    if left <= 0:
        return offered
    expires = now + datetime.timedelta(hours=course.hold_hours)
    for waiting in Enrolment.objects.filter(course=course, status=Enrolment.Status.WAITING):
        if waiting.seats > left:
            continue
        waiting.status = Enrolment.Status.OFFERED
        waiting.hold_expires_at = expires
        waiting.offer_sent_at = None
        waiting.save(update_fields=["status", "hold_expires_at", "offer_sent_at"])
        offered.append(waiting)
        left -= waiting.seats
        if left <= 0:
            break
    return offered


def expire_holds(course: Course, now: datetime.datetime) -> tuple[int, list[Enrolment]]:
    """Let the lapsed holds go and offer their seats on: how many lapsed, and who was offered."""
    lapsed = Enrolment.objects.filter(
        Q(hold_expires_at__lte=now), course=course, status=Enrolment.Status.OFFERED
    ).update(status=Enrolment.Status.EXPIRED, claim_token_hash="")
    return lapsed, offer_free_seats(course, now)
