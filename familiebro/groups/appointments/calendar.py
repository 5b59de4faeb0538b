"""Bookings in the staff calendar: one source added to familiebro.cases.calendar.events.

A staff member's own calendar shows the bookings with them as provider and those they made;
a unit's shows the bookings it holds or made. Each is read through permissions.py, which the
calendar audits with its other lists. The staff see the booking's kind and the book's place;
what leaves Familiebro (a subscribed calendar) carries the discreet label only.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse

from familiebro.cases.calendar.events import CalendarEvent, Source, Whose, add_source

from ..models import Booking
from . import permissions


def _rows(whose: Whose, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    mine = (
        Q(provider_id=whose.user.pk) | Q(booked_by_id=whose.user.pk)
        if whose.unit is None
        else Q(unit_id=whose.unit.pk) | Q(booked_by_unit_id=whose.unit.pk)
    )
    return (
        permissions.visible_bookings(whose.user)
        .filter(mine, slot__starts_at__lt=end, slot__ends_at__gt=start)
        .select_related("slot__book__unit")
        .order_by("slot__starts_at", "pk")
    )


def _event(booking: Booking) -> CalendarEvent:
    slot = booking.slot
    book = slot.book
    return CalendarEvent(
        uid=f"familiebro-appointment-{booking.pk}",
        sequence=1 if booking.cancelled_at else 0,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        title=f"{booking.get_kind_display()}: {book.label}",
        neutral_title=book.label,
        unit_name=book.unit.name,
        place=slot.where,
        url=reverse("appointments:booking", args=[booking.pk]),
        cancelled=booking.cancelled_at is not None,
    )


def register() -> None:
    add_source(Source(_rows, permissions.PURPOSE, _event))
