"""The offer editor: /ansatt/tilbud/… for staff to keep their unit's offers right.

Every page works without JavaScript: the schedule is edited in plain formsets with empty rows,
status changes are POST buttons, and files are exchanged through plain uploads and downloads.
Offers of units the user has no role in are 404, so their ids reveal nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.responses import forbidden

from . import actions, csv_io, editor_forms, permissions, reads
from .editor_forms import (
    ImportForm,
    OfferForm,
    OpeningHoursFormSet,
    SessionFormSet,
    ThesaurusForm,
    TranslationForm,
)
from .finder import thesaurus
from .models import CONTENT_LANGUAGES, RIGHT_TO_LEFT_LANGUAGES, Offer, Thesaurus

LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return forbidden(request, reason, reverse("offer-editor-list"), _("Back to the offers"))


def _unit_id(request: HttpRequest) -> int | None:
    value = request.GET.get("enhet") or request.POST.get("enhet")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Http404(_("There is no such unit.")) from None


@staff_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    listing = reads.editor_listing(
        request.user, unit_id=_unit_id(request), page_number=request.GET.get("side")
    )
    rows = [(offer, reads.is_stale(offer)) for offer in listing.page.object_list]
    return render(
        request,
        "catalogue/editor/list.html",
        {
            "listing": listing,
            "rows": rows,
            "stale_after_days": reads.STALE_AFTER_DAYS,
            "unit_query": f"enhet={listing.unit.pk}&" if listing.unit else "",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    units = list(permissions.editable_units(request.user))
    if not units:
        return _forbidden(
            request, _("You have no role in any unit. Ask your unit's administrator.")
        )
    chosen = _initial_unit(units, _unit_id(request))
    initial: dict[str, Any] = {"languages": ["nb"], "is_free": True, "unit": chosen}
    if chosen is not None:
        initial["municipalities"] = [m.pk for m in chosen.municipalities_served.all()]
    form = OfferForm(request.POST or None, request.FILES or None, units=units, initial=initial)
    hours = OpeningHoursFormSet(request.POST or None, prefix="hours")
    sessions = SessionFormSet(request.POST or None, prefix="sessions")
    if request.method == "POST" and _all_valid(form, hours, sessions):
        try:
            offer = actions.create_offer(
                request.user,
                form.cleaned_data["unit"],
                form.offer_data(),
                opening_hours=editor_forms.kept_rows(hours),
                sessions=editor_forms.kept_rows(sessions),
            )
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The offer is saved as a draft. Parents see it when you publish it."),
            )
            return redirect("offer-editor-edit", offer_id=offer.pk)
    return _render_form(request, form, hours, sessions, offer=None)


def _initial_unit(units: list[Any], unit_id: int | None) -> Any:
    if unit_id is not None:
        return next((unit for unit in units if unit.pk == unit_id), None)
    return units[0] if len(units) == 1 else None


@staff_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    offer = permissions.get_editable_offer(request.user, offer_id)
    form = OfferForm(
        request.POST or None,
        request.FILES or None,
        units=[],
        offer=offer,
        initial=editor_forms.initial_for(offer),
    )
    hours = OpeningHoursFormSet(
        request.POST or None, prefix="hours", initial=editor_forms.opening_hours_initial(offer)
    )
    sessions = SessionFormSet(
        request.POST or None, prefix="sessions", initial=editor_forms.sessions_initial(offer)
    )
    if request.method == "POST" and _all_valid(form, hours, sessions):
        try:
            changed = actions.update_offer(
                request.user,
                offer,
                form.offer_data(),
                opening_hours=editor_forms.kept_rows(hours),
                sessions=editor_forms.kept_rows(sessions),
            )
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("The changes are saved.") if changed else _("Nothing was changed.")
            )
            return redirect("offer-editor-edit", offer_id=offer.pk)
    return _render_form(request, form, hours, sessions, offer=offer)


def _all_valid(*forms: Any) -> bool:
    # Validate every form, not just up to the first invalid one, so all errors show at once.
    return all([form.is_valid() for form in forms])


def _render_form(
    request: HttpRequest,
    form: OfferForm,
    hours: Any,
    sessions: Any,
    *,
    offer: Offer | None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "hours": hours,
        "sessions": sessions,
        "offer": offer,
        "choice_fields": OfferForm.CHOICE_FIELDS,
    }
    if offer is not None:
        translated = {t.language: t for t in offer.translations.all()}
        context.update(
            is_stale=reads.is_stale(offer),
            stale_after_days=reads.STALE_AFTER_DAYS,
            missing=reads.missing_for_publishing(offer),
            # Not "languages": base.html uses that name for the interface languages.
            translation_rows=[
                (code, name, translated.get(code), code in RIGHT_TO_LEFT_LANGUAGES)
                for code, name in CONTENT_LANGUAGES
            ],
        )
    # A posted form is only shown again when something in it has to be corrected.
    status = 400 if form.is_bound else 200
    return render(request, "catalogue/editor/form.html", context, status=status)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_required
@require_POST
def offer_publish(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    offer = permissions.get_editable_offer(request.user, offer_id)
    return _status_change(
        request,
        offer,
        actions.publish_offer,
        _("The offer is published. Parents can find it now."),
    )


@staff_required
@require_POST
def offer_verify(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    offer = permissions.get_editable_offer(request.user, offer_id)
    return _status_change(
        request,
        offer,
        actions.verify_offer,
        _("Thank you. The offer is marked as checked today."),
    )


@staff_required
@require_POST
def offer_retire(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    offer = permissions.get_editable_offer(request.user, offer_id)
    return _status_change(
        request,
        offer,
        actions.retire_offer,
        _("The offer is retired. Parents no longer see it; you can publish it again."),
    )


def _status_change(request: HttpRequest, offer: Offer, action: Any, success: str) -> HttpResponse:
    try:
        action(request.user, offer)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("offer-editor-edit", offer_id=offer.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def offer_translation(request: HttpRequest, offer_id: uuid.UUID, language: str) -> HttpResponse:
    if language not in LANGUAGE_NAMES:
        raise Http404(_("Offers are not translated into that language."))
    offer = permissions.get_editable_offer(request.user, offer_id)
    existing = offer.translations.filter(language=language).first()
    form = TranslationForm(request.POST or None, instance=existing, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            actions.translate_offer(request.user, offer, language, **form.cleaned_data)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("offer-editor-edit", offer_id=offer.pk)
    return render(
        request,
        "catalogue/editor/translation.html",
        {
            "offer": offer,
            "form": form,
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "direction": "rtl" if language in RIGHT_TO_LEFT_LANGUAGES else "ltr",
            "existing": existing,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def offer_translation_remove(
    request: HttpRequest, offer_id: uuid.UUID, language: str
) -> HttpResponse:
    offer = permissions.get_editable_offer(request.user, offer_id)
    try:
        actions.remove_translation(request.user, offer, language)
    except PermissionDenied as exc:
        return _forbidden(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The translation is removed."))
    return redirect("offer-editor-edit", offer_id=offer.pk)


@staff_required
@require_GET
def offer_preview(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """The public offer page as parents will see it, whatever the offer's status."""
    offer = permissions.get_editable_offer(request.user, offer_id)
    language = request.GET.get("språk", "")
    translation = offer.translations.filter(language=language).first() if language else None
    return render(
        request,
        "catalogue/editor/preview.html",
        {"offer": offer, "translation": translation, "show_language_links": True},
    )


def _unit_to_export(request: HttpRequest) -> Any:
    unit_id = _unit_id(request)
    if unit_id is None or not permissions.can_edit_unit(request.user, unit_id):
        raise Http404(_("Choose one of your units to export its offers."))
    unit = permissions.editable_units(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("There is no such unit."))
    return unit


@staff_required
@require_GET
def offer_export_csv(request: HttpRequest) -> HttpResponse:
    unit = _unit_to_export(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_io.export_filename(unit)}"'
    csv_io.export_offers(unit, response)
    return response


@staff_required
@require_GET
def offer_export_hsds(request: HttpRequest) -> HttpResponse:
    unit = _unit_to_export(request)
    response = HttpResponse(content_type="application/json; charset=utf-8")
    filename = csv_io.export_filename_hsds(unit)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv_io.export_offers_hsds(unit, response)
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def offer_import(request: HttpRequest) -> HttpResponse:
    """Import a CSV or HSDS JSON file of a unit's offers: all or nothing, with a report."""
    units = list(permissions.editable_units(request.user))
    if not units:
        return _forbidden(
            request, _("You have no role in any unit. Ask your unit's administrator.")
        )
    initial = {"unit": _initial_unit(units, _unit_id(request))}
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        accept=".csv,text/csv,.json,application/json",
        initial=initial,
    )
    result = None
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            result = csv_io.import_offers_file(request.user, unit, form.cleaned_data["file"])
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except csv_io.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            if result.ok:
                messages.success(request, result.summary)
                return redirect(f"{reverse('offer-editor-list')}?enhet={unit.pk}")
    return render(
        request,
        "catalogue/editor/import.html",
        {"form": form, "result": result, "columns": csv_io.COLUMN_DOCS},
        status=400 if form.is_bound else 200,
    )


# The versions listed under the thesaurus editor.
THESAURUS_VERSIONS_SHOWN = 20


@staff_required
@require_http_methods(["GET", "POST"])
def thesaurus_edit(request: HttpRequest) -> HttpResponse:
    """The finder's thesaurus: the newest version to edit, and the versions before it."""
    if not permissions.can_edit_thesaurus(request.user):
        return _forbidden(request, _("Only staff who edit offers can change the finder's words."))
    versions = list(
        Thesaurus.objects.select_related("created_by").order_by("-version")[
            :THESAURUS_VERSIONS_SHOWN
        ]
    )
    current_text = versions[0].text if versions else thesaurus.default_text()
    form = ThesaurusForm(request.POST or None, initial={"text": current_text})
    if request.method == "POST" and form.is_valid():
        try:
            saved = thesaurus.save_version(
                request.user, form.cleaned_data["text"], form.cleaned_data["note"]
            )
        except thesaurus.ThesaurusError as exc:
            form.add_error("text", str(exc))
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        else:
            messages.success(
                request,
                _("Version %(version)s of the thesaurus is saved and in use.")
                % {"version": saved.version},
            )
            return redirect("thesaurus-editor")
    return render(request, "catalogue/editor/thesaurus.html", {"form": form, "versions": versions})
