"""What a member of staff does to log in, stay safe and log out.

Logging in takes two steps: the password, then a second factor, either a code from an
authenticator app (TOTP) or a one-time recovery code. A member of staff without an app sets one
up at the first login and gets ten recovery codes, shown once.

Failed attempts at either step count towards one limit per account. Every count is read and
written with the user's row locked, so concurrent attempts cannot slip past the limit, and the
count only goes back to zero after a complete login: knowing the password alone never resets
it.

While an account is locked, the password step refuses every attempt with the one answer a wrong
password or an unknown username gets, whether the password given is right or not: the page never
tells whether a username exists, and a guesser learns nothing from trying during the lock. Every
attempt during the lock is counted and starts the lock again, so guessing on cannot open the
account sooner. Only someone already past the password (at the second factor) is told that the
account is locked; the password step has told them nothing new. The second factor keeps its own
limits besides: its failures count towards the same lock, and django-otp makes a guesser wait
between wrong codes.
"""

from __future__ import annotations

import datetime
import enum
import functools
from base64 import b32encode
from dataclasses import dataclass
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from familiebro.core.decorators import PROVIDER_SECOND_FACTOR_SESSION_KEY, second_factor_passed
from familiebro.core.models import Membership, User
from familiebro.privacy import audit

Action = audit.AuditEvent.Action

RECOVERY_CODE_COUNT = 10
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOTP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


class Step(enum.Enum):
    """Where a member of staff goes after a correct password."""

    SECOND_FACTOR = "second_factor"
    SET_UP_SECOND_FACTOR = "set_up_second_factor"
    DONE = "done"


class LoginRefused(Exception):
    """An attempt that did not get the person in; `message()` tells them why, translated."""

    text = gettext_lazy("The login did not succeed. Try again.")

    def message(self) -> str:
        return str(self.text)


class WrongCredentials(LoginRefused):
    """Also the answer to every attempt on a locked account, so it has to cover the lock."""

    text = gettext_lazy(
        "The username or password is wrong, or the account is locked after too many failed "
        "attempts. Check both and try again. Usernames are case-sensitive."
    )


class WrongCode(LoginRefused):
    text = gettext_lazy(
        "The code is wrong or has expired. Enter the code the app shows now. If it keeps "
        "failing, check that the clock on your phone is set automatically."
    )


class WrongRecoveryCode(LoginRefused):
    text = gettext_lazy(
        "This recovery code is wrong or has already been used. Each code works only once."
    )


class TryAgainShortly(LoginRefused):
    text = gettext_lazy("Too many attempts in a short time. Wait a few seconds, then try again.")


class AlreadySetUp(LoginRefused):
    """Knowing the password is never enough to replace an authenticator app already set up."""

    text = gettext_lazy(
        "An authenticator app is already set up for this account. Log in with a code from it."
    )


class AccountInactive(LoginRefused):
    """A login vouched for by the organisation's provider, to an account that is switched off
    in Familiebro: Familiebro's word wins. The part that offered the login says whom to ask."""


class AccountLocked(LoginRefused):
    def __init__(self, locked_until: datetime.datetime) -> None:
        super().__init__(locked_until)
        self.locked_until = locked_until

    def message(self) -> str:
        return _(
            "Your account is locked until %(time)s because of too many failed login attempts. "
            "You can log in again after that. If you did not make these attempts yourself, "
            "tell your unit administrator at once."
        ) % {"time": formats.time_format(timezone.localtime(self.locked_until), "H:i")}


@dataclass(frozen=True)
class AuthenticatorSetup:
    """What the enrolment page shows: a QR code to scan and the same key to type in."""

    qr_code_data_uri: str
    secret: str


@dataclass(frozen=True)
class SecondFactorStatus:
    authenticator_since: datetime.datetime | None
    recovery_codes_left: int


# --- Logging in ---------------------------------------------------------------------------


def authenticate_password(request: HttpRequest, username: str, password: str) -> Step:
    """Check the username and password; on success start a session for the second factor.

    Raises WrongCredentials: for a wrong password, an unknown username, an inactive account,
    and for every attempt while the account is locked, the correct password included.
    """
    refusal: LoginRefused | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            # Hash the password anyway, so an unknown username takes as long as a known one.
            User().set_password(password)
            _record_failure(None, step="password", reason="unknown_user")
            refusal = WrongCredentials()
        else:
            # Checked even during a lock, so every answer takes as long as any other.
            password_ok = user.check_password(password)
            if _locked_until(user) is not None:
                _count_failure(user, step="password", reason="locked")
                refusal = WrongCredentials()
            elif not (password_ok and user.is_active):
                reason = "inactive" if password_ok else "wrong_password"
                _count_failure(user, step="password", reason=reason)
                refusal = WrongCredentials()
    if refusal is not None:
        raise refusal
    assert user is not None

    auth_login(request, user, backend=MODEL_BACKEND)
    # Whatever the session held before, the second factor is still to come.
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(PROVIDER_SECOND_FACTOR_SESSION_KEY, None)
    _as_not_yet_verified(request.user)
    if second_factor_passed(request):
        _complete_login(request, user, method="skipped_demo_account")
        return Step.DONE
    if has_authenticator(user):
        return Step.SECOND_FACTOR
    return Step.SET_UP_SECOND_FACTOR


def log_in_by_provider(
    request: HttpRequest, user: User, *, second_factor: bool, detail: dict[str, Any]
) -> Step:
    """Start the session of a user whose identity the organisation's provider vouched for.

    With `second_factor` (the provider's answer showed one the organisation accepts) the login
    is complete; otherwise it goes on to Familiebro's own second factor, as after a password.
    `detail` (no personal data) goes into the audit trail. Raises AccountInactive for an
    account switched off in Familiebro, whatever the provider said.
    """
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        if not locked_user.is_active:
            _record_failure(locked_user, step="organisation_login", reason="inactive", **detail)
    if not locked_user.is_active:
        raise AccountInactive()
    auth_login(request, locked_user, backend=MODEL_BACKEND)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(PROVIDER_SECOND_FACTOR_SESSION_KEY, None)
    _as_not_yet_verified(request.user)
    if second_factor:
        request.session[PROVIDER_SECOND_FACTOR_SESSION_KEY] = True
        with transaction.atomic():
            _complete_login(request, locked_user, method="organisation_login", **detail)
        return Step.DONE
    with transaction.atomic():
        _record_security(locked_user, "organisation_login_without_second_factor", **detail)
    if has_authenticator(locked_user):
        return Step.SECOND_FACTOR
    return Step.SET_UP_SECOND_FACTOR


def verify_second_factor(request: HttpRequest, code: str) -> None:
    """Check a code from the authenticator app and complete the login.

    Raises WrongCode, TryAgainShortly, or AccountLocked (which also ends the session).
    """
    user = _logged_in_user(request)
    refusal: LoginRefused | None = None
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_until = _locked_until(locked_user)
        if locked_until is not None:
            _count_failure(locked_user, step="second_factor", reason="locked")
            refusal = AccountLocked(_locked_until(locked_user) or locked_until)
        else:
            devices = list(
                TOTPDevice.objects.devices_for_user(locked_user, confirmed=True).select_for_update()
            )
            allowed = [device for device in devices if device.verify_is_allowed()[0]]
            if devices and not allowed:
                refusal = TryAgainShortly()
            else:
                device = next((d for d in allowed if d.verify_token(code)), None)
                if device is not None:
                    otp_login(request, device)
                    _complete_login(request, locked_user, method="authenticator_app")
                else:
                    just_locked = _count_failure(
                        locked_user, step="second_factor", reason="wrong_code"
                    )
                    refusal = AccountLocked(just_locked) if just_locked else WrongCode()
    _refuse(request, refusal)


def use_recovery_code(request: HttpRequest, code: str) -> int:
    """Complete the login with a recovery code, which then stops working.

    Returns how many recovery codes are left. Raises WrongRecoveryCode, TryAgainShortly, or
    AccountLocked (which also ends the session).
    """
    user = _logged_in_user(request)
    code = normalise_recovery_code(code)
    refusal: LoginRefused | None = None
    left = 0
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_until = _locked_until(locked_user)
        device = (
            StaticDevice.objects.devices_for_user(locked_user, confirmed=True)
            .select_for_update()
            .first()
        )
        if locked_until is not None:
            _count_failure(locked_user, step="recovery_code", reason="locked")
            refusal = AccountLocked(_locked_until(locked_user) or locked_until)
        elif device is not None and not device.verify_is_allowed()[0]:
            refusal = TryAgainShortly()
        elif device is not None and device.verify_token(code):
            left = device.token_set.count()
            otp_login(request, device)
            _record_security(locked_user, "recovery_code_used", recovery_codes_left=left)
            _complete_login(request, locked_user, method="recovery_code")
        else:
            just_locked = _count_failure(locked_user, step="recovery_code", reason="wrong_code")
            refusal = AccountLocked(just_locked) if just_locked else WrongRecoveryCode()
    _refuse(request, refusal)
    return left


def enrol_totp_device(user: User) -> TOTPDevice:
    """The authenticator app the user is setting up: the same one until it is confirmed.

    Raises AlreadySetUp if the user has a confirmed app.
    """
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if has_authenticator(user):
            raise AlreadySetUp()
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirm_enrolment(request: HttpRequest, code: str) -> list[str]:
    """Confirm the new authenticator app with a code from it and complete the login.

    Returns the new recovery codes, to be shown once. A mistyped code here does not count
    towards the lockout: whoever enrols already gave the password, and an account with an app
    never comes here. Raises WrongCode, TryAgainShortly, AlreadySetUp or AccountLocked.
    """
    user = _logged_in_user(request)
    refusal: LoginRefused | None = None
    codes: list[str] = []
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_until = _locked_until(locked_user)
        device = (
            TOTPDevice.objects.filter(user=locked_user, confirmed=False)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        if locked_until is not None:
            _count_failure(locked_user, step="enrolment", reason="locked")
            refusal = AccountLocked(_locked_until(locked_user) or locked_until)
        elif has_authenticator(locked_user):
            refusal = AlreadySetUp()
        elif device is None:
            refusal = WrongCode()
        elif not device.verify_is_allowed()[0]:
            refusal = TryAgainShortly()
        elif not device.verify_token(code):
            _record_failure(locked_user, step="enrolment", reason="wrong_code")
            refusal = WrongCode()
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=locked_user).exclude(pk=device.pk).delete()
            _record_security(locked_user, "authenticator_enrolled")
            codes = _replace_recovery_codes(locked_user)
            otp_login(request, device)
            _complete_login(request, locked_user, method="authenticator_app_enrolled")
    _refuse(request, refusal)
    return codes


def log_out(request: HttpRequest) -> None:
    """End this session."""
    if request.user.is_authenticated:
        with transaction.atomic():
            audit.record(
                Action.LOGOUT,
                actor=request.user,
                object_type="core.user",
                object_ids=[request.user.pk],
            )
    auth_logout(request)


def log_out_everywhere(request: HttpRequest) -> None:
    """End every other session of the user, on every device; this one goes on."""
    user = _logged_in_user(request)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
        user.session_generation += 1
        audit.record(
            Action.SECURITY,
            actor=user,
            object_type="core.user",
            object_ids=[user.pk],
            detail={"event": "logout_everywhere"},
        )
    update_session_auth_hash(request, user)


def create_new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes. Returns the new ones, to be shown once."""
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        return _replace_recovery_codes(locked_user)


# --- What the pages show --------------------------------------------------------------------


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def authenticator_setup(device: TOTPDevice) -> AuthenticatorSetup:
    """The QR code (an SVG data: URI, which the CSP allows) and the key in groups of four."""
    qr = segno.make(device.config_url, error="m")
    secret = b32encode(device.bin_key).decode()
    return AuthenticatorSetup(
        qr_code_data_uri=qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


def second_factor_status(user: User) -> SecondFactorStatus:
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    return SecondFactorStatus(
        authenticator_since=device.created_at if device else None,
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    )


def demo_accounts() -> list[User]:
    """The demo logins to list on the login page; none unless this is a demo instance."""
    if not settings.DEMO_MODE:
        return []
    memberships = Membership.objects.select_related("unit__organisation").order_by(
        "unit__name", "role"
    )
    return list(
        User.objects.filter(is_demo_account=True, is_active=True)
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("username")
    )


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are shown in two groups; accept them with or without the gap."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def format_recovery_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def lockout_rule() -> str:
    """The lockout rule, as the login page states it."""
    rule = ngettext(
        "After %(limit)d failed attempts in a row, the account is locked for %(minutes)d minute.",
        "After %(limit)d failed attempts in a row, the account is locked for %(minutes)d minutes.",
        settings.LOGIN_LOCKOUT_MINUTES,
    ) % {"limit": settings.LOGIN_FAILURE_LIMIT, "minutes": settings.LOGIN_LOCKOUT_MINUTES}
    during_lock = _(
        "While it is locked, every attempt is refused, even with the right password, and each "
        "attempt starts the lock again."
    )
    return f"{rule} {during_lock}"


def idle_timeout_message() -> str:
    minutes = max(1, settings.SESSION_COOKIE_AGE // 60)
    return ngettext(
        "You are logged out after %(minutes)d minute without activity.",
        "You are logged out after %(minutes)d minutes without activity.",
        minutes,
    ) % {"minutes": minutes}


# --- Internals ------------------------------------------------------------------------------


def _logged_in_user(request: HttpRequest) -> User:
    if not request.user.is_authenticated:
        raise PermissionDenied
    return cast(User, request.user)


def _as_not_yet_verified(user: Any) -> None:
    # auth_login() puts a plain User on the request; give it what OTPMiddleware gives every
    # user, so the one rule in decorators.second_factor_passed can judge it.
    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)


def _locked_until(user: User) -> datetime.datetime | None:
    if user.locked_until is not None and user.locked_until > timezone.now():
        return user.locked_until
    return None


def _count_failure(user: User, *, step: str, reason: str) -> datetime.datetime | None:
    """Count a failed attempt on the locked user row; lock at the limit. Returns the lock's end
    if this attempt locked the account.

    An attempt during a lock counts too and starts the lock again from now: it is refused
    whatever was typed, and guessing on must not bring the account's opening any closer.
    """
    now = timezone.now()
    if user.locked_until is not None and user.locked_until <= now:
        # The previous lock has run out: the count starts afresh.
        user.failed_login_count = 0
        user.locked_until = None
    was_locked = user.locked_until is not None
    user.failed_login_count += 1
    if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        user.locked_until = now + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    user.save(update_fields=["failed_login_count", "locked_until"])
    _record_failure(user, step=step, reason=reason, failed_attempts=user.failed_login_count)
    if was_locked or user.locked_until is None:
        return None
    _record_security(
        user,
        "account_locked",
        locked_until=user.locked_until.isoformat(),
        failed_attempts=user.failed_login_count,
    )
    return user.locked_until


def _complete_login(request: HttpRequest, user: User, *, method: str, **detail: Any) -> None:
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    audit.record(
        Action.LOGIN,
        actor=user,
        object_type="core.user",
        object_ids=[user.pk],
        detail={"second_factor": method, **detail},
    )
    # A new session key for the fully logged-in session.
    request.session.cycle_key()


def _refuse(request: HttpRequest, refusal: LoginRefused | None) -> None:
    """Raise the refusal once its transaction has committed; a lock also ends the session."""
    if refusal is None:
        return
    if isinstance(refusal, AccountLocked):
        auth_logout(request)
    raise refusal


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    _record_security(user, "recovery_codes_created", count=len(codes))
    return [format_recovery_code(code) for code in codes]


def _record_failure(user: User | None, *, step: str, reason: str, **detail: Any) -> None:
    # Never the password, the code or the username typed: a mistyped username may be a password.
    audit.record(
        Action.LOGIN_FAILED,
        actor=user,
        object_type="core.user" if user else "",
        object_ids=[user.pk] if user else [],
        detail={"step": step, "reason": reason, **detail},
    )


def _record_security(user: User, event: str, **detail: Any) -> None:
    audit.record(
        Action.SECURITY,
        actor=user,
        object_type="core.user",
        object_ids=[user.pk],
        detail={"event": event, **detail},
    )
