"""Cases: what staff do on a family's collaboration pathway, one function per action.

A case belongs to the organisation of its owning unit (the data controller) and is about one
child. Staff of that organisation work on it with a need to know (an assignment made when
they join the case); a service of another organisation takes part only under the family's
consent for coordination, and sees what the consent's scope covers. Every read goes through
the access policy, every change is audited, and each action is one transaction.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import person_services
from familiebro.core.models import GuardianRelation, Membership, Person, ServiceUnit
from familiebro.privacy import audit, policy
from familiebro.privacy.models import Assignment, Consent, Purpose
from familiebro.privacy.models.consent import ConsentQuerySet
from familiebro.privacy.policy import Action

from . import permissions
from .deadlines import rules as deadline_rules
from .help_requests.services import REFERENCE_ALPHABET, identity_numbers_in, units_of
from .models import (
    Case,
    Deadline,
    Decision,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Measure,
    MeasureEvaluation,
    Meeting,
    Milestone,
    Participant,
    PathwayChoice,
    PathwayDefinition,
    PathwayVersion,
)

# Case pages read for coordination: the purpose a family's consent names when another
# service takes part. Staff with a need to know in the owning organisation read for it too.
READ = Purpose.COORDINATION
WRITE = policy.Purpose.CASEWORK
REFERENCE_PREFIX = "SAK"
MAX_TEXT = 5000
MAX_TITLE = 200
DEFAULT_DEFINITION = "bti"
LOW_THRESHOLD_DEFINITION = "familiehjelpa"


class EditConflict(Exception):
    """Someone saved the same thing since the form was opened: nothing was saved."""

    def __init__(self, current: Any, attempted: dict[str, Any]) -> None:
        super().__init__(
            _(
                "Someone else saved this while you were editing. Nothing was saved: compare "
                "the two versions below, merge them and save again."
            )
        )
        self.current = current
        self.attempted = attempted


# Reading -----------------------------------------------------------------------------------


def get_case(actor: Any, case_id: Any) -> Case:
    """One case the actor may read, audited; 404 otherwise."""
    case = policy.get_or_404(actor, Case, case_id, READ)
    return case


def may_change(actor: Any, case: Case) -> bool:
    """Whether the actor may change the case (permissions.may_write: those who work on it)."""
    return permissions.may_write(actor, case)


def _require_change(actor: Any, case: Case) -> Case:
    """The case, locked for the change, once the actor may change it: they work on it."""
    permissions.require_write(actor, case)
    return _lock_open(case)


def _lock_open(case: Case) -> Case:
    """The case locked for a change; refused with the reason if it is closed."""
    locked = (
        Case.objects.select_for_update()
        .select_related("pathway_version__definition")
        .get(pk=case.pk)
    )
    if not locked.is_open:
        raise ValidationError(
            _("The case is closed. Open a new case if the family needs help again.")
        )
    return locked


def _audit(actor: Any, action: str, obj: Any, case: Case, **detail: Any) -> None:
    audit.record(
        action,
        actor=actor,
        objects=[obj],
        subject_ids=[case.child_id],
        organisation_id=case.organisation_id,
        purpose=WRITE,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail=detail,
    )


def _clean_text(
    value: str, field_name: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationError({field_name: [_("This cannot be empty. Write a few words.")]})
    if len(text) > limit:
        raise ValidationError({field_name: [_("Write at most %(n)d characters.") % {"n": limit}]})
    if identity_numbers_in(text):
        raise ValidationError(
            {
                field_name: [
                    _(
                        "Remove the identity number from the text: the case already knows "
                        "whom it is about."
                    )
                ]
            }
        )
    return text


# Pathways ----------------------------------------------------------------------------------


def latest_version(definition: PathwayDefinition) -> PathwayVersion:
    version = definition.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("This pathway has no published version yet."))
    return version


def pathway_for(unit: ServiceUnit) -> PathwayVersion:
    """The pathway a unit opens cases on: its own choice, its municipality's, or the default
    (Familiehjelpa for low-threshold teams, BTI for everyone else)."""
    choice = PathwayChoice.objects.filter(unit=unit).select_related("definition").first()
    municipality_id = unit.organisation.municipality_id
    if choice is None and municipality_id is not None:
        choice = (
            PathwayChoice.objects.filter(municipality_id=municipality_id, unit__isnull=True)
            .select_related("definition")
            .first()
        )
    if choice is not None:
        return latest_version(choice.definition)
    key = (
        LOW_THRESHOLD_DEFINITION
        if unit.kind == ServiceUnit.Kind.LOW_THRESHOLD_TEAM
        else DEFAULT_DEFINITION
    )
    return latest_version(PathwayDefinition.objects.get(key=key))


# Opening -----------------------------------------------------------------------------------


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def _family_ids(case: Case) -> list[int]:
    """The child and the guardians with parental responsibility: the case's family."""
    guardians = GuardianRelation.objects.filter(
        child_id=case.child_id, has_parental_responsibility=True
    ).values_list("guardian_id", flat=True)
    return [case.child_id, *guardians]


def _give_need_to_know(
    case: Case, *, user: Any = None, unit: ServiceUnit | None = None, why: str
) -> Assignment:
    """Assign the family to a colleague or unit joining the case; returns the child's row."""
    given = [
        Assignment.objects.create(
            organisation_id=case.organisation_id,
            person_id=person_id,
            user=user,
            unit=unit,
            reason=why[:200],
        )
        for person_id in _family_ids(case)
    ]
    case.need_to_know_given.add(*given)
    return given[0]


def _end_need_to_know(case: Case, assignment: Assignment | None, at: datetime.datetime) -> None:
    if assignment is None:
        return
    # The same assignment for every family member: same user (or none), same unit (or none).
    same_holder = {"user_id": assignment.user_id, "unit_id": assignment.unit_id}
    Assignment.objects.filter(
        given_by_case=case,
        **same_holder,
        reason=assignment.reason,
        ended_at__isnull=True,
    ).update(ended_at=at)


def _log(
    case: Case,
    author: Any,
    kind: str,
    text: str,
    *,
    internal_reason: str = "",
    meeting: Any = None,
    measure: Measure | None = None,
    at: datetime.datetime | None = None,
) -> LogEntry:
    return LogEntry.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        kind=kind,
        text=text,
        internal_reason=internal_reason,
        author=author,
        created_at=at or timezone.now(),
        meeting=meeting,
        measure=measure,
    )


def _take_over_request(actor: Any, help_request: HelpRequest) -> HelpRequest:
    """The request a case is opened from: converted now, or earlier (e.g. to the allocation
    meeting) as long as no case was opened from it yet."""
    from .help_requests.services import convert_to_case

    if help_request.status != HelpRequest.Status.CONVERTED:
        return convert_to_case(actor, help_request)
    if Case.objects.filter(help_request=help_request).exists():
        raise ValidationError(_("A case is already opened from this request."))
    return help_request


def case_of_request(actor: Any, help_request: HelpRequest) -> Case | None:
    """The case opened from a request, if the actor may see it (audited as shown)."""
    rows = policy.list_page(
        actor,
        policy.visible(actor, Case, READ, few_rows=True).filter(help_request=help_request),
        READ,
    )
    return rows[0] if rows else None


@transaction.atomic
def open_case(
    actor: Any,
    *,
    child: Person,
    unit: ServiceUnit,
    origin: str,
    concern: str = "",
    help_request: HelpRequest | None = None,
    raised_by_name: str = "",
    raised_by_email: str = "",
    received_at: datetime.datetime | None = None,
    coordinator_wish: str = "",
    pathway: PathwayVersion | None = None,
) -> Case:
    """Open a case for a child: the actor becomes its coordinator, the owning unit and the
    actor get the need to know, and the pathway's first deadlines start."""
    policy.require(actor, Action.CHANGE, child, WRITE)
    errors: dict[str, list[str]] = {}
    if unit.pk not in policy.scope_of(actor).unit_ids:
        errors["unit"] = [_("Choose one of your own units as the case's owner.")]
    elif not permissions.casework_unit_ids(actor).filter(unit_id=unit.pk).exists():
        # The one who opens a case becomes its coordinator: that is casework.
        errors["unit"] = [
            _(
                "A unit administrator does not open cases. Choose a unit where you are a "
                "worker, coordinator or leader."
            )
        ]
    elif unit.organisation_id != child.organisation_id:
        errors["unit"] = [
            _("The owning unit must belong to the organisation where the child is registered.")
        ]
    if child.kind not in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON):
        errors["child"] = [_("A case is about a child or a young person. Choose the child.")]
    if origin not in Case.Origin.values:
        errors["origin"] = [_("Choose how the case came about.")]
    if origin == Case.Origin.HELP_REQUEST and help_request is None:
        errors["origin"] = [_("Open the case from the request for help in the inbox.")]
    try:
        concern = _clean_text(concern, "concern", required=help_request is None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        errors["received_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    if help_request is not None:
        help_request = _take_over_request(actor, help_request)
        received_at = help_request.received_at
        raised_by_name = raised_by_name or help_request.requester_name
        raised_by_email = raised_by_email or help_request.email
    version = pathway or pathway_for(unit)
    spec = version.parsed
    case = None
    for attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=new_reference(),
                    organisation_id=unit.organisation_id,
                    unit=unit,
                    child=child,
                    pathway_version=version,
                    phase=spec.start,
                    origin=origin,
                    help_request=help_request,
                    raised_by_user=actor if origin == Case.Origin.STAFF_CONCERN else None,
                    raised_by_name=raised_by_name[:200],
                    raised_by_email=raised_by_email,
                    received_at=received_at,
                    opened_at=now,
                    opened_by=actor,
                    coordinator=actor,
                    coordinator_wish=coordinator_wish.strip()[:200],
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    assert case is not None
    unit_assignment = _give_need_to_know(
        case, unit=unit, why=person_services.CASE_OWNING_UNIT_REASON
    )
    Participant.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit=unit,
        role=_("Owning unit"),
        assignment=unit_assignment,
        added_by=actor,
        added_at=now,
    )
    own = _give_need_to_know(case, user=actor, why=person_services.CASE_COORDINATOR_REASON)
    Participant.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit=unit,
        user=actor,
        role=_("Coordinator"),
        assignment=own,
        added_by=actor,
        added_at=now,
    )
    if concern:
        _log(case, actor, LogEntry.Kind.CONCERN, concern, at=now)
    _audit(actor, audit.AuditEvent.Action.CREATE, case, case, origin=origin, phase=case.phase)
    deadline_rules.on_case_received(case)
    deadline_rules.on_phase_entered(case, case.phase, now)
    if help_request is not None and help_request.first_contacted_at is not None:
        first_contact = spec.milestone("first_contact")
        if first_contact is not None:
            _record_milestone(actor, case, "first_contact", help_request.first_contacted_at)
    return case


# Decisions and milestones ------------------------------------------------------------------


@transaction.atomic
def decide(
    actor: Any,
    case: Case,
    *,
    option: str,
    reason: str,
    close_reason: str = "",
    summary: str = "",
) -> Decision:
    """Choose an option at the current phase's decision point; the case moves on (or closes).

    Every decision is kept with who, when, which option and why."""
    case = _require_change(actor, case)
    spec = case.pathway_version.parsed
    phase = spec.phase(case.phase)
    if phase.decision is None:
        raise ValidationError(_("This phase has no decision point."))
    chosen = phase.decision.option(option)
    if chosen is None:
        raise ValidationError({"option": [_("Choose one of the options.")]})
    reason = _clean_text(reason, "reason")
    now = timezone.now()
    decision = Decision.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        phase=phase.key,
        option=chosen.key,
        to_phase=chosen.to or "",
        reason=reason,
        decided_by=actor,
        decided_at=now,
    )
    _log(
        case,
        actor,
        LogEntry.Kind.DECISION,
        f"{phase.decision.question} {chosen.label}. {reason}",
        at=now,
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, decision, case, option=chosen.key)
    deadline_rules.on_decision(case, phase.key, leaves_phase=chosen.to != phase.key, at=now)
    if chosen.closes:
        _close(actor, case, close_reason, summary, now)
    elif chosen.to != case.phase:
        case.phase = chosen.to or case.phase
        case.save(update_fields=["phase"])
        deadline_rules.on_phase_entered(case, case.phase, now)
    return decision


def _record_milestone(actor: Any, case: Case, key: str, at: datetime.datetime) -> Milestone:
    milestone = Milestone.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        key=key,
        recorded_by=actor,
        occurred_at=at,
    )
    kind = case.pathway_version.parsed.milestone(key)
    _log(case, actor, LogEntry.Kind.MILESTONE, str(kind.label) if kind else key, at=at)
    _audit(actor, audit.AuditEvent.Action.CREATE, milestone, case, milestone=key)
    deadline_rules.on_milestone(case, key, at)
    return milestone


@transaction.atomic
def record_milestone(
    actor: Any, case: Case, key: str, occurred_at: datetime.datetime | None = None
) -> Milestone:
    """Something the pathway waits for has happened (first contact, screening done…)."""
    case = _require_change(actor, case)
    if case.pathway_version.parsed.milestone(key) is None:
        raise ValidationError(_("This pathway has no such milestone."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise ValidationError({"occurred_on": [_("The date cannot be in the future.")]})
    return _record_milestone(actor, case, key, occurred_at)


# The coordinator ---------------------------------------------------------------------------


def _same_service_domain(case: Case, unit: ServiceUnit) -> bool:
    """Whether `unit` works under the owning unit's duty of confidentiality: the same
    organisation and the same confidentiality domain. Only such a unit shares the need to
    know of the case; any other takes part under consent."""
    return unit.organisation_id == case.organisation_id and unit.domain == case.unit.domain


def _colleague_in(case: Case, user: Any) -> bool:
    """Whether `user` may coordinate the case: they must change it, so they work in the owning
    organisation under the owning unit's duty of confidentiality."""
    return Membership.objects.filter(
        user=user, unit__organisation_id=case.organisation_id, unit__domain=case.unit.domain
    ).exists()


def _may_hand_over(actor: Any, case: Case) -> bool:
    if case.coordinator_id in (None, actor.pk):
        return True
    leads = Membership.objects.filter(
        user=actor, unit_id=case.unit_id, role=Membership.Role.LEADER
    ).exists()
    return leads


@transaction.atomic
def offer_handover(actor: Any, case: Case, to_user: Any, message: str = "") -> Handover:
    """Offer the coordinator role to a colleague. Until they accept, the holder keeps it."""
    case = _require_change(actor, case)
    if not _may_hand_over(actor, case):
        raise PermissionDenied(
            _("Only the coordinator or the owning unit's leader can offer the coordinator role.")
        )
    if to_user.pk == case.coordinator_id:
        raise ValidationError({"to_user": [_("This person is already the coordinator.")]})
    if not _colleague_in(case, to_user):
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
    if handover.offered_by_id != actor.pk and not _may_hand_over(actor, case):
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
    """A consent in force that lets `unit` take part in the child's coordination."""
    return (
        Consent.objects.valid_at()
        .filter(
            Q(recipient_units=unit) | Q(recipient_organisations=unit.organisation_id),
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


# Goals and measures ------------------------------------------------------------------------


@transaction.atomic
def add_goal(actor: Any, case: Case, text: str, parent: Goal | None = None) -> Goal:
    """A goal (or sub-goal) in the family's own words."""
    case = _require_change(actor, case)
    text = _clean_text(text, "text", limit=1000)
    if parent is not None and parent.case_id != case.pk:
        raise ValidationError({"parent": [_("The main goal belongs to another case.")]})
    goal = Goal.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        parent=parent,
        text=text,
        created_by=actor,
        created_at=timezone.now(),
    )
    _log(case, actor, LogEntry.Kind.GOAL, text)
    _audit(actor, audit.AuditEvent.Action.CREATE, goal, case)
    return goal


@dataclass
class MeasureFields:
    title: str
    responsible_unit: ServiceUnit
    start_date: datetime.date
    evaluation_date: datetime.date
    description: str = ""
    responsible_user: Any = None
    goal: Goal | None = None
    internal_reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def _check_measure(case: Case, fields: MeasureFields) -> MeasureFields:
    errors: dict[str, list[str]] = {}
    for name, limit in (("title", MAX_TITLE), ("description", MAX_TEXT)):
        try:
            setattr(
                fields,
                name,
                _clean_text(getattr(fields, name), name, required=name == "title", limit=limit),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    fields.internal_reason = fields.internal_reason.strip()[:300]
    if fields.evaluation_date < fields.start_date:
        errors["evaluation_date"] = [_("The evaluation date cannot be before the start date.")]
    if fields.goal is not None and fields.goal.case_id != case.pk:
        errors["goal"] = [_("The goal belongs to another case.")]
    user = fields.responsible_user
    if (
        user is not None
        and not Membership.objects.filter(user=user, unit=fields.responsible_unit).exists()
    ):
        errors["responsible_user"] = [_("The responsible person does not work in that unit.")]
    if not Participant.objects.filter(
        case=case, unit=fields.responsible_unit, ended_at__isnull=True
    ).exists():
        errors["responsible_unit"] = [
            _("The responsible unit must take part in the case. Add it as a participant first.")
        ]
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def add_measure(actor: Any, case: Case, fields: MeasureFields, meeting: Any = None) -> Measure:
    """A measure with a responsible person and unit, and an evaluation date (a deadline)."""
    case = _require_change(actor, case)
    fields = _check_measure(case, fields)
    measure = Measure.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        goal=fields.goal,
        title=fields.title,
        description=fields.description,
        responsible_unit=fields.responsible_unit,
        responsible_user=fields.responsible_user,
        start_date=fields.start_date,
        evaluation_date=fields.evaluation_date,
        internal_reason=fields.internal_reason,
        meeting=meeting,
        created_by=actor,
        created_at=timezone.now(),
    )
    _log(
        case,
        actor,
        LogEntry.Kind.MEASURE,
        _("Measure: %(title)s. Responsible: %(unit)s. Evaluation on %(date)s.")
        % {
            "title": measure.title,
            "unit": fields.responsible_unit.name,
            "date": fields.evaluation_date.strftime("%d.%m.%Y"),
        },
        internal_reason=fields.internal_reason,
        measure=measure,
    )
    deadline_rules.schedule_evaluation(measure)
    _audit(actor, audit.AuditEvent.Action.CREATE, measure, case)
    return measure


MEASURE_EDITABLE = (
    "title",
    "description",
    "responsible_unit",
    "responsible_user",
    "start_date",
    "evaluation_date",
    "goal",
    "internal_reason",
)


@transaction.atomic
def change_measure(
    actor: Any, measure: Measure, fields: MeasureFields, *, based_on: int
) -> Measure:
    """Save changes to a measure made on version `based_on`. If someone saved it since, raise
    EditConflict with their version: no update is ever lost."""
    case = _require_change(actor, measure.case)
    current = Measure.objects.select_for_update().get(pk=measure.pk)
    if current.version != based_on:
        raise EditConflict(current, {name: getattr(fields, name) for name in MEASURE_EDITABLE})
    if current.status != Measure.Status.ACTIVE:
        raise ValidationError(_("The measure is stopped and can no longer be changed."))
    fields = _check_measure(case, fields)
    changed = [name for name in MEASURE_EDITABLE if getattr(current, name) != getattr(fields, name)]
    for name in changed:
        setattr(current, name, getattr(fields, name))
    current.version += 1
    current.save()
    if "evaluation_date" in changed or "responsible_user" in changed:
        deadline_rules.schedule_evaluation(current)
    _audit(actor, audit.AuditEvent.Action.CHANGE, current, case, changed_fields=changed)
    return current


@transaction.atomic
def evaluate_measure(
    actor: Any,
    measure: Measure,
    *,
    what_worked: str,
    decision: str,
    next_evaluation_date: datetime.date | None = None,
) -> MeasureEvaluation:
    """Record the evaluation and the decision: continue, change or stop."""
    case = _require_change(actor, measure.case)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.status != Measure.Status.ACTIVE:
        raise ValidationError(_("The measure is already stopped."))
    errors: dict[str, list[str]] = {}
    try:
        what_worked = _clean_text(what_worked, "what_worked")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if decision not in MeasureEvaluation.Decision.values:
        errors["decision"] = [_("Choose whether to continue, change or stop the measure.")]
    elif decision != MeasureEvaluation.Decision.STOP and next_evaluation_date is None:
        errors["next_evaluation_date"] = [
            _("A measure that goes on needs its next evaluation date.")
        ]
    elif next_evaluation_date is not None and next_evaluation_date < timezone.localdate():
        errors["next_evaluation_date"] = [_("The next evaluation date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    evaluation = MeasureEvaluation.objects.create(
        measure=measure,
        organisation_id=case.organisation_id,
        what_worked=what_worked,
        decision=decision,
        next_evaluation_date=next_evaluation_date,
        evaluated_by=actor,
        evaluated_at=now,
    )
    deadline_rules.complete_evaluation(measure, now)
    if decision == MeasureEvaluation.Decision.STOP:
        measure.status = Measure.Status.STOPPED
        deadline_rules.cancel_for_measure(measure, now)
    else:
        assert next_evaluation_date is not None  # checked above
        measure.evaluation_date = next_evaluation_date
    measure.version += 1
    measure.save()
    if decision != MeasureEvaluation.Decision.STOP:
        deadline_rules.schedule_evaluation(measure)
    _log(
        case,
        actor,
        LogEntry.Kind.EVALUATION,
        _("Evaluation of %(title)s: %(what)s Decision: %(decision)s.")
        % {
            "title": measure.title,
            "what": what_worked,
            "decision": MeasureEvaluation.Decision(decision).label,
        },
        internal_reason=measure.internal_reason,
        measure=measure,
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, evaluation, case, decision=decision)
    return evaluation


# The shared log ----------------------------------------------------------------------------


@transaction.atomic
def write_log_entry(
    actor: Any, case: Case, *, kind: str, text: str, internal_reason: str = ""
) -> LogEntry:
    """A note or an agreement in the shared log; internal ones (with a reason) are staff-only."""
    case = _require_change(actor, case)
    if kind not in (LogEntry.Kind.NOTE, LogEntry.Kind.AGREEMENT):
        raise ValidationError({"kind": [_("Choose whether it is a note or an agreement.")]})
    entry = _log(
        case, actor, kind, _clean_text(text, "text"), internal_reason=internal_reason.strip()[:300]
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, entry, case, kind=kind)
    return entry


@transaction.atomic
def correct_log_entry(actor: Any, entry_id: Any, text: str) -> LogEntry:
    """Correct an entry: the correction replaces it, the earlier text stays for staff."""
    entry = policy.get_or_404(actor, LogEntry, entry_id, READ)
    case = _require_change(actor, entry.case)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.current:
        raise ValidationError(
            _("This entry has already been corrected. Correct the newest version.")
        )
    if entry.author_id != actor.pk:
        raise PermissionDenied(
            _("Only the author can correct an entry. Write a new entry instead.")
        )
    text = _clean_text(text, "text")
    if text == entry.text:
        raise ValidationError({"text": [_("The correction is the same as the entry.")]})
    correction = LogEntry.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        kind=entry.kind,
        text=text,
        internal_reason=entry.internal_reason,
        author=actor,
        created_at=timezone.now(),
        replaces=entry,
        meeting=entry.meeting,
    )
    LogEntry.objects.filter(pk=entry.pk).update(current=False)
    _audit(actor, audit.AuditEvent.Action.CREATE, correction, case, corrects=entry.pk)
    return correction


# Closing -----------------------------------------------------------------------------------


def open_measures(case: Case) -> list[Measure]:
    return list(Measure.objects.filter(case=case, status=Measure.Status.ACTIVE))


def _close(actor: Any, case: Case, reason: str, summary: str, now: datetime.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if reason not in Case.CloseReason.values:
        errors["close_reason"] = [_("Choose why the case is closed.")]
    try:
        summary = _clean_text(summary, "summary")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    still_open = open_measures(case)
    if still_open:
        errors["measures"] = [
            _(
                "These measures are still active: %(titles)s. Evaluate each and decide to stop "
                "it before the case is closed."
            )
            % {"titles": ", ".join(m.title for m in still_open)}
        ]
    if errors:
        raise ValidationError(errors)
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.close_reason = reason
    case.save(update_fields=["status", "closed_at", "close_reason"])
    _log(case, actor, LogEntry.Kind.CLOSING, summary, at=now)
    deadline_rules.cancel_open(case, now)
    # The plan is for coordinated services, which end with the case: the register of active
    # plans must not count it.
    IndividualPlan.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    Handover.objects.filter(
        case=case, accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    _audit(actor, audit.AuditEvent.Action.CHANGE, case, case, status="closed", reason=reason)
    from .notifications import send_feedback_to_referrer

    send_feedback_to_referrer(case)


# The case page -----------------------------------------------------------------------------

# The case page shows the newest entries of the shared log, what has happened lately; the log
# page shows all of it. Each entry shown costs the page about a tenth of a millisecond.
LOG_ON_CASE_PAGE = 20
LOG_PAGE_SIZE = 100


@dataclass
class CasePage:
    case: Case
    basis: policy.Basis
    can_change: bool
    phase: Any  # pathways.Phase
    phases: list[Any]
    log: list[LogEntry]
    goals: list[Goal]
    measures: list[Measure]
    meetings: list[Any]
    participants: list[Participant]
    deadlines: list[Any]
    pending_handover: Handover | None
    plan: IndividualPlan | None
    log_continues: bool  # the log has older entries than the case page shows
    consents: list[Consent]  # in force for the child; staff of the owning organisation only


def _shown(actor: Any, model: type, case: Case, basis: policy.Basis, **filters: Any) -> QuerySet:
    """The case's rows of `model` the actor may read, the case itself read on `basis`."""
    return policy.visible_about(
        actor,
        model,
        READ,
        subject_id=case.child_id,
        organisation_id=case.organisation_id,
        basis=basis,
    ).filter(case=case, **filters)


@transaction.atomic
def case_page(actor: Any, case_id: Any) -> CasePage:
    """Everything on the case page that the actor may see, audited as one page view.

    Each part is read through the policy, so a service taking part under a consent sees only
    the categories its consent covers; superseded log entries only staff of the owning
    organisation see. A constant number of queries, whatever the size of the case."""
    case = (
        policy.visible(actor, Case, READ, few_rows=True, with_basis=True)
        .select_related("pathway_version__definition", "unit", "coordinator", "child")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404(_("Not found, or you do not have access."))
    basis = policy.bases_for(actor, [case], READ)[0]
    # Staff of the owning organisation with the need to know read superseded entries too;
    # of them, those who work on the case get the forms that change it.
    reads_as_owner = policy.may_change_on(actor, case, basis, READ)
    can_change = reads_as_owner and permissions.works_on(actor, case)
    log = list(_log_entries(actor, case, basis, reads_as_owner)[: LOG_ON_CASE_PAGE + 1])
    log_continues = len(log) > LOG_ON_CASE_PAGE
    log = log[:LOG_ON_CASE_PAGE]
    goals = list(_shown(actor, Goal, case, basis).order_by("created_at", "pk"))
    measures = list(
        _shown(actor, Measure, case, basis).select_related(
            "responsible_unit", "responsible_user", "goal"
        )
    )
    meetings = list(_shown(actor, Meeting, case, basis).order_by("starts_at"))
    participants = list(
        _shown(actor, Participant, case, basis).select_related(
            "unit__organisation", "user", "consent"
        )
    )
    open_deadlines = list(
        _shown(actor, Deadline, case, basis, completed_at__isnull=True, cancelled_at__isnull=True)
        .select_related("responsible")
        .order_by("due_at")
    )
    handovers = list(
        _shown(
            actor,
            Handover,
            case,
            basis,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
        ).select_related("to_user", "offered_by")
    )
    plans = list(
        _shown(actor, IndividualPlan, case, basis, ended_at__isnull=True).prefetch_related(
            Prefetch(
                "responsibility_group",
                queryset=Participant.objects.select_related("user", "unit"),
            )
        )
    )
    # A child's consents are recorded by the child's organisation, which owns the child's
    # cases: they are read on the case's basis, as its parts are.
    consents = list(
        cast(
            ConsentQuerySet,
            policy.visible_about(
                actor,
                Consent,
                READ,
                subject_id=case.child_id,
                organisation_id=case.organisation_id,
                basis=basis,
            ),
        )
        .valid_at()
        .prefetch_related("recipient_units", "recipient_organisations")
        .order_by("-valid_from")
    )
    shown = {
        "consent": [c.pk for c in consents],
        "individualplan": [p.pk for p in plans],
        "logentry": [e.pk for e in log],
        "goal": [g.pk for g in goals],
        "measure": [m.pk for m in measures],
        "meeting": [m.pk for m in meetings],
        "participant": [p.pk for p in participants],
        "deadline": [d.pk for d in open_deadlines],
    }
    # One event for the page view: the case, with the ids of every part that was shown.
    policy.record_access(
        actor,
        Action.VIEW,
        [case],
        READ,
        [basis],
        detail={"shown": {k: v for k, v in shown.items() if v}},
    )
    spec = case.pathway_version.parsed
    return CasePage(
        case=case,
        basis=basis,
        can_change=can_change,
        phase=spec.phase(case.phase),
        phases=list(spec.phases),
        log=log,
        goals=goals,
        measures=measures,
        meetings=meetings,
        participants=participants,
        deadlines=open_deadlines,
        pending_handover=handovers[0] if handovers else None,
        plan=plans[0] if plans else None,
        consents=consents,
        log_continues=log_continues,
    )


def _log_entries(actor: Any, case: Case, basis: policy.Basis, reads_as_owner: bool) -> QuerySet:
    """The shared log, newest first. Superseded entries only for staff of the owner."""
    log_filter: dict[str, Any] = {} if reads_as_owner else {"current": True}
    return (
        _shown(actor, LogEntry, case, basis, **log_filter)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


@dataclass
class LogPage:
    case: Case
    can_change: bool
    page: Any  # a Paginator page of LogEntry


@transaction.atomic
def log_page(actor: Any, case_id: Any, page_number: Any = None) -> LogPage:
    """One page of a case's whole shared log, audited as a list."""
    from django.core.paginator import Paginator

    case = get_case(actor, case_id)
    basis = policy.bases_for(actor, [case], READ)[0]
    reads_as_owner = policy.may_change_on(actor, case, basis, READ)
    can_change = reads_as_owner and permissions.works_on(actor, case)
    page = Paginator(_log_entries(actor, case, basis, reads_as_owner), LOG_PAGE_SIZE).get_page(
        page_number
    )
    page.object_list = policy.list_page(actor, page.object_list, READ)
    return LogPage(case=case, can_change=can_change, page=page)


# Lists -------------------------------------------------------------------------------------


def _attach_versions(cases: list[Case]) -> None:
    """Each case's pathway version, read once per version rather than once per row (a
    version's specification is large, and the same for hundreds of cases)."""
    ids = {c.pathway_version_id for c in cases}
    versions = PathwayVersion.objects.select_related("definition").in_bulk(ids)
    for case in cases:
        case.pathway_version = versions[case.pathway_version_id]


@dataclass
class CaseRow:
    case: Case
    next_deadline: Any
    role: str

    @property
    def phase_name(self) -> str:
        return str(self.case.pathway_version.parsed.phase(self.case.phase).name)

    @property
    def overdue(self) -> bool:
        return self.next_deadline is not None and self.next_deadline.due_at < timezone.now()


@transaction.atomic
def my_cases(actor: Any) -> list[CaseRow]:
    """Open cases where the actor is coordinator or a participant, next deadline first."""
    # A union, not an OR of the two: each half uses its own index, where an OR scans every
    # open case of the country.
    participating = (
        Participant.objects.filter(user=actor, ended_at__isnull=True).order_by().values("case_id")
    )
    coordinating = (
        Case.objects.filter(coordinator=actor, status=Case.Status.OPEN).order_by().values("pk")
    )
    cases = policy.list_page(
        actor,
        policy.visible(actor, Case, READ, few_rows=True, with_basis=True)
        .filter(pk__in=coordinating.union(participating), status=Case.Status.OPEN)
        .select_related("child")
        .order_by("-opened_at")[:200],
        READ,
    )
    _attach_versions(cases)
    due = deadline_rules.next_due(actor, [c.pk for c in cases], READ)
    rows = [
        CaseRow(
            c, due.get(c.pk), _("Coordinator") if c.coordinator_id == actor.pk else _("Participant")
        )
        for c in cases
    ]
    far = timezone.now() + datetime.timedelta(days=36500)
    rows.sort(key=lambda r: r.next_deadline.due_at if r.next_deadline else far)
    return rows


# Rows on one page; more than this many open deadlines is a workload to talk about, not read.
DEADLINE_PAGE_SIZE = 200


@dataclass
class DeadlineRow:
    deadline: Deadline
    overdue: bool
    mine: bool  # I am the responsible person (otherwise I see it as a leader)


def my_deadlines(actor: Any, now: Any = None) -> tuple[list[DeadlineRow], bool]:
    """The actor's open deadlines and, for leaders, their units' deadlines that nobody holds
    or that are overdue, soonest first. Also whether there were more than one page."""
    now = now or timezone.now()
    scope = policy.scope_of(actor)
    whose = Q(responsible=actor)
    if scope.leader_unit_ids:
        whose |= Q(unit_id__in=scope.leader_unit_ids) & (
            Q(responsible__isnull=True) | Q(due_at__lt=now)
        )
    rows = list(
        policy.visible(actor, Deadline, READ, few_rows=True)
        .filter(
            whose,
            organisation_id__in=scope.organisation_ids,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            case__status=Case.Status.OPEN,
        )
        .select_related("case__child", "unit", "responsible")
        .order_by("due_at", "pk")[: DEADLINE_PAGE_SIZE + 1]
    )
    more = len(rows) > DEADLINE_PAGE_SIZE
    deadlines = policy.list_page(actor, rows[:DEADLINE_PAGE_SIZE], READ)
    # The page shows each case's reference and child: the cases are read, too.
    cases = list({d.case_id: d.case for d in deadlines}.values())
    policy.list_page(actor, cases, READ)
    return [DeadlineRow(d, d.due_at < now, d.responsible_id == actor.pk) for d in deadlines], more


# A weekly meeting goes through tens of items, not hundreds: the oldest first, this many.
ALLOCATION_LIMIT = 60
ALLOCATION_REQUEST_FIELDS = (
    "reference",
    "organisation_id",
    "unit_id",
    "first_contact_due_at",
    "status",
    "requester_name",
    "requester_role",
    "offer__title",
)


@dataclass
class Allocation:
    """What the unit's weekly allocation meeting goes through, in one place."""

    units: list[ServiceUnit]
    unit: ServiceUnit
    requests: list[HelpRequest]  # new requests for help, not yet made a case or closed
    cases: list[CaseRow]  # cases in a phase the team allocates
    limit: int  # at most this many of each are shown


def _team_allocated_phases() -> Q:
    """Cases in a phase whose pathway says the team allocates it (Familiehjelpa's weekly
    team meeting). Versions are few, and each is parsed once per process."""
    condition = Q(pk__in=[])
    for version in PathwayVersion.objects.only("pk", "spec", "published_at"):
        phases = [p.key for p in version.parsed.phases if p.team_allocates]
        if phases:
            condition |= Q(pathway_version_id=version.pk, phase__in=phases)
    return condition


@transaction.atomic
def allocation(actor: Any, unit_id: Any = None) -> Allocation:
    """The allocation view of one of the actor's units (the first when none is chosen):
    requests for help still waiting and cases waiting for the team, the oldest first. A
    constant number of queries, whatever the number of cases."""
    units = units_of(actor)
    if not units:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
    chosen: ServiceUnit | None = units[0]
    if unit_id not in (None, ""):
        chosen = next((u for u in units if str(u.pk) == str(unit_id)), None)
    if chosen is None:
        raise Http404(_("Not found, or you do not have access."))
    unit = chosen
    requests, cases = policy.list_pages(
        actor,
        [
            (
                policy.visible(actor, HelpRequest, WRITE)
                .filter(
                    unit=unit, status__in=[HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED]
                )
                .select_related("offer")
                # What the list shows: not the message, and of the offer only its title.
                .only(*ALLOCATION_REQUEST_FIELDS)
                .order_by("first_contact_due_at", "pk")[:ALLOCATION_LIMIT],
                WRITE,
            ),
            (
                policy.visible(actor, Case, READ, few_rows=True, with_basis=True)
                .filter(_team_allocated_phases(), unit=unit, status=Case.Status.OPEN)
                .select_related("child", "coordinator")
                .order_by("received_at", "pk")[:ALLOCATION_LIMIT],
                READ,
            ),
        ],
    )
    due = deadline_rules.next_due(actor, [c.pk for c in cases], READ)
    rows = [CaseRow(c, due.get(c.pk), "") for c in cases]
    return Allocation(units=units, unit=unit, requests=requests, cases=rows, limit=ALLOCATION_LIMIT)


# What the forms offer ----------------------------------------------------------------------

CHOICE_LIMIT = 300


@dataclass
class CaseChoices:
    """Whom and what the forms that change a case can choose from."""

    participants: list[Participant]
    goals: list[Goal]
    # Staff of the participating units of the owning organisation: the responsible person of
    # a measure is one of them.
    colleagues: list[Any]
    # Those of them under the owning unit's duty of confidentiality: the coordinator role
    # goes to one of them.
    coordinator_candidates: list[Any]
    # That may join: the owning unit's domain in its organisation, and consented ones.
    units: list[ServiceUnit]
    participating_units: list[ServiceUnit]


def choices_for_change(actor: Any, case: Case) -> CaseChoices:
    """What the change forms of `case` offer. Refused unless the actor may change the case;
    its participants and goals are then read on that basis, and audited as shown."""
    from familiebro.core.models import User

    permissions.require_write(actor, case)
    own = policy.Basis(policy.Basis.OWN_ORGANISATION)
    participants = policy.list_page(
        actor,
        _shown(actor, Participant, case, own).select_related("unit__organisation", "user"),
        READ,
    )
    goals = policy.list_page(actor, _shown(actor, Goal, case, own).order_by("created_at"), READ)
    participating_ids = {p.unit_id for p in participants if p.ended_at is None}
    domain = case.unit.domain
    own_units = list(
        ServiceUnit.objects.filter(organisation_id=case.organisation_id, domain=domain).order_by(
            "name"
        )[:CHOICE_LIMIT]
    )
    consented = list(
        ServiceUnit.objects.filter(
            Q(consents_received__in=_coordination_consents(case))
            | Q(organisation__consents_received__in=_coordination_consents(case))
        )
        .exclude(organisation_id=case.organisation_id, domain=domain)
        .select_related("organisation")
        .distinct()
        .order_by("name")[:CHOICE_LIMIT]
    )
    colleagues = list(
        User.objects.filter(
            memberships__unit_id__in=participating_ids,
            memberships__unit__organisation_id=case.organisation_id,
        )
        .distinct()
        .order_by("first_name", "last_name")[:CHOICE_LIMIT]
    )
    for unit in own_units:
        unit.organisation = case.organisation
    coordinator_candidates = list(
        User.objects.filter(
            memberships__unit_id__in=participating_ids,
            memberships__unit__organisation_id=case.organisation_id,
            memberships__unit__domain=domain,
        )
        .distinct()
        .order_by("first_name", "last_name")[:CHOICE_LIMIT]
    )
    return CaseChoices(
        participants=participants,
        goals=goals,
        colleagues=colleagues,
        coordinator_candidates=coordinator_candidates,
        units=own_units + consented,
        participating_units=[u for u in own_units + consented if u.pk in participating_ids],
    )


def _coordination_consents(case: Case) -> QuerySet[Consent]:
    # A subquery only, for the services the case's own staff may add: the rows are not shown.
    return Consent.objects.valid_at().filter(
        subject_id=case.child_id,
        organisation_id=case.organisation_id,
        purpose=Purpose.COORDINATION,
    )


def openable_children(actor: Any) -> list[Person]:
    """The children the actor works with, to open a case for (registered persons only)."""
    return policy.list_page(
        actor,
        policy.visible(actor, Person, WRITE)
        .filter(
            kind__in=[Person.Kind.CHILD, Person.Kind.YOUNG_PERSON],
            organisation_id__in=policy.scope_of(actor).organisation_ids,
        )
        .order_by("family_name", "given_name")[:CHOICE_LIMIT],
        WRITE,
    )
