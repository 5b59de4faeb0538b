"""Figures of appointment books, per book (a site) and month: the time offered, how much of it
was booked, the conversations held, the no-shows, and how many conversations each family had.

Counts only: no row names a family, so the reports part can show them after suppressing small
numbers. Which books a reader gets figures for is the caller's question (the reports part
decides who may see which units' figures); here `books` is already narrowed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import AppointmentBook, Booking, Slot


@dataclass(frozen=True)
class BookMonth:
    book_id: int
    month: datetime.date
    offered: int  # slots offered (the provider's available time)
    booked: int  # slots held by a booking in force
    no_shows: int
    held: int  # conversations held: booked, the time past, the family came

    @property
    def utilisation(self) -> float | None:
        return self.booked / self.offered if self.offered else None

    @property
    def no_show_rate(self) -> float | None:
        came_or_not = self.held + self.no_shows
        return self.no_shows / came_or_not if came_or_not else None


def by_book_and_month(
    books: QuerySet[AppointmentBook], first: datetime.date, last: datetime.date
) -> list[BookMonth]:
    """One row per book and month with slots in [first, last]; two queries."""
    now = timezone.now()
    slots = Slot.objects.filter(
        book__in=books, starts_at__date__gte=first, starts_at__date__lte=last
    )
    offered = {
        (
            row["book_id"],
            row["month"].date() if hasattr(row["month"], "date") else row["month"],
        ): row["n"]
        for row in slots.annotate(month=TruncMonth("starts_at"))
        .values("book_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    bookings = (
        Booking.objects.filter(slot__in=slots, cancelled_at__isnull=True)
        .annotate(month=TruncMonth("slot__starts_at"))
        .values("slot__book_id", "month")
        .annotate(
            booked=Count("pk"),
            no_shows=Count("pk", filter=Q(no_show_at__isnull=False)),
            held=Count("pk", filter=Q(no_show_at__isnull=True, slot__starts_at__lt=now)),
        )
        .order_by()
    )
    found = {
        (
            row["slot__book_id"],
            row["month"].date() if hasattr(row["month"], "date") else row["month"],
        ): row
        for row in bookings
    }
    return [
        BookMonth(
            book_id=book_id,
            month=month,
            offered=count,
            booked=found.get((book_id, month), {}).get("booked", 0),
            no_shows=found.get((book_id, month), {}).get("no_shows", 0),
            held=found.get((book_id, month), {}).get("held", 0),
        )
        for (book_id, month), count in sorted(offered.items())
    ]


def conversations_per_family(books: QuerySet[AppointmentBook]) -> Counter[int]:
    """How many families had 1, 2, 3 … conversations held (a family: the identity they booked
    with, else the name given), as {conversations: families}."""
    held = Booking.objects.filter(
        slot__book__in=books,
        cancelled_at__isnull=True,
        no_show_at__isnull=True,
        slot__starts_at__lt=timezone.now(),
    ).exclude(kind=Booking.Kind.CASE_DISCUSSION)
    per_family = Counter(
        identity or name.casefold() for identity, name in held.values_list("identity_hash", "name")
    )
    return Counter(per_family.values())
