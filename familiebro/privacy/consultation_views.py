"""Staff pages for anonymous consultations: the unit's list, the record form and one record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required

from . import consultation
from .consultation_forms import ConsultationForm

PAGE_SIZE = 50


@staff_required
@require_GET
def consultation_list(request):
    page = Paginator(consultation.consultations_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    return render(
        request,
        "privacy/consultation/list.html",
        {"page": page, "has_units": consultation.units_of(request.user).exists()},
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
    return render(request, "privacy/consultation/detail.html", {"consultation": record})
