"""A course of an offer with one session and one enrolment, for the tests that walk every
URL (tests/privacy/test_object_urls.py, test_write_urls.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from familiebro.groups.models import Course, CourseSession, Enrolment


def course_of(offer: Any, staff: Any) -> Course:
    """The course of `offer` (made the first time), led by `staff`, with a session a week
    ahead and one parent enrolled."""
    course = Course.objects.filter(offer=offer).first()
    if course is not None:
        return course
    course = Course.objects.create(
        offer=offer,
        unit_id=offer.unit_id,
        organisation_id=offer.unit.organisation_id,
        name="Foreldrekurs",
        capacity=10,
        created_by=staff,
    )
    course.leaders.create(user=staff, gender="woman")
    start = timezone.now() + datetime.timedelta(days=7)
    CourseSession.objects.create(
        course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2), place="Her"
    )
    Enrolment.objects.create(
        course=course,
        organisation_id=course.organisation_id,
        name="Kari Forelder",
        role="mother",
        phone="+4791234567",
        status=Enrolment.Status.CONFIRMED,
        enrolled_at=timezone.now(),
    )
    return course
