"""The staff import page: /ansatt/administrasjon/ansatte/import/ (staff_import decides)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from familiebro.core.decorators import staff_required

from . import csv_import, staff_import
from .staff_import_forms import StaffImportForm


@staff_required
@require_http_methods(["GET", "POST"])
def staff_import_page(request: HttpRequest) -> HttpResponse:
    staff_import.require_may_import(request.user)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = staff_import.import_staff(
                request.user,
                form.cleaned_data["file"].read(csv_import.MAX_BYTES + 1),
                partial=form.cleaned_data["partial"],
            )
        except csv_import.CsvError as exc:
            form.add_error("file", str(exc))
        if report is not None and report.rejected:
            status = 400
    if form.errors:
        status = 400
    return render(
        request,
        "administration/staff/import.html",
        {
            "form": form,
            "report": report,
            "refused": report.count(csv_import.RowResult.REJECTED) if report else 0,
            "not_sent": report.count(staff_import.NOT_SENT) if report else 0,
        },
        status=status,
    )
