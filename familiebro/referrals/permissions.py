"""Who may do what with referrals: the one place the pages, the actions and the tests ask.

- A referral is read and changed by the casework staff (worker, coordinator, leader) of the
  unit that sent it and of the unit it was sent to (familiebro.privacy.policy, the rule
  `between_units`); which status change each side makes is the lifecycle's
  (familiebro.referrals.lifecycle).
- A referral is written from a child the referrer works with: someone who may change the
  child's case, or who has a need to know about the child in one of their units.
- A transfer hands the case's coordination over, so only someone who may hand it over
  (the coordinator, or the owning unit's leader: familiebro.cases.permissions) sends one.
- A referral that crosses a duty of confidentiality (to another organisation, or to a service
  under another duty) goes on the family's consent to referral naming the receiver. Without
  it, sending is a disclosure the sending service decides as the holder of the information,
  as in familiebro.privacy.disclosure: only the sending unit's leader sends it, on a ground
  from a fixed list (Ground; the duty to inform is owed to child welfare only), with the
  provision of law and why it applies. A worker's own say-so is no ground.
- What a unit takes and its capacity are set by the unit's administrators (its own, and
  its organisation's: familiebro.administration.permissions) and by its leaders, who know
  the waiting list. Neither opens any family's data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from familiebro.administration import permissions as administration
from familiebro.core.models import ConfidentialityDomain, ServiceUnit
from familiebro.privacy import policy

from .lifecycle import RECEIVER, REFERRER
from .models import Ground, Referral, Status

# Which receivers a referral without consent may be sent to on which ground (the receiving
# unit's duty of confidentiality): the duty to inform is owed to child welfare; danger to life
# or health, and a provision the leader names, may be any receiver's. Whether the ground holds
# is the leader's to judge and answer for; the product records it.
RECEIVERS_ON_GROUND: dict[str, set[str]] = {
    Ground.DUTY_TO_REPORT: {ConfidentialityDomain.CHILD_WELFARE},
    Ground.DANGER: set(ConfidentialityDomain.values),
    Ground.LEGAL_PROVISION: set(ConfidentialityDomain.values),
}


def sides_of(user: Any, referral: Referral) -> set[str]:
    """The sides of the referral the user works on: the sending unit's, the receiving
    unit's, or (for a referral between two units of theirs) both."""
    units = policy.scope_of(user).unit_ids
    sides: set[str] = set()
    if referral.from_unit_id in units:
        sides.add(REFERRER)
    # A draft is not sent: nobody receives it yet.
    if referral.to_unit_id in units and referral.status != Status.DRAFT:
        sides.add(RECEIVER)
    return sides


def may_refer_on(referral: Referral, ground: str) -> bool:
    """Whether `ground` lets a referral be sent to its receiver without consent."""
    return referral.to_unit.domain in RECEIVERS_ON_GROUND.get(ground, set())


def grounds_for(referral: Referral) -> list[tuple[str, str]]:
    """The grounds the sending unit's leader chooses among for this receiver."""
    return [(value, str(label)) for value, label in Ground.choices if may_refer_on(referral, value)]


def may_send_without_consent(user: Any, referral: Referral) -> bool:
    """Whether the user decides to send the referral across a duty of confidentiality without
    the family's consent: the sending unit's leader."""
    return referral.from_unit_id in policy.scope_of(user).leader_unit_ids


def may_set_intake(user: Any, unit: ServiceUnit) -> bool:
    """Whether the user sets which referrals the unit takes and its capacity."""
    if not getattr(user, "is_authenticated", False):
        return False
    return administration.may_administer_unit(user, unit) or (
        unit.pk in policy.scope_of(user).leader_unit_ids
    )


def require_set_intake(user: Any, unit: ServiceUnit) -> None:
    if not may_set_intake(user, unit):
        raise PermissionDenied(
            _(
                "Only the unit's administrator or leader sets which referrals it takes and its "
                "capacity."
            )
        )


def register_role_rules() -> None:
    """The rules above that depend on the role alone, for the table of roles."""
    from django.utils.translation import gettext_lazy

    from familiebro.privacy import role_rules

    role_rules.register(
        gettext_lazy("Sets which referrals the unit takes, and its capacity"),
        lambda user, example: may_set_intake(user, example.unit),
    )
