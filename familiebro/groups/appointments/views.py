"""Staff pages of appointment books, under /ansatt/timebok/: the books, setting one up, a
book's day with its slots and bookings, booking for a family, one booking with no-show and
follow-up. Thin views over pages.py and services.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.models import User
from familiebro.privacy import consultation

from . import pages, services
from .forms import BookForm, ExtraSlotForm, FollowUpForm, StaffBookingForm


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@never_cache
@staff_required
@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    return render(request, "appointments/book_list.html", {"rows": pages.my_books(request.user)})


def _book_form(request: HttpRequest, data: Any = None) -> BookForm:
    units = list(consultation.units_of(request.user).order_by("name"))
    places = list(consultation.forum_units(request.user).order_by("name"))
    providers = list(
        User.objects.filter(memberships__unit__in=units, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
    initial = {"provider": request.user.pk, "every": 1}
    return BookForm(data, units=units, places=places, providers=providers, initial=initial)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def book_create(request: HttpRequest) -> HttpResponse:
    form = _book_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            book = services.set_up_book(request.user, form.fields_for_service())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("The appointment book is set up, with times for the coming weeks.")
            )
            return redirect("appointments:book", book.pk)
    status = 400 if form.errors else 200
    return render(request, "appointments/book_form.html", {"form": form}, status=status)


@never_cache
@staff_required
@require_GET
def book_day(request: HttpRequest, book_id: int) -> HttpResponse:
    page = pages.day_page(request.user, book_id, _day(request.GET.get("dato")))
    return render(
        request, "appointments/book_day.html", {"page": page, "extra_form": ExtraSlotForm()}
    )


@staff_required
@require_POST
def make_slots(request: HttpRequest, book_id: int) -> HttpResponse:
    book = pages.book(request.user, book_id)
    made = services.make_slots(request.user, book)
    messages.success(request, _("%(count)s new times are added.") % {"count": made})
    return redirect("appointments:book", book.pk)


@staff_required
@require_POST
def add_slot(request: HttpRequest, book_id: int) -> HttpResponse:
    book = pages.book(request.user, book_id)
    form = ExtraSlotForm(request.POST)
    if form.is_valid():
        try:
            slot = services.add_extra_slot(request.user, book, form.starts_at())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The extra time is added."))
            day = timezone.localtime(slot.starts_at).date().isoformat()
            return redirect(reverse("appointments:book", args=[book.pk]) + f"?dato={day}")
    # The day the extra time was meant for, with what was wrong.
    day_shown = (
        form.cleaned_data.get("date") if form.is_bound and hasattr(form, "cleaned_data") else None
    )
    page = pages.day_page(request.user, book_id, day_shown)
    return render(
        request, "appointments/book_day.html", {"page": page, "extra_form": form}, status=400
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def book_slot(request: HttpRequest, book_id: int, slot_id: int) -> HttpResponse:
    slot = pages.slot_to_book(request.user, book_id, slot_id)
    form = StaffBookingForm(request.POST if request.method == "POST" else None)
    alternatives: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book_for_family(
                request.user, slot.pk, form.family(), agreed=form.cleaned_data["agreed"]
            )
        except services.SlotTaken as exc:
            alternatives = exc.alternatives
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The time is booked."))
            return redirect("appointments:booking", booking.pk)
    status = 400 if form.errors else 200
    context = {"slot": slot, "form": form, "alternatives": alternatives}
    return render(request, "appointments/book_slot.html", context, status=status)


@never_cache
@staff_required
@require_GET
def booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    page = pages.booking_page(request.user, booking_id)
    return render(
        request,
        "appointments/booking.html",
        {"page": page, "booking": page.booking, "form": FollowUpForm()},
    )


@staff_required
@require_POST
def no_show(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        services.record_no_show(request.user, booking_id, came=request.POST.get("kom") == "ja")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Attendance is recorded."))
    return redirect("appointments:booking", booking_id)


@staff_required
@require_POST
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    try:
        services.cancel_by_staff(request.user, booking_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The appointment is cancelled, and the family is told."))
    return redirect("appointments:booking", booking_id)


@staff_required
@require_POST
def follow_up(request: HttpRequest, booking_id: int) -> HttpResponse:
    page = pages.booking_page(request.user, booking_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            new = services.book_follow_up(request.user, page.booking.pk, form.starts_at())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The follow-up conversation is booked."))
            return redirect("appointments:booking", new.pk)
    context = {"page": page, "booking": page.booking, "form": form}
    return render(request, "appointments/booking.html", context, status=400)
