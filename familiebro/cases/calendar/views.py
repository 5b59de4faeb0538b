"""Calendar pages: /ansatt/kalender/ (the week), /ansatt/kalender/maned/ (the month), the
subscription address made and stopped on them, and the feed a calendar program fetches at
/kalender/<token>.ics without logging in. Thin views over calendar.pages and
calendar.subscriptions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from familiebro.core.decorators import staff_required

from . import pages, subscriptions

# The new address waits here for the page the form returns to, which shows it once.
NEW_FEED_KEY = "calendar_new_feed"


def _show(request: HttpRequest, view: str) -> HttpResponse:
    today = timezone.localdate()
    parse = pages.week_of if view == pages.WEEK else pages.month_of
    error, status = "", 200
    try:
        period = parse(request.GET.get("dato"), today)
    except ValidationError as exc:
        # The current period, with what was wrong: a link typed by hand is not a dead end.
        period, error, status = parse(None, today), "; ".join(exc.messages), 400
    page = pages.calendar_page(request.user, view, period, request.GET.get("enhet"))
    token = request.session.pop(NEW_FEED_KEY, "")
    new_feed_url = (
        request.build_absolute_uri(reverse("calendar:feed", args=[token])) if token else ""
    )
    context = {"page": page, "error": error, "new_feed_url": new_feed_url}
    return render(request, "cases/calendar/calendar.html", context, status=status)


@never_cache
@staff_required
@require_GET
def week(request: HttpRequest) -> HttpResponse:
    return _show(request, pages.WEEK)


@never_cache
@staff_required
@require_GET
def month(request: HttpRequest) -> HttpResponse:
    return _show(request, pages.MONTH)


def _back(request: HttpRequest) -> str:
    return reverse("calendar:week") + "#subscription-heading"


@staff_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    request.session[NEW_FEED_KEY] = subscriptions.create_feed(request.user)
    messages.success(
        request,
        _("Your calendar address is made. Copy it now: it is shown only this once."),
    )
    return redirect(_back(request))


@staff_required
@require_POST
def unsubscribe(request: HttpRequest) -> HttpResponse:
    if subscriptions.revoke_feed(request.user):
        messages.success(
            request,
            _("The calendar address is stopped. Calendars that used it get no more meetings."),
        )
    else:
        messages.info(request, _("You have no calendar address to stop."))
    return redirect(_back(request))


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription, for a calendar program: no login, the token is the key."""
    body = subscriptions.feed_calendar(token, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="familiebro.ics"'
    return response
