"""The read models of the appointment pages: the staff's books and a book's day, one
booking, and a parent's own appointments on Min side. Every booking shown is read through
permissions.py and audited as one event per page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
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
    earlier = book_slots.filter(starts_at__date__lt=day).order_by("-starts_at").first()
    later = book_slots.filter(starts_at__date__gt=day).order_by("starts_at").first()
    return DayPage(
        book=book,
        day=day,
        rows=[SlotRow(s, bool(getattr(s, "taken", False)), by_slot.get(s.pk)) for s in on_day],
        previous_day=timezone.localtime(earlier.starts_at).date() if earlier else None,
        next_day=timezone.localtime(later.starts_at).date() if later else None,
        manages=permissions.may_manage(user, book),
        books_here=permissions.may_book_in(user, book),
        is_provider=book.provider_id == user.pk,
    )


def booking_page(user: Any, booking_id: Any) -> Booking:
    booking = (
        permissions.visible_bookings(user)
        .select_related("slot__book__place_unit", "booked_by_unit", "booked_by", "follow_up_of")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404(_("Not found, or you do not have access."))
    permissions.audit_read(user, policy.Action.VIEW, [booking])
    return booking


def slot_to_book(user: Any, book_id: Any, slot_id: Any) -> Slot:
    """A free slot of a book the user may book in, for the booking form."""
    book = permissions.require_book(user, book_id)
    slot = Slot.objects.filter(book=book, pk=slot_id).select_related("book").first()
    if slot is None or not permissions.may_book_in(user, book):
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
    slot = (
        Slot.objects.filter(book_id=book_id, pk=slot_id, starts_at__gt=timezone.now())
        .select_related("book")
        .first()
    )
    if slot is None:
        raise Http404(_("That time is not in this appointment book, or it has passed."))
    return slot
