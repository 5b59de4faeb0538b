"""Course sessions in calendars: an iCalendar feed per course, and the staff calendar.

The feed is public, as the offer is: it holds the course's name, its sessions' times, places
and video links, and names nobody. In the staff calendar (familiebro.cases.calendar) a
course's sessions show in the calendars of its leaders and of its unit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from familiebro.cases.calendar.events import CalendarEvent, Source, Whose, add_source
from familiebro.privacy import policy

from ..models import Course, CourseSession

PRODUCT_ID = "-//Familiebro//Kurs//NB"
UID_DOMAIN = "familiebro.no"
# Why sessions are read for the staff calendar, as the audit trail records it.
SESSIONS_PURPOSE = "calendar"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def course_calendar(course: Course, sessions: list[CourseSession], *, course_url: str) -> str:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(course.name))
    stamp = _utc(timezone.now())
    for session in sessions:
        event = Event()
        event.add("uid", f"course-session-{session.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.ends_at))
        event.add("summary", f"{course.name}: {session.topic}" if session.topic else course.name)
        event.add("description", "\n\n".join(p for p in (session.video_url, course_url) if p))
        event.add("location", session.place or session.video_url)
        if session.video_url:
            event.add("url", session.video_url)
        calendar.add_component(event)
    return calendar.to_ical().decode()


# The staff calendar --------------------------------------------------------------------------


def _sessions(whose: Whose, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """A person's calendar: the sessions of the courses they lead. A unit's: its courses'
    sessions. The policy opens a unit's sessions to its members only."""
    if whose.unit is None:
        courses = Course.objects.filter(leaders__user_id=whose.user.pk)
    else:
        courses = Course.objects.filter(unit_id=whose.unit.pk)
    return (
        policy.visible(whose.user, CourseSession, SESSIONS_PURPOSE)
        .filter(course_id__in=courses.values("pk"), starts_at__lt=end, ends_at__gt=start)
        .select_related("course", "course__unit")
        .order_by("starts_at", "pk")
    )


def _session_event(session: CourseSession) -> CalendarEvent:
    course = session.course
    return CalendarEvent(
        uid=f"familiebro-course-session-{session.pk}",
        sequence=0,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=_("Course: %(name)s") % {"name": course.name},
        neutral_title=course.name,
        unit_name=course.unit.name,
        place=session.place or session.video_url,
        url=reverse("courses:detail", args=[course.pk]),
        cancelled=False,
    )


SOURCE = Source(_sessions, SESSIONS_PURPOSE, _session_event)


def register(*_args: Any) -> None:
    """Show course sessions in the staff calendar (called once from GroupsConfig.ready)."""
    add_source(SOURCE)
