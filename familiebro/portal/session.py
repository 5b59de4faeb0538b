"""The citizen's login in the session.

A citizen session is kept apart from staff login: logging in with ID-porten starts a new
session (whatever was in the browser's session before is gone), and a staff login in the same
browser drops the citizen's login (see `forget_citizen`), so one session never carries both.
The session keeps the keyed hash of the identity number, never the number itself, and the ID
token, which carries the number and is needed to end the session at the provider: it is
stored encrypted. The session ends after the same idle time as staff sessions
(SESSION_IDLE_SECONDS).
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest

from familiebro.core import crypto
from familiebro.interop import oidc
from familiebro.privacy import family
from familiebro.privacy.family import Citizen

CITIZEN_KEY = family.CITIZEN_SESSION_KEY
PENDING_KEY = "familiebro_citizen_login"
_ID_TOKEN_CONTEXT = b"portal.session.id_token"


def current(request: HttpRequest) -> Citizen | None:
    if request.user.is_authenticated:
        return None
    return family.citizen_in(request.session)


def keep_pending(request: HttpRequest, pending: oidc.PendingLogin) -> None:
    request.session[PENDING_KEY] = pending.as_session_value()


def take_pending(request: HttpRequest) -> oidc.PendingLogin | None:
    """The login under way; taken out so that an answer can be used only once."""
    return oidc.PendingLogin.from_session_value(request.session.pop(PENDING_KEY, None))


def log_in(request: HttpRequest, login: oidc.VerifiedLogin) -> Citizen:
    request.session.flush()
    citizen = Citizen(identity_hash=crypto.lookup_hash(login.identity_number))
    sealed = crypto.encrypt(login.id_token, associated_data=_ID_TOKEN_CONTEXT)
    request.session[CITIZEN_KEY] = {
        "identity_hash": citizen.identity_hash,
        "id_token": base64.b64encode(sealed).decode(),
        "acr": login.acr,
    }
    return citizen


def log_out(request: HttpRequest) -> str:
    """End the session here; returns the ID token for ending it at the provider too."""
    value = request.session.get(CITIZEN_KEY) or {}
    request.session.flush()
    if not value.get("id_token"):
        return ""
    try:
        return crypto.decrypt(
            base64.b64decode(value["id_token"]), associated_data=_ID_TOKEN_CONTEXT
        )
    except (crypto.DecryptionError, ValueError):
        return ""


def forget_citizen(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """On a staff login (Django's user_logged_in): the citizen's login does not carry over."""
    request.session.pop(CITIZEN_KEY, None)
    request.session.pop(PENDING_KEY, None)


def context(request: HttpRequest) -> dict[str, Any]:
    """For the page header: whether a citizen is logged in (no database read)."""
    return {"citizen_logged_in": CITIZEN_KEY in request.session}
