"""Role rules of the person pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from familiebro.core.models import ADDRESS_PROTECTION_RANK, Membership, Person


def may_lower_address_protection(actor: Any, person: Person) -> bool:
    """Lowering or lifting a protected address shows the family's whereabouts again, so it is
    a leader's decision: a leader of a unit in the person's organisation. Recording or raising
    it is for anyone who may change the person (policy CHANGE): it only hides more, and it
    must not wait for a leader when the register's protection has just been learnt of."""
    return Membership.objects.filter(
        user=actor, role=Membership.Role.LEADER, unit__organisation_id=person.organisation_id
    ).exists()


def require_may_set_address_protection(actor: Any, person: Person, level: str) -> None:
    lowers = ADDRESS_PROTECTION_RANK[level] < ADDRESS_PROTECTION_RANK[person.address_protection]
    if lowers and not may_lower_address_protection(actor, person):
        raise PermissionDenied(
            _(
                "Only a unit leader can lower or lift a protected address, since it shows "
                "where the family lives again. Ask your leader to do it once the population "
                "register no longer has the protection."
            )
        )
