"""iCalendar files (RFC 5545) for an offer's dated sessions.

Written here rather than with a library: the format needed is small (one calendar of
events), and the rules that matter are few and tested: text escaping (section 3.3.11),
CRLF line endings and folding at 75 octets without splitting a UTF-8 character (3.1), a
stable UID per session and DTSTAMP in every event (3.6.1). Times are written in UTC, which
every calendar converts to the reader's own zone, so no VTIMEZONE is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from .models import Location, Offer, OfferSession

PRODUCT_ID = "-//Familiebro//Finn hjelp//NB"
UID_DOMAIN = "familiebro.no"
LINE_LIMIT = 75  # octets, excluding the CRLF
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; continuations start with a space.

    Splits fall between characters, never inside a multi-byte UTF-8 sequence.
    """
    if len(line.encode()) <= LINE_LIMIT:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_LIMIT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
            # Every continuation line begins with one space, which counts towards its limit.
            limit = LINE_LIMIT - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def utc_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def describe_location(location: Location | None) -> str:
    if location is None:
        return ""
    town = " ".join(part for part in (location.postal_code, location.city) if part)
    return ", ".join(part for part in (location.name, location.address, town) if part)


def offer_calendar(
    offer: Offer,
    sessions: Iterable[OfferSession],
    *,
    offer_url: str,
    now: datetime.datetime | None = None,
) -> str:
    """The offer's sessions as one VCALENDAR, ready to send as text/calendar."""
    stamp = utc_timestamp(now or timezone.now())
    offer_locations = list(offer.locations.all())
    default_location = offer_locations[0] if len(offer_locations) == 1 else None
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(offer.title)}",
    ]
    for session in sessions:
        summary = f"{offer.title}: {session.title}" if session.title else offer.title
        description = "\n\n".join(part for part in (offer.summary, offer_url) if part)
        location = describe_location(session.location or default_location)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session.pk}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_timestamp(session.starts_at)}",
            f"DTEND:{utc_timestamp(session.ends_at)}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        lines += [f"URL:{offer_url}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
