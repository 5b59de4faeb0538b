"""The pages families use: a course's public page with enrolment (logged in on Min side),
the single-use links from messages (cancel, take an offered seat), the parent's own
enrolments on Min side, and a course's iCalendar feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from familiebro.privacy import family
from familiebro.privacy.family import Citizen

from . import actions, calendar, reads, verification
from .forms import EnrolForm


def _citizen(request: HttpRequest) -> Citizen | None:
    """The parent logged in on Min side; a staff login in the same browser is not one."""
    if request.user.is_authenticated:
        return None
    return family.citizen_in(request.session)


@require_safe
def offer_courses(request: HttpRequest, offer_id: Any) -> HttpResponse:
    courses = reads.open_courses(offer_id)
    return render(
        request, "groups/courses/offer_courses.html", {"courses": courses, "offer_id": offer_id}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def course_page(request: HttpRequest, course_id: Any) -> HttpResponse:
    course = reads.public_course_or_404(course_id)
    citizen = _citizen(request)
    form = EnrolForm(request.POST or None)
    full = False
    if request.method == "POST" and citizen is None:
        # Without login: the contact given is verified by a code before anyone is enrolled.
        if form.is_valid():
            try:
                verification.start(request.session, course, form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("courses:verify", course.pk)
    elif request.method == "POST" and form.is_valid():
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
                citizen=citizen,
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
            messages.success(
                request,
                _("You have a seat. A message confirms it.")
                if enrolment.status == enrolment.Status.CONFIRMED
                else _("You are on the waiting list. We will tell you if a seat is free."),
            )
            return redirect("courses:mine")
    sessions = list(course.sessions.all())
    return render(
        request,
        "groups/courses/public.html",
        {
            "course": course,
            "sessions": sessions,
            "leadership": reads.leadership(list(course.leaders.all())),
            "citizen": citizen,
            "form": form,
            "full": full,
        },
        status=409 if full else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, course_id: Any) -> HttpResponse:
    """The code sent to the parent's phone or e-mail, typed in to enrol without login."""
    course = reads.public_course_or_404(course_id)
    pending = verification.pending_for(request.session, course)
    if pending is None:
        return redirect("courses:public", course.pk)
    error, full = "", False
    if request.method == "POST":
        try:
            enrolment = verification.confirm(
                request.session,
                course,
                request.POST.get("code", "")[:20],
                waiting_list=bool(request.POST.get("waiting_list")),
            )
        except actions.CourseFull as exc:
            error, full = exc.messages[0], True
        except actions.LinkNotValid as exc:
            messages.error(request, exc.messages[0])
            return redirect("courses:public", course.pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return render(
                request,
                "groups/courses/enrolled.html",
                {"course": course, "enrolment": enrolment},
            )
    return render(
        request,
        "groups/courses/verify.html",
        {
            "course": course,
            "error": error,
            "full": full,
            "verified": pending["verified"],
            "by_sms": bool(pending["details"]["phone"]),
        },
        status=409 if full else 200,
    )


@require_safe
def course_ical(request: HttpRequest, course_id: Any) -> HttpResponse:
    course = reads.public_course_or_404(course_id)
    url = request.build_absolute_uri(reverse("courses:public", args=[course.pk]))
    response = HttpResponse(
        calendar.course_calendar(course, list(course.sessions.all()), course_url=url),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="kurs-{course.pk}.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST cancels: a link previewer that opens the link cancels nothing."""
    try:
        if request.method == "POST":
            enrolment = actions.cancel_by_link(token)
            return render(request, "groups/courses/cancelled.html", {"course": enrolment.course})
        enrolment = actions.enrolment_for_cancel_link(token)
    except actions.LinkNotValid as exc:
        return render(
            request, "groups/courses/link_invalid.html", {"message": exc.messages[0]}, status=410
        )
    return render(request, "groups/courses/cancel.html", {"course": enrolment.course})


@never_cache
@require_http_methods(["GET", "POST"])
def claim_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            enrolment = actions.claim_by_link(token)
            return render(request, "groups/courses/claimed.html", {"course": enrolment.course})
        enrolment = actions.enrolment_for_claim_link(token)
    except actions.LinkNotValid as exc:
        return render(
            request, "groups/courses/link_invalid.html", {"message": exc.messages[0]}, status=410
        )
    return render(
        request, "groups/courses/claim.html", {"course": enrolment.course, "enrolment": enrolment}
    )


@never_cache
@require_safe
def my_courses(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect("portal:login")
    return render(request, "groups/courses/mine.html", {"enrolments": reads.my_enrolments(citizen)})


@never_cache
@require_POST
def my_cancel(request: HttpRequest, enrolment_id: Any) -> HttpResponse:
    citizen = _citizen(request)
    if citizen is None:
        return redirect("portal:login")
    try:
        enrolment = actions.cancel_own(citizen, enrolment_id)
    except actions.LinkNotValid as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("You are no longer enrolled on %(course)s.") % {"course": enrolment.course.name},
        )
    return redirect("courses:mine")
