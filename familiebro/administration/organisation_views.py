"""The organisation and unit pages of the administration area: thin views over
organisation_reads, organisation_actions and unit_import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.models import Organisation, OrganisationAdministrator, ServiceUnit

from . import csv_import, organisation_actions, organisation_reads, permissions, unit_import
from .organisation_forms import AppointAdministratorForm, OrganisationForm, UnitForm, UnitImportForm


@staff_required
@require_GET
def organisations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/organisations/list.html",
        {
            "organisations": organisation_reads.organisations_for(request.user),
            "may_create": permissions.may_manage_organisations(request.user),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    permissions.require_manage_organisations(request.user)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save(commit=False)
        organisation_actions.create_organisation(
            request.user, organisation, form.cleaned_data["served"]
        )
        messages.success(request, _("%(name)s is created.") % {"name": organisation.name})
        return redirect("administration:organisation", organisation.pk)
    return render(
        request,
        "administration/organisations/form.html",
        {"form": form, "organisation": None},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organisation_change(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_reads.organisation_to_manage(request.user, pk)
    before = organisation_actions.snapshot(organisation, organisation_actions.ORGANISATION_FIELDS)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation_actions.change_organisation(
            request.user, form.save(commit=False), before, form.cleaned_data["served"]
        )
        messages.success(request, _("The changes are saved."))
        return redirect("administration:organisation", organisation.pk)
    return render(
        request,
        "administration/organisations/form.html",
        {"form": form, "organisation": Organisation.objects.get(pk=pk)},
    )


def _organisation_page(
    request: HttpRequest, pk: int, appoint_form: AppointAdministratorForm | None = None
) -> HttpResponse:
    page = organisation_reads.organisation_page(request.user, pk)
    return render(
        request,
        "administration/organisations/detail.html",
        {
            "page": page,
            "appoint_form": appoint_form
            or AppointAdministratorForm(admin=request.user, organisation=page.organisation),
        },
        status=400 if appoint_form is not None else 200,
    )


@staff_required
@require_GET
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    return _organisation_page(request, pk)


@staff_required
@require_POST
def administrator_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_reads.organisation_to_administer(request.user, pk)
    form = AppointAdministratorForm(request.POST, admin=request.user, organisation=organisation)
    if form.is_valid():
        user = form.cleaned_data["username"]
        try:
            appointed = organisation_actions.appoint_administrator(request.user, organisation, user)
        except ValidationError as exc:
            form.add_error("username", exc)
        else:
            message = (
                _("%(name)s is now an administrator of %(organisation)s.")
                if appointed
                else _("%(name)s was already an administrator of %(organisation)s.")
            )
            messages.success(
                request, message % {"name": user.display_name(), "organisation": organisation}
            )
            return redirect("administration:organisation", organisation.pk)
    return _organisation_page(request, pk, form)


@staff_required
@require_POST
def administrator_remove(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    organisation = organisation_reads.organisation_to_administer(request.user, pk)
    appointment = get_object_or_404(
        OrganisationAdministrator.objects.select_related("user"),
        pk=appointment_pk,
        organisation=organisation,
    )
    try:
        organisation_actions.remove_administrator(request.user, appointment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("administration:organisation", organisation.pk)
    messages.success(
        request,
        _("%(name)s is no longer an administrator of %(organisation)s.")
        % {"name": appointment.user.display_name(), "organisation": organisation},
    )
    if not permissions.may_administer_organisation(request.user, organisation.pk):
        return redirect("administration:home")
    return redirect("administration:organisation", organisation.pk)


@staff_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/units/list.html",
        {"units": organisation_reads.units_for(request.user)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_reads.organisation_to_administer(request.user, pk)
    form = UnitForm(request.POST or None, instance=ServiceUnit(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        unit = form.save(commit=False)
        try:
            organisation_actions.save_unit(request.user, unit, None, form.cleaned_data["served"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is created.") % {"name": unit.name})
            return redirect("administration:organisation", organisation.pk)
    return render(
        request,
        "administration/units/form.html",
        {"form": form, "organisation": organisation, "unit": None},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def unit_change(request: HttpRequest, pk: int) -> HttpResponse:
    unit = organisation_reads.unit_to_administer(request.user, pk)
    before = organisation_actions.snapshot(unit, organisation_actions.UNIT_FIELDS)
    may_change_setup = permissions.may_change_unit_setup(request.user, unit)
    form = UnitForm(request.POST or None, instance=unit, may_change_setup=may_change_setup)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_actions.save_unit(
                request.user, form.save(commit=False), before, form.cleaned_data["served"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("administration:unit", pk)
    shown = ServiceUnit.objects.select_related("organisation").get(pk=pk)
    return render(
        request,
        "administration/units/form.html",
        {
            "form": form,
            "organisation": shown.organisation,
            "unit": shown,
            "may_change_setup": may_change_setup,
            "has_records": organisation_actions.unit_has_records(shown),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def unit_import_page(request: HttpRequest) -> HttpResponse:
    unit_import.require_may_import(request.user)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = unit_import.import_units(
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
        "administration/units/import.html",
        {
            "form": form,
            "report": report,
        },
        status=status,
    )
