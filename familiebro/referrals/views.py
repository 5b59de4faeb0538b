"""The referral pages: thin views that parse the request, call one action or read, and
render. Who may do what is decided in services, pages and permissions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.cases import case_services
from familiebro.core.decorators import staff_required
from familiebro.core.models import Person
from familiebro.core.responses import forbidden
from familiebro.privacy import policy

from . import intake_services, pages, permissions, services
from .forms import CapacityForm, DraftForm, KindForm, SendForm, StartForm, StatusForm
from .models import Capacity, Referral


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _refused(request: HttpRequest, exc: PermissionDenied, back: str) -> HttpResponse:
    return forbidden(request, str(exc), back, _("Back"))


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = pages.inbox(
        request.user,
        status=request.GET.get("status", "waiting"),
        unit_id=request.GET.get("unit"),
    )
    set_up = [u for u in page.units if permissions.may_set_intake(request.user, u)]
    return render(
        request,
        "referrals/inbox.html",
        {"page": page, "filters": pages.INBOX_FILTERS, "set_up": set_up},
    )


@staff_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    page = pages.sent(
        request.user,
        days=request.GET.get("dager"),
        only_unanswered=request.GET.get("ubesvart") == "1",
    )
    return render(request, "referrals/sent.html", {"page": page})


def _start(request: HttpRequest, *, case: Any = None, person: Any = None) -> HttpResponse:
    back = (
        reverse("cases:detail", args=[case.pk])
        if case is not None
        else reverse("person-detail", args=[person.pk])
    )
    try:
        units = (
            services.referring_units_for_case(request.user, case)
            if case is not None
            else services.referring_units_for_person(request.user, person)
        )
    except PermissionDenied as exc:
        return _refused(request, exc, back)
    if not units:
        return forbidden(
            request,
            _(
                "Only staff who work with the child in their own unit can refer them. Ask the "
                "coordinator or your leader to assign you."
            ),
            back,
            _("Back"),
        )
    receivers = services.receivers(excluding_unit_id=units[0].pk)
    posted = request.POST if request.method == "POST" else None
    form = StartForm(posted, receivers=receivers, with_case=case is not None)
    if posted is not None and form.is_valid():
        try:
            referral = services.start_draft(
                request.user,
                to_kind_id=form.cleaned_data["to_kind"],
                kind=form.cleaned_data.get("referral_type") or Referral.Kind.REFERRAL,
                case=case,
                person=person,
            )
        except PermissionDenied as exc:
            return _refused(request, exc, back)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("referrals:edit", referral.pk)
    return render(
        request,
        "referrals/start.html",
        {
            "form": form,
            "receivers": receivers,
            "back": back,
            "case": case,
            "from_unit": units[0],
            "Capacity": Capacity,
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def start_from_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_services.get_case(request.user, case_id)
    return _start(request, case=case)


@staff_required
@require_http_methods(["GET", "POST"])
def start_from_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = policy.get_or_404(request.user, Person, person_id, services.PURPOSE)
    return _start(request, person=person)


@staff_required
@require_GET
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    page = pages.referral_page(request.user, referral_id)
    return render(
        request,
        "referrals/detail.html",
        {
            "page": page,
            "referral": page.referral,
            "status_form": StatusForm(transitions=page.transitions) if page.transitions else None,
            "send_form": SendForm(grounds=page.grounds) if page.is_referrer else None,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, referral_id: int) -> HttpResponse:
    page = pages.referral_page(request.user, referral_id)
    referral = page.referral
    if not page.is_referrer or referral.status != "draft":
        return forbidden(
            request,
            _("Only the sending unit changes a referral, and only while it is a draft."),
            reverse("referrals:detail", args=[referral.pk]),
            _("Back to the referral"),
        )
    posted = request.POST if request.method == "POST" else None
    form = DraftForm(posted, referral=referral, allowed=page.allowed_attachments)
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        fields = services.DraftFields(
            question=data["question"],
            assessment=data["assessment"],
            tried=data["tried"],
            answers=form.answers(),
            responsibility_group=data.get("responsibility_group", ""),
            individual_plan=data.get("individual_plan", ""),
            coordinator_name=data.get("coordinator_name", ""),
            attachments=tuple(data.get("attachments", ())),
        )
        try:
            services.save_draft(request.user, referral.pk, fields)
        except PermissionDenied as exc:
            return _refused(request, exc, reverse("referrals:detail", args=[referral.pk]))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("referrals:detail", referral.pk)
    return render(
        request,
        "referrals/edit.html",
        {"page": page, "referral": referral, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def send(request: HttpRequest, referral_id: int) -> HttpResponse:
    # The grounds are checked by services.send against the referral (permissions.may_refer_on),
    # so the form only bounds the text.
    ground = str(request.POST.get("ground", ""))[:20]
    form = SendForm(request.POST)
    form.is_valid()
    back = reverse("referrals:detail", args=[referral_id])
    try:
        services.send(
            request.user,
            referral_id,
            ground=ground,
            legal_basis=form.cleaned_data.get("legal_basis", ""),
        )
    except PermissionDenied as exc:
        return _refused(request, exc, back)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("The referral is sent."))
    return redirect(back)


@staff_required
@require_POST
def change_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    back = reverse("referrals:detail", args=[referral_id])
    try:
        services.change_status(
            request.user,
            referral_id,
            str(request.POST.get("to", ""))[:20],
            str(request.POST.get("reason", "")),
        )
    except PermissionDenied as exc:
        return _refused(request, exc, back)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("The referral's status is changed."))
    return redirect(back)


@staff_required
@require_POST
def revise(request: HttpRequest, referral_id: int) -> HttpResponse:
    back = reverse("referrals:detail", args=[referral_id])
    try:
        new = services.revise(request.user, referral_id)
    except PermissionDenied as exc:
        return _refused(request, exc, back)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("A new version is made. Correct it and send it again."))
    return redirect("referrals:edit", new.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = intake_services.unit_to_set_up(request.user, unit_id)
    capacity, note = services.capacity_of(unit)
    posted = request.POST if request.method == "POST" else None
    form = CapacityForm(posted, initial={"capacity": capacity, "note": note})
    if posted is not None and form.is_valid():
        try:
            intake_services.set_capacity(
                request.user, unit, form.cleaned_data["capacity"], form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The capacity is saved."))
            return redirect("referrals:intake", unit.pk)
    return render(
        request,
        "referrals/intake.html",
        {"unit": unit, "form": form, "kinds": intake_services.kinds_of(unit)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def kind(request: HttpRequest, unit_id: int, kind_id: int | None = None) -> HttpResponse:
    unit = intake_services.unit_to_set_up(request.user, unit_id)
    existing = None
    if kind_id is not None:
        existing = next((k for k in intake_services.kinds_of(unit) if k.pk == kind_id), None)
        if existing is None:
            raise Http404(_("Not found, or you do not have access."))
    initial = (
        {
            "topic": existing.topic,
            "name": existing.name,
            "required_fields": existing.required_fields,
            "questions": existing.questions,
            "taking": existing.taking,
        }
        if existing
        else {"taking": True}
    )
    posted = request.POST if request.method == "POST" else None
    form = KindForm(posted, initial=initial)
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        try:
            intake_services.save_kind(
                request.user,
                unit,
                kind_id=kind_id,
                topic=data["topic"],
                name=data["name"],
                required_fields=list(data["required_fields"]),
                questions=data["questions"],
                taking=data["taking"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The kind of referral is saved."))
            return redirect("referrals:intake", unit.pk)
    return render(
        request,
        "referrals/kind.html",
        {"unit": unit, "form": form, "kind": existing},
        status=400 if form.errors else 200,
    )
