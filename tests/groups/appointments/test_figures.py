"""Figures per book and month: time offered, booked, held, no-shows; conversations per family."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from familiebro.groups.appointments import figures, services, slots
from familiebro.groups.models import AppointmentBook, Booking, Slot
from tests.groups.appointments.conftest import couple

pytestmark = pytest.mark.django_db


def test_utilisation_no_shows_and_conversations_per_family(tiltak):
    free = list(slots.free_slots(tiltak.book))[:3]
    first = services.book_for_family(tiltak.nurse, free[0].pk, couple(), agreed=True)
    second = services.book_for_family(tiltak.nurse, free[1].pk, couple(), agreed=True)
    third = services.book_for_family(
        tiltak.nurse, free[2].pk, couple(name="Per Olsen"), agreed=True
    )
    # All three times have passed: two held with the Haugens, one no-show.
    for booking, hours in ((first, 72), (second, 48), (third, 24)):
        Slot.objects.filter(pk=booking.slot_id).update(
            starts_at=timezone.now() - datetime.timedelta(hours=hours)
        )
    services.record_no_show(tiltak.therapist, third.pk)
    books = AppointmentBook.objects.filter(pk=tiltak.book.pk)
    today = timezone.localdate()
    rows = figures.by_book_and_month(
        books, today - datetime.timedelta(days=40), today + datetime.timedelta(days=70)
    )
    assert sum(r.booked for r in rows) == 3
    assert sum(r.held for r in rows) == 2
    assert sum(r.no_shows for r in rows) == 1
    assert sum(r.offered for r in rows) == Slot.objects.filter(book=tiltak.book).count()
    assert all(r.utilisation is None or 0 <= r.utilisation <= 1 for r in rows)
    assert figures.conversations_per_family(books) == {2: 1}
    # A booking cancelled (before its time, which is when one can be) counts for nothing.
    Booking.objects.filter(pk=second.pk).update(cancelled_at=timezone.now())
    assert figures.conversations_per_family(books) == {1: 1}
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 2
