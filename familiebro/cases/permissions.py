"""Who may do what in the cases app: the role rules every action asks, from the pages, the
API, the command line and the tests alike.

Who may change a case:

The access policy (familiebro.privacy.policy) says whose data a user may read, and that a
change needs a need to know in the organisation that owns the data: a consent or an
exceptional access opens reading only. A case narrows that further. Knowing the child (an
assignment from another case, or made on the person page) does not make someone a worker on
every case about the child; the case is changed by those who work on it:

- members of the case's owning unit in a casework role;
- members, in a casework role, of a unit taking part in the case (an active participant row
  for the unit);
- a colleague taking part by name (an active participant row for them), in a casework role in
  the unit they take part for.

The casework roles are worker, coordinator and leader. A unit administrator configures the
unit (its pathway, its offers); that role alone does no casework. A service of another
organisation taking part under the family's consent reads what the consent covers and never
writes, because the policy refuses every change outside the owning organisation.

Who may release a young person's records to the parents: those who may change the case.

Who may hand the coordinator role over: the coordinator (or anyone, while the case has none)
and the owning unit's leader. Who may take it: staff of the owning organisation under the
owning unit's duty of confidentiality.

Who may publish and choose pathways: an instance administrator publishes versions and
chooses for whole municipalities; a unit's administrator or leader chooses for the unit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, Municipality, ServiceUnit
from familiebro.privacy import policy

from .models import Case, Participant

CASEWORK_ROLES = (
    Membership.Role.WORKER,
    Membership.Role.COORDINATOR,
    Membership.Role.LEADER,
)


def casework_unit_ids(actor: Any) -> Any:
    """The units where the actor does casework (a subquery of unit ids)."""
    return Membership.objects.filter(user_id=actor.pk, role__in=CASEWORK_ROLES).values("unit_id")


def works_on(actor: Any, case: Case) -> bool:
    """Whether the actor works on the case: a casework role in its owning unit or in a unit
    taking part in it (the unit as a whole, or the actor by name). One query."""
    if not getattr(actor, "is_authenticated", False):
        return False
    units = casework_unit_ids(actor)
    taking_part = Participant.objects.filter(
        Q(user__isnull=True) | Q(user_id=actor.pk),
        case_id=OuterRef("pk"),
        ended_at__isnull=True,
        unit_id__in=units,
    )
    return (
        Case.objects.filter(pk=case.pk)
        .filter(Q(unit_id__in=units) | Q(Exists(taking_part)))
        .exists()
    )


def require_write(actor: Any, case: Case) -> None:
    """Raise PermissionDenied, saying why and whom to ask, unless the actor may change the
    case: the policy's need to know in the owning organisation, and work on the case."""
    policy.require(actor, policy.Action.CHANGE, case, policy.Purpose.CASEWORK)
    if works_on(actor, case):
        return
    if Membership.objects.filter(
        user_id=actor.pk, unit_id=case.unit_id, role=Membership.Role.UNIT_ADMIN
    ).exists():
        raise PermissionDenied(
            _(
                "A unit administrator sets up the unit but does not do casework. To work on "
                "this case you need a worker, coordinator or leader role in the unit."
            )
        )
    raise PermissionDenied(
        _(
            "Only the unit that owns this case and the services taking part in it can change "
            "it. Ask the case's coordinator to add you or your unit as a participant."
        )
    )


def may_change(actor: Any, case: Case) -> bool:
    """Whether the actor may change the case (require_write without the reason)."""
    try:
        require_write(actor, case)
    except PermissionDenied:
        return False
    return True


def require_may_release(actor: Any, case: Case) -> None:
    """Releasing a young person's record to the parents (familiebro.privacy.family) is a
    change of the case: for those who may change it, with the same reason when refused."""
    require_write(actor, case)


# The coordinator ---------------------------------------------------------------------------


def may_hand_over(actor: Any, case: Case) -> bool:
    """Whether the actor may offer the coordinator role of the case (or withdraw an offer
    someone else made): its coordinator, anyone while it has none, or the owning unit's
    leader."""
    if case.coordinator_id in (None, actor.pk):
        return True
    leads = Membership.objects.filter(
        user=actor, unit_id=case.unit_id, role=Membership.Role.LEADER
    ).exists()
    return leads


def may_coordinate(case: Case, user: Any) -> bool:
    """Whether `user` may coordinate the case: they must change it, so they work in the owning
    organisation under the owning unit's duty of confidentiality."""
    return Membership.objects.filter(
        user=user, unit__organisation_id=case.organisation_id, unit__domain=case.unit.domain
    ).exists()


# Pathways ----------------------------------------------------------------------------------


def may_publish(user: Any) -> bool:
    """Whether `user` may publish a pathway version (and move cases to it): an instance
    administrator."""
    return bool(getattr(user, "is_instance_admin", False))


def require_may_publish(user: Any) -> None:
    if not may_publish(user):
        raise PermissionDenied(
            _(
                "Only an instance administrator can publish a pathway version: a new version "
                "changes new cases everywhere the pathway is chosen. Ask your instance "
                "administrator."
            )
        )


def choosable_units(user: Any) -> list[ServiceUnit]:
    """The units whose pathway `user` may choose: all for an instance administrator, else
    those they administer or lead."""
    units = ServiceUnit.objects.select_related("organisation__municipality").order_by(
        "organisation__name", "name"
    )
    if may_publish(user):
        return list(units)
    roles = (Membership.Role.UNIT_ADMIN, Membership.Role.LEADER)
    return list(units.filter(memberships__user=user, memberships__role__in=roles).distinct())


def choosable_municipalities(user: Any) -> list[Municipality]:
    """A municipality's choice covers units of many services, so only an instance
    administrator makes it."""
    return list(Municipality.objects.order_by("name")) if may_publish(user) else []


def require_may_choose(
    user: Any, *, municipality: Municipality | None = None, unit: ServiceUnit | None = None
) -> None:
    if may_publish(user):
        return
    if unit is not None and unit.pk in {u.pk for u in choosable_units(user)}:
        return
    if unit is not None:
        raise PermissionDenied(
            _(
                "Only the unit's administrator or leader, or an instance administrator, can "
                "choose the pathway of %(unit)s. Ask one of them."
            )
            % {"unit": unit}
        )
    raise PermissionDenied(
        _(
            "Only an instance administrator can choose the pathway of a whole municipality. "
            "A unit's administrator or leader can choose for their own unit."
        )
    )


def register_role_rules() -> None:
    """The rules above that depend on the role alone, for the table of what each role may
    do (privacy.role_rules)."""
    from django.utils.translation import gettext_lazy

    from familiebro.privacy import role_rules

    role_rules.register(
        gettext_lazy("Publishes pathways for every municipality"),
        lambda user, _example: may_publish(user),
    )
