"""The counts the cases part puts on the staff start page: the user's own work.

Each tile is one COUNT query through the access policy, over the same rows its page lists, so
the number on the start page is the number of rows the user finds behind the link. Counts
show no person and are not audited as reads (the page behind the link is). A leader sees
their units' waiting requests first; everyone else their own cases first.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.start_page import Tile
from familiebro.privacy import menu, policy

from . import case_pages
from .case_services import WRITE
from .deadlines import pages as deadline_pages
from .deadlines.rules import end_of
from .models import HelpRequest, Notification

WAITING = (HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED)


def _end_of_week(now: datetime.datetime) -> datetime.datetime:
    today = timezone.localdate(now)
    return end_of(today + datetime.timedelta(days=6 - today.weekday()))


def tiles(request: HttpRequest) -> list[Tile]:
    user: Any = request.user
    if not menu.caseworkers(user):
        return []
    now = timezone.now()
    new_requests = Tile(
        _("New requests"),
        policy.visible(user, HelpRequest, WRITE).filter(status=HelpRequest.Status.NEW).count(),
        reverse("inbox:list"),
        _("waiting for a first contact"),
    )
    my_cases = Tile(
        _("My cases"),
        case_pages.my_open_cases(user).count(),
        reverse("cases:mine"),
        _("open, that you coordinate or take part in"),
    )
    deadlines = Tile(
        _("Deadlines this week"),
        deadline_pages.open_deadlines(user, now).filter(due_at__lte=_end_of_week(now)).count(),
        reverse("cases:deadlines"),
        _("overdue or due by Sunday"),
    )
    unread = Tile(
        _("Unread notifications"),
        Notification.objects.filter(user=user, read_at__isnull=True).count(),
        reverse("cases:notifications"),
        _("about your cases"),
    )
    led = policy.scope_of(user).leader_unit_ids
    if not led:
        return [my_cases, deadlines, new_requests, unread]
    waiting = Tile(
        _("Waiting in my units"),
        policy.visible(user, HelpRequest, WRITE)
        .filter(unit_id__in=led, status__in=WAITING)
        .count(),
        reverse("cases:allocation"),
        _("requests not yet made a case or closed, for the allocation meeting"),
    )
    return [new_requests, waiting, deadlines, my_cases, unread]
