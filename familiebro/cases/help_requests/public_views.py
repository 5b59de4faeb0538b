"""The public request pages: /ta-kontakt/, /tilbud/<id>/ta-kontakt/ and the receipt.

No login and no JavaScript needed: choosing the municipality is a GET form, sending is a POST
followed by a redirect to the receipt (POST/redirect/GET). The receipt reads the reference
from the session, so neither the reference nor anything about the person is ever in a URL.
Pages that may show what the person typed are never cached.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from familiebro.catalogue.models import Offer
from familiebro.catalogue.public_views import MUNICIPALITY_COOKIE
from familiebro.privacy import family

from . import rate_limit, services, storage_notice
from .public_forms import HelpRequestForm, MunicipalityForm

logger = logging.getLogger(__name__)

RECEIPT_SESSION_KEY = "cases.help_request_receipt"
# Every field filled to its maximum length, in any script, stays below this; a body above it
# did not come from the form.
MAX_BODY_BYTES = 32 * 1024


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_BODY_BYTES


def _remember_receipt(request: HttpRequest, receipt: services.Receipt) -> HttpResponse:
    request.session[RECEIPT_SESSION_KEY] = receipt.as_session()
    return redirect("help-request:receipt")


def _render_form(
    request: HttpRequest,
    context: dict[str, Any],
    form: HelpRequestForm | None,
    *,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    offer: Offer | None = context.get("offer")
    return render(
        request,
        "cases/request_form.html",
        {
            **context,
            "form": form,
            "refusal": refusal,
            "notice": storage_notice.storage_notice(get_language()),
            "first_contact_days": offer.unit.first_contact_days if offer and offer.unit else None,
            "max_body_kb": MAX_BODY_BYTES // 1024,
        },
        status=status,
    )


def _receive(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    offer: Offer | None,
    units: list | None,
) -> HttpResponse:
    """Handle a sent form: refuse, or store and redirect to the receipt."""
    if _body_too_large(request):
        return _render_form(
            request,
            context,
            HelpRequestForm(units=units),
            status=413,
            refusal=_too_large_message(),
        )
    form = HelpRequestForm(request.POST, units=units)
    if form.honeypot_filled():
        # A robot: it gets the page a person would, and nothing is stored or counted.
        logger.info("A request for help was dropped: the hidden honeypot field was filled in.")
        return _remember_receipt(request, services.Receipt.decoy(offer.unit if offer else None))
    if form.is_valid():
        unit = offer.unit if offer is not None else form.chosen_unit()
        assert unit is not None  # the form requires a unit when the offer names none
        try:
            help_request = services.submit_help_request(
                unit=unit,
                offer=offer,
                details=form.details,  # type: ignore[arg-type]
                storage_notice_version=form.cleaned_data["notice_version"],
                client_address=rate_limit.client_address(request),
                site_url=request.build_absolute_uri("/"),
                language=get_language() or "nb",
                # A parent logged in on Min side finds the request there (staff are never
                # citizens: a staff login ends the citizen's).
                sender=None
                if request.user.is_authenticated
                else family.citizen_in(request.session),
            )
        except rate_limit.RateLimited as exc:
            response = _render_form(request, context, form, status=429, refusal=str(exc))
            response["Retry-After"] = str(math.ceil(exc.retry_after.total_seconds()))
            return response
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _remember_receipt(request, services.Receipt.of(help_request))
    return _render_form(request, context, form, status=400)


def _too_large_message() -> str:
    return _(
        "Your request is too large to be sent (more than %(kb)d kB). Shorten what you wrote "
        "and send it again, or call the service."
    ) % {"kb": MAX_BODY_BYTES // 1024}


@never_cache
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """/ta-kontakt/: choose the municipality (GET), then the service, and send (POST)."""
    query: QueryDict = request.GET
    remembered = request.COOKIES.get(MUNICIPALITY_COOKIE, "")
    if "kommune" not in query and remembered:
        # The municipality chosen in the finder is the default here too.
        query = query.copy()
        query["kommune"] = remembered
    municipality_form = MunicipalityForm(
        query if "kommune" in query else None, municipalities=services.municipalities()
    )
    municipality = (
        municipality_form.cleaned_data["kommune"] if municipality_form.is_valid() else None
    )
    # An explicit choice that could not be used is a bad request; a first visit is not.
    status = 400 if "kommune" in request.GET and municipality is None else 200
    units = services.receiving_units_in(municipality) if municipality else None
    context = {
        "offer": None,
        "municipality_form": municipality_form,
        "municipality": municipality,
        "units": units,
    }
    if request.method == "POST":
        if municipality is None:
            return redirect("help-request:start")
        return _receive(request, context, offer=None, units=units)
    form = HelpRequestForm(units=units) if units else None
    return _render_form(request, context, form, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def offer_contact(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """/tilbud/<id>/ta-kontakt/: ask the unit that runs the offer to make contact."""
    offer = services.offer_for_request(offer_id)
    if offer.unit is None:
        # An offer imported from another directory: its own contact details are the way in.
        return render(request, "cases/offer_elsewhere.html", {"offer": offer})
    context = {"offer": offer}
    if request.method == "POST":
        return _receive(request, context, offer=offer, units=None)
    return _render_form(request, context, HelpRequestForm(units=None))


@never_cache
@require_safe
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt, from the session: the reference and what happens next."""
    found = services.Receipt.from_session(request.session.get(RECEIPT_SESSION_KEY))
    return render(request, "cases/receipt.html", {"receipt": found}, status=200 if found else 404)
