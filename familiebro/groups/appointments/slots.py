"""The slots of appointment books: made from a book's recurring day, and which of them are free.

A slot is the provider's time, no personal data, so anyone may see whether one is free (a
parent choosing a time sees which are taken, never by whom). Making the slots of the coming
weeks is idempotent: the unique start per book makes each slot once, however often (or in
however many processes at once) it runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import holidays
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..models import AppointmentBook, Booking, Slot

# How far ahead slots are made when nobody says otherwise.
WEEKS_AHEAD = 8
# How many free times a parent or nurse is offered when the one they wanted was just taken.
ALTERNATIVES = 3


def _public_holidays(first: datetime.date, last: datetime.date) -> frozenset[datetime.date]:
    years = list(range(first.year, last.year + 1))
    return frozenset(holidays.Norway(years=years, include_sundays=False))


def book_days(
    book: AppointmentBook, first: datetime.date, last: datetime.date
) -> Iterator[datetime.date]:
    """The days in [first, last] the book's provider is at the place."""
    start = book.starts_on + datetime.timedelta(days=(book.weekday - book.starts_on.weekday()) % 7)
    closed = frozenset() if book.on_holidays else _public_holidays(first, last)
    day = max(start, first)
    # Step to the first day on the book's rhythm (every week, or every other from its start).
    day += datetime.timedelta(days=(start - day).days % (7 * book.every))
    while day <= last and (book.ends_on is None or day <= book.ends_on):
        if day not in closed:
            yield day
        day += datetime.timedelta(days=7 * book.every)


def slot_times(
    book: AppointmentBook, day: datetime.date
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    length = datetime.timedelta(minutes=book.slot_minutes)
    starts = timezone.make_aware(datetime.datetime.combine(day, book.day_starts))
    day_ends = timezone.make_aware(datetime.datetime.combine(day, book.day_ends))
    while starts + length <= day_ends:
        yield starts, starts + length
        starts += length


def generate(
    book: AppointmentBook, weeks: int = WEEKS_AHEAD, today: datetime.date | None = None
) -> int:
    """Make the book's slots from today through `weeks` weeks ahead; how many were new."""
    today = today or timezone.localdate()
    last = today + datetime.timedelta(weeks=weeks)
    wanted = [
        Slot(book=book, starts_at=starts, ends_at=ends)
        for day in book_days(book, today, last)
        for starts, ends in slot_times(book, day)
    ]
    before = Slot.objects.filter(book=book).count()
    Slot.objects.bulk_create(wanted, ignore_conflicts=True)
    return Slot.objects.filter(book=book).count() - before


def _taken() -> Exists:
    return Exists(Booking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True))


def with_taken(slots: QuerySet[Slot]) -> QuerySet[Slot]:
    """The slots, each saying whether a booking in force holds it (`taken`)."""
    return slots.annotate(taken=_taken())


def open_to_booking(slot: Slot) -> bool:
    """Whether families and staff may book the slot. A follow-up time is made by the provider
    for one family at their own office: once cancelled it is nobody else's to take (it would
    send a stranger to the provider's office)."""
    return slot.kind != Slot.Kind.FOLLOW_UP


def follow_up_place(book: AppointmentBook) -> str:
    """Where a follow-up conversation of the book takes place: the provider's own office as
    the book gives it, else the office unit's visiting address, else the book's own place.
    Never the unit's name: the confirmation goes to a phone the family may share, and the
    service's name there tells what the conversation is about."""
    return book.office_place or book.unit.address or book.place


def free_slots(book: AppointmentBook, now: datetime.datetime | None = None) -> QuerySet[Slot]:
    """The book's slots still to come that nobody holds and anyone may book, earliest first."""
    now = now or timezone.now()
    return (
        Slot.objects.filter(book=book, starts_at__gt=now)
        .exclude(kind=Slot.Kind.FOLLOW_UP)
        .exclude(_taken())
        .order_by("starts_at", "pk")
    )


def nearest_free(slot: Slot, now: datetime.datetime | None = None) -> list[Slot]:
    """The free slots of the same book nearest in time to `slot`, earliest first."""
    window = datetime.timedelta(days=28)
    near = list(
        free_slots(slot.book, now)
        .exclude(pk=slot.pk)
        .filter(starts_at__gte=slot.starts_at - window, starts_at__lte=slot.starts_at + window)
    )
    near.sort(key=lambda s: abs((s.starts_at - slot.starts_at).total_seconds()))
    found = near[:ALTERNATIVES]
    if len(found) < ALTERNATIVES:
        # Nothing close: the next free times at all, so the answer is never a dead end.
        later = free_slots(slot.book, now).exclude(pk__in=[s.pk for s in found] + [slot.pk])
        found += list(later[: ALTERNATIVES - len(found)])
    return sorted(found, key=lambda s: s.starts_at)
