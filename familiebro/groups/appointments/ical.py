"""A parent's appointments as an iCalendar file (RFC 5545), for their own calendar.

The file leaves Familiebro, so it says what the messages say: the book's discreet label, the
time, the place and the video link; never the service's name nor what the family shared.
The `icalendar` library writes it; times are in UTC, which every calendar converts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from ..models import Booking

PRODUCT_ID = "-//Familiebro//Timebestilling//NB"
UID_DOMAIN = "familiebro.no"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def appointments_calendar(bookings: Iterable[Booking]) -> str:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("method", "PUBLISH")
    stamp = _utc(timezone.now())
    for booking in bookings:
        slot = booking.slot
        event = Event()
        event.add("uid", f"appointment-{booking.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(slot.starts_at))
        event.add("dtend", _utc(slot.ends_at))
        event.add("summary", slot.book.label)
        event.add("location", slot.where)
        if slot.book.video_link and slot.kind != slot.Kind.FOLLOW_UP:
            event.add("url", slot.book.video_link)
        event.add("status", "CANCELLED" if booking.cancelled_at else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical().decode()
