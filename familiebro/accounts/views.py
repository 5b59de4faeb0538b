"""Staff login pages: password, second factor (or setting one up), the account page, logout.

The views only read forms and show results; familiebro.accounts.services does the work.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from familiebro.core.decorators import second_factor_passed, staff_required

from . import login_options, services
from .forms import (
    AuthenticatorCodeForm,
    EnrolmentCodeForm,
    LoginForm,
    RecoveryCodeForm,
)

NEXT_SESSION_KEY = "familiebro_login_next"
# More organisations' logins than this, and the page asks for the organisation instead.
MAX_LOGIN_BUTTONS = 4
STEP_URL_NAMES = {
    services.Step.SECOND_FACTOR: "login-second-factor",
    services.Step.SET_UP_SECOND_FACTOR: "login-second-factor-setup",
}


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    if request.method == "GET" and request.user.is_authenticated:
        if second_factor_passed(request):
            return redirect(_safe_url(request, request.GET.get("next")) or _after_login(request))
        return redirect("login-second-factor")
    form = LoginForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            step = services.authenticate_password(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except services.LoginRefused as refusal:
            form.add_error(None, refusal.message())
        else:
            next_url = _safe_url(request, form.cleaned_data["next"])
            if next_url:
                request.session[NEXT_SESSION_KEY] = next_url
            if step is services.Step.DONE:
                return redirect(_after_login(request))
            return redirect(STEP_URL_NAMES[step])
    offered = login_options.options()
    context = {
        "form": form,
        "lockout_rule": services.lockout_rule(),
        "idle_timeout": services.idle_timeout_message(),
        "login_options": offered,
        "many_login_options": len(offered) > MAX_LOGIN_BUTTONS,
    }
    if settings.DEMO_MODE:
        context["demo_accounts"] = services.demo_accounts()
        context["demo_password"] = settings.DEMO_PASSWORD
    response = render(
        request, "core/account/login.html", context, status=400 if form.errors else 200
    )
    origins = login_options.form_action_origins(offered)
    if origins:
        # The organisations' providers, on this page only: its buttons send the browser there.
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


@sensitive_post_parameters("code", "recovery_code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if second_factor_passed(request):
        return redirect(_after_login(request))
    if not services.has_authenticator(request.user):
        return redirect("login-second-factor-setup")
    using_recovery_code = "recovery_code" in request.POST
    code_form = AuthenticatorCodeForm(
        request.POST if request.method == "POST" and not using_recovery_code else None
    )
    recovery_form = RecoveryCodeForm(request.POST if using_recovery_code else None)
    form = recovery_form if using_recovery_code else code_form
    if request.method == "POST" and form.is_valid():
        try:
            if using_recovery_code:
                left = services.use_recovery_code(request, form.cleaned_data["recovery_code"])
                messages.warning(request, _recovery_codes_left_message(left))
            else:
                services.verify_second_factor(request, form.cleaned_data["code"])
        except services.AccountLocked as locked:
            messages.error(request, locked.message())
            return redirect("login")
        except services.LoginRefused as refusal:
            form.add_error("recovery_code" if using_recovery_code else "code", refusal.message())
        else:
            return redirect(_after_login(request))
    return render(
        request,
        "core/account/second_factor.html",
        {"form": code_form, "recovery_form": recovery_form},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def set_up_second_factor(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if second_factor_passed(request):
        return redirect(_after_login(request))
    try:
        device = services.enrol_totp_device(request.user)
    except services.AlreadySetUp:
        return redirect("login-second-factor")
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(request, form.cleaned_data["code"])
        except services.AlreadySetUp:
            return redirect("login-second-factor")
        except services.AccountLocked as locked:
            messages.error(request, locked.message())
            return redirect("login")
        except services.LoginRefused as refusal:
            form.add_error("code", refusal.message())
        else:
            # Shown in this response only: the codes are never stored in clear.
            return render(
                request,
                "core/account/recovery_codes.html",
                {"codes": codes, "continue_url": _after_login(request), "first_time": True},
            )
    return render(
        request,
        "core/account/set_up_second_factor.html",
        {"form": form, "setup": services.authenticator_setup(device)},
        status=400 if form.errors else 200,
    )


@staff_required
@never_cache
def account(request):
    return render(
        request,
        "core/account/account.html",
        {"status": services.second_factor_status(request.user)},
    )


@require_POST
@staff_required
def logout_everywhere(request):
    services.log_out_everywhere(request)
    messages.success(
        request,
        _(
            "You are now logged out on all other devices and browsers. You are still logged in "
            "here."
        ),
    )
    return redirect("account")


@require_POST
@staff_required
@never_cache
def new_recovery_codes(request):
    codes = services.create_new_recovery_codes(request.user)
    return render(
        request,
        "core/account/recovery_codes.html",
        {"codes": codes, "continue_url": reverse("account"), "first_time": False},
    )


@require_POST
def logout(request):
    services.log_out(request)
    messages.info(request, _("You are logged out."))
    return redirect("front-page")


def _safe_url(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _after_login(request) -> str:
    """Where the login ends: the page first asked for, or the staff home."""
    return request.session.pop(NEXT_SESSION_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)


def _recovery_codes_left_message(left: int) -> str:
    return ngettext(
        "You used a recovery code. You have %(left)d recovery code left. You can create new "
        "ones on your account page.",
        "You used a recovery code. You have %(left)d recovery codes left. You can create new "
        "ones on your account page.",
        left,
    ) % {"left": left}
