"""What the staff pages of the administration area show: the staff an administrator runs,
one staff member's account and roles, and the invitations waiting for an answer.

An administrator sees only the roles held in the units they run; what a person holds
elsewhere is another administrator's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, OrganisationAdministrator, ServiceUnit, User

from . import permissions
from .models import Invitation

PAGE_SIZE = 200


def administered_units(admin: Any) -> QuerySet[ServiceUnit]:
    """The units `admin` runs: every unit for an instance administrator."""
    units = ServiceUnit.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if permissions.is_instance_admin(admin):
        return units
    return units.filter(
        Q(organisation_id__in=permissions.administered_organisation_ids(admin))
        | Q(pk__in=permissions.administered_unit_ids(admin))
    )


def require_staff_administrator(admin: Any) -> None:
    if not (
        permissions.is_instance_admin(admin)
        or permissions.administered_organisation_ids(admin)
        or permissions.administered_unit_ids(admin)
    ):
        raise PermissionDenied(
            _(
                "The staff pages are for administrators. Ask your unit's or your "
                "organisation's administrator if something needs changing."
            )
        )


@dataclass(frozen=True)
class StaffRow:
    user: User
    memberships: list[Membership]
    administers: list[str]


@dataclass(frozen=True)
class StaffList:
    rows: list[StaffRow]
    query: str
    truncated: bool
    invitations: list[Invitation]


def _memberships_in_scope(admin: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(unit__in=administered_units(admin))
        .select_related("unit__organisation")
        .order_by("unit__name", "role")
    )


def _staff_in_scope(admin: Any) -> QuerySet[User]:
    users = User.objects.all()
    if not permissions.is_instance_admin(admin):
        organisation_ids = permissions.administered_organisation_ids(admin)
        users = users.filter(
            Q(memberships__unit__in=administered_units(admin))
            | Q(administered_organisations__organisation_id__in=organisation_ids)
        ).distinct()
    return users


def staff_list(admin: Any, query: str = "") -> StaffList:
    """The staff `admin` runs, by name, with their roles in the admin's units; `query`
    searches name, username and e-mail."""
    require_staff_administrator(admin)
    query = query.strip()[:100]
    users = _staff_in_scope(admin)
    if query:
        for word in query.split():
            users = users.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
    organisations = OrganisationAdministrator.objects.select_related("organisation")
    if not permissions.is_instance_admin(admin):
        organisations = organisations.filter(
            organisation_id__in=permissions.administered_organisation_ids(admin)
        )
    users = users.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch("memberships", queryset=_memberships_in_scope(admin), to_attr="scoped"),
        Prefetch("administered_organisations", queryset=organisations, to_attr="scoped_orgs"),
    )
    found = list(users[: PAGE_SIZE + 1])
    rows = [
        StaffRow(
            user=user,
            memberships=user.scoped,  # type: ignore[attr-defined]
            administers=[a.organisation.name for a in user.scoped_orgs],  # type: ignore[attr-defined]
        )
        for user in found[:PAGE_SIZE]
    ]
    invitations = open_invitations(admin)
    if query:
        invitations = [
            i
            for i in invitations
            if all(
                word.lower() in f"{i.first_name} {i.last_name} {i.email}".lower()
                for word in query.split()
            )
        ]
    return StaffList(
        rows=rows, query=query, truncated=len(found) > PAGE_SIZE, invitations=invitations
    )


def open_invitations(admin: Any) -> list[Invitation]:
    """Invitations not yet accepted or withdrawn, in the units `admin` runs (expired ones too,
    so they can be sent again)."""
    return list(
        Invitation.objects.filter(
            unit__in=administered_units(admin),
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("unit__organisation")
        .order_by("-sent_at")
    )


def invitation(admin: Any, invitation_id: int) -> Invitation:
    require_staff_administrator(admin)
    found = Invitation.objects.select_related("unit__organisation").filter(pk=invitation_id).first()
    # One outside the units the admin runs is not found either: no page tells whether it
    # exists.
    if found is None or not permissions.may_administer_unit(admin, found.unit):
        raise Http404(_("No such invitation. It may have been withdrawn."))
    return found


@dataclass(frozen=True)
class StaffMember:
    user: User
    memberships: list[Membership]
    administers: list[str]
    deactivation_refusal: str | None  # why the reader may not deactivate the account
    is_self: bool


def staff_member(admin: Any, user_id: int) -> StaffMember:
    require_staff_administrator(admin)
    user = User.objects.filter(pk=user_id).first()
    # Someone the admin does not run is not found either: no page tells whether they exist.
    if user is None or not permissions.may_administer_staff_member(admin, user):
        raise Http404(_("No such staff member in the units you administer."))
    administers = OrganisationAdministrator.objects.filter(user=user).select_related("organisation")
    if not permissions.is_instance_admin(admin):
        administers = administers.filter(
            organisation_id__in=permissions.administered_organisation_ids(admin)
        )
    return StaffMember(
        user=user,
        memberships=list(_memberships_in_scope(admin).filter(user=user)),
        administers=[a.organisation.name for a in administers],
        deactivation_refusal=permissions.deactivation_refusal(admin, user),
        is_self=user.pk == admin.pk,
    )


def staff_account(admin: Any, user_id: int) -> User:
    """The account `admin` acts on, if they run it."""
    return staff_member(admin, user_id).user


def membership(admin: Any, membership_id: int, user_id: int) -> Membership:
    """A membership of the staff member in a unit `admin` runs."""
    require_staff_administrator(admin)
    found = (
        Membership.objects.select_related("user", "unit__organisation")
        .filter(pk=membership_id, user_id=user_id)
        .first()
    )
    if found is None or not permissions.may_administer_unit(admin, found.unit):
        raise Http404(_("This role has already been removed."))
    return found
