"""Roles in a data controller's units, given by the instance's administrators only on that
controller's authorisation (docs/data-protection.md, section 14).

An instance hosts several controllers (municipalities, a health trust, voluntary
organisations), and its administrators run it for all of them. A role in a unit opens that
controller's data to the staff member (the need to know, break-glass, the leader's reviews),
so giving one is the controller's decision, not the operator's: the operator acts only on the
controller's documented instructions (GDPR art. 28(3)(a)). Every role an administrator gives
therefore names who at the controller authorised it and the reference of the written
authorisation, is kept as a RoleAuthorisation, and is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit, User

from . import audit
from .models import AuditEvent, RoleAuthorisation

GRANT_PURPOSE = "role_grant"
GRANT_BASIS = "controller_authorisation"
MIN_AUTHORISED_BY = 5
MIN_REFERENCE = 3


@transaction.atomic
def grant_role(
    admin: Any,
    *,
    user: User,
    unit: ServiceUnit,
    role: str,
    authorised_by: str,
    reference: str,
) -> Membership:
    """Give `user` the `role` in `unit`, on the authorisation of the unit's data controller:
    `authorised_by` names who at the controller authorised it (name and position), and
    `reference` the controller's written authorisation (its case or document number).

    Refused unless `admin` is an instance administrator and both are given; nothing is made
    then. The authorisation is kept and the grant audited with the controller as the
    organisation, so the controller can see every role given in its units."""
    if not getattr(admin, "is_instance_admin", False):
        raise PermissionDenied(_("Only an instance administrator gives roles in the units."))
    errors: dict[str, list[str]] = {}
    if role not in Membership.Role.values:
        errors["role"] = [
            _("Choose one of the roles: %(roles)s.") % {"roles": ", ".join(Membership.Role.values)}
        ]
    authorised_by = authorised_by.strip()
    reference = reference.strip()
    if len(authorised_by) < MIN_AUTHORISED_BY:
        errors["authorised_by"] = [
            _(
                "Name who at %(organisation)s authorised the role (name and position). An "
                "instance administrator gives access to a controller's data only on the "
                "controller's authorisation."
            )
            % {"organisation": unit.organisation.name}
        ]
    if len(reference) < MIN_REFERENCE:
        errors["reference"] = [
            _(
                "Give the reference of the controller's written authorisation, for example its "
                "case number."
            )
        ]
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        errors["user"] = [
            _("%(user)s already has this role in %(unit)s.")
            % {
                "user": user.get_username(),
                "unit": unit.name,
            }
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    membership = Membership.objects.create(user=user, unit=unit, role=role)
    authorisation = RoleAuthorisation.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        user=user,
        role=role,
        authorised_by=authorised_by[:200],
        reference=reference[:100],
        granted_by=admin,
        granted_at=now,
    )
    # The names and the reference are in the authorisation, not in the trail (which never
    # holds free text); the event points at it.
    audit.record(
        AuditEvent.Action.SECURITY,
        actor=admin,
        objects=[authorisation],
        organisation_id=unit.organisation_id,
        purpose=GRANT_PURPOSE,
        legal_basis=GRANT_BASIS,
        detail={
            "event": "role_granted",
            "membership_id": membership.pk,
            "user_id": user.pk,
            "unit_id": unit.pk,
            "role": role,
        },
    )
    return membership
