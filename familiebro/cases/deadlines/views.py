"""Staff pages about time: "My deadlines" (/ansatt/frister/) and "Notifications"
(/ansatt/varsler/).

Deadlines and their cases are read through the access policy and audited as a list, so a
deadline whose child the reader has no need to know about does not show, and another
organisation's deadlines never do. Notifications are the reader's own messages: they name a
reference and link to the page, and hold nothing about a family.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from familiebro.core.decorators import staff_required
from familiebro.privacy import policy

from ..notifications import mark_all_read, notifications_of
from . import pages


@never_cache
@staff_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    rows, more = pages.my_deadlines(request.user)
    context = {
        "rows": rows,
        "more": more,
        "page_size": pages.DEADLINE_PAGE_SIZE,
        "is_leader": bool(policy.scope_of(request.user).leader_unit_ids),
    }
    return render(request, "cases/deadlines/mine.html", context)


NOTIFICATION_PAGE_SIZE = 100


@never_cache
@staff_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows, unread = notifications_of(request.user, NOTIFICATION_PAGE_SIZE)
    context = {"rows": rows, "unread": unread, "page_size": NOTIFICATION_PAGE_SIZE}
    return render(request, "cases/deadlines/notifications.html", context)


@staff_required
@require_POST
def mark_notifications_read(request: HttpRequest) -> HttpResponse:
    if mark_all_read(request.user):
        messages.success(request, _("All notifications are marked as read."))
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect("cases:notifications")
