"""Who may read which figures: the reports' one rule, read by the pages and the exports.

Figures are counts, never persons, and every count below 5 is suppressed; still, a figure
is read only by those who answer for the work it counts:

- A **leader of a unit** reads the unit's figures.
- The same leader reads their **organisation's** figures (the municipality's, for a
  municipality), as one aggregate of all its units, never unit by unit: what a leader does
  not lead they see only summed with the rest. A count in the aggregate is hidden also where
  it, less what some leader of the organisation reads for the units they lead, would leave
  fewer than 5: else that leader could subtract their own units and read a small count of
  another's (familiebro.reports.pages).
- Workers, coordinators, unit and organisation administrators, and staff of other
  organisations read no figures here. An organisation's figures never show another's.

Anyone else asking for a unit or organisation gets the same refusal whether it exists or
not, so the question reveals nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy import policy

UNIT = "unit"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class Scope:
    """Whose figures: one unit, or one organisation's units together."""

    kind: str
    pk: int
    name: str
    organisation_id: int
    unit_ids: frozenset[int]

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


def scopes_for(user: Any) -> list[Scope]:
    """The scopes whose figures the user may read: each unit they lead, then the
    organisation of each. One query."""
    led = policy.scope_of(user).leader_unit_ids
    if not led:
        return []
    organisations = ServiceUnit.objects.filter(pk__in=led).values("organisation_id")
    units = list(
        ServiceUnit.objects.filter(organisation_id__in=organisations)
        .values_list("pk", "name", "organisation_id", "organisation__name")
        .order_by("organisation__name", "name", "pk")
    )
    in_organisation: dict[int, set[int]] = defaultdict(set)
    organisation_names: dict[int, str] = {}
    scopes = []
    for pk, name, organisation_id, organisation_name in units:
        in_organisation[organisation_id].add(pk)
        organisation_names[organisation_id] = organisation_name
        if pk in led:
            scopes.append(Scope(UNIT, pk, name, organisation_id, frozenset({pk})))
    for organisation_id, name in organisation_names.items():
        scopes.append(
            Scope(
                ORGANISATION,
                organisation_id,
                name,
                organisation_id,
                frozenset(in_organisation[organisation_id]),
            )
        )
    return scopes


def require_scope(user: Any, key: str | None) -> tuple[Scope, list[Scope]]:
    """The scope named by `key` (the user's first when none is named), with all the user's
    scopes; PermissionDenied, saying why, when the user may not read it."""
    scopes = scopes_for(user)
    if not scopes:
        raise PermissionDenied(
            _("Only the leader of a unit can see its figures. Ask your leader if you need them.")
        )
    if not key:
        return scopes[0], scopes
    for scope in scopes:
        if scope.key == key:
            return scope, scopes
    raise PermissionDenied(
        _(
            "You can see the figures of the units you lead and of their organisation only. "
            "Choose one of them in the list."
        )
    )


def units_each_leader_reads(organisation_id: int) -> list[frozenset[int]]:
    """For every leader in the organisation, the units of it they lead (one query): what
    each could subtract from the organisation's figures."""
    led: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in Membership.objects.filter(
        role=Membership.Role.LEADER, unit__organisation_id=organisation_id
    ).values_list("user_id", "unit_id"):
        led[user_id].add(unit_id)
    return [frozenset(units) for units in led.values()]


def register_role_rules() -> None:
    """The rule above, for the table of what each role may do (privacy.role_rules): asked of
    an example staff member in the example's unit."""
    from django.utils.translation import gettext_lazy

    from familiebro.privacy import role_rules

    role_rules.register(
        gettext_lazy("Sees the figures of their unit and of their organisation as a whole"),
        lambda user, example: any(
            scope.kind == UNIT and scope.pk == example.unit.pk for scope in scopes_for(user)
        ),
    )
