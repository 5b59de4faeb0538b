"""Accepting an invitation with the organisation's own login instead of a password.

The invited person chooses a username and is sent to the organisation's provider through the
same flow as any staff login (sign_on.start, with the purpose INVITATION). The invitation's
token waits in the session, never in an address the provider sees. When the provider answers,
the account is made from the invitation without a password
(staff_actions.accept_invitation) and the provider's identity is linked to it
(sign_on.link_identity), in one transaction: either both happen or neither. The person is then
logged in as at any login through the provider, so the organisation's rule for the second
factor applies.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from familiebro.core.models import User

from . import sign_on, staff_actions
from .models import Invitation, OrganisationSignOn

INVITATION = "invitation"
SESSION_KEY = "familiebro_invitation_sign_on"


def sign_on_for(invitation: Invitation) -> OrganisationSignOn | None:
    """The organisation's login the invited person may use, if it has one in use."""
    return OrganisationSignOn.objects.filter(
        organisation_id=invitation.organisation_id, enabled=True
    ).first()


def start(request: HttpRequest, token: str, *, username: str, redirect_uri: str) -> str:
    """Where to send the browser to log in at the invitation's organisation's provider.
    Raises InvitationUnusable or SignOnFailed."""
    invitation = staff_actions.invitation_for_token(token)
    organisation_sign_on = sign_on_for(invitation)
    if organisation_sign_on is None:
        raise sign_on.SignOnFailed(
            _("Your organisation's login is not in use. Choose a password instead.")
        )
    url = sign_on.start(
        request, organisation_sign_on.pk, purpose=INVITATION, redirect_uri=redirect_uri
    )
    request.session[SESSION_KEY] = {
        "token": token,
        "username": username,
        "sign_on": organisation_sign_on.pk,
    }
    return url


def pending_token(request: HttpRequest) -> str:
    """The token of the invitation whose login is under way, if any."""
    kept = request.session.get(SESSION_KEY)
    return str(kept.get("token", "")) if isinstance(kept, dict) else ""


def accept(request: HttpRequest, verified: sign_on.Answer) -> User:
    """Make the invited person's account without a password and link the provider's identity
    to it, in one transaction. Raises InvitationUnusable, ValidationError (a username taken:
    nothing made, the invitation still works) or SignOnFailed (nothing made)."""
    kept = request.session.pop(SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("sign_on") != verified.sign_on.pk:
        raise sign_on.SignOnFailed(
            _("The login had expired or was started in another window. Open the invitation again.")
        )
    token = str(kept.get("token", ""))
    with transaction.atomic():
        invitation = staff_actions.invitation_for_token(token)
        if invitation.organisation_id != verified.sign_on.organisation_id:
            raise sign_on.SignOnFailed(
                _("This login belongs to another organisation than the invitation.")
            )
        user = staff_actions.accept_invitation(
            token, {"username": str(kept.get("username", "")), "password": None}
        )
        sign_on.link_identity(user, verified.sign_on, verified.claims)
    return user
