"""Staff screens for a child's consents: list, detail, record, withdraw, print for signature.

Every screen first finds the child through the access policy for casework, so a child the
user may not work with is a 404 on every URL here, whatever the consent id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familiebro.core.decorators import staff_required
from familiebro.core.models import Person

from . import consent_reads, consent_requests, consent_services, policy
from .consent_forms import ConsentForm, ConsentRequestForm, WithdrawConsentForm
from .models import Purpose

NO_STORE = {"Cache-Control": "no-store"}


def _child(request: HttpRequest, person_id: int) -> Person:
    return policy.get_or_404(request.user, Person, person_id, policy.Purpose.CASEWORK)


@staff_required
@require_GET
def consent_list(request: HttpRequest, person_id: int) -> HttpResponse:
    child = _child(request, person_id)
    rows = consent_reads.consents_for(request.user, child)
    return render(
        request,
        "privacy/consent/list.html",
        {
            "child": child,
            "rows": rows,
            "requests": consent_requests.requests_for(request.user, child),
            "purposes": Purpose.choices,
            "consent_languages": settings.LANGUAGES,
            "current_language": get_language(),
        },
    )


@staff_required
@require_GET
def consent_detail(request: HttpRequest, person_id: int, consent_id: int) -> HttpResponse:
    child = _child(request, person_id)
    consent = consent_reads.consent_of(request.user, child, consent_id)
    return render(
        request,
        "privacy/consent/detail.html",
        {
            "child": child,
            "consent": consent,
            "row": consent_reads.ConsentRow(consent, consent.state()),
            "text": consent_reads.render_consent_text(consent),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, person_id: int) -> HttpResponse:
    return record_page(request, _child(request, person_id))


@dataclass(frozen=True)
class ReturnTo:
    """Where recording a consent started from (a case), to go back to when it is recorded."""

    url: str
    label: str


def record_page(
    request: HttpRequest,
    child: Person,
    *,
    first_units: Sequence[int] = (),
    return_to: ReturnTo | None = None,
) -> HttpResponse:
    """Record a consent for `child`, a child the caller has found through the policy. The
    recipient services start with `first_units` (a case's participants), then the services
    of the family's own organisation; a recorded consent returns to `return_to` when given,
    else to the consent itself."""
    givers = consent_reads.possible_givers(request.user, child)
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        givers=givers,
        domains=policy.domains_of(request.user, child.organisation_id),
        first_units=first_units,
        home_organisation_id=child.organisation_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = consent_services.record_consent(
                request.user, child, **form.service_arguments()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The consent is recorded and in force from now."))
            if return_to is not None:
                return redirect(return_to.url)
            return redirect("consent-detail", person_id=child.pk, consent_id=consent.pk)
    return render(
        request,
        "privacy/consent/record.html",
        {"child": child, "form": form, "return_to": return_to},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consent_form_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    """The consent form for paper signatures.

    POSTed from the record screen with everything chosen there, so no names reach a URL; or
    fetched with only ?formål=<purpose>&språk=<language>, leaving recipients, information and
    end date as lines to fill in by hand.
    """
    child = _child(request, person_id)
    data: QueryDict
    if request.method == "POST":
        data = request.POST
    else:
        data = QueryDict(mutable=True)
        data.update(
            {
                "purpose": request.GET.get("formål", ""),
                "language": request.GET.get("språk", get_language() or "nb"),
            }
        )
    givers = consent_reads.possible_givers(request.user, child)
    form = ConsentForm(
        data,
        givers=givers,
        for_print=True,
        domains=policy.domains_of(request.user, child.organisation_id),
        home_organisation_id=child.organisation_id,
    )
    if not form.is_valid():
        return render(
            request,
            "privacy/consent/record.html",
            {"child": child, "form": form},
            status=400,
        )
    pdf = consent_reads.consent_form_pdf(request.user, form.draft(child))
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="samtykkeskjema.pdf"', **NO_STORE},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, person_id: int, consent_id: int) -> HttpResponse:
    child = _child(request, person_id)
    consent = consent_reads.consent_of(request.user, child, consent_id)
    form = WithdrawConsentForm(request.POST or None, people=consent_reads.withdrawers(consent))
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.withdraw_consent(
                request.user, consent, withdrawn_by=form.withdrawing_person()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The consent is withdrawn. From now on nothing more is shared.")
            )
            return redirect("consent-detail", person_id=child.pk, consent_id=consent.pk)
    return render(
        request,
        "privacy/consent/withdraw.html",
        {"child": child, "consent": consent, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_GET
def consent_attachment(request: HttpRequest, person_id: int, consent_id: int) -> FileResponse:
    child = _child(request, person_id)
    consent = consent_reads.consent_of(request.user, child, consent_id)
    if not consent.attachment:
        raise Http404(_("This consent has no scanned form."))
    suffix = Path(consent.attachment.name).suffix.lower()
    response = FileResponse(
        consent.attachment.open("rb"),
        as_attachment=True,
        filename=f"samtykke-{consent.pk}{suffix}",
    )
    response["Cache-Control"] = NO_STORE["Cache-Control"]
    return response


# Digital consent: prepared here, given by the family on Min side (privacy.consent_requests).


@staff_required
@require_http_methods(["GET", "POST"])
def consent_request_prepare(request: HttpRequest, person_id: int) -> HttpResponse:
    child = _child(request, person_id)
    form = ConsentRequestForm(
        request.POST if request.method == "POST" else None,
        domains=policy.domains_of(request.user, child.organisation_id),
        home_organisation_id=child.organisation_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            asked = consent_requests.prepare_consent_request(
                request.user, child, **form.request_arguments()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "The consent is waiting for the family. It comes into force when everyone "
                    "who must consent has given it on Min side."
                ),
            )
            return redirect(
                "consent-request-detail", person_id=child.pk, consent_request_id=asked.pk
            )
    return render(
        request,
        "privacy/consent/request_prepare.html",
        {"child": child, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_GET
def consent_request_detail(
    request: HttpRequest, person_id: int, consent_request_id: int
) -> HttpResponse:
    child = _child(request, person_id)
    asked = consent_requests.request_of(request.user, child, consent_request_id)
    return render(
        request,
        "privacy/consent/request_detail.html",
        {"child": child, "asked": asked, "text": consent_reads.render_consent_text(asked)},
    )


@staff_required
@require_http_methods(["POST"])
def consent_request_cancel(
    request: HttpRequest, person_id: int, consent_request_id: int
) -> HttpResponse:
    child = _child(request, person_id)
    asked = consent_requests.request_of(request.user, child, consent_request_id)
    try:
        consent_requests.cancel_request(request.user, asked)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent is cancelled. The family is no longer asked."))
    return redirect("consent-request-detail", person_id=child.pk, consent_request_id=asked.pk)
