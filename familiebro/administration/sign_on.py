"""Staff single sign-on with an organisation's own OpenID Connect provider (Entra ID,
Ansattporten): what an administrator sets up, what a member of staff links, and the login.

The protocol is the shared client in familiebro.interop.oidc (the authorization code flow with
PKCE, state and nonce; the ID token verified against the provider's keys). A staff account is
found by the provider's stable subject (`iss` + `sub`, a StaffIdentity), never by a name or an
e-mail address. The provider's login counts as the second factor only when its `acr` or `amr`
shows one the organisation accepts; otherwise Familiebro's own code is still asked for
(familiebro.accounts). An account switched off in Familiebro stays off, whatever the
provider says.

One function per thing a person does, each in a transaction and audited.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from familiebro.accounts import services as accounts
from familiebro.core.models import Organisation, User
from familiebro.interop import oidc
from familiebro.privacy import audit

from . import permissions
from .models import OrganisationSignOn, StaffIdentity

Action = audit.AuditEvent.Action

SESSION_KEY = "familiebro_staff_sign_on"
LOGIN = "login"
LINK = "link"


class SignOnFailed(Exception):
    """The organisation's login did not get the person in or linked; the message says why."""


# --- Setting it up --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOnSettings:
    label: str
    issuer: str
    client_id: str
    # None: keep the secret already saved.
    client_secret: str | None
    second_factor_acr: list[str]
    second_factor_amr: list[str]
    enabled: bool


def provider_name(issuer: str) -> str:
    """How messages name an organisation's provider: its host, e.g. login.microsoftonline.com."""
    return urllib.parse.urlsplit(issuer).netloc or issuer


def check_issuer(issuer: str) -> dict[str, Any]:
    """Fetch the issuer's /.well-known/openid-configuration now and return it; ValidationError
    if it cannot be reached or does not describe an OpenID Connect issuer at this address."""
    try:
        return oidc.discover(issuer, provider_name(issuer))
    except oidc.AddressNotAllowed as error:
        # Refused before anything is fetched: one message, whatever is at that address.
        raise ValidationError(
            {
                "issuer": _(
                    "Familiebro logs in only with providers on the internet: the issuer must be "
                    "an https address whose name leads to public addresses, not to an address "
                    "inside a network. Enter the address your provider gives for its issuer."
                )
            }
        ) from error
    except oidc.ProviderUnreachable as error:
        raise ValidationError(
            {
                "issuer": _(
                    "Familiebro could not reach %(issuer)s. Check the address, and that the "
                    "provider can be reached from Familiebro's server, then save again."
                )
                % {"issuer": issuer}
            }
        ) from error
    except oidc.LoginFailed as error:
        raise ValidationError(
            {
                "issuer": _(
                    "%(issuer)s is not an OpenID Connect issuer: Familiebro found no "
                    "description of it at /.well-known/openid-configuration. Check the address "
                    "(for Entra ID it ends in /v2.0)."
                )
                % {"issuer": issuer}
            }
        ) from error


def save_sign_on(admin: Any, organisation: Organisation, new: SignOnSettings) -> OrganisationSignOn:
    """Set up or change the organisation's login. The issuer's discovery is checked first;
    the secret is written, never read back. Raises ValidationError, PermissionDenied."""
    permissions.require_administer_organisation(admin, organisation.pk)
    existing = OrganisationSignOn.objects.filter(organisation=organisation).first()
    if new.client_secret is None and existing is None:
        raise ValidationError({"client_secret": _("Enter the client secret.")})
    metadata = check_issuer(new.issuer)
    with transaction.atomic():
        # The organisation's row locked: two first set-ups at once make one record, not a 500.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        sign_on = OrganisationSignOn.objects.select_for_update().filter(
            organisation=organisation
        ).first() or OrganisationSignOn(organisation=organisation)
        created = sign_on.pk is None
        before = {field: getattr(sign_on, field) for field in _AUDITED_FIELDS}
        for field in _AUDITED_FIELDS:
            setattr(sign_on, field, getattr(new, field))
        if new.client_secret is not None:
            sign_on.client_secret = new.client_secret
        sign_on.authorization_origin = form_action_origin(metadata["authorization_endpoint"])
        sign_on.save()
        changed = [f for f in _AUDITED_FIELDS if created or before[f] != getattr(sign_on, f)]
        audit.record(
            Action.SECURITY,
            actor=admin,
            objects=[sign_on],
            organisation_id=organisation.pk,
            detail={
                "event": "sign_on_created" if created else "sign_on_changed",
                "changed": changed + (["client_secret"] if new.client_secret is not None else []),
                "enabled": sign_on.enabled,
                "issuer": sign_on.issuer,
            },
        )
    return sign_on


_AUDITED_FIELDS = (
    "label",
    "issuer",
    "client_id",
    "second_factor_acr",
    "second_factor_amr",
    "enabled",
)


# --- Linking a staff account ----------------------------------------------------------------


def link_identity(user: User, sign_on: OrganisationSignOn, claims: dict[str, Any]) -> StaffIdentity:
    """Link the identity the provider vouched for (its verified ID token claims: `iss` and
    `sub`) to `user`, replacing the user's earlier identity at this sign-on. The invitation
    flow calls this too, once the invited person has logged in at the provider.

    Raises SignOnFailed if that identity is already linked to another account.
    """
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    if issuer != sign_on.issuer or not subject:
        raise SignOnFailed(_("The login could not be verified. Try again."))
    try:
        with transaction.atomic():
            taken = (
                StaffIdentity.objects.select_for_update()
                .filter(issuer=issuer, subject=subject)
                .exclude(user=user)
                .exists()
            )
            if taken:
                raise SignOnFailed(
                    _(
                        "This login is already linked to another account in Familiebro. Ask "
                        "your administrator."
                    )
                )
            StaffIdentity.objects.filter(user=user, sign_on=sign_on).delete()
            identity, _created = StaffIdentity.objects.update_or_create(
                issuer=issuer, subject=subject, defaults={"user": user, "sign_on": sign_on}
            )
            audit.record(
                Action.SECURITY,
                actor=user,
                object_type="core.user",
                object_ids=[user.pk],
                organisation_id=sign_on.organisation_id,
                detail={"event": "organisation_login_linked", "sign_on": sign_on.pk},
            )
    except IntegrityError as error:
        # Linked by someone else at the same moment.
        raise SignOnFailed(
            _("This login is already linked to another account in Familiebro.")
        ) from error
    return identity


@transaction.atomic
def unlink_identity(user: User, identity_id: int) -> None:
    """Stop the user's account from logging in with that organisation's login."""
    identity = StaffIdentity.objects.select_for_update().filter(pk=identity_id, user=user).first()
    if identity is None:
        raise PermissionDenied(_("This login is not linked to your account."))
    organisation_id = identity.sign_on.organisation_id
    identity.delete()
    audit.record(
        Action.SECURITY,
        actor=user,
        object_type="core.user",
        object_ids=[user.pk],
        organisation_id=organisation_id,
        detail={"event": "organisation_login_unlinked", "sign_on": identity.sign_on_id},
    )


# --- The login ------------------------------------------------------------------------------


def _provider(sign_on: OrganisationSignOn) -> oidc.Provider:
    return oidc.Provider(
        issuer=sign_on.issuer,
        client_id=sign_on.client_id,
        client_secret=sign_on.client_secret,
        acr_values=(),
        name=provider_name(sign_on.issuer),
    )


def _usable(sign_on_id: Any) -> OrganisationSignOn:
    try:
        pk = int(sign_on_id)
    except (TypeError, ValueError):
        pk = 0
    sign_on = (
        OrganisationSignOn.objects.select_related("organisation")
        .filter(pk=pk, enabled=True)
        .first()
    )
    if sign_on is None:
        raise SignOnFailed(
            _("This organisation's login is not in use. Log in with your username and password.")
        )
    return sign_on


def start(request: HttpRequest, sign_on_id: Any, *, purpose: str, redirect_uri: str) -> str:
    """Where to send the browser to log in at the organisation's provider; what to check on
    return is kept in the session. Raises SignOnFailed."""
    sign_on = _usable(sign_on_id)
    try:
        url, pending = oidc.authorization_request(
            _provider(sign_on), redirect_uri, request.LANGUAGE_CODE or "nb"
        )
    except oidc.LoginFailed as failure:
        raise SignOnFailed(str(failure)) from failure
    request.session[SESSION_KEY] = {
        "pending": pending.as_session_value(),
        "sign_on": sign_on.pk,
        "purpose": purpose,
        "user": request.user.pk if purpose == LINK else None,
    }
    return url


@dataclass(frozen=True)
class Answer:
    purpose: str
    sign_on: OrganisationSignOn
    claims: dict[str, Any]
    # The user who started linking, for LINK.
    user_id: int | None


def answer(request: HttpRequest, params: dict[str, str]) -> Answer:
    """The provider's verified answer to the login under way (taken from the session, so an
    answer is used once). Raises SignOnFailed."""
    kept = request.session.pop(SESSION_KEY, None)
    if not isinstance(kept, dict):
        raise SignOnFailed(
            _("The login had expired or was started in another window. Log in again.")
        )
    sign_on = _usable(kept.get("sign_on"))
    pending = oidc.PendingLogin.from_session_value(kept.get("pending"))
    try:
        claims, _id_token = oidc.verified_answer(_provider(sign_on), pending, params)
    except oidc.LoginFailed as failure:
        raise SignOnFailed(str(failure)) from failure
    return Answer(
        purpose=str(kept.get("purpose")),
        sign_on=sign_on,
        claims=dict(claims),
        user_id=kept.get("user"),
    )


def log_in(request: HttpRequest, verified: Answer) -> accounts.Step:
    """Log in the staff account linked to the provider's subject at this very login. Raises
    SignOnFailed for an unknown subject, an identity linked at another organisation's login, or
    an account switched off in Familiebro."""
    sign_on = verified.sign_on
    identity = (
        StaffIdentity.objects.select_related("user")
        .filter(issuer=sign_on.issuer, subject=str(verified.claims.get("sub", "")))
        .first()
    )
    detail = {"sign_on": sign_on.pk}
    if identity is not None and identity.sign_on_id != sign_on.pk:
        # Two organisations may set up a login at the same issuer, each with its own rule for
        # what counts as a second factor. An identity logs in only through the login it was
        # linked at: through another organisation's button its account would be let in under
        # that organisation's (perhaps laxer) rule. Refused rather than asked for the own code:
        # the account's organisation chose its own provider login as the way in, and a refusal
        # leaves no path where a weaker login counts for its staff.
        with transaction.atomic():
            audit.record(
                Action.LOGIN_FAILED,
                actor=identity.user,
                organisation_id=sign_on.organisation_id,
                detail={
                    "step": "organisation_login",
                    "reason": "linked_at_another_login",
                    "linked_at": identity.sign_on_id,
                    **detail,
                },
            )
        raise SignOnFailed(
            _(
                "This login is linked to your account through another organisation's login "
                "button. Log in with that button, or with your username and password."
            )
        )
    if identity is None:
        with transaction.atomic():
            audit.record(
                Action.LOGIN_FAILED,
                organisation_id=sign_on.organisation_id,
                detail={"step": "organisation_login", "reason": "unknown_subject", **detail},
            )
        raise SignOnFailed(
            _(
                "Your account is not linked to this login yet. Ask your administrator for an "
                "invitation, or log in with your username and password once and link it on "
                "your account page."
            )
        )
    try:
        return accounts.log_in_by_provider(
            request,
            identity.user,
            second_factor=sign_on.second_factor_shown(verified.claims),
            detail=detail,
        )
    except accounts.AccountInactive as refusal:
        raise SignOnFailed(
            _(
                "Your account in Familiebro is switched off. Ask the administrator at "
                "%(organisation)s to switch it on again if you still need it."
            )
            % {"organisation": sign_on.organisation.name}
        ) from refusal


def form_action_origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def form_action_origins(sign_ons: list[OrganisationSignOn]) -> list[str]:
    """Where a page's forms for these logins send the browser: the issuers and their login
    pages. A page with such forms allows these in its CSP form-action, and only that page."""
    return sorted(
        {form_action_origin(s.issuer) for s in sign_ons}
        | {s.authorization_origin for s in sign_ons if s.authorization_origin}
    )


def issuer_scheme_allowed(issuer: str) -> bool:
    """Only https in production; a local test provider may use http elsewhere."""
    scheme = urllib.parse.urlsplit(issuer).scheme
    return scheme == "https" or (scheme == "http" and not settings.PRODUCTION)
