"""What the calendar shows: the events of one person or one unit in a stretch of time.

Every source of events (the meetings of cases, and what other parts add with `add_source`) is
one `Source` in `SOURCES`: the rows the policy lets the reader see for a purpose, narrowed to
whose calendar it is and to the time shown, and how one row becomes a `CalendarEvent`. All
sources are read in one go, one query each, and audited together as the product's other lists
are (policy.list_pages); a new kind of event (a course's sessions, an appointment book's
bookings) is one more entry in `SOURCES`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit
from familiebro.privacy import policy

from ..case_services import READ
from ..meetings.calendar import meeting_title
from ..models import Case, Invitation, Meeting, Participant


@dataclass(frozen=True)
class Whose:
    """Whose calendar: the reader's own (`unit` None) or one of their units'."""

    user: Any
    unit: ServiceUnit | None = None


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable across moves, so a subscribed calendar keeps one event
    sequence: int  # raised by every move and the cancellation (RFC 5545 SEQUENCE)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    title: str  # what the staff pages show: the kind and the case's reference
    neutral_title: str  # what leaves Familiebro by default: no names, no case details
    unit_name: str
    place: str
    url: str  # the page of the event, one click from the calendar
    cancelled: bool

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at)

    @property
    def ends_another_day(self) -> bool:
        return self.local_end.date() != self.local_start.date()


@dataclass(frozen=True)
class Source:
    """One kind of event: its visible rows in [start, end) for `whose`, and one event of a row."""

    rows: Callable[[Whose, datetime.datetime, datetime.datetime], QuerySet]
    purpose: str
    event: Callable[[Any], CalendarEvent]


# Meetings ----------------------------------------------------------------------------------


def _meeting_ids(whose: Whose) -> QuerySet:
    """The ids of the meetings in someone's calendar, as one union whose every half takes its
    own index (an OR of them would scan every meeting of the country).

    A person's: the meetings of the cases they coordinate or take part in by name, those they
    are invited to and those they planned. A unit's: the meetings of the cases it owns or
    takes part in."""
    if whose.unit is None:
        user = whose.user
        halves = [
            Meeting.objects.filter(case__coordinator=user).values("pk"),
            Meeting.objects.filter(
                case_id__in=Participant.objects.filter(user=user, ended_at__isnull=True)
                .order_by()
                .values("case_id")
            ).values("pk"),
            Invitation.objects.filter(user=user).values("meeting_id"),
            Meeting.objects.filter(created_by=user).values("pk"),
        ]
    else:
        unit = whose.unit
        halves = [
            Meeting.objects.filter(case_id__in=Case.objects.filter(unit=unit).values("pk")).values(
                "pk"
            ),
            Meeting.objects.filter(
                case_id__in=Participant.objects.filter(unit=unit, ended_at__isnull=True)
                .order_by()
                .values("case_id")
            ).values("pk"),
        ]
    first, *rest = [half.order_by() for half in halves]
    return first.union(*rest)


def _meetings(whose: Whose, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    return (
        policy.visible(whose.user, Meeting, READ, few_rows=True, with_basis=True)
        .filter(pk__in=_meeting_ids(whose), starts_at__lt=end, ends_at__gt=start)
        .select_related("case", "case__unit")
        .only(
            "pk",
            "organisation_id",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "calendar_sequence",
            "cancelled_at",
            "case__id",
            "case__reference",
            "case__child_id",
            "case__organisation_id",
            "case__unit_id",
            "case__unit__name",
        )
        .order_by("starts_at", "pk")
    )


def _meeting_event(meeting: Meeting) -> CalendarEvent:
    case = meeting.case
    unit_name = case.unit.name
    return CalendarEvent(
        uid=f"familiebro-meeting-{meeting.pk}",
        sequence=meeting.calendar_sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        title=meeting_title(meeting, case),
        neutral_title=_("Meeting, %(unit)s") % {"unit": unit_name},
        unit_name=unit_name,
        place=meeting.place,
        url=reverse("cases:meeting", args=[case.pk, meeting.pk]),
        cancelled=meeting.is_cancelled,
    )


SOURCES: list[Source] = [Source(_meetings, READ, _meeting_event)]


def add_source(source: Source) -> None:
    """Add a kind of event to every calendar. The parts above cases (courses, appointment
    books) call this from their AppConfig.ready(), since cases may not import them."""
    if source not in SOURCES:
        SOURCES.append(source)


def events(whose: Whose, start: datetime.datetime, end: datetime.datetime) -> list[CalendarEvent]:
    """The events of `whose` calendar that overlap [start, end), earliest first, as the
    reader (whose.user) may see them: one query per source, one audit event per list read."""
    pages = policy.list_pages(
        whose.user, [(source.rows(whose, start, end), source.purpose) for source in SOURCES]
    )
    found = [source.event(row) for source, rows in zip(SOURCES, pages, strict=True) for row in rows]
    return sorted(found, key=lambda e: (e.starts_at, e.uid))
