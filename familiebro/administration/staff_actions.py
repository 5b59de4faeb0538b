"""What an administrator does with staff accounts: invite, give and remove roles, move
between units, deactivate and reactivate; and what an invited person does: accept.

Each action is one transaction and one audited event (docs/administration.md). A role an
instance administrator gives in an organisation they do not run themselves goes through
familiebro.privacy.grants.grant_role, on the controller's written authorisation; an
organisation's or a unit's own administrator gives it directly, as the controller's own
decision. The trail never holds names or e-mail addresses: it points at the records.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit, User
from familiebro.privacy import audit, grants
from familiebro.privacy.models import AuditEvent

from . import permissions
from .models import Invitation

PURPOSE = "staff_administration"
# The invitation is sent while the administrator waits: a mail server that does not answer
# must not hold the page for long.
SMTP_TIMEOUT_SECONDS = 10
Action = AuditEvent.Action


class InvitationUnusable(Exception):
    """The invitation link cannot be used: unknown, used, withdrawn or expired, or the person
    who sent it may no longer give the role (inviter_cannot_give)."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


class InvitationNotSent(Exception):
    """The e-mail could not be handed to the mail server; nothing was kept."""


@dataclass(frozen=True)
class RoleAuthorisation:
    """Who at the data controller authorised a role an instance administrator gives, and the
    reference of the written authorisation (see familiebro.privacy.grants)."""

    authorised_by: str = ""
    reference: str = ""


# --- Inviting ----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    """The link in the e-mail, at the instance's own address (settings.SITE_URL), never the
    address a request happened to name in its Host header."""
    site_url = getattr(settings, "SITE_URL", "")
    if not site_url:
        raise ValidationError(
            _(
                "The instance's address is not set (FAMILIEBRO_SITE_URL), so no invitation link "
                "can be made. Tell the instance's operator."
            )
        )
    return site_url.rstrip("/") + reverse("administration:accept-invitation", args=[token])


def needs_controller_authorisation(admin: Any, unit: ServiceUnit) -> bool:
    """Whether a role `admin` gives in `unit` must go through grants.grant_role: an instance
    administrator acting for a controller whose administrator they are not."""
    return permissions.is_instance_admin(admin) and not (
        unit.organisation_id in permissions.administered_organisation_ids(admin)
        or unit.pk in permissions.administered_unit_ids(admin)
    )


def invite_staff(
    admin: Any,
    *,
    first_name: str,
    last_name: str,
    email: str,
    professional_title: str,
    unit: ServiceUnit,
    role: str,
    authorisation: RoleAuthorisation | None = None,
    when_sent: Callable[[bool], None] | None = None,
) -> Invitation:
    """Invite someone by e-mail to `role` in `unit`. Refused (ValidationError, nothing kept)
    for a bad e-mail address, one the administrator already runs an account or an invitation
    for, a role they may not give, and when the e-mail cannot be sent.

    With `when_sent`, the e-mail waits until the transaction the caller runs (an import of
    many rows) has committed: an invitation rolled back is never sent. The link is then kept
    in memory only. If the mail server refuses the e-mail then, the invitation is withdrawn
    (audited) and `when_sent(False)` tells the caller; `when_sent(True)` when it went.

    An account or a waiting invitation outside what the administrator runs is not told: that
    would tell another organisation's administrator who works where. The invitation is sent
    as to a new address; if the address has an account by then, the link says so to the
    person (InvitationUnusable "email_taken") and makes nothing."""
    permissions.require_administer_unit(admin, unit)
    email = email.strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address, such as name@kommune.no.")]
    else:
        errors |= _known_address_errors(admin, email)
    if role not in Membership.Role.values:
        errors["role"] = [_("Choose one of the roles in the list.")]
    else:
        refusal = permissions.role_refusal(admin, unit, role)
        if refusal:
            errors["role"] = [refusal]
    if not first_name.strip() or not last_name.strip():
        errors["first_name"] = [_("Give the person's first and last name.")]
    authorisation = authorisation or RoleAuthorisation()
    if needs_controller_authorisation(admin, unit):
        errors |= _authorisation_errors(unit, authorisation)
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation_id=unit.organisation_id,
            unit=unit,
            role=role,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
            email=email,
            professional_title=professional_title,
            authorised_by=authorisation.authorised_by.strip()[:200],
            reference=authorisation.reference.strip()[:100],
            token_hash=token_hash(token),
            invited_by=admin,
            sent_at=now,
            expires_at=now + Invitation.lifetime(),
        )
        _record(admin, invitation, "invitation_sent", unit_id=unit.pk, role=role)
        link = invitation_link(token)
        if when_sent is not None:
            transaction.on_commit(
                lambda: when_sent(_send_after_commit(admin, invitation, link)), robust=True
            )
            return invitation
        # Sent here, inside the transaction, and not through the worker's queue, which would
        # keep the link (token and all) in the database; if the mail server refuses, nothing
        # is kept.
        _send_invitation(invitation, link)
    return invitation


def _send_after_commit(admin: Any, invitation: Invitation, link: str) -> bool:
    """Send an invitation already committed. If the mail server refuses it, the invitation
    is withdrawn, so no invitation stands that its person never got."""
    try:
        _send_invitation(invitation, link)
    except InvitationNotSent:
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.is_open:
                locked.withdrawn_at = timezone.now()
                locked.save(update_fields=["withdrawn_at"])
                _record(admin, locked, "invitation_withdrawn", reason="email_not_sent")
        return False
    return True


def resend_invitation(admin: Any, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link and a new week; the old link stops working.
    The administrator who sends it again becomes its inviter: they must be able to give the
    role, and acceptance asks it of them."""
    permissions.require_administer_unit(admin, invitation.unit)
    refusal = permissions.role_refusal(admin, invitation.unit, invitation.role)
    if refusal:
        raise ValidationError(refusal)
    if needs_controller_authorisation(admin, invitation.unit) and not invitation.reference:
        raise ValidationError(
            _(
                "This invitation carries no authorisation from %(organisation)s. Withdraw it and "
                "invite again, naming who at the organisation authorised the role."
            )
            % {"organisation": invitation.unit.organisation.name}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError(
                _("This invitation has been accepted or withdrawn and cannot be sent again.")
            )
        now = timezone.now()
        locked.token_hash = token_hash(token)
        locked.sent_at = now
        locked.expires_at = now + Invitation.lifetime()
        locked.invited_by = admin
        locked.save(update_fields=["token_hash", "sent_at", "expires_at", "invited_by"])
        _record(admin, locked, "invitation_resent")
        _send_invitation(locked, invitation_link(token))
    return locked


def withdraw_invitation(admin: Any, invitation: Invitation) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working."""
    permissions.require_administer_unit(admin, invitation.unit)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError(_("This invitation has already been accepted or withdrawn."))
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        _record(admin, locked, "invitation_withdrawn")
    return locked


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link opens, if it can still be used. Raises InvitationUnusable."""
    invitation = (
        Invitation.objects.select_related("organisation", "unit", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    _require_usable(invitation)
    assert invitation is not None
    return invitation


def accept_invitation(token: str, user_fields: dict[str, Any]) -> User:
    """Make the invited person's account and give them the role they were invited to, once.

    `user_fields` holds `username` and `password`. A sign-in method that brings its own proof
    of identity (organisation single sign-on) passes `password=None`: the account then has no
    usable password. The name, e-mail and title come from the invitation. Raises
    InvitationUnusable (nothing made) or ValidationError (nothing made, the link still works).
    """
    # NFKC, as Django's own account forms do: "ｎｉｎａ" is "nina", and taken if "Nina" is.
    username = User.normalize_username((user_fields.get("username") or "").strip())
    password = user_fields.get("password")
    with transaction.atomic():
        invitation = (
            # Only the invitation's row is locked: PostgreSQL locks no row of a nullable join.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("unit__organisation", "invited_by")
            .filter(token_hash=token_hash(token))
            .first()
        )
        _require_usable(invitation)
        assert invitation is not None
        user = User(
            username=username,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            email=invitation.email,
            professional_title=invitation.professional_title,
        )
        errors: dict[str, list[str]] = {}
        try:
            User._meta.get_field("username").run_validators(username)
            if not username:
                raise ValidationError(_("Choose a username."))
        except ValidationError as error:
            errors["username"] = list(error.messages)
        else:
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = [_("This username is taken. Choose another.")]
        if password is not None:
            try:
                password_validation.validate_password(password, user=user)
            except ValidationError as error:
                errors["password"] = list(error.messages)
        if errors:
            raise ValidationError(errors)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:
            # Taken by someone else between the check and the save.
            raise ValidationError(
                {"username": [_("This username is taken. Choose another.")]}
            ) from error
        unit = invitation.unit
        if needs_controller_authorisation(invitation.invited_by, unit):
            try:
                grants.grant_role(
                    invitation.invited_by,
                    user=user,
                    unit=unit,
                    role=invitation.role,
                    authorised_by=invitation.authorised_by,
                    reference=invitation.reference,
                )
            except (PermissionDenied, ValidationError) as error:
                raise InvitationUnusable("not_granted", invitation) from error
        else:
            Membership.objects.create(user=user, unit=unit, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        _record(
            user,
            invitation,
            "invitation_accepted",
            user_id=user.pk,
            unit_id=unit.pk,
            role=invitation.role,
        )
    return user


# --- Roles -------------------------------------------------------------------------------------


def add_role(
    admin: Any,
    staff: User,
    *,
    unit: ServiceUnit,
    role: str,
    authorisation: RoleAuthorisation | None = None,
) -> Membership:
    """Give `staff` the `role` in `unit`, a unit `admin` runs."""
    permissions.require_administer_unit(admin, unit)
    _refuse_own_roles(admin, staff)
    with transaction.atomic():
        membership = _give_role(admin, staff, unit, role, authorisation or RoleAuthorisation())
        _record_staff(admin, staff, unit, "role_added", role=role, membership_id=membership.pk)
    return membership


def remove_role(admin: Any, membership: Membership) -> None:
    """End `membership`, in a unit `admin` runs, if they may give its role. The person's audit
    trail stays."""
    unit = membership.unit
    permissions.require_administer_unit(admin, unit)
    _refuse_own_roles(admin, membership.user)
    refusal = permissions.role_refusal(admin, unit, membership.role)
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        _record_staff(
            admin,
            membership.user,
            unit,
            "role_removed",
            role=membership.role,
            membership_id=membership.pk,
        )
        membership.delete()


def move_staff(
    admin: Any,
    membership: Membership,
    *,
    to_unit: ServiceUnit,
    authorisation: RoleAuthorisation | None = None,
) -> Membership:
    """Move a staff member from one unit to another, keeping the role: the old membership ends
    and the new one starts in one action. `admin` must run both units."""
    from_unit = membership.unit
    permissions.require_administer_unit(admin, from_unit)
    permissions.require_administer_unit(admin, to_unit)
    if to_unit.pk == from_unit.pk:
        raise ValidationError({"unit": [_("Choose another unit than the one they are in now.")]})
    staff = membership.user
    _refuse_own_roles(admin, staff)
    with transaction.atomic():
        old_id = membership.pk
        membership.delete()
        new = _give_role(
            admin, staff, to_unit, membership.role, authorisation or RoleAuthorisation()
        )
        _record_staff(
            admin,
            staff,
            to_unit,
            "staff_moved",
            role=new.role,
            from_unit_id=from_unit.pk,
            ended_membership_id=old_id,
            membership_id=new.pk,
        )
    return new


# --- Deactivating ------------------------------------------------------------------------------


def deactivate_staff(admin: Any, staff: User) -> User:
    """Stop the account from logging in and end every session of it at once. The person's
    roles, invitations and audit trail stay, so reactivating brings the account back as it was."""
    if staff.pk == admin.pk:
        raise ValidationError(
            _("You cannot deactivate your own account. Ask another administrator.")
        )
    permissions.require_deactivate(admin, staff)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=staff.pk)
        if not locked.is_active:
            raise ValidationError(_("This account is already deactivated."))
        if locked.is_instance_admin and not (
            User.objects.select_for_update()
            .filter(is_instance_admin=True, is_active=True)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationError(
                _(
                    "This is the instance's last active administrator. Make another instance "
                    "administrator first (familiebro create-instance-admin)."
                )
            )
        locked.is_active = False
        # A new generation changes the session hash: every session of the account ends now.
        locked.session_generation += 1
        locked.save(update_fields=["is_active", "session_generation"])
        _record_staff(admin, locked, None, "account_deactivated")
    return locked


def reactivate_staff(admin: Any, staff: User) -> User:
    permissions.require_deactivate(admin, staff)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=staff.pk)
        if locked.is_active:
            raise ValidationError(_("This account is already active."))
        locked.is_active = True
        locked.failed_login_count = 0
        locked.locked_until = None
        locked.save(update_fields=["is_active", "failed_login_count", "locked_until"])
        _record_staff(admin, locked, None, "account_reactivated")
    return locked


# --- The first administrator -------------------------------------------------------------------


def create_instance_admin(
    *, username: str, first_name: str, last_name: str, email: str, password: str
) -> User:
    """Make an instance administrator (the command familiebro create-instance-admin). They set
    up their authenticator app at their first login, as every member of staff does. Raises
    ValidationError, naming each field that is wrong; nothing is made then."""
    username = User.normalize_username(username.strip())
    email = email.strip()
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        is_instance_admin=True,
    )
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Give a username.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [
            _("An account with the username %(username)s already exists. Choose another.")
            % {"username": username}
        ]
    else:
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as error:
            errors["username"] = list(error.messages)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address, such as name@kommune.no.")]
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = [_("Someone already has an account with this e-mail address.")]
    if not user.first_name or not user.last_name:
        errors["name"] = [_("Give the administrator's first and last name.")]
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit.record(
            Action.SECURITY,
            actor=None,
            object_type="core.user",
            object_ids=[user.pk],
            purpose=PURPOSE,
            detail={"event": "instance_admin_created", "by": "command"},
        )
    return user


# --- Internals ---------------------------------------------------------------------------------


def _refuse_own_roles(admin: Any, staff: User) -> None:
    """Nobody gives, removes or moves their own roles: a role opens a unit's data, so another
    administrator decides it (separation of duties)."""
    if staff.pk == admin.pk:
        raise ValidationError(
            _("You cannot change your own roles. Ask another administrator to do it.")
        )


def _open_invitations():
    return Invitation.objects.filter(
        accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
    )


def _require_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used", invitation)
    if invitation.withdrawn_at is not None:
        raise InvitationUnusable("withdrawn", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired", invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationUnusable("email_taken", invitation)
    # The same rule as when inviting, asked again now: an inviter deactivated, or no longer
    # an administrator who gives this role here, gives nothing through a link sent earlier.
    inviter = invitation.invited_by
    if inviter is None or not permissions.may_give_role(inviter, invitation.unit, invitation.role):
        raise InvitationUnusable("inviter_cannot_give", invitation)


def _known_address_errors(admin: Any, email: str) -> dict[str, list[str]]:
    """What the administrator is told about an address already in use: only an account they
    run, or an invitation waiting in a unit they run."""
    account = User.objects.filter(email__iexact=email).first()
    if account is not None and permissions.may_administer_staff_member(admin, account):
        return {
            "email": [
                _(
                    "Someone already has an account with this e-mail address. Find them in the "
                    "staff list and give them a role instead."
                )
            ]
        }
    waiting = _open_invitations().filter(email__iexact=email).select_related("unit")
    if any(permissions.may_administer_unit(admin, i.unit) for i in waiting):
        return {
            "email": [
                _(
                    "This address already has an invitation waiting. Send it again or withdraw "
                    "it from the staff list."
                )
            ]
        }
    return {}


def _authorisation_errors(
    unit: ServiceUnit, authorisation: RoleAuthorisation
) -> dict[str, list[str]]:
    """The rule of grants.grant_role, checked before anything is sent or kept."""
    errors: dict[str, list[str]] = {}
    if len(authorisation.authorised_by.strip()) < grants.MIN_AUTHORISED_BY:
        errors["authorised_by"] = [
            _(
                "Name who at %(organisation)s authorised the role (name and position). An "
                "instance administrator gives access to a controller's data only on the "
                "controller's authorisation."
            )
            % {"organisation": unit.organisation.name}
        ]
    if len(authorisation.reference.strip()) < grants.MIN_REFERENCE:
        errors["reference"] = [
            _(
                "Give the reference of the controller's written authorisation, for example its "
                "case number."
            )
        ]
    return errors


def _give_role(
    admin: Any, staff: User, unit: ServiceUnit, role: str, authorisation: RoleAuthorisation
) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose one of the roles in the list.")]})
    refusal = permissions.role_refusal(admin, unit, role)
    if refusal:
        raise ValidationError({"role": [refusal]})
    if needs_controller_authorisation(admin, unit):
        errors = _authorisation_errors(unit, authorisation)
        if errors:
            raise ValidationError(errors)
        return grants.grant_role(
            admin,
            user=staff,
            unit=unit,
            role=role,
            authorised_by=authorisation.authorised_by,
            reference=authorisation.reference,
        )
    if Membership.objects.filter(user=staff, unit=unit, role=role).exists():
        raise ValidationError(
            {
                "role": [
                    _("%(user)s already has this role in %(unit)s.")
                    % {"user": staff.display_name(), "unit": unit.name}
                ]
            }
        )
    return Membership.objects.create(user=staff, unit=unit, role=role)


def _record(actor: Any, invitation: Invitation, event: str, **detail: Any) -> None:
    audit.record(
        Action.SECURITY,
        actor=actor,
        objects=[invitation],
        organisation_id=invitation.organisation_id,
        purpose=PURPOSE,
        detail={"event": event, **detail},
    )


def _record_staff(
    admin: Any, staff: User, unit: ServiceUnit | None, event: str, **detail: Any
) -> None:
    audit.record(
        Action.SECURITY,
        actor=admin,
        object_type="core.user",
        object_ids=[staff.pk],
        organisation_id=unit.organisation_id if unit is not None else None,
        purpose=PURPOSE,
        detail={"event": event, **({"unit_id": unit.pk} if unit else {}), **detail},
    )


def _send_invitation(invitation: Invitation, link: str) -> None:
    """The e-mail carries the link and the organisation's name, nothing else."""
    organisation = invitation.unit.organisation.name
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Invitation to Familiebro from %(organisation)s") % {
            "organisation": organisation
        }
        body = "\n\n".join(
            [
                _("%(organisation)s invites you to use Familiebro.")
                % {"organisation": organisation},
                _("Open this link to create your account:") + f"\n{link}",
                _(
                    "The link works once and for %(days)d days. If it has stopped working, ask "
                    "the person who invited you to send it again."
                )
                % {"days": Invitation.lifetime().days},
            ]
        )
    message = EmailMessage(subject=subject, body=body, to=[invitation.email])
    message.connection = get_connection(
        timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise InvitationNotSent(str(error)) from error
