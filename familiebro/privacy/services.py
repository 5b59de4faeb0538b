"""What people do with need-to-know: assign a staff member or unit to a person, and end it.

Consent has its own pair of modules (consent_services for what people do, consent_reads for
what the screens read), and exceptional access its own (exceptional).

Every function validates first, changes and audits in one transaction, and refuses with a
message that says what was wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, Person, ServiceUnit

from . import audit, policy
from .models import (
    Assignment,
)


@transaction.atomic
def assign(
    actor: Any, person: Person, *, user: Any = None, unit: ServiceUnit | None = None, reason: str
) -> Assignment:
    """Give a colleague or a unit a need to know about a person of the own organisation."""
    policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    if user is None and unit is None:
        raise ValidationError(_("Choose a colleague or a unit."))
    target_orgs = (
        {unit.organisation_id}
        if unit is not None
        else set(
            Membership.objects.filter(user=user).values_list("unit__organisation_id", flat=True)
        )
    )
    if person.organisation_id not in target_orgs:
        raise ValidationError(
            _(
                "Only colleagues in the person's own organisation can be "
                "assigned. Other services need the family's consent."
            )
        )
    if unit is None:
        # A colleague's need to know is given in the domain the two of them share: the actor's
        # own need to know cannot open another service's duty of confidentiality.
        shared = sorted(
            set(policy.domains_of(user, person.organisation_id))
            & set(policy.domains_of(actor, person.organisation_id))
        )
        if not shared:
            raise ValidationError(
                _(
                    "This colleague works in another service, under another duty of "
                    "confidentiality. Other services need the family's consent."
                )
            )
        if len(shared) > 1:
            raise ValidationError(
                _("This colleague works in more than one of your services: choose the unit.")
            )
        domain = shared[0]
    else:
        domain = unit.domain
        if domain not in policy.domains_of(actor, person.organisation_id):
            raise ValidationError(
                _(
                    "This unit works in another service, under another duty of "
                    "confidentiality. Other services need the family's consent."
                )
            )
    if not policy.knows_in_domain(actor, person.pk, domain):
        raise ValidationError(
            _(
                "You do not work with the person in this service yourself, so you cannot "
                "give a colleague a need to know there."
            )
        )
    assignment = Assignment.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        user=user,
        unit=unit,
        domain=domain,
        reason=reason,
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[assignment],
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
    )
    return assignment


# Checks from other apps whose records keep a need to know open: each returns why the
# assignment must stay (and what to do instead), or None. The cases app registers one for
# the participants of an open case.
_keepers: list[Callable[[Assignment], str | None]] = []


def register_keeper(check: Callable[[Assignment], str | None]) -> None:
    """Let an app refuse the ending of an assignment its records depend on."""
    _keepers.append(check)


def kept_open_by(assignment: Assignment) -> str | None:
    """Why the assignment cannot be ended by hand, if something still depends on it."""
    for check in _keepers:
        reason = check(assignment)
        if reason:
            return reason
    return None


def _refusal_to_end(actor: Any, assignment: Assignment) -> str | None:
    scope = policy.scope_of(actor)
    if assignment.organisation_id in scope.organisation_ids:
        if assignment.user_id is not None and assignment.user_id == actor.pk:
            return None
        if assignment.unit_id is not None and assignment.unit_id in scope.unit_ids:
            return None
        # A leader ends the need to know their unit holds, and their members' in the led
        # unit's domain.
        led_here = [unit for unit, domain in scope.led_domains if domain == assignment.domain]
        if scope.leader_unit_ids and (
            assignment.unit_id in scope.leader_unit_ids
            or (
                assignment.user_id is not None
                and Membership.objects.filter(
                    user_id=assignment.user_id, unit_id__in=led_here
                ).exists()
            )
        ):
            return None
    return _(
        "You can end only your own or your unit's need to know of a person. Ask the colleague "
        "it belongs to, or the leader of their unit, to end it."
    )


def may_end_assignment(actor: Any, assignment: Assignment) -> bool:
    """Whether the actor may end it: their own, their unit's, or (as its leader) one given to
    their unit or to one of its members."""
    return _refusal_to_end(actor, assignment) is None


@transaction.atomic
def end_assignment(actor: Any, assignment: Assignment, reason: str) -> Assignment:
    """End a staff member's or a unit's need to know of a person: the work with them is over.

    From the next request they see the person no more (unless another assignment, a consent
    or an exceptional access opens them), and retention counts the person's last activity
    from now. A need to know an open case depends on ends with the participation or the
    case instead, so that nobody working on a case loses sight of it by accident.
    """
    if reason not in Assignment.EndReason.values:
        raise ValidationError({"reason": [_("Choose why the need to know ends.")]})
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    refusal = _refusal_to_end(actor, assignment)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if assignment.ended_at is not None:
        raise ValidationError(
            _("This need to know already ended on %(date)s. There is nothing more to do.")
            % {"date": f"{timezone.localtime(assignment.ended_at):%d.%m.%Y}"}
        )
    kept = kept_open_by(assignment)
    if kept is not None:
        raise ValidationError(kept)
    now = timezone.now()
    assignment.ended_at = now
    # The work may have ended earlier (a closed case it came from); never later than now.
    assignment.work_ended_at = assignment.work_ended_at or now
    assignment.end_reason = reason
    assignment.save(update_fields=["ended_at", "work_ended_at", "end_reason"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[assignment],
        subject_ids=[assignment.person_id],
        organisation_id=assignment.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail={"event": "ended", "end_reason": reason},
    )
    return assignment
