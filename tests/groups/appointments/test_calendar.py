"""Bookings in the staff calendar: the provider's own, the booking nurse's own, and their
units'; nobody else's. What leaves Familiebro names the discreet label only."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.calendar.events import Whose, events
from familiebro.groups.appointments import services, slots
from tests.groups.appointments.conftest import couple
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


def window():
    now = timezone.now()
    return now, now + datetime.timedelta(days=60)


def appointment_uids(whose: Whose) -> list[str]:
    return [e.uid for e in events(whose, *window()) if e.uid.startswith("familiebro-appointment")]


def test_bookings_are_in_the_calendars_of_those_who_work_with_them(tiltak):
    booking = services.book_for_family(
        tiltak.nurse, next(iter(slots.free_slots(tiltak.book))).pk, couple(), agreed=True
    )
    uid = f"familiebro-appointment-{booking.pk}"
    assert appointment_uids(Whose(tiltak.therapist)) == [uid]
    assert appointment_uids(Whose(tiltak.nurse)) == [uid]
    assert appointment_uids(Whose(tiltak.nurse, tiltak.health_centre)) == [uid]
    assert appointment_uids(Whose(tiltak.office_leader, tiltak.office)) == [uid]
    for outsider in (tiltak.colleague, tiltak.school_staff, tiltak.elsewhere):
        assert appointment_uids(Whose(outsider)) == []
    [event] = [e for e in events(Whose(tiltak.therapist), *window()) if e.uid == uid]
    assert event.neutral_title == "Samtale på helsestasjonen"
    assert event.place == "Helsestasjonen, Storgata 5, 2. etasje"


def test_the_week_page_links_to_the_booking(tiltak):
    slot = next(iter(slots.free_slots(tiltak.book)))
    booking = services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    client = make.logged_in(tiltak.therapist, Client())
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = client.get(reverse("calendar:week") + f"?dato={day}").content.decode()
    assert reverse("appointments:booking", args=[booking.pk]) in page
