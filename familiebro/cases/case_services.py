"""Cases: what staff do on a family's collaboration pathway, one function per action.

A case belongs to the organisation of its owning unit (the data controller) and is about one
child. Staff of that organisation work on it with a need to know (an assignment made when
they join the case); a service of another organisation takes part only under the family's
consent for coordination, and sees what the consent's scope covers. Every read goes through
the access policy, every change is audited, and each action is one transaction.

The read models of whole pages (the case page, the log, my cases, the allocation meeting) are
in familiebro.cases.case_pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import person_services
from familiebro.core.models import GuardianRelation, Membership, Person, ServiceUnit
from familiebro.privacy import audit, policy
from familiebro.privacy.models import Assignment, Consent, Purpose
from familiebro.privacy.policy import Action

from . import permissions
from .deadlines import rules as deadline_rules
from .help_requests.services import identity_numbers_in
from .models import (
    Case,
    Decision,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Measure,
    MeasureEvaluation,
    Milestone,
    Participant,
    PathwayChoice,
    PathwayDefinition,
    PathwayVersion,
)
from .references import CASE_PREFIX, new_reference

# Case pages read for coordination: the purpose a family's consent names when another
# service takes part. Staff with a need to know in the owning organisation read for it too.
READ = Purpose.COORDINATION
WRITE = policy.Purpose.CASEWORK
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
                    reference=new_reference(CASE_PREFIX),
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
