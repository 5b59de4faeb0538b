"""iCalendar files (RFC 5545) for an offer's dated sessions.

The `icalendar` library writes the file, so text escaping, CRLF line endings and folding at 75
octets without splitting a UTF-8 character are its rules, not ours. What is ours: a stable UID
per session (its own id, the same as in the HSDS API), DTSTAMP in every event, and times in
UTC, which every calendar converts to the reader's own zone, so no VTIMEZONE is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Location, Offer, OfferSession

PRODUCT_ID = "-//Familiebro//Finn hjelp//NB"
UID_DOMAIN = "familiebro.no"


def describe_location(location: Location | None) -> str:
    if location is None:
        return ""
    town = " ".join(part for part in (location.postal_code, location.city) if part)
    return ", ".join(part for part in (location.name, location.address, town) if part)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def offer_calendar(
    offer: Offer,
    sessions: Iterable[OfferSession],
    *,
    offer_url: str,
    now: datetime.datetime | None = None,
) -> str:
    """The offer's sessions as one VCALENDAR, ready to send as text/calendar."""
    stamp = _utc(now or timezone.now())
    offer_locations = list(offer.locations.all())
    default_location = offer_locations[0] if len(offer_locations) == 1 else None
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An extension property has no known type: vText has it escaped as the TEXT it is.
    calendar.add("x-wr-calname", vText(offer.title))
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.ends_at))
        event.add("summary", f"{offer.title}: {session.title}" if session.title else offer.title)
        event.add("description", "\n\n".join(part for part in (offer.summary, offer_url) if part))
        location = describe_location(session.location or default_location)
        if location:
            event.add("location", location)
        event.add("url", offer_url)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
