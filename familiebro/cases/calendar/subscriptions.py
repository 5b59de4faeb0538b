"""The personal calendar subscription: a secret address a calendar program fetches the
staff member's meetings from, without logging in.

The address holds a random token; only its SHA-256 hash is stored, so the address is shown
once, when it is made. Making a new one or stopping it stops the old one for good. Every
fetch is audited as a read by the staff member the address belongs to, and the meetings
come through the access policy as on the calendar page: a meeting they may no longer read
leaves their calendar at the next fetch.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from familiebro.privacy import audit

from ..models import CalendarFeed
from . import events as calendar_events

CALENDAR_PRODUCT = "-//Familiebro//Calendar//EN"
# What the feed holds: the last three months and the coming year.
FEED_PAST = datetime.timedelta(days=92)
FEED_FUTURE = datetime.timedelta(days=366)
TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def _record(action: str, user: Any, feed: CalendarFeed, **detail: Any) -> None:
    # Staff data only (whose subscription, when): no family's data, so no subject.
    audit.record(action, actor=user, objects=[feed], detail=detail)


@transaction.atomic
def create_feed(user: Any) -> str:
    """A new subscription address for the user, replacing (and stopping) the one they had.
    Returns the token: it is not stored, so this is the only time it can be shown."""
    now = timezone.now()
    for old in CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        _record(audit.AuditEvent.Action.CHANGE, user, old, revoked=True, replaced=True)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(user=user, token_hash=_hash(token), created_at=now)
    _record(audit.AuditEvent.Action.CREATE, user, feed)
    return token


@transaction.atomic
def revoke_feed(user: Any) -> bool:
    """Stop the user's subscription address. Returns whether there was one to stop."""
    now = timezone.now()
    stopped = False
    for feed in CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        _record(audit.AuditEvent.Action.CHANGE, user, feed, revoked=True)
        stopped = True
    return stopped


def _feed_of(token: str) -> CalendarFeed:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        # A wrong, stopped or old address: nothing says which.
        raise Http404(_("This calendar address does not work. Make a new one in Familiebro."))
    return feed


@transaction.atomic
def feed_calendar(token: str, site_url: str = "") -> str:
    """The iCalendar document of the subscription with this token: the owner's meetings,
    each with a neutral title (a meeting and its unit: no names, no case details) and a link
    to the meeting page, where the owner logs in to read more. Audited as the owner's read."""
    feed = _feed_of(token)
    user = feed.user
    now = timezone.now()
    found = calendar_events.events(calendar_events.Whose(user), now - FEED_PAST, now + FEED_FUTURE)
    feed.last_fetched_at = now
    feed.save(update_fields=["last_fetched_at"])
    _record(audit.AuditEvent.Action.VIEW, user, feed, fetched=True, events=len(found))
    host = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "familiebro"
    site = site_url.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", CALENDAR_PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Familiebro: my meetings"))
    for item in found:
        event = Event()
        # The same UID as the e-mail invitations carry: one event, whichever arrived first.
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", now.astimezone(datetime.UTC))
        event.add("dtstart", item.starts_at.astimezone(datetime.UTC))
        event.add("dtend", item.ends_at.astimezone(datetime.UTC))
        event.add("sequence", item.sequence)
        event.add("summary", item.neutral_title)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if site:
            event.add("url", site + item.url)
        calendar.add_component(event)
    return calendar.to_ical().decode()
