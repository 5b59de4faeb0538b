"""Staff pages about time: "My deadlines" (/ansatt/frister/) and "Notifications"
(/ansatt/varsler/).

Deadlines and their cases are read through the access policy and audited as a list, so a
deadline whose child the reader has no need to know about does not show, and another
organisation's deadlines never do. Notifications are the reader's own messages: they name a
reference and link to the page, and hold nothing about a family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from familiebro.core.decorators import staff_required
from familiebro.privacy import policy

from .case_services import READ
from .models import Case, Deadline, Notification

# Rows on one page; more than this many open deadlines is a workload to talk about, not read.
PAGE_SIZE = 200


@dataclass
class DeadlineRow:
    deadline: Deadline
    overdue: bool
    mine: bool  # I am the responsible person (otherwise I see it as a leader)


def my_deadlines(actor: Any, now: Any = None) -> tuple[list[DeadlineRow], bool]:
    """The actor's open deadlines and, for leaders, their units' deadlines that nobody holds
    or that are overdue, soonest first. Also whether there were more than one page."""
    now = now or timezone.now()
    scope = policy.scope_of(actor)
    whose = Q(responsible=actor)
    if scope.leader_unit_ids:
        whose |= Q(unit_id__in=scope.leader_unit_ids) & (
            Q(responsible__isnull=True) | Q(due_at__lt=now)
        )
    rows = list(
        policy.visible(actor, Deadline, READ)
        .filter(
            whose,
            organisation_id__in=scope.organisation_ids,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            case__status=Case.Status.OPEN,
        )
        .select_related("case__child", "unit", "responsible")
        .order_by("due_at", "pk")[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    deadlines = policy.list_page(actor, rows[:PAGE_SIZE], READ)
    # The page shows each case's reference and child: the cases are read, too.
    cases = list({d.case_id: d.case for d in deadlines}.values())
    policy.list_page(actor, cases, READ)
    return [DeadlineRow(d, d.due_at < now, d.responsible_id == actor.pk) for d in deadlines], more


@never_cache
@staff_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    rows, more = my_deadlines(request.user)
    context = {
        "rows": rows,
        "more": more,
        "page_size": PAGE_SIZE,
        "is_leader": bool(policy.scope_of(request.user).leader_unit_ids),
    }
    return render(request, "cases/deadlines/mine.html", context)


NOTIFICATION_PAGE_SIZE = 100


@never_cache
@staff_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(Notification.objects.filter(user=request.user)[:NOTIFICATION_PAGE_SIZE])
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    context = {"rows": rows, "unread": unread, "page_size": NOTIFICATION_PAGE_SIZE}
    return render(request, "cases/deadlines/notifications.html", context)


@staff_required
@require_POST
def mark_notifications_read(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("All notifications are marked as read."))
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect("cases:notifications")
