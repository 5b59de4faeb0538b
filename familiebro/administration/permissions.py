"""Who administers what: the administration part's one place for its role rules.

Three administrator roles, each giving the right to configure, never to read a family's data
(none of them is a casework role, so the access policy opens nothing to them):

- an **instance administrator** (User.is_instance_admin) runs the instance for every data
  controller on it: creates organisations and appoints their administrators, and may do what
  an organisation's administrator does, on that controller's documented instructions (roles
  that open a controller's data are given only with its written authorisation, see
  familiebro.privacy.grants);
- an **organisation administrator** (core.OrganisationAdministrator) runs one data
  controller: its units, its staff and their roles, its consent texts and rules;
- a **unit administrator** (the unit_admin membership role) runs one unit: its details and
  its own staff's roles in it, giving the worker and coordinator roles only (may_give_role).

Each rule reads the staff scope the access policy already read for the request
(policy.scope_of), so asking costs no query.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, OrganisationAdministrator, ServiceUnit
from familiebro.privacy import menu, policy


def is_instance_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_instance_admin)


def administered_organisation_ids(user: Any) -> frozenset[int]:
    """The organisations whose units and staff the user runs (not for instance
    administrators, who run every organisation: ask may_administer_organisation)."""
    return policy.scope_of(user).administered_organisation_ids


def administered_unit_ids(user: Any) -> frozenset[int]:
    """The units the user is unit administrator of (their own role, not their
    organisation's)."""
    return frozenset(
        unit_id for unit_id, role in unit_roles(user) if role == Membership.Role.UNIT_ADMIN
    )


def unit_roles(user: Any) -> frozenset[tuple[int, str]]:
    return policy.scope_of(user).unit_roles


def is_administrator(user: Any) -> bool:
    """Whether the user holds any administrator role: who sees the administration area. The
    staff menu's rule, which stands on a lower floor than this part."""
    return menu.administrators(user)


def may_manage_organisations(user: Any) -> bool:
    """Create organisations, change their details and appoint their administrators."""
    return is_instance_admin(user)


def may_administer_organisation(user: Any, organisation_id: int) -> bool:
    """Run the organisation's units, staff, consent texts and rules."""
    return is_instance_admin(user) or organisation_id in administered_organisation_ids(user)


def may_appoint_administrator(user: Any, organisation_id: int, candidate: Any) -> bool:
    """Appoint `candidate` an administrator of the organisation. An instance administrator
    may appoint anyone; an organisation's own administrator only its staff: someone holding
    a role in one of its units, or already its administrator. Other organisations' staff stay
    out of their sight."""
    if is_instance_admin(user):
        return True
    if not may_administer_organisation(user, organisation_id):
        return False
    return (
        Membership.objects.filter(user=candidate, unit__organisation_id=organisation_id).exists()
        or OrganisationAdministrator.objects.filter(
            user=candidate, organisation_id=organisation_id
        ).exists()
    )


def may_remove_administrator(user: Any, appointment: Any) -> bool:
    """Remove an administrator of an organisation. An organisation is never left without
    one by its own administrators: only an instance administrator removes the last."""
    if is_instance_admin(user):
        return True
    if not may_administer_organisation(user, appointment.organisation_id):
        return False
    return (
        OrganisationAdministrator.objects.filter(organisation_id=appointment.organisation_id)
        .exclude(pk=appointment.pk)
        .exists()
    )


def may_administer_unit(user: Any, unit: ServiceUnit) -> bool:
    """Change the unit's details and its staff's roles in it."""
    return may_administer_organisation(user, unit.organisation_id) or (
        unit.pk in administered_unit_ids(user)
    )


def may_change_unit_setup(user: Any, unit: ServiceUnit) -> bool:
    """Change what a unit is: its name, kind and confidentiality domain. The domain decides
    which records the unit's staff may reach across units, so it is the data controller's
    decision (its administrators'), not the unit's own administrator's, who changes the
    unit's contact details."""
    return may_administer_organisation(user, unit.organisation_id)


# The roles a unit's own administrator gives in their unit. A leader's oversight (the access
# review, the unit's persons where the controller allows it) and the unit administrator's
# role itself are the organisation's to give: otherwise two unit administrators would give
# each other any role, and "nobody gives their own roles" would fall with one friend.
UNIT_ADMINISTRATOR_GIVES = frozenset({Membership.Role.WORKER, Membership.Role.COORDINATOR})


def may_give_role(user: Any, unit: ServiceUnit, role: str) -> bool:
    """Give `role` in `unit`, by adding it to an account or by an invitation (checked again
    when the invitation is accepted, so an inviter who has since lost the right, or whose
    account is deactivated, gives nothing). The instance's and the organisation's
    administrators give every role; a unit administrator gives worker and coordinator in
    their own unit."""
    if not getattr(user, "is_active", False):
        return False
    if may_administer_organisation(user, unit.organisation_id):
        return True
    return unit.pk in administered_unit_ids(user) and role in UNIT_ADMINISTRATOR_GIVES


def role_refusal(user: Any, unit: ServiceUnit, role: str) -> str | None:
    """Why `user` may not give (or remove) `role` in `unit`, naming who can; None when they
    may. Removing follows the same rule: a unit administrator who could take a leader's or
    another unit administrator's role away would decide the unit's oversight alone."""
    if may_give_role(user, unit, role):
        return None
    if not may_administer_unit(user, unit):
        return _(
            "You are not an administrator of this unit. Ask the unit's or the organisation's "
            "administrator."
        )
    return _(
        "Only the administrator of %(organisation)s gives and removes the role %(role)s. Ask "
        "them; as unit administrator you give and remove the roles worker and coordinator."
    ) % {"organisation": unit.organisation.name, "role": Membership.Role(role).label.lower()}


def may_administer_staff_member(user: Any, staff: Any) -> bool:
    """See a staff member's account and change their roles in the units the user runs. An
    instance administrator runs every account; an organisation's administrator the accounts
    holding a role in its units or administering it; a unit administrator the accounts holding
    a role in their unit. What the account holds elsewhere stays out of their reach."""
    if is_instance_admin(user):
        return True
    organisation_ids = administered_organisation_ids(user)
    unit_ids = administered_unit_ids(user)
    if not (organisation_ids or unit_ids):
        return False
    return (
        Membership.objects.filter(user=staff)
        .filter(Q(unit__organisation_id__in=organisation_ids) | Q(unit_id__in=unit_ids))
        .exists()
        or OrganisationAdministrator.objects.filter(
            user=staff, organisation_id__in=organisation_ids
        ).exists()
    )


def deactivation_refusal(user: Any, staff: Any) -> str | None:
    """Why `user` may not deactivate or reactivate `staff`'s account; None when they may.

    Deactivating ends the account everywhere, so an administrator other than the instance's
    may do it only when they could remove every role the person holds: each in a unit they
    run, and, for a unit's administrator, only the roles they give (a leader or another unit
    administrator is the organisation's to remove). The person must also administer no
    organisation the user does not run, and be no instance administrator."""
    if is_instance_admin(user):
        return None
    if staff.is_instance_admin or not may_administer_staff_member(user, staff):
        return _("Only the instance's administrators can deactivate this account.")
    organisation_ids = administered_organisation_ids(user)
    unit_ids = administered_unit_ids(user)
    memberships = Membership.objects.filter(user=staff).exclude(
        unit__organisation_id__in=organisation_ids
    )
    if memberships.exclude(unit_id__in=unit_ids).exists():
        return _(
            "This person also works in units you do not administer, so you cannot deactivate "
            "the account. Remove their roles in your units instead, or ask the instance's "
            "administrators."
        )
    if memberships.exclude(role__in=UNIT_ADMINISTRATOR_GIVES).exists():
        return _(
            "This person holds a role only the organisation's administrator removes, so you "
            "cannot deactivate the account. Ask the organisation's administrator."
        )
    if (
        OrganisationAdministrator.objects.filter(user=staff)
        .exclude(organisation_id__in=organisation_ids)
        .exists()
    ):
        return _("Only the instance's administrators can deactivate this account.")
    return None


def require_deactivate(user: Any, staff: Any) -> None:
    refusal = deactivation_refusal(user, staff)
    if refusal is not None:
        raise PermissionDenied(refusal)


def require_manage_organisations(user: Any) -> None:
    if not may_manage_organisations(user):
        raise PermissionDenied(
            _("Only the instance's administrators create organisations. Ask one of them.")
        )


def require_administer_organisation(user: Any, organisation_id: int) -> None:
    if not may_administer_organisation(user, organisation_id):
        raise PermissionDenied(
            _(
                "You are not an administrator of this organisation. Ask its administrator or "
                "the instance's administrators."
            )
        )


def require_administer_unit(user: Any, unit: ServiceUnit) -> None:
    if not may_administer_unit(user, unit):
        raise PermissionDenied(
            _(
                "You are not an administrator of this unit. Ask the unit's or the "
                "organisation's administrator."
            )
        )


def may_see_instance_health(user: Any) -> bool:
    """The instance's health (its worker, queue, failures and audit checks) is about the
    whole instance, run for every data controller on it: only its administrators see it."""
    return is_instance_admin(user)


def require_see_instance_health(user: Any) -> None:
    if not may_see_instance_health(user):
        raise PermissionDenied(
            _(
                "Only the instance's administrators see how the instance runs. Ask one of them "
                "if something does not work."
            )
        )


def may_publish_instance_defaults(user: Any) -> bool:
    """Publish the instance's own consent texts and retention rules: the defaults every
    organisation without its own uses. The instance's administrators keep them, as they
    speak for no single data controller."""
    return is_instance_admin(user)


def require_publish_instance_defaults(user: Any) -> None:
    if not may_publish_instance_defaults(user):
        raise PermissionDenied(
            _(
                "Only the instance's administrators change what every organisation uses by "
                "default. Change your own organisation's instead."
            )
        )


def require_administer_some_organisation(user: Any) -> None:
    if not (is_instance_admin(user) or administered_organisation_ids(user)):
        raise PermissionDenied(
            _(
                "Consent texts, consent rules and retention are set by an organisation's "
                "administrators. Ask your organisation's administrator."
            )
        )
