"""OpenID Connect login: for parents and young people (ID-porten in production), and the
client every other OpenID Connect login in Familiebro shares (staff logging in with their
organisation's own identity provider, see familiebro.administration.sign_on).

The authorization code flow with PKCE (S256), state and nonce, as ID-porten requires. What
the browser brings back is never trusted as such: the code is exchanged for tokens directly
with the provider, and the ID token is verified here — signature against the provider's
published keys, issuer, audience, expiry, nonce and level of assurance (acr). What comes out
is the identity number the provider vouches for (the `pid` claim), and the ID token, which
logging out at the provider needs.

The protocol is Authlib's: its OAuth 2.0 client builds the authorization request (with the
PKCE challenge) and the token request with the client's authentication, and its OpenID
Connect ID token claims are checked after joserfc (Authlib's JOSE library) has verified the
signature. What is left here is what is Familiebro's own: which provider, which levels of
assurance, the messages to the person, and talking HTTP with the standard library.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any

from authlib.common.urls import url_decode
from authlib.oauth2.client import OAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_token_request
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from familiebro.core.identifiers import normalise_identity_number

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10
# The most read of an answer: metadata and key sets are a few kilobytes.
MAX_ANSWER_BYTES = 1024 * 1024
DISCOVERY_TTL_SECONDS = 3600
KEYS_TTL_SECONDS = 300
CLOCK_SKEW_SECONDS = 30
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")
SCOPE = "openid profile"
# The client's secret goes in the token request's form, as the client is registered.
TOKEN_ENDPOINT_AUTH_METHOD = "client_secret_post"  # noqa: S105 - a method name, not a secret


class LoginFailed(Exception):
    """The login did not succeed; the message says so in words for the person."""


class ProviderUnreachable(LoginFailed):
    """No answer from the provider's address (network, timeout)."""


class ProviderRefused(LoginFailed):
    """The provider answered with an error status."""


class NotAnIssuer(LoginFailed):
    """An answer, but not an OpenID Connect provider's: no JSON object, or metadata that names
    another issuer or lacks the endpoints a login needs."""


class AddressNotAllowed(ProviderUnreachable):
    """In production: the address is not https, or its host name leads to an address inside a
    network (private, loopback, link-local, multicast or reserved). Nothing was fetched. The
    person logging in is told the provider could not be reached; an administrator setting up a
    login is told what to enter instead."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    # The levels of assurance asked for and required (empty: none asked, none required here).
    acr_values: tuple[str, ...]
    # How the messages to the person name the provider.
    name: str = "ID-porten"


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


def _unreachable(name: str, kind: type[LoginFailed] = ProviderUnreachable) -> LoginFailed:
    return kind(
        _("%(provider)s could not be reached. Try again in a few minutes.") % {"provider": name}
    )


def _refused(name: str) -> LoginFailed:
    return ProviderRefused(
        _("%(provider)s did not accept the login. Start again from the login button.")
        % {"provider": name}
    )


def _not_verified() -> LoginFailed:
    return LoginFailed(_("The login could not be verified. Log in again."))


class _InternalAddress(OSError):
    """Raised where a connection would go to an address that is not on the public internet."""


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _public_addresses(host: str, port: int) -> list[str]:
    """Every address the host name resolves to, if every one is on the public internet;
    _InternalAddress if any is not (a name that resolves to a public and an internal address is
    refused too: which one a connection gets is not ours to choose)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(sockaddr[0]).split("%", 1)[0] for *_rest, sockaddr in found]
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    for address in addresses:
        if not _public(ipaddress.ip_address(address)):
            raise _InternalAddress(f"{host} resolves to {address}, not a public address")
    return addresses


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    """In production, connects only to the public addresses its host name resolves to at the
    moment of connecting (so a name cannot pass the check and then resolve elsewhere). Through
    an outgoing proxy the operator set up, the proxy resolves the name; the check before the
    fetch stands then."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = self._connect_public

    def _connect_public(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        if not settings.PRODUCTION or getattr(self, "_tunnel_host", None):
            return socket.create_connection(address, timeout, source_address)
        host, port = address
        error: OSError = OSError(f"no connection to {host}")
        for public_address in _public_addresses(host, port):
            try:
                return socket.create_connection((public_address, port), timeout, source_address)
            except OSError as failure:
                error = failure
        raise error


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A provider's discovery, token and key addresses answer where they are: a redirect is
    not followed (it could lead anywhere, an internal address too), it is an error status."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_PublicHTTPSHandler(), _NoRedirects())


def _check_address(url: str, name: str) -> None:
    """Before anything is fetched: http(s) only, and in production https to a host name that
    resolves to public addresses only. Raises AddressNotAllowed or ProviderUnreachable."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http"):
        logger.error("OpenID provider address is not http(s): %s", url)
        raise _unreachable(name)
    if not settings.PRODUCTION:
        return
    if parts.scheme != "https" or not parts.hostname:
        logger.error("OpenID provider address is not https: %s", url)
        raise _unreachable(name, AddressNotAllowed)
    try:
        _public_addresses(parts.hostname, parts.port or 443)
    except _InternalAddress as refusal:
        logger.error("OpenID provider address refused, nothing fetched: %s (%s)", url, refusal)
        raise _unreachable(name, AddressNotAllowed) from refusal
    except (OSError, UnicodeError, ValueError) as error:
        logger.warning("OpenID provider address does not resolve: %s (%s)", url, error)
        raise _unreachable(name) from error


def _read_capped(response: http.client.HTTPResponse, url: str, name: str) -> bytes:
    body = b""
    while chunk := response.read(min(65536, MAX_ANSWER_BYTES + 1 - len(body))):
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            logger.warning("OpenID provider answered %s with more than %s bytes", url, len(body))
            raise _unreachable(name, NotAnIssuer)
    return body


def _fetch_json(url: str, name: str, form: dict[str, str] | None = None) -> dict[str, Any]:
    # Hand-written: Authlib's HTTP clients need requests or httpx, which Familiebro does not use.
    _check_address(url, name)
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})  # noqa: S310 - http(s) checked above
    try:
        with _opener.open(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            answer = json.loads(_read_capped(response, url, name))
    except urllib.error.HTTPError as error:
        body = error.read(500).decode(errors="replace")
        logger.warning("OpenID provider answered %s at %s: %s", error.code, url, body)
        raise _refused(name) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, _InternalAddress):
            logger.error("OpenID provider address refused, nothing fetched: %s (%s)", url, error)
            raise _unreachable(name, AddressNotAllowed) from error
        logger.warning("OpenID provider unreachable at %s: %s", url, error)
        raise _unreachable(name) from error
    except ValueError as error:
        logger.warning("OpenID provider answered %s with what is not JSON: %s", url, error)
        raise _unreachable(name, NotAnIssuer) from error
    except (OSError, http.client.HTTPException) as error:
        # Cut short, reset or timed out while the answer was read.
        logger.warning("OpenID provider's answer at %s broke off: %r", url, error)
        raise _unreachable(name) from error
    if not isinstance(answer, dict):
        logger.warning("OpenID provider answered %s with JSON that is not an object", url)
        raise _unreachable(name, NotAnIssuer)
    return answer


class _ProviderKeys:
    """The provider's published signing keys, fetched at most every five minutes, and again
    at once when an ID token names a key not among them (the provider rotated its keys)."""

    # Hand-written: Authlib fetches and caches key sets only inside its requests/httpx clients.

    def __init__(self, jwks_uri: str, name: str) -> None:
        self.jwks_uri = jwks_uri
        self.name = name
        self._lock = threading.Lock()
        self._fetched: tuple[float, KeySet] | None = None

    def key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if not refresh and self._fetched and self._fetched[0] > time.monotonic():
                return self._fetched[1]
        try:
            published = _fetch_json(self.jwks_uri, self.name)
        except LoginFailed as failure:
            logger.warning("Provider keys unreachable at %s", self.jwks_uri)
            raise _unreachable(self.name) from failure
        try:
            key_set = KeySet.import_key_set(published)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as error:
            logger.warning("Provider keys at %s are not a usable key set: %s", self.jwks_uri, error)
            raise _not_verified() from error
        with self._lock:
            self._fetched = (time.monotonic() + KEYS_TTL_SECONDS, key_set)
        return key_set


_discovered: dict[str, tuple[float, dict[str, Any], _ProviderKeys]] = {}
_discovered_lock = threading.Lock()


def discover(issuer: str, name: str) -> dict[str, Any]:
    """The issuer's metadata, fetched now from its /.well-known/openid-configuration and
    checked: it names this issuer and the endpoints a login needs.

    Raises ProviderUnreachable, ProviderRefused (an error status, as for an address that is no
    issuer) or NotAnIssuer, each with a message naming the provider as `name`.
    """
    # Hand-written: Authlib's discovery is inside its requests/httpx clients, and never expires.
    metadata = _fetch_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration", name)
    if metadata.get("issuer") != issuer:
        logger.error("Provider metadata names issuer %r, not %r", metadata.get("issuer"), issuer)
        raise _unreachable(name, NotAnIssuer)
    missing = [k for k in REQUIRED_METADATA if not isinstance(metadata.get(k), str)]
    if missing:
        logger.error("Provider metadata of %s lacks %s", issuer, ", ".join(missing))
        raise _unreachable(name, NotAnIssuer)
    return metadata


def _metadata(config: Provider) -> tuple[dict[str, Any], _ProviderKeys]:
    """The provider's metadata and key set, fetched once an hour per process."""
    issuer = config.issuer
    with _discovered_lock:
        cached = _discovered.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1], cached[2]
    metadata = discover(issuer, config.name)
    keys = _ProviderKeys(metadata["jwks_uri"], config.name)
    with _discovered_lock:
        _discovered[issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, metadata, keys)
    return metadata, keys


def _client(config: Provider) -> OAuth2Client:
    """Authlib's OAuth 2.0 client for building requests; the HTTP is `_fetch_json`'s."""
    return OAuth2Client(
        session=None,
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_endpoint_auth_method=TOKEN_ENDPOINT_AUTH_METHOD,
        scope=SCOPE,
        code_challenge_method="S256",
    )


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


def authorization_request(
    config: Provider, redirect_uri: str, language: str
) -> tuple[str, PendingLogin]:
    """The provider's address to send the person to (the authorization code flow with PKCE,
    state and nonce), and what to keep in the session until they return."""
    metadata, _keys = _metadata(config)
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        redirect_uri=redirect_uri,
    )
    extra = {"acr_values": " ".join(config.acr_values)} if config.acr_values else {}
    url, _state = _client(config).create_authorization_url(
        metadata["authorization_endpoint"],
        state=pending.state,
        code_verifier=pending.code_verifier,
        redirect_uri=redirect_uri,
        nonce=pending.nonce,
        ui_locales=language,
        **extra,
    )
    return url, pending


def verified_answer(
    config: Provider, pending: PendingLogin | None, params: dict[str, str]
) -> tuple[CodeIDToken, str]:
    """Check the provider's answer (state, error, issuer), exchange the code for tokens and
    verify the ID token. Returns its claims and the ID token itself."""
    if pending is None or not secrets.compare_digest(params.get("state", ""), pending.state):
        raise LoginFailed(
            _("The login had expired or was started in another window. Log in again.")
        )
    if params.get("error"):
        if params["error"] == "access_denied":
            raise LoginFailed(_("The login was cancelled. You can log in again when you wish."))
        logger.warning("OpenID provider returned error %s", params.get("error"))
        raise _refused(config.name)
    metadata, keys = _metadata(config)
    # RFC 9207: a provider that names itself in the answer must name the expected issuer.
    if "iss" in params and params["iss"] != config.issuer:
        raise LoginFailed(
            _("The answer did not come from %(provider)s. Log in again.")
            % {"provider": config.name}
        )
    if not params.get("code"):
        raise _refused(config.name)
    token_endpoint = metadata["token_endpoint"]
    body = prepare_token_request(
        "authorization_code",
        code=params["code"],
        redirect_uri=pending.redirect_uri,
        code_verifier=pending.code_verifier,
    )
    client = _client(config)
    _uri, _headers, body = client.client_auth(client.token_endpoint_auth_method).prepare(
        "POST", token_endpoint, {}, body
    )
    tokens = _fetch_json(token_endpoint, config.name, dict(url_decode(body)))
    id_token = str(tokens.get("id_token", ""))
    claims = _verified_claims(config, keys, id_token, pending.nonce, tokens.get("access_token"))
    return claims, id_token


def start_login(redirect_uri: str, language: str) -> tuple[str, PendingLogin]:
    """The provider's address to send the person to, and what to keep until they return."""
    config = provider()
    if config is None:
        raise LoginFailed(_("Login for families is not set up on this service."))
    return authorization_request(config, redirect_uri, language)


def finish_login(pending: PendingLogin | None, params: dict[str, str]) -> VerifiedLogin:
    """Check the provider's answer, exchange the code and verify the ID token."""
    config = provider()
    if config is None:
        raise LoginFailed(_("Login for families is not set up on this service."))
    claims, id_token = verified_answer(config, pending, params)
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
        raise _not_verified() from error
    return VerifiedLogin(identity_number=number, acr=claims["acr"], id_token=id_token)


def _verified_claims(
    config: Provider, keys: _ProviderKeys, id_token: str, nonce: str, access_token: Any
) -> CodeIDToken:
    """The ID token's claims, once its signature, issuer, audience, times and nonce (and the
    access token's hash, where it has one) are checked."""
    registry = JWSRegistry(algorithms=SIGNING_ALGORITHMS, strict_check_header=False)
    try:
        try:
            token = jwt.decode(id_token, keys.key_set(), registry=registry)
        except InvalidKeyIdError:
            token = jwt.decode(id_token, keys.key_set(refresh=True), registry=registry)
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": config.issuer},
                "aud": {"essential": True, "value": config.client_id},
            },
            params={
                "client_id": config.client_id,
                "nonce": nonce,
                "access_token": access_token if isinstance(access_token, str) else None,
            },
        )
        claims.validate(leeway=CLOCK_SKEW_SECONDS)
    except (JoseError, ValueError) as error:
        logger.warning("ID token refused: %s", error)
        raise _not_verified() from error
    return claims


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
        metadata, _keys = _metadata(config)
    except LoginFailed:
        return None
    # Hand-written: Authlib's create_logout_url puts the ID token in an address, which we must not.
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    return EndSession(
        endpoint,
        {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri},
    )
