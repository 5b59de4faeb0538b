"""Cases: who works on a case. The coordinator role passes by an offer the colleague accepts
(or declines, or the offer is withdrawn); services take part as participants, those of
another organisation only under the family's consent for coordination.

The rules of case_services hold here too: reads go through the access policy, changes need
work on the case (cases.permissions), every change is audited, and each action is one
transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit
from familiebro.persons import services as person_services
from familiebro.privacy import audit, policy
from familiebro.privacy.models import Consent, Purpose
from familiebro.privacy.policy import Action

from . import permissions
from .case_services import (
    READ,
    WRITE,
    _audit,
    _clean_text,
    _end_need_to_know,
    _give_need_to_know,
    _lock_open,
    _log,
    _require_change,
)
from .deadlines import rules as deadline_rules
from .models import (
    Case,
    Handover,
    LogEntry,
    Participant,
)

# The coordinator ---------------------------------------------------------------------------


def _same_service_domain(case: Case, unit: ServiceUnit) -> bool:
    """Whether `unit` works under the owning unit's duty of confidentiality: the same
    organisation and the same confidentiality domain. Only such a unit shares the need to
    know of the case; any other takes part under consent."""
    return unit.organisation_id == case.organisation_id and unit.domain == case.unit.domain


@transaction.atomic
def offer_handover(actor: Any, case: Case, to_user: Any, message: str = "") -> Handover:
    """Offer the coordinator role to a colleague. Until they accept, the holder keeps it."""
    case = _require_change(actor, case)
    if not permissions.may_hand_over(actor, case):
        raise PermissionDenied(
            _("Only the coordinator or the owning unit's leader can offer the coordinator role.")
        )
    if to_user.pk == case.coordinator_id:
        raise ValidationError({"to_user": [_("This person is already the coordinator.")]})
    if not permissions.may_coordinate(case, to_user):
        raise ValidationError(
            {
                "to_user": [
                    _(
                        "The coordinator must work in the organisation that owns the case, in a "
                        "service under the same duty of confidentiality as %(unit)s."
                    )
                    % {"unit": case.unit.name}
                ]
            }
        )
    message = _clean_text(message, "message", required=False, limit=1000)
    now = timezone.now()
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                case=case,
                organisation_id=case.organisation_id,
                from_user_id=case.coordinator_id,
                to_user=to_user,
                offered_by=actor,
                offered_at=now,
                message=message,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("A handover is already waiting for an answer. Withdraw it first.")
        ) from exc
    # To decide, they must be able to read the case.
    _give_need_to_know(case, user=to_user, why=person_services.CASE_OFFERED_COORDINATOR_REASON)
    _audit(actor, audit.AuditEvent.Action.CREATE, handover, case, to_user=to_user.pk)
    from .notifications import notify

    notify(
        to_user,
        _("You are offered the coordinator role for case %(reference)s.") % {"reference": case},
        case,
    )
    return handover


def _pending(actor: Any, handover_id: Any) -> tuple[Handover, Case]:
    handover = (
        policy.visible(actor, Handover, READ, few_rows=True)
        .select_for_update()
        .select_related("case")
        .filter(pk=handover_id)
        .first()
    )
    if handover is None:
        raise Http404(_("Not found, or you do not have access."))
    if not handover.is_pending:
        raise ValidationError(_("This handover has already been answered."))
    return handover, handover.case


@transaction.atomic
def accept_handover(actor: Any, handover_id: Any) -> Case:
    """The new holder accepts: from now on they are the coordinator."""
    handover, case = _pending(actor, handover_id)
    if handover.to_user_id != actor.pk:
        raise PermissionDenied(_("Only the person the role is offered to can accept it."))
    # The offer, made by someone who works on the case, is what lets the colleague join it:
    # they need not work on it yet, only have the need to know the offer gave them.
    policy.require(actor, Action.CHANGE, case, WRITE)
    case = _lock_open(case)
    now = timezone.now()
    handover.accepted_at = now
    handover.save(update_fields=["accepted_at"])
    previous = case.coordinator_id
    case.coordinator = actor
    case.save(update_fields=["coordinator"])
    Participant.objects.get_or_create(
        case=case,
        user=actor,
        ended_at=None,
        defaults={
            "organisation_id": case.organisation_id,
            "unit": _unit_of(actor, case),
            "role": _("Coordinator"),
            "added_by": actor,
            "added_at": now,
        },
    )
    Deadline = deadline_rules.Deadline
    Deadline.objects.filter(
        case=case, responsible_id=previous, completed_at__isnull=True, cancelled_at__isnull=True
    ).exclude(key=deadline_rules.EVALUATION_KEY).update(responsible=actor)
    _log(
        case,
        actor,
        LogEntry.Kind.COORDINATOR,
        _("%(name)s is the coordinator from now on.") % {"name": actor.display_name()},
        at=now,
    )
    _audit(actor, audit.AuditEvent.Action.CHANGE, case, case, coordinator=[previous, actor.pk])
    return case


@transaction.atomic
def decline_handover(actor: Any, handover_id: Any) -> Handover:
    handover, case = _pending(actor, handover_id)
    if handover.to_user_id != actor.pk:
        raise PermissionDenied(_("Only the person the role is offered to can decline it."))
    handover.declined_at = timezone.now()
    handover.save(update_fields=["declined_at"])
    _audit(actor, audit.AuditEvent.Action.CHANGE, handover, case, answer="declined")
    from .notifications import notify

    notify(
        handover.offered_by,
        _("%(name)s declined the coordinator role for case %(reference)s.")
        % {"name": actor.display_name(), "reference": case},
        case,
    )
    return handover


@transaction.atomic
def withdraw_handover(actor: Any, handover_id: Any) -> Handover:
    handover, case = _pending(actor, handover_id)
    if handover.offered_by_id != actor.pk and not permissions.may_hand_over(actor, case):
        raise PermissionDenied(_("Only whoever offered the role can withdraw the offer."))
    handover.withdrawn_at = timezone.now()
    handover.save(update_fields=["withdrawn_at"])
    _audit(actor, audit.AuditEvent.Action.CHANGE, handover, case, answer="withdrawn")
    return handover


def _unit_of(user: Any, case: Case) -> ServiceUnit:
    memberships = Membership.objects.filter(
        user=user, unit__organisation_id=case.organisation_id
    ).select_related("unit")
    # The owning unit if they work there, else their first unit in the organisation.
    membership = (
        memberships.filter(unit_id=case.unit_id).first() or memberships.order_by("pk").first()
    )
    if membership is None:
        raise ValidationError(_("The person has no role in the organisation that owns the case."))
    return membership.unit


# Participants ------------------------------------------------------------------------------


def coordination_consent(case: Case, unit: ServiceUnit) -> Consent | None:
    """A consent in force that lets `unit` take part in the child's coordination: one that
    covers the information of the service holding the case (or of every service)."""
    return (
        Consent.objects.valid_at()
        .filter(
            Q(recipient_units=unit) | Q(recipient_organisations=unit.organisation_id),
            Q(domain="") | Q(domain=case.unit.domain),
            subject_id=case.child_id,
            organisation_id=case.organisation_id,
            purpose=Purpose.COORDINATION,
        )
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def add_participant(
    actor: Any, case: Case, *, unit: ServiceUnit, user: Any = None, role: str = ""
) -> Participant:
    """A service (or a named colleague) joins the case. A service under the same duty of
    confidentiality as the owning unit (same organisation, same domain) gets the need to know;
    any other service, of the same organisation or another, takes part only under the
    family's consent, which opens to it what the consent covers."""
    case = _require_change(actor, case)
    role = _clean_text(role, "role", required=False, limit=100)
    if user is not None and not Membership.objects.filter(user=user, unit=unit).exists():
        raise ValidationError({"user": [_("The person does not work in the chosen unit.")]})
    now = timezone.now()
    consent = None
    assignment = None
    if _same_service_domain(case, unit):
        assignment = _give_need_to_know(
            case,
            user=user,
            unit=None if user else unit,
            why=role or person_services.CASE_PARTICIPANT_REASON,
        )
    else:
        consent = coordination_consent(case, unit)
        if consent is None:
            raise ValidationError(
                {
                    "unit": [
                        _(
                            "There is no consent in force that lets %(unit)s take part. Record "
                            "the family's consent for coordination, naming %(unit)s, first."
                        )
                        % {"unit": unit.name}
                    ]
                }
            )
    participant = Participant.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit=unit,
        user=user,
        role=role,
        consent=consent,
        assignment=assignment,
        added_by=actor,
        added_at=now,
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, participant, case, unit=unit.pk)
    return participant


@transaction.atomic
def end_participation(actor: Any, participant_id: Any) -> Participant:
    participant = policy.get_or_404(actor, Participant, participant_id, READ)
    case = _require_change(actor, participant.case)
    if participant.ended_at is not None:
        raise ValidationError(_("This participant has already left the case."))
    if participant.user_id is not None and participant.user_id == case.coordinator_id:
        raise ValidationError(_("Hand the coordinator role over before the coordinator leaves."))
    now = timezone.now()
    participant.ended_at = now
    participant.save(update_fields=["ended_at"])
    _end_need_to_know(case, participant.assignment, now)
    _audit(actor, audit.AuditEvent.Action.CHANGE, participant, case, ended=True)
    return participant
