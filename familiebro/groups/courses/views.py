"""Staff pages of courses: /ansatt/kurs/… Thin views over actions and reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.catalogue.models import Offer
from familiebro.core.decorators import staff_required
from familiebro.core.models import ServiceUnit, User

from ..models import FAMILY_ROLES, Course, Headcount
from . import actions, figures, permissions, reads
from .forms import EnrolForm, LeaderForm, NewCourseForm, SessionForm, attendance_key, headcount_key


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@never_cache
@staff_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "groups/courses/list.html", {"courses": reads.unit_courses(request.user)}
    )


def _unit_offers(user: Any) -> list[Offer]:
    return list(
        Offer.objects.filter(unit_id__in=permissions.units_of(user))
        .exclude(status=Offer.Status.RETIRED)
        .select_related("unit")
        .order_by("title")
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def new_course(request: HttpRequest) -> HttpResponse:
    offers = _unit_offers(request.user)
    form = NewCourseForm(offers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        offer = form.offers[data["offer"]]
        try:
            course = actions.create_course(
                request.user,
                offer=offer,
                unit=ServiceUnit.objects.get(pk=offer.unit_id),
                name=data["name"],
                capacity=data["capacity"],
                hold_hours=data["hold_hours"],
                mode=data["mode"],
                leader_gender=data["leader_gender"] or "",
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The course is set up. Add its sessions."))
            return redirect("courses:detail", course.pk)
    return render(request, "groups/courses/new.html", {"form": form, "offers": offers})


def _members(course: Course) -> list[User]:
    return list(
        User.objects.filter(
            memberships__unit_id=course.unit_id,
            memberships__role__in=permissions.CASEWORK_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


@never_cache
@staff_required
@require_GET
def course_detail(request: HttpRequest, course_id: Any) -> HttpResponse:
    page = reads.course_page(request.user, course_id)
    context: dict[str, Any] = {"page": page, "course": page.course}
    if page.runs:
        context["figures"] = figures.course_figures(page.course)
    if permissions.may_add_leaders(request.user, page.course):
        context["leader_form"] = LeaderForm(_members(page.course))
    return render(request, "groups/courses/detail.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def new_session(request: HttpRequest, course_id: Any) -> HttpResponse:
    course = reads.course_or_404(request.user, course_id)
    if not permissions.runs(request.user, course):
        messages.error(
            request,
            _(
                "Only the course's leaders and the unit's coordinators and leaders can plan "
                "its sessions."
            ),
        )
        return redirect("courses:detail", course.pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        data = form.cleaned_data
        try:
            actions.add_session(
                request.user,
                course,
                starts_at=starts_at,
                ends_at=ends_at,
                place=data["place"],
                video_url=data["video_url"],
                topic=data["topic"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The session is added."))
            return redirect("courses:detail", course.pk)
    return render(request, "groups/courses/session.html", {"course": course, "form": form})


@never_cache
@staff_required
@require_POST
def add_leader(request: HttpRequest, course_id: Any) -> HttpResponse:
    course = reads.course_or_404(request.user, course_id)
    form = LeaderForm(_members(course), request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("courses:detail", course.pk)
    try:
        actions.add_leader(
            request.user, course, form.cleaned_data["leader"], form.cleaned_data["gender"] or ""
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The leader is added."))
    return redirect("courses:detail", course.pk)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, course_id: Any) -> HttpResponse:
    course = reads.course_or_404(request.user, course_id)
    form = EnrolForm(request.POST or None)
    full = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = actions.enrol(
                course.pk,
                name=data["name"],
                role=data["role"],
                partner_name=data["partner_name"],
                partner_role=data["partner_role"],
                email=data["email"],
                phone=data["phone"],
                staff=request.user,
                waiting_list=data["waiting_list"],
            )
        except actions.CourseFull as exc:
            form.add_error(None, exc)
            full = True
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if enrolment.status == enrolment.Status.WAITING:
                messages.success(request, _("Put on the waiting list. A message tells them so."))
            else:
                messages.success(request, _("Enrolled. A message confirms the seat."))
            return redirect("courses:detail", course.pk)
    return render(
        request, "groups/courses/enrol.html", {"course": course, "form": form, "full": full}
    )


@never_cache
@staff_required
@require_POST
def cancel(request: HttpRequest, course_id: Any, enrolment_id: Any) -> HttpResponse:
    course = reads.course_or_404(request.user, course_id)
    actions.cancel_by_staff(request.user, course, enrolment_id)
    messages.success(
        request, _("The enrolment is cancelled; a freed seat goes to the waiting list.")
    )
    return redirect("courses:detail", course.pk)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, course_id: Any, session_id: int) -> HttpResponse:
    course = reads.course_or_404(request.user, course_id)
    if not permissions.runs(request.user, course):
        messages.error(
            request,
            _(
                "Only the course's leaders and the unit's coordinators and leaders can record "
                "attendance."
            ),
        )
        return redirect("courses:detail", course.pk)
    session = reads.session_or_404(request.user, course, session_id)
    if course.mode == Course.Mode.HEADCOUNT:
        return _headcount(request, course, session)
    page = reads.attendance_page(request.user, course, session)
    error = ""
    if request.method == "POST":
        present = [
            (str(e.pk), partner)
            for e in page.participants
            for partner in (False, True)
            if request.POST.get(attendance_key(e.pk, partner))
        ]
        try:
            came = actions.record_attendance(request.user, session, present)
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("Attendance saved: %(count)s came.") % {"count": came})
            return redirect("courses:detail", course.pk)
    rows = [
        {
            "enrolment": e,
            "key": attendance_key(e.pk, False),
            "came": (str(e.pk), False) in page.came,
            "partner_key": attendance_key(e.pk, True),
            "partner_came": (str(e.pk), True) in page.came,
        }
        for e in page.participants
    ]
    return render(
        request,
        "groups/courses/attendance.html",
        {"course": course, "session": session, "rows": rows, "error": error},
    )


def _headcount(request: HttpRequest, course: Course, session: Any) -> HttpResponse:
    error = ""
    counts = reads.headcounts(session)
    if request.method == "POST":
        sent: dict[tuple[str, str], int] = {}
        try:
            for role, _label in FAMILY_ROLES:
                for band, _band_label in Headcount.AGE_BANDS:
                    value = request.POST.get(headcount_key(role, band), "").strip() or "0"
                    # isdigit() alone takes "²" and numbers int() refuses: ASCII, five digits.
                    if not (value.isascii() and value.isdigit() and len(value) <= 5):
                        raise ValidationError(_("Give each count as a whole number from 0."))
                    sent[(role, band)] = int(value)
            total = actions.record_headcount(request.user, session, sent)
        except ValidationError as exc:
            error = _errors(exc)
            counts = {}
        else:
            messages.success(request, _("Headcount saved: %(count)s came.") % {"count": total})
            return redirect("courses:detail", course.pk)
    grid = [
        {
            "label": label,
            "cells": [
                {
                    "key": headcount_key(role, band),
                    "label": band_label,
                    "value": counts.get((role, band), 0),
                }
                for band, band_label in Headcount.AGE_BANDS
            ],
        }
        for role, label in FAMILY_ROLES
    ]
    return render(
        request,
        "groups/courses/headcount.html",
        {"course": course, "session": session, "grid": grid, "error": error},
    )
