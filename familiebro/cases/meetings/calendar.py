"""The calendar file a meeting invitation carries: an iCalendar request or cancellation
(RFC 5545/5546) for one attendee, written by the icalendar package.

It goes out by e-mail, so it names the meeting by its kind and the case's reference, never
the child, and carries the agenda only when the attendee may read it in Familiebro.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from ..models import Case, Meeting

CALENDAR_PRODUCT = "-//Familiebro//Meetings//EN"


def meeting_title(meeting: Meeting, case: Case) -> str:
    """What the invitation calls the meeting: its kind and the case's reference, nothing
    that identifies the child."""
    return _("%(kind)s, case %(reference)s") % {
        "kind": meeting.get_kind_display(),
        "reference": case.reference,
    }


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # A quoted parameter value may hold anything but quotes and control characters.
    address.params["CN"] = re.sub(r'["\x00-\x1f]', "", name)
    for key, value in params.items():
        address.params[key] = value
    return address


def calendar_invitation(
    meeting: Meeting,
    case: Case,
    *,
    organiser_name: str,
    organiser_email: str,
    attendee_name: str,
    attendee_email: str,
    stamp: datetime.datetime,
    method: str = "REQUEST",
    with_agenda: bool = True,
    with_place: bool = True,
) -> str:
    """An iCalendar request or cancellation (RFC 5545/5546) for one attendee. The UID stays
    the same for every message about the meeting, so calendars keep one event; SEQUENCE rises
    with every move and the cancellation, so a calendar takes the newest message over older
    ones. Without `with_agenda` the event carries no description; without `with_place` no
    location (a protected address: privacy.protected.invitee_sees_place)."""
    host = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "familiebro"
    calendar = Calendar()
    calendar.add("prodid", CALENDAR_PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"familiebro-meeting-{meeting.pk}@{host}")
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("sequence", meeting.calendar_sequence)
    event.add("summary", meeting_title(meeting, case))
    if with_place:
        event.add("location", meeting.place)
    event.add("description", meeting.agenda if with_agenda else "")
    event.add("organizer", _address(organiser_email, organiser_name))
    event.add(
        "attendee",
        _address(
            attendee_email,
            attendee_name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="FALSE",
        ),
    )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()
