"""Min side: /min-side/… — the pages for parents and young people, behind ID-porten."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.cases.help_requests import services as help_request_services
from familiebro.cases.help_requests.public_views import RECEIPT_SESSION_KEY
from familiebro.interop import oidc
from familiebro.privacy import consent_requests, export
from familiebro.privacy import consent_services as privacy_consent

from . import demo, notices, services, session
from .models import Channel, ContactPoint, NoticeKind

ACCESS_LOG_PAGE_SIZE = 50


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = session.current(request)
        if citizen is None:
            return redirect("portal:login")
        return view(request, citizen, *args, **kwargs)

    return wrapped


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    if session.current(request) is not None:
        return redirect("portal:home")
    return _login_page(request)


def _login_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    configured = oidc.provider() is not None
    context = {
        "configured": configured,
        "error": error,
        "demo_citizens": [] if configured else demo.demo_citizens(),
    }
    return render(request, "portal/login.html", context, status=status)


@require_POST
def login_start(request: HttpRequest) -> HttpResponse:
    try:
        url, pending = oidc.start_login(
            request.build_absolute_uri(reverse("portal:callback")), get_language() or "nb"
        )
    except oidc.LoginFailed as failure:
        return _login_failed(request, failure)
    session.keep_pending(request, pending)
    return redirect(url)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        login = oidc.finish_login(session.take_pending(request), request.GET.dict())
    except oidc.LoginFailed as failure:
        return _login_failed(request, failure)
    _log_in(request, login)
    return redirect("portal:home")


def _log_in(request: HttpRequest, login: oidc.VerifiedLogin) -> None:
    """Log the citizen in; a request for help just sent from this browser, whose receipt they
    logged in from, is theirs to follow on Min side."""
    receipt = help_request_services.Receipt.from_session(request.session.get(RECEIPT_SESSION_KEY))
    citizen = session.log_in(request, login)
    if receipt is not None:
        help_request_services.claim_for_sender(citizen, receipt.reference)


def _login_failed(request: HttpRequest, failure: oidc.LoginFailed) -> HttpResponse:
    return _login_page(request, str(failure), status=400)


@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    login = demo.demo_login(request.POST.get("demo", ""))
    if login is None or oidc.provider() is not None:
        raise Http404("Demo logins exist only on a demo instance without ID-porten.")
    _log_in(request, login)
    return redirect("portal:home")


@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    id_token = session.log_out(request)
    done = request.build_absolute_uri(reverse("portal:logged-out"))
    # The provider's session ends too: by a form the browser posts there (at once with
    # JavaScript, with one more click without).
    return render(
        request, "portal/logged_out.html", {"end_session": oidc.end_session(id_token, done)}
    )


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/logged_out.html")


@citizen_required
@require_GET
def home(request: HttpRequest, citizen: Any) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "sections": services.overview(citizen),
            "requests": services.sent_requests(citizen),
            "waiting_consents": consent_requests.waiting_for(citizen),
        },
    )


@citizen_required
@require_GET
def access_log(request: HttpRequest, citizen: Any, person_id: int) -> HttpResponse:
    log = services.access_log(citizen, person_id)
    page = Paginator(log.entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(
        request,
        "portal/access_log.html",
        {"person": log.person, "organisation_name": log.organisation_name, "page": page},
    )


@citizen_required
@require_GET
def case(request: HttpRequest, citizen: Any, case_id: int) -> HttpResponse:
    return render(request, "portal/case.html", {"view": services.family_case(citizen, case_id)})


@citizen_required
@require_GET
def plan_pdf(request: HttpRequest, citizen: Any, case_id: int) -> HttpResponse:
    language = get_language() or "nb"
    pdf = services.family_plan_pdf(
        citizen, case_id, language if language in ("nb", "nn", "en") else "nb"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="individuell-plan.pdf"'
    return response


@citizen_required
@require_http_methods(["GET", "POST"])
def withdraw_consent(request: HttpRequest, citizen: Any, consent_id: int) -> HttpResponse:
    if request.method != "POST":
        row = services.consent_to_withdraw(citizen, consent_id)
        return render(request, "portal/withdraw_consent.html", {"consent": row.consent, "row": row})
    try:
        privacy_consent.withdraw_consent_as_family(citizen, consent_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The consent is withdrawn. From now on it shares nothing more; what was "
                "shared before stays with the service that got it."
            ),
        )
    return redirect("portal:home")


@citizen_required
@require_http_methods(["GET", "POST"])
def give_consent(request: HttpRequest, citizen: Any, consent_request_id: int) -> HttpResponse:
    """A consent the service asks of the citizen: read what it covers, then give it or say
    no. Giving needs the box ticked that they read it."""
    error = ""
    if request.method == "POST":
        answer = request.POST.get("svar", "")
        try:
            if answer == "gi" and request.POST.get("bekreft") == "ja":
                asked = consent_requests.give(citizen, consent_request_id)
                messages.success(
                    request,
                    _("Your consent is given. It is in force from now.")
                    if asked.status == asked.Status.IN_FORCE
                    else _(
                        "Your consent is given. It comes into force when everyone who must "
                        "consent has given it."
                    ),
                )
                return redirect("portal:home")
            if answer == "nei":
                consent_requests.decline(citizen, consent_request_id)
                messages.success(
                    request,
                    _("You said no. The consent does not come into force. The service is told."),
                )
                return redirect("portal:home")
            error = _(
                "Tick the box to confirm you have read what the consent covers, then give it. "
                "Or choose to say no."
            )
        except ValidationError as failure:
            messages.error(request, " ".join(failure.messages))
            return redirect("portal:home")
    shown = consent_requests.request_for_family(citizen, consent_request_id)
    return render(
        request,
        "portal/give_consent.html",
        {"shown": shown, "asked": shown.request, "error": error},
        status=400 if error else 200,
    )


@citizen_required
@require_GET
def own_data(request: HttpRequest, citizen: Any) -> HttpResponse:
    return render(request, "portal/own_data.html", {"records": services.own_data(citizen)})


def _download(
    request: HttpRequest, citizen: Any, person_id: int, suffix: str, content_type: str
) -> HttpResponse:
    language = get_language() or "nb"
    data = services.data_download(
        citizen, person_id, language if language in ("nb", "nn", "en") else "nb"
    )
    content = export.render_pdf(data) if suffix == "pdf" else _as_json(data)
    response = HttpResponse(content, content_type=content_type)
    # No name in the file name: download folders are not private.
    filename = f"mine-data-{person_id}-{timezone.localdate():%Y-%m-%d}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


@never_cache
@citizen_required
@require_GET
def own_data_json(request: HttpRequest, citizen: Any, person_id: int) -> HttpResponse:
    return _download(request, citizen, person_id, "json", "application/json; charset=utf-8")


@never_cache
@citizen_required
@require_GET
def own_data_pdf(request: HttpRequest, citizen: Any, person_id: int) -> HttpResponse:
    return _download(request, citizen, person_id, "pdf", "application/pdf")


@citizen_required
@require_http_methods(["GET", "POST"])
def notice_settings(request: HttpRequest, citizen: Any) -> HttpResponse:
    """How the citizen is told: verify an e-mail address or a mobile number with a code, and
    choose per kind of notice e-mail, SMS or not at all."""
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("handling", "")
        kind = request.POST.get("type", "")
        try:
            if action == "send-kode" and kind in ContactPoint.Kind.values:
                notices.send_code(citizen, kind, request.POST.get("verdi", "")[:254])
                messages.success(request, _("We sent you a code. Write it below."))
            elif action == "bekreft" and kind in ContactPoint.Kind.values:
                notices.verify(citizen, kind, request.POST.get("kode", "")[:20])
                messages.success(request, _("Verified. You can now choose it below."))
            elif action == "velg":
                notices.choose(
                    citizen, {k: request.POST.get(k, Channel.NONE) for k in NoticeKind.values}
                )
                messages.success(request, _("Your choices are saved."))
            else:
                errors.append(_("Something was missing in the form. Try again."))
        except ValidationError as error:
            errors = error.messages
        if not errors:
            return redirect("portal:notice-settings")
    known = notices.settings_of(citizen)
    return render(
        request,
        "portal/notice_settings.html",
        {
            "errors": errors,
            "contacts": [
                (kind, label, known.contacts.get(kind)) for kind, label in ContactPoint.Kind.choices
            ],
            "kinds": [
                (kind, label, known.choices.get(kind, Channel.NONE))
                for kind, label in NoticeKind.choices
            ],
            "channels": Channel.choices,
        },
        status=400 if errors else 200,
    )
