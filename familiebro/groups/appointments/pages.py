"""The read models of the appointment pages: the staff's books and a book's day, one
booking, and a parent's own appointments on Min side. Every booking shown is read through
permissions.py and audited as one event per page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.privacy import policy
from familiebro.privacy.family import Citizen

from ..models import AppointmentBook, Booking, Slot
from . import permissions, slots


@dataclass(frozen=True)
class BookRow:
    book: AppointmentBook
    manages: bool
    books_here: bool


def my_books(user: Any) -> list[BookRow]:
    books = (
        permissions.books_for(user)
        .select_related("unit", "place_unit", "provider")
        .order_by("place_unit__name", "weekday", "pk")
    )
    return [
        BookRow(book, permissions.may_manage(user, book), permissions.may_book_in(user, book))
        for book in books
    ]


def book(user: Any, book_id: Any) -> AppointmentBook:
    """A book the user works with (no personal data); 404 otherwise."""
    return permissions.require_book(user, book_id)


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    taken: bool
    # The booking, when the reader may see who has the slot; None for a free slot and for one
    # another service booked.
    booking: Booking | None
    # Whether the family did not come, for the holding unit's readers only (see
    # permissions.reads_as_holder); False for the unit that booked, which is not told.
    no_show: bool = False
    # A free slot staff may book for a family: not a follow-up time, made for one family.
    bookable: bool = False


@dataclass(frozen=True)
class DayPage:
    book: AppointmentBook
    day: datetime.date
    rows: list[SlotRow]
    previous_day: datetime.date | None
    next_day: datetime.date | None
    manages: bool
    books_here: bool
    is_provider: bool


def day_page(user: Any, book_id: Any, day: datetime.date | None) -> DayPage:
    """A book's slots on one day (its next day with slots by default), with the bookings the
    reader may see. Three queries whatever the number of slots."""
    book = permissions.require_book(user, book_id)
    today = timezone.localdate()
    book_slots = Slot.objects.filter(book=book)
    if day is None:
        upcoming = book_slots.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
        day = timezone.localtime(upcoming.starts_at).date() if upcoming else today
    on_day = list(
        slots.with_taken(book_slots.filter(starts_at__date=day)).order_by("starts_at", "pk")
    )
    seen = permissions.audit_read(
        user,
        policy.Action.LIST,
        list(
            permissions.visible_bookings(user)
            .filter(slot__in=[s.pk for s in on_day], cancelled_at__isnull=True)
            .select_related("booked_by_unit")
        ),
    )
    by_slot = {b.slot_id: b for b in seen}
    no_shows = {b.slot_id for b in seen if b.no_show_at and permissions.reads_as_holder(user, b)}
    books_here = permissions.may_book_in(user, book)
    earlier = book_slots.filter(starts_at__date__lt=day).order_by("-starts_at").first()
    later = book_slots.filter(starts_at__date__gt=day).order_by("starts_at").first()
    return DayPage(
        book=book,
        day=day,
        rows=[
            SlotRow(
                s,
                bool(getattr(s, "taken", False)),
                by_slot.get(s.pk),
                no_show=s.pk in no_shows,
                bookable=books_here and slots.open_to_booking(s),
            )
            for s in on_day
        ],
        previous_day=timezone.localtime(earlier.starts_at).date() if earlier else None,
        next_day=timezone.localtime(later.starts_at).date() if later else None,
        manages=permissions.may_manage(user, book),
        books_here=books_here,
        is_provider=book.provider_id == user.pk,
    )


class Status(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DID_NOT_COME = "did_not_come"


@dataclass(frozen=True)
class BookingPage:
    """One booking as its reader may see it. The holding unit's readers (the provider, the
    unit's leaders) see what the provider recorded: whether the family came, which booking
    this one follows up, and where a follow-up would be. The unit that booked sees what it
    booked: time, place, family, cancelled or not; `status` never says "did not come" to it
    and `follow_up_of` is None."""

    booking: Booking
    as_holder: bool
    is_provider: bool
    status: Status
    follow_up_of: Booking | None
    # Where a follow-up the provider books now takes place (for the provider to see first).
    follow_up_place: str
    # Still to come and in force: it can be cancelled (a past time cannot, see services).
    may_cancel: bool


def booking_page(user: Any, booking_id: Any) -> BookingPage:
    booking = (
        permissions.visible_bookings(user)
        .select_related("slot__book__place_unit", "slot__book__unit", "booked_by_unit", "booked_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404(_("Not found, or you do not have access."))
    permissions.audit_read(user, policy.Action.VIEW, [booking])
    as_holder = permissions.reads_as_holder(user, booking)
    if booking.cancelled_at is not None:
        status = Status.CANCELLED
    elif as_holder and booking.no_show_at is not None:
        status = Status.DID_NOT_COME
    else:
        status = Status.BOOKED
    return BookingPage(
        booking=booking,
        as_holder=as_holder,
        is_provider=booking.provider_id == user.pk,
        status=status,
        # The earlier booking: of the same family, read through the same rule.
        follow_up_of=(
            permissions.visible_bookings(user)
            .select_related("slot")
            .filter(pk=booking.follow_up_of_id)
            .first()
            if as_holder and booking.follow_up_of_id
            else None
        ),
        follow_up_place=slots.follow_up_place(booking.slot.book),
        may_cancel=booking.cancelled_at is None and booking.slot.starts_at > timezone.now(),
    )


def slot_to_book(user: Any, book_id: Any, slot_id: Any) -> Slot:
    """A free slot of a book the user may book in, for the booking form."""
    book = permissions.require_book(user, book_id)
    slot = Slot.objects.filter(book=book, pk=slot_id).select_related("book").first()
    if slot is None or not slots.open_to_booking(slot) or not permissions.may_book_in(user, book):
        raise Http404(_("Not found, or you do not have access."))
    return slot


def my_appointments(citizen: Citizen) -> list[Booking]:
    """A parent's appointments still to come, and those of the last month."""
    since = timezone.now() - datetime.timedelta(days=31)
    rows = list(
        permissions.citizen_bookings(citizen)
        .filter(slot__starts_at__gte=since)
        .select_related("slot__book")
        .order_by("slot__starts_at", "pk")
    )
    permissions.audit_citizen_read(citizen, policy.Action.LIST, rows)
    return rows


@dataclass(frozen=True)
class PublicBook:
    """What a parent choosing a time sees: the discreet label, the place and the free times
    grouped by day; never who has the other times."""

    book: AppointmentBook
    days: list[tuple[datetime.date, list[Slot]]]


def public_book(book_id: Any) -> PublicBook:
    book = AppointmentBook.objects.filter(pk=book_id).first()
    if book is None:
        raise Http404(_("There is no appointment book at this address."))
    days: dict[datetime.date, list[Slot]] = {}
    for slot in slots.free_slots(book)[:200]:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return PublicBook(book, list(days.items()))


def public_slot(book_id: Any, slot_id: Any) -> Slot:
    # A follow-up time is made for one family: never offered to the public, also once free.
    slot = (
        Slot.objects.filter(book_id=book_id, pk=slot_id, starts_at__gt=timezone.now())
        .exclude(kind=Slot.Kind.FOLLOW_UP)
        .select_related("book")
        .first()
    )
    if slot is None:
        raise Http404(_("That time is not in this appointment book, or it has passed."))
    return slot
