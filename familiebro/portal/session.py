"""The citizen's login in the session.

A citizen session is kept apart from staff login: logging in with ID-porten starts a new
session (whatever was in the browser's session before is gone), and a staff login in the same
browser takes precedence, so one session never carries both. The session keeps the keyed hash
of the identity number (never the number itself) and the ID token for logging out at the
provider; it ends after the same idle time as staff sessions (SESSION_IDLE_SECONDS).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from familiebro.core import crypto
from familiebro.interop import oidc
from familiebro.privacy.family import Citizen

CITIZEN_KEY = "familiebro_citizen"
PENDING_KEY = "familiebro_citizen_login"


def current(request: HttpRequest) -> Citizen | None:
    if request.user.is_authenticated:
        return None
    value = request.session.get(CITIZEN_KEY)
    return Citizen(identity_hash=value["identity_hash"]) if value else None


def keep_pending(request: HttpRequest, pending: oidc.PendingLogin) -> None:
    request.session[PENDING_KEY] = pending.as_session_value()


def take_pending(request: HttpRequest) -> oidc.PendingLogin | None:
    """The login under way; taken out so that an answer can be used only once."""
    return oidc.PendingLogin.from_session_value(request.session.pop(PENDING_KEY, None))


def log_in(request: HttpRequest, login: oidc.VerifiedLogin) -> Citizen:
    request.session.flush()
    citizen = Citizen(identity_hash=crypto.lookup_hash(login.identity_number))
    request.session[CITIZEN_KEY] = {
        "identity_hash": citizen.identity_hash,
        "id_token": login.id_token,
        "acr": login.acr,
    }
    return citizen


def log_out(request: HttpRequest) -> str:
    """End the session here; returns the ID token for ending it at the provider too."""
    value = request.session.get(CITIZEN_KEY) or {}
    request.session.flush()
    return str(value.get("id_token", ""))


def context(request: HttpRequest) -> dict[str, Any]:
    """For the page header: whether a citizen is logged in (no database read)."""
    return {"citizen_logged_in": CITIZEN_KEY in request.session}
