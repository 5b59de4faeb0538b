"""The calendar pages: a week or a month of the reader's own meetings or one of their units',
with the way to the previous and next, and to today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit
from familiebro.privacy.consultation import units_of

from ..models import CalendarFeed
from . import events as calendar_events
from . import subscriptions

WEEK, MONTH = "week", "month"


@dataclass
class Day:
    date: datetime.date
    is_today: bool
    events: list[calendar_events.CalendarEvent] = field(default_factory=list)


@dataclass
class CalendarPage:
    view: str  # WEEK or MONTH
    units: list[ServiceUnit]  # the reader's units, whose calendars they may open
    unit: ServiceUnit | None  # the unit shown, or None: the reader's own calendar
    first: datetime.date
    last: datetime.date
    days: list[Day]
    previous: str  # the period parameter of the previous and the next period, and today's
    next: str
    today: str
    feed: CalendarFeed | None

    @property
    def count(self) -> int:
        return sum(len(d.events) for d in self.days)

    @property
    def busy_days(self) -> list[Day]:
        return [d for d in self.days if d.events]

    @property
    def week_number(self) -> int:
        return self.first.isocalendar().week


def week_of(value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of the week a date (YYYY-MM-DD) falls in; today's without one."""
    day = today
    if value:
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                _("The date was not understood. Write it as year-month-day, e.g. 2026-12-07.")
            ) from None
    return day - datetime.timedelta(days=day.weekday())


def month_of(value: str | None, today: datetime.date) -> datetime.date:
    """The first day of a month (YYYY-MM); this month without one."""
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        raise ValidationError(
            _("The month was not understood. Write it as year-month, e.g. 2026-12.")
        ) from None


def _unit(actor: Any, unit_id: str | None) -> tuple[list[ServiceUnit], ServiceUnit | None]:
    units = list(units_of(actor).order_by("name"))
    if unit_id in (None, ""):
        return units, None
    chosen = next((u for u in units if str(u.pk) == str(unit_id).strip()), None)
    if chosen is None:
        # Another unit's calendar is not the reader's to see, whether it exists or not.
        raise Http404(_("Not found, or you do not have access."))
    return units, chosen


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def calendar_page(
    actor: Any, view: str, period: datetime.date, unit_id: str | None
) -> CalendarPage:
    """The week starting on `period` (a Monday) or the month starting on it (the 1st), of the
    actor's own calendar or of one of their units (`unit_id`; 404 for a unit not theirs)."""
    units, unit = _unit(actor, unit_id)
    today = timezone.localdate()
    if view == WEEK:
        first, after = period, period + datetime.timedelta(days=7)
        previous = (period - datetime.timedelta(days=7)).isoformat()
        following = after.isoformat()
        this = (today - datetime.timedelta(days=today.weekday())).isoformat()
    else:
        first = period
        after = (period + datetime.timedelta(days=32)).replace(day=1)
        previous = (period - datetime.timedelta(days=1)).strftime("%Y-%m")
        following = after.strftime("%Y-%m")
        this = today.strftime("%Y-%m")
    found = calendar_events.events(
        calendar_events.Whose(actor, unit), _moment(first), _moment(after)
    )
    days = [
        Day(first + datetime.timedelta(days=n), first + datetime.timedelta(days=n) == today)
        for n in range((after - first).days)
    ]
    for event in found:
        # A meeting is listed on the day it starts (or on the first day shown, if it began
        # before): one that ends after midnight says so itself.
        index = max((event.local_start.date() - first).days, 0)
        days[index].events.append(event)
    return CalendarPage(
        view=view,
        units=units,
        unit=unit,
        first=first,
        last=after - datetime.timedelta(days=1),
        days=days,
        previous=previous,
        next=following,
        today=this,
        feed=subscriptions.active_feed(actor),
    )
