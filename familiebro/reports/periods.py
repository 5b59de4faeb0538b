"""The periods a dashboard shows: a month, a quarter, a year or the leader's own dates, and
the period of the same length just before it, to compare with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
CUSTOM = "custom"
KINDS = {
    MONTH: _("Month"),
    QUARTER: _("Quarter"),
    YEAR: _("Year"),
    CUSTOM: _("Chosen dates"),
}
# A custom period longer than this is refused: five years is the longest a dashboard covers.
LONGEST_DAYS = 5 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: datetime.date
    last_day: datetime.date

    @property
    def starts_at(self) -> datetime.datetime:
        return _midnight(self.first_day)

    @property
    def ends_at(self) -> datetime.datetime:
        """The first moment after the period."""
        return _midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        """The period just before: the month, quarter or year before, or as many days."""
        if self.kind == MONTH:
            return month_of(self.first_day - datetime.timedelta(days=1))
        if self.kind == QUARTER:
            return quarter_of(self.first_day - datetime.timedelta(days=1))
        if self.kind == YEAR:
            return year_of(self.first_day.year - 1)
        last = self.first_day - datetime.timedelta(days=1)
        return Period(CUSTOM, last - datetime.timedelta(days=self.days - 1), last)

    def following(self) -> Period:
        """The period just after: the month, quarter or year after, or as many days."""
        after = self.last_day + datetime.timedelta(days=1)
        if self.kind == CUSTOM:
            return Period(CUSTOM, after, after + datetime.timedelta(days=self.days - 1))
        return period_for(self.kind, after)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_of(day: datetime.date) -> Period:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Period(MONTH, first, following - datetime.timedelta(days=1))


def quarter_of(day: datetime.date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = day.replace(month=first_month, day=1)
    last_month = month_of(first.replace(month=first_month + 2))
    return Period(QUARTER, first, last_month.last_day)


def year_of(year: int) -> Period:
    return Period(YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def period_for(kind: str, day: datetime.date, last_day: datetime.date | None = None) -> Period:
    """The period of `kind` that holds `day` (for CUSTOM: from `day` to `last_day`)."""
    if kind == MONTH:
        return month_of(day)
    if kind == QUARTER:
        return quarter_of(day)
    if kind == YEAR:
        return year_of(day.year)
    if last_day is None:
        raise ValueError("A custom period needs its last day.")
    return Period(CUSTOM, day, last_day)
