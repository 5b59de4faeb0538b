"""OpenID Connect login for parents and young people (ID-porten in production).

The authorization code flow with PKCE (S256), state and nonce, as ID-porten requires. What
the browser brings back is never trusted as such: the code is exchanged for tokens directly
with the provider, and the ID token is verified here — signature against the provider's
published keys, issuer, audience, expiry, nonce and level of assurance (acr). What comes out
is the identity number the provider vouches for (the `pid` claim), and the ID token, which
logging out at the provider needs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from familiebro.core.identifiers import normalise_identity_number

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10
DISCOVERY_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 30
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class LoginFailed(Exception):
    """The login did not succeed; the message says so in words for the person."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    acr_values: tuple[str, ...]


def provider() -> Provider | None:
    """The configured provider, or None where citizen login is not set up."""
    # settings.py refuses an issuer without its client.
    if not settings.CITIZEN_OIDC_ISSUER:
        return None
    return Provider(
        issuer=settings.CITIZEN_OIDC_ISSUER,
        client_id=settings.CITIZEN_OIDC_CLIENT_ID,
        client_secret=settings.CITIZEN_OIDC_CLIENT_SECRET,
        acr_values=tuple(settings.CITIZEN_OIDC_ACR_VALUES),
    )


def _unreachable() -> LoginFailed:
    return LoginFailed(_("ID-porten could not be reached. Try again in a few minutes."))


def _refused() -> LoginFailed:
    return LoginFailed(_("ID-porten did not accept the login. Start again from the login button."))


def _fetch_json(url: str, form: dict[str, str] | None = None) -> dict[str, Any]:
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        logger.error("OpenID provider address is not http(s): %s", url)
        raise _unreachable()
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})  # noqa: S310 - http(s) checked above
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) checked above
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        body = error.read()[:500].decode(errors="replace")
        logger.warning("OpenID provider answered %s at %s: %s", error.code, url, body)
        raise _refused() from error
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        logger.warning("OpenID provider unreachable at %s: %s", url, error)
        raise _unreachable() from error
    if not isinstance(answer, dict):
        logger.warning("OpenID provider answered %s with JSON that is not an object", url)
        raise _unreachable()
    return answer


_discovered: dict[str, tuple[float, dict[str, Any], jwt.PyJWKClient]] = {}
_discovered_lock = threading.Lock()


def _metadata(issuer: str) -> tuple[dict[str, Any], jwt.PyJWKClient]:
    """The provider's metadata and key set, fetched once an hour per process."""
    with _discovered_lock:
        cached = _discovered.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1], cached[2]
    metadata = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        logger.error("Provider metadata names issuer %r, not %r", metadata.get("issuer"), issuer)
        raise _unreachable()
    missing = [k for k in REQUIRED_METADATA if not isinstance(metadata.get(k), str)]
    if missing:
        logger.error("Provider metadata of %s lacks %s", issuer, ", ".join(missing))
        raise _unreachable()
    keys = jwt.PyJWKClient(metadata["jwks_uri"], timeout=HTTP_TIMEOUT_SECONDS)
    with _discovered_lock:
        _discovered[issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, metadata, keys)
    return metadata, keys


@dataclass(frozen=True)
class PendingLogin:
    """What the session keeps between sending the person to the provider and their return."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def as_session_value(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_session_value(cls, value: Any) -> PendingLogin | None:
        try:
            return cls(**value)
        except TypeError:
            return None


@dataclass(frozen=True)
class VerifiedLogin:
    identity_number: str
    acr: str
    id_token: str


def start_login(redirect_uri: str, language: str) -> tuple[str, PendingLogin]:
    """The provider's address to send the person to, and what to keep until they return."""
    config = provider()
    if config is None:
        raise LoginFailed(_("Login for families is not set up on this service."))
    metadata, _keys = _metadata(config.issuer)
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        redirect_uri=redirect_uri,
    )
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(pending.code_verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "acr_values": " ".join(config.acr_values),
            "ui_locales": language,
        }
    )
    return f"{metadata['authorization_endpoint']}?{query}", pending


def finish_login(pending: PendingLogin | None, params: dict[str, str]) -> VerifiedLogin:
    """Check the provider's answer, exchange the code and verify the ID token."""
    config = provider()
    if config is None:
        raise LoginFailed(_("Login for families is not set up on this service."))
    if pending is None or not secrets.compare_digest(params.get("state", ""), pending.state):
        raise LoginFailed(
            _("The login had expired or was started in another window. Log in again.")
        )
    if params.get("error"):
        if params["error"] == "access_denied":
            raise LoginFailed(_("The login was cancelled. You can log in again when you wish."))
        logger.warning("OpenID provider returned error %s", params.get("error"))
        raise _refused()
    metadata, keys = _metadata(config.issuer)
    # RFC 9207: a provider that names itself in the answer must name the expected issuer.
    if "iss" in params and params["iss"] != config.issuer:
        raise LoginFailed(_("The answer did not come from ID-porten. Log in again."))
    if not params.get("code"):
        raise _refused()
    tokens = _fetch_json(
        metadata["token_endpoint"],
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.code_verifier,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
        },
    )
    id_token = str(tokens.get("id_token", ""))
    claims = _verified_claims(config, keys, id_token)
    if not secrets.compare_digest(str(claims.get("nonce", "")), pending.nonce):
        raise LoginFailed(_("The login could not be verified. Log in again."))
    if claims.get("acr") not in config.acr_values:
        raise LoginFailed(
            _(
                "This service needs a login on a high security level (for example BankID). "
                "Log in again and choose one of those."
            )
        )
    try:
        number = normalise_identity_number(str(claims.get("pid", "")))
    except ValidationError as error:
        logger.warning("ID token without a valid pid claim")
        raise LoginFailed(_("The login could not be verified. Log in again.")) from error
    return VerifiedLogin(identity_number=number, acr=claims["acr"], id_token=id_token)


def _verified_claims(config: Provider, keys: jwt.PyJWKClient, id_token: str) -> dict[str, Any]:
    try:
        key = keys.get_signing_key_from_jwt(id_token)
        return jwt.decode(
            id_token,
            key.key,
            algorithms=SIGNING_ALGORITHMS,
            audience=config.client_id,
            issuer=config.issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWKClientConnectionError as error:
        logger.warning("Provider keys unreachable: %s", error)
        raise _unreachable() from error
    except jwt.PyJWTError as error:
        logger.warning("ID token refused: %s", error)
        raise LoginFailed(_("The login could not be verified. Log in again.")) from error


@dataclass(frozen=True)
class EndSession:
    """A form to send to the provider's end-session endpoint. It is posted, not linked: the
    ID token holds the identity number and must not end up in an address (browser history,
    logs)."""

    endpoint: str
    fields: dict[str, str]


def end_session(id_token: str, post_logout_redirect_uri: str) -> EndSession | None:
    """How to end the session at the provider too, if it offers that."""
    config = provider()
    if config is None or not id_token:
        return None
    try:
        metadata, _keys = _metadata(config.issuer)
    except LoginFailed:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    return EndSession(
        endpoint,
        {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri},
    )
