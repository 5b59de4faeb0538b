"""What each role may do, read from the rules themselves so the table cannot drift from them.

For each role, a representative staff member is made with that role alone, in a unit of the
chosen service, inside a transaction that is rolled back: nothing of them is kept. Each row
asks one rule of the code: the staff menu's areas (privacy.menu.MENU and each area's `who`),
the parts' own role rules (administration's permissions, and those the catalogue and cases
register in privacy.role_rules), and the access policy itself (policy.visible) for a person
the representative's unit is assigned to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import (
    ConfidentialityDomain,
    Membership,
    Organisation,
    OrganisationAdministrator,
    Person,
    ServiceUnit,
    User,
)
from familiebro.privacy import menu, policy, role_rules
from familiebro.privacy.models import Assignment
from familiebro.privacy.role_rules import Example as World

from . import permissions

# The roles, in the order the table shows them: the instance's and the organisation's
# administrators, then each role in a unit (core.Membership.Role).
INSTANCE_ADMIN = "instance_admin"
ORGANISATION_ADMIN = "organisation_admin"


def roles() -> list[tuple[str, str | Promise]]:
    return [
        (INSTANCE_ADMIN, _("Instance administrator")),
        (ORGANISATION_ADMIN, _("Organisation administrator")),
        *((role.value, role.label) for role in Membership.Role),
    ]


# The kind of unit each service's representative works in.
UNIT_KIND_OF_DOMAIN: dict[str, str] = {
    ConfidentialityDomain.HEALTH: ServiceUnit.Kind.HEALTH_CENTRE,
    ConfidentialityDomain.SPECIALIST_HEALTH: ServiceUnit.Kind.BUP,
    ConfidentialityDomain.CHILD_WELFARE: ServiceUnit.Kind.CHILD_WELFARE,
    ConfidentialityDomain.EDUCATION: ServiceUnit.Kind.PPT,
    ConfidentialityDomain.NAV: ServiceUnit.Kind.NAV,
    ConfidentialityDomain.FAMILY_COUNSELLING: ServiceUnit.Kind.FAMILY_COUNSELLING,
    ConfidentialityDomain.CRISIS_SHELTER: ServiceUnit.Kind.CRISIS_SHELTER,
    ConfidentialityDomain.VOLUNTARY: ServiceUnit.Kind.FAMILY_CENTRE,
    ConfidentialityDomain.OTHER: ServiceUnit.Kind.FAMILY_CENTRE,
}


@dataclass(frozen=True)
class Check:
    label: str | Promise
    ask: Callable[[Any, World], bool]


@dataclass(frozen=True)
class Group:
    heading: str | Promise
    checks: tuple[Check, ...]


def _menu_checks() -> tuple[Check, ...]:
    # Read MENU when asked, so the table is the menu as it stands.
    return tuple(Check(area.label, _area_rule(area)) for area in menu.MENU)


def _area_rule(area: menu.Area) -> Callable[[Any, World], bool]:
    def ask(user: Any, world: World) -> bool:
        return area.who(user)

    return ask


def _sees(user: Any, person: Person) -> bool:
    return policy.visible(user, Person, policy.Purpose.CASEWORK).filter(pk=person.pk).exists()


PART_CHECKS = (
    Check(_("Uses the administration pages"), lambda u, w: permissions.is_administrator(u)),
    Check(
        _("Creates organisations and appoints their administrators"),
        lambda u, w: permissions.may_manage_organisations(u),
    ),
    Check(
        _("Runs the organisation: its units, staff, consent texts, consent rules and retention"),
        lambda u, w: permissions.may_administer_organisation(u, w.organisation.pk),
    ),
    Check(
        _("Runs the unit: its details and its staff's roles in it"),
        lambda u, w: permissions.may_administer_unit(u, w.unit),
    ),
    Check(
        _("Gives and removes the leader and unit administrator roles in the unit"),
        lambda u, w: permissions.may_give_role(u, w.unit, Membership.Role.LEADER),
    ),
    Check(
        _("Publishes the instance's default consent texts and retention periods"),
        lambda u, w: permissions.may_publish_instance_defaults(u),
    ),
)

POLICY_CHECKS = (
    Check(
        _("Reads the data of a person their unit is assigned to (need to know)"),
        lambda u, w: _sees(u, w.assigned),
    ),
    Check(
        _("Reads the data of a person of the organisation nobody in their unit is assigned to"),
        lambda u, w: _sees(u, w.unassigned),
    ),
)


def groups() -> tuple[Group, ...]:
    # The parts' own rules (privacy.role_rules), registered when their apps are ready.
    parts = tuple(Check(rule.label, rule.ask) for rule in role_rules.registered())
    return (
        Group(_("Areas of the staff menu"), _menu_checks()),
        Group(_("Setting up and publishing"), PART_CHECKS + parts),
        Group(_("A family's data (the access policy)"), POLICY_CHECKS),
    )


@dataclass(frozen=True)
class Row:
    label: str
    allowed: list[bool]


@dataclass(frozen=True)
class TableGroup:
    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class RoleTable:
    domain: str
    roles: list[str]
    groups: list[TableGroup]


class _Rollback(Exception):
    pass


def _world(domain: str) -> World:
    organisation = Organisation.objects.create(
        name="Eksempel kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        org_number=str(uuid.uuid4().int)[:9],
    )
    unit = ServiceUnit.objects.create(
        organisation=organisation,
        name="Eksempeltjenesten",
        kind=UNIT_KIND_OF_DOMAIN.get(domain, ServiceUnit.Kind.FAMILY_CENTRE),
        domain=domain,
    )
    assigned, unassigned = (
        Person.objects.create(
            organisation=organisation,
            kind=Person.Kind.CHILD,
            given_name="Eksempel",
            family_name=name,
        )
        for name in ("Tildelt", "Utenfor")
    )
    Assignment.objects.create(
        organisation=organisation, person=assigned, unit=unit, domain=domain, reason="example"
    )
    return World(organisation, unit, assigned, unassigned)


def _representative(role: str, world: World) -> User:
    user = User.objects.create(
        username=f"role-table-{role}-{uuid.uuid4().hex}", is_instance_admin=role == INSTANCE_ADMIN
    )
    if role == ORGANISATION_ADMIN:
        OrganisationAdministrator.objects.create(user=user, organisation=world.organisation)
    elif role != INSTANCE_ADMIN:
        Membership.objects.create(user=user, unit=world.unit, role=role)
    return user


def role_table(domain: str = ConfidentialityDomain.HEALTH) -> RoleTable:
    """Ask every rule for a representative of each role in a unit of the service `domain`,
    and roll back everything made to ask."""
    role_list = roles()
    table_groups: list[TableGroup] = []
    try:
        with transaction.atomic():
            world = _world(domain)
            users = [_representative(role, world) for role, _label in role_list]
            for group in groups():
                rows = [
                    Row(str(check.label), [bool(check.ask(user, world)) for user in users])
                    for check in group.checks
                ]
                table_groups.append(TableGroup(str(group.heading), rows))
            raise _Rollback
    except _Rollback:
        pass
    return RoleTable(domain, [str(label) for _role, label in role_list], table_groups)
