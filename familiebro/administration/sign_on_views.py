"""Staff single sign-on pages: the administrator's settings, the login through the
organisation's provider and its return, and linking on the account page. Thin: the work is in
sign_on.py, the reads in sign_on_reads.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familiebro.accounts import services as accounts
from familiebro.core.decorators import second_factor_passed, staff_required

from . import invitation_sign_on, invitation_sign_on_views, sign_on, sign_on_reads
from .sign_on_forms import SignOnForm

STEP_URL_NAMES = {
    accounts.Step.DONE: "staff-home",
    accounts.Step.SECOND_FACTOR: "login-second-factor",
    accounts.Step.SET_UP_SECOND_FACTOR: "login-second-factor-setup",
}


@staff_required
@require_GET
def settings_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/sign_on/list.html",
        {"rows": sign_on_reads.organisations_to_set_up(request.user)},
    )


@sensitive_post_parameters("client_secret")
@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    row = sign_on_reads.organisation_to_set_up(request.user, organisation_id)
    form = SignOnForm(request.POST or None, sign_on=row.sign_on)
    if request.method == "POST" and form.is_valid():
        try:
            sign_on.save_sign_on(request.user, row.organisation, form.settings())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The login is saved."))
            return redirect("administration:sign-on-list")
    return render(
        request,
        "administration/sign_on/edit.html",
        {"row": row, "form": form, "redirect_uri": _redirect_uri(request)},
        status=400 if form.errors else 200,
    )


@require_POST
def login_start(request: HttpRequest) -> HttpResponse:
    try:
        url = sign_on.start(
            request,
            request.POST.get("organisasjon"),
            purpose=sign_on.LOGIN,
            redirect_uri=_redirect_uri(request),
        )
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        return redirect("login")
    return redirect(url)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        verified = sign_on.answer(request, request.GET.dict())
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        return redirect(
            "administration:account-sign-on" if request.user.is_authenticated else "login"
        )
    if verified.purpose == sign_on.LINK:
        return _finish_linking(request, verified)
    if verified.purpose == invitation_sign_on.INVITATION:
        return invitation_sign_on_views.finish(request, verified, STEP_URL_NAMES)
    try:
        step = sign_on.log_in(request, verified)
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        return redirect("login")
    return redirect(STEP_URL_NAMES[step])


def _finish_linking(request: HttpRequest, verified: sign_on.Answer) -> HttpResponse:
    # Only the member of staff who started linking, still fully logged in, links.
    if not (
        request.user.is_authenticated
        and second_factor_passed(request)
        and request.user.pk == verified.user_id
    ):
        messages.error(request, _("Log in again, then link the login from your account page."))
        return redirect("login")
    try:
        sign_on.link_identity(request.user, verified.sign_on, verified.claims)  # type: ignore[arg-type]
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
    else:
        messages.success(
            request,
            _(
                "Your account is linked. From now on you can use the button “%(label)s” on the "
                "login page."
            )
            % {"label": verified.sign_on.label},
        )
    return redirect("administration:account-sign-on")


@staff_required
@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    sign_ons = sign_on_reads.account_sign_ons(request.user)
    response = render(request, "administration/sign_on/account.html", {"sign_ons": sign_ons})
    if sign_ons.form_action_origins:
        # The providers, on this page only: its link buttons send the browser there.
        response._csp_update = {"form-action": sign_ons.form_action_origins}  # type: ignore[attr-defined]
    return response


@staff_required
@require_POST
def link(request: HttpRequest) -> HttpResponse:
    linkable = {s.pk for s in sign_on_reads.account_sign_ons(request.user).linkable}
    try:
        if _int(request.POST.get("organisasjon")) not in linkable:
            raise sign_on.SignOnFailed(
                _("You can link only the logins of the organisations you work in.")
            )
        url = sign_on.start(
            request,
            request.POST.get("organisasjon"),
            purpose=sign_on.LINK,
            redirect_uri=_redirect_uri(request),
        )
    except sign_on.SignOnFailed as failure:
        messages.error(request, str(failure))
        return redirect("administration:account-sign-on")
    return redirect(url)


@staff_required
@require_POST
def unlink(request: HttpRequest, identity_id: int) -> HttpResponse:
    sign_on.unlink_identity(request.user, identity_id)  # type: ignore[arg-type]
    messages.success(
        request,
        _("The login is no longer linked. Log in with your username and password from now on."),
    )
    return redirect("administration:account-sign-on")


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("administration:sign-on-callback"))


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
