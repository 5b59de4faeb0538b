"""Questionnaires (/ansatt/skjema/): the instance's administrators make a draft of the next
version, change its wording and publish it. Thin views over instrument_services; who may is
in outcomes.permissions (checked before any lookup, so others get 403, never a 404 that
tells what exists)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required

from . import instrument_services, permissions
from .forms import DraftForm


@never_cache
@staff_required
@require_GET
def instruments(request: HttpRequest) -> HttpResponse:
    rows = instrument_services.instrument_list(request.user)
    return render(request, "outcomes/instruments.html", {"rows": rows})


@never_cache
@staff_required
@require_GET
def instrument(request: HttpRequest, instrument: str) -> HttpResponse:
    found = instrument_services.get_instrument(request.user, instrument)
    versions = found.versions.order_by("-number")
    return render(request, "outcomes/instrument.html", {"instrument": found, "versions": versions})


@staff_required
@require_POST
def new_draft(request: HttpRequest, instrument: str) -> HttpResponse:
    found = instrument_services.get_instrument(request.user, instrument)
    draft = instrument_services.start_draft(request.user, found)
    return redirect("outcomes:version", instrument=found.key, version=draft.number)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def version(request: HttpRequest, instrument: str, version: int) -> HttpResponse:
    found = instrument_services.get_version(request.user, instrument, version)
    items = instrument_services.items_of(found)
    form = None
    status = 200
    if not found.is_published:
        form = DraftForm(
            request.POST if request.method == "POST" else None, version=found, items=items
        )
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    instrument_services.save_draft(
                        request.user,
                        found,
                        intro=form.intro(),
                        texts=form.texts(),
                        note=form.cleaned_data["note"] or "",
                        cutoff=form.cleaned_data["cutoff"],
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, _("The draft is saved."))
                    return redirect("outcomes:version", instrument=instrument, version=version)
    elif request.method == "POST":
        permissions.require_may_edit_instruments(request.user)
        messages.error(
            request,
            _("This version is published and cannot change. Make a new version to change it."),
        )
        return redirect("outcomes:version", instrument=instrument, version=version)
    return render(
        request,
        "outcomes/version.html",
        {"version": found, "instrument": found.instrument, "items": items, "form": form},
        status=status,
    )


@staff_required
@require_POST
def publish(request: HttpRequest, instrument: str, version: int) -> HttpResponse:
    found = instrument_services.get_version(request.user, instrument, version)
    try:
        instrument_services.publish(request.user, found)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The version is published. Families fill it from now on."))
    return redirect("outcomes:version", instrument=instrument, version=version)
