"""Staff pages for anonymous consultations: the unit's list, the record form, one record, and
recording that the report child welfare advised was made."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required

from . import consultation
from .consultation_forms import ConsultationForm, ReportMadeForm

PAGE_SIZE = 50


@staff_required
@require_GET
def consultation_list(request):
    read = consultation.list_page(request.user, request.GET.get("side"), PAGE_SIZE)
    return render(
        request,
        "privacy/consultation/list.html",
        {
            "page": read.page,
            "reports_due": read.reports_due,
            "has_units": consultation.units_of(request.user).exists(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    form = ConsultationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        try:
            record = consultation.record_consultation(request.user, unit, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The anonymous consultation is recorded."))
            return redirect("consultation-detail", pk=record.pk)
    return render(
        request,
        "privacy/consultation/form.html",
        {"form": form, "has_units": form.units.exists()},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def consultation_detail(request, pk: int):
    record = consultation.get_consultation(request.user, pk)
    return render(
        request,
        "privacy/consultation/detail.html",
        {"consultation": record, "report_form": ReportMadeForm()},
    )


@staff_required
@require_http_methods(["POST"])
def consultation_report_made(request, pk: int):
    form = ReportMadeForm(request.POST)
    if form.is_valid():
        try:
            consultation.record_report_made(request.user, pk, made_on=form.cleaned_data["made_on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("It is recorded that the report was made."))
            return redirect("consultation-detail", pk=pk)
    record = consultation.get_consultation(request.user, pk)
    return render(
        request,
        "privacy/consultation/detail.html",
        {"consultation": record, "report_form": form},
        status=400,
    )


def report_prompts_notice(request) -> str:
    """The start page's prompt to make the reports child welfare advised (core.start_page)."""
    if not getattr(request.user, "is_authenticated", False):
        return ""
    due = consultation.due_prompts(request.user)
    if not due:
        return ""
    return render_to_string(
        "privacy/consultation/_report_prompts.html", {"reports_due": due}, request=request
    )
