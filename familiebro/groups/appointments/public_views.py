"""Pages for families: choosing a free time in an appointment book (/timebestilling/…),
confirming it logged in with ID-porten, their appointments on Min side (/min-side/timer/),
and the single-use link in the confirmation that cancels or rebooks without logging in.
Phone-sized first and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.privacy import family

from . import ical, pages, services
from .forms import CitizenBookingForm


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A parent logged in with ID-porten (Min side's login); a staff session is not one."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = None if request.user.is_authenticated else family.citizen_in(request.session)
        if citizen is None:
            return render(request, "appointments/log_in_first.html", status=200)
        return view(request, citizen, *args, **kwargs)

    return wrapped


@require_GET
def choose(request: HttpRequest, book_id: int) -> HttpResponse:
    return render(request, "appointments/choose.html", {"page": pages.public_book(book_id)})


@never_cache
@citizen_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, citizen: Any, book_id: int, slot_id: int) -> HttpResponse:
    slot = pages.public_slot(book_id, slot_id)
    form = CitizenBookingForm(request.POST if request.method == "POST" else None)
    alternatives: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.book_as_citizen(citizen, slot.pk, form.family())
        except services.SlotTaken as exc:
            alternatives = exc.alternatives
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("The time is booked. You get a confirmation with a link to cancel.")
            )
            return redirect("appointments:mine")
    status = 409 if alternatives else 400 if form.errors else 200
    context = {"slot": slot, "form": form, "alternatives": alternatives}
    return render(request, "appointments/confirm.html", context, status=status)


@never_cache
@citizen_required
@require_GET
def mine(request: HttpRequest, citizen: Any) -> HttpResponse:
    return render(
        request,
        "appointments/mine.html",
        {"bookings": pages.my_appointments(citizen), "now": timezone.now()},
    )


@never_cache
@citizen_required
@require_GET
def calendar_file(request: HttpRequest, citizen: Any) -> HttpResponse:
    """The parent's appointments for their own calendar program."""
    response = HttpResponse(
        ical.appointments_calendar(pages.my_appointments(citizen)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="timer.ics"'
    return response


@citizen_required
@require_POST
def cancel_mine(request: HttpRequest, citizen: Any, booking_id: int) -> HttpResponse:
    try:
        booking = services.cancel_as_citizen(citizen, booking_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("appointments:mine")
    messages.success(request, _("The time is cancelled. You can choose a new time below."))
    return redirect("appointments:choose", booking.slot.book_id)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link cancels (a link checker fetching it changes nothing); POST
    cancels, once."""
    if request.method == "POST":
        try:
            booking = services.cancel_by_link(token)
        except ValidationError as exc:
            return render(
                request,
                "appointments/cancel_link.html",
                {"error": " ".join(exc.messages)},
                status=400,
            )
        messages.success(request, _("The time is cancelled. You can choose a new time below."))
        return redirect("appointments:choose", booking.slot.book_id)
    found = services.booking_for_link(token)
    if found is None:
        error = _("The link has been used or the time has passed. Ask the service for a new time.")
        return render(request, "appointments/cancel_link.html", {"error": error}, status=404)
    return render(request, "appointments/cancel_link.html", {"booking": found})
