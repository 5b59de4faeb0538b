"""Consent texts, consent rules, retention periods and the role table: thin views over
consent_settings (reads), consent_actions and role_table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.core.decorators import staff_required
from familiebro.core.models import ConfidentialityDomain
from familiebro.privacy import consent_reads
from familiebro.privacy.models import ConsentText, Purpose

from . import consent_actions, consent_settings, permissions, role_table
from .consent_forms import ConsentRuleForm, ConsentTextForm, RetentionForm

# Where each part's landing page sends the user: the page for one organisation.
TARGETS = {
    "texts": ("administration:consent-texts-organisation", gettext_lazy("Consent texts")),
    "rules": ("administration:consent-rules-organisation", gettext_lazy("Consent rules")),
    "retention": ("administration:retention-organisation", gettext_lazy("Retention periods")),
}
INSTANCE_TARGETS = {
    "texts": "administration:consent-texts-instance",
    "retention": "administration:retention-instance",
}


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
@require_GET
def choose_organisation(request: HttpRequest, part: str) -> HttpResponse:
    """The organisations the user sets up, each linking to the part's page for it."""
    organisations = consent_settings.organisations_to_set_up(request.user)
    url_name, title = TARGETS[part]
    instance_url_name = INSTANCE_TARGETS.get(part)
    if len(organisations) == 1 and not permissions.is_instance_admin(request.user):
        return redirect(url_name, organisation_id=organisations[0].pk)
    return render(
        request,
        "administration/consent/choose.html",
        {
            "title": title,
            "links": [
                (o.name, reverse(url_name, kwargs={"organisation_id": o.pk})) for o in organisations
            ],
            "instance_url": (
                reverse(instance_url_name)
                if instance_url_name and permissions.is_instance_admin(request.user)
                else ""
            ),
        },
    )


# --- Consent texts -----------------------------------------------------------------------


def _texts_url(organisation_id: int | None) -> str:
    if organisation_id is None:
        return reverse("administration:consent-texts-instance")
    return reverse(
        "administration:consent-texts-organisation", kwargs={"organisation_id": organisation_id}
    )


def _publish_url(organisation_id: int | None) -> str:
    if organisation_id is None:
        return reverse("administration:consent-text-publish-instance")
    return reverse(
        "administration:consent-text-publish", kwargs={"organisation_id": organisation_id}
    )


@staff_required
@require_GET
def consent_texts(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    organisation = consent_settings.organisation_for(request.user, organisation_id)
    return render(
        request,
        "administration/consent/texts.html",
        {
            "organisation": organisation,
            "slots": consent_settings.consent_texts(organisation),
            "publish_url": _publish_url(organisation_id),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def publish_consent_text(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    """A new version: starts from the text in force; "Preview" shows it the way a family
    reads it, "Publish" puts it in force."""
    organisation = consent_settings.organisation_for(request.user, organisation_id)
    controller = organisation.name if organisation else _("Your organisation")
    preview = None
    if request.method == "POST":
        form = ConsentTextForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if "publish" in request.POST:
                try:
                    text = consent_actions.publish_consent_text(
                        request.user,
                        organisation_id,
                        purpose=data["purpose"],
                        language=data["language"],
                        title=data["title"],
                        body=data["body"],
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Version %(version)s is published and in force from now.")
                        % {"version": text.version},
                    )
                    return redirect(_texts_url(organisation_id))
            else:
                problems = consent_reads.text_problems(data["title"], data["body"])
                if problems:
                    form.add_error("body", problems)
                else:
                    preview = consent_reads.preview_consent_text(
                        ConsentText(
                            purpose=data["purpose"],
                            language=data["language"],
                            version=0,
                            title=data["title"],
                            body=data["body"],
                        ),
                        controller,
                    )
    else:
        purpose = request.GET.get("formål", "")
        language = request.GET.get("språk", "")
        purpose = purpose if purpose in Purpose.values else Purpose.COORDINATION
        language = language if language in dict(consent_actions.consent_languages()) else "nb"
        current = consent_settings.text_in_force(organisation, purpose, language)
        form = ConsentTextForm(
            initial={
                "purpose": purpose,
                "language": language,
                "title": current.title if current else "",
                "body": current.body if current else "",
            }
        )
    return render(
        request,
        "administration/consent/publish.html",
        {
            "organisation": organisation,
            "form": form,
            "preview": preview,
            "placeholders": consent_settings.PLACEHOLDERS,
            "texts_url": _texts_url(organisation_id),
        },
    )


# --- Consent rules -----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def consent_rules(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = consent_settings.organisation_for(request.user, organisation_id)
    assert organisation is not None
    form = ConsentRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_actions.set_consent_rule(
                request.user,
                organisation,
                purpose=data["purpose"],
                domain=data["domain"] or "",
                givers=data["givers"],
                young_person_age=data["young_person_age"],
                child_heard_from_age=data["child_heard_from_age"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The rule is saved and in force from now."))
            return redirect(request.path)
    return render(
        request,
        "administration/consent/rules.html",
        {
            "organisation": organisation,
            "law": consent_settings.law_rows(),
            "rules": consent_settings.consent_rules(organisation),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def remove_consent_rule(request: HttpRequest, organisation_id: int, rule_id: int) -> HttpResponse:
    organisation = consent_settings.organisation_for(request.user, organisation_id)
    assert organisation is not None
    try:
        consent_actions.remove_consent_rule(request.user, organisation, rule_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The rule is removed: the law's rule holds again."))
    return redirect("administration:consent-rules-organisation", organisation_id=organisation_id)


# --- Retention ---------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    organisation = consent_settings.organisation_for(request.user, organisation_id)
    form = RetentionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_actions.set_retention_period(
                request.user,
                organisation,
                category=data["category"],
                unit_kind=data["unit_kind"] or "",
                days=data["days"],
                outcome=data["outcome"],
                reference=data["reference"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The retention period is saved."))
            return redirect(request.path)
    return render(
        request,
        "administration/consent/retention.html",
        {
            "organisation": organisation,
            "rows": consent_settings.retention_rows(organisation),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- The role table ----------------------------------------------------------------------


@staff_required
@require_GET
def roles(request: HttpRequest) -> HttpResponse:
    """What each role may do, for any staff member: asked of the rules themselves."""
    domain = request.GET.get("tjeneste", ConfidentialityDomain.HEALTH)
    if domain not in ConfidentialityDomain.values:
        domain = ConfidentialityDomain.HEALTH
    return render(
        request,
        "administration/consent/roles.html",
        {"table": role_table.role_table(domain), "domains": ConfidentialityDomain.choices},
    )
