"""Cases: what staff do on a family's collaboration pathway, one function per action.

A case belongs to the organisation of its owning unit (the data controller) and is about one
child. Staff of that organisation work on it with a need to know (an assignment made when
they join the case); a service of another organisation takes part only under the family's
consent for coordination, and sees what the consent's scope covers. Every read goes through
the access policy, every change is audited, and each action is one transaction.

Here: opening a case, decisions and milestones, the shared log and closing. Who works on the
case (the coordinator's handover, participants) is in participant_services; goals, measures and
their evaluations in measure_services; the read models of whole pages (the case page, the log,
my cases, the allocation meeting) in case_pages.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import GuardianRelation, Person, ServiceUnit
from familiebro.persons import services as person_services
from familiebro.privacy import audit, policy, protected
from familiebro.privacy.models import Assignment, Purpose
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
            domain=case.unit.domain,  # a colleague's need to know is where the case is held
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


# The shared log ----------------------------------------------------------------------------


# The field of the log forms that confirms a third-party warning.
THIRD_PARTY_CHECKED = "third_party_checked"


def third_party_warning(case: Case, text: str) -> str:
    """What the writer of a log entry is asked to check before it is saved, or "": when the
    case involves a protected address, or the text has words that suggest it names a third
    party or where someone lives (privacy.protected). A warning, not a refusal: only the
    writer can tell whether the words are needed."""
    words = protected.third_party_words(text)
    is_protected = protected.case_is_protected(case)
    if not words and not is_protected:
        return ""
    parts = []
    if is_protected:
        parts.append(
            _(
                "Someone in this family has a protected address. Write nothing that could "
                "show where they live: no address, unit, school, kindergarten or meeting place."
            )
        )
    if words:
        parts.append(
            _(
                "The entry mentions %(words)s. Check that it names no third party (the other "
                "parent, a crisis shelter) and no place where someone lives, unless the work "
                "needs it."
            )
            % {"words": ", ".join(f"«{word}»" for word in words)}
        )
    parts.append(
        _(
            "The family reads the log on Min side, and so do the services they consent to. "
            "Change the text, or tick the box to save it as it is."
        )
    )
    return " ".join(parts)


def _check_third_party(case: Case, text: str, checked: bool) -> bool:
    """Raise the warning unless the writer confirmed it; whether there was one to confirm."""
    warning = third_party_warning(case, text)
    if warning and not checked:
        raise ValidationError({THIRD_PARTY_CHECKED: [warning]})
    return bool(warning)


@transaction.atomic
def write_log_entry(
    actor: Any,
    case: Case,
    *,
    kind: str,
    text: str,
    internal_reason: str = "",
    third_party_checked: bool = False,
) -> LogEntry:
    """A note or an agreement in the shared log; internal ones (with a reason) are staff-only.
    An entry that may name a third party is saved only once the writer confirms the warning
    (`third_party_warning`); the audit event records that they did."""
    case = _require_change(actor, case)
    if kind not in (LogEntry.Kind.NOTE, LogEntry.Kind.AGREEMENT):
        raise ValidationError({"kind": [_("Choose whether it is a note or an agreement.")]})
    text = _clean_text(text, "text")
    warned = _check_third_party(case, text, third_party_checked)
    entry = _log(case, actor, kind, text, internal_reason=internal_reason.strip()[:300])
    extra = {"third_party_warning_confirmed": True} if warned else {}
    _audit(actor, audit.AuditEvent.Action.CREATE, entry, case, kind=kind, **extra)
    return entry


@transaction.atomic
def correct_log_entry(
    actor: Any, entry_id: Any, text: str, *, third_party_checked: bool = False
) -> LogEntry:
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
    warned = _check_third_party(case, text, third_party_checked)
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
        # What the entry records keeps deciding who reads its correction (an internal measure).
        measure=entry.measure,
    )
    LogEntry.objects.filter(pk=entry.pk).update(current=False)
    extra = {"third_party_warning_confirmed": True} if warned else {}
    _audit(actor, audit.AuditEvent.Action.CREATE, correction, case, corrects=entry.pk, **extra)
    return correction


# Releasing to the parents of a young person ------------------------------------------------

# What staff release to the parents of a child of 12 to 17 (familiebro.privacy.family): the
# case itself (with who takes part, the coming meetings and the plan), and each goal, measure
# and log entry by itself.
RELEASABLE: dict[str, type[models.Model]] = {
    "case": Case,
    "goal": Goal,
    "measure": Measure,
    "logentry": LogEntry,
}


@transaction.atomic
def set_released_to_family(
    actor: Any, case: Case, *, kind: str, item_id: Any, released: bool
) -> Any:
    """Release one record of the case to the parents of a young person, or take the release
    back. Only those who may change the case; audited as a change of the record."""
    permissions.require_may_release(actor, case)
    model = RELEASABLE.get(kind)
    if model is None:
        raise ValidationError({"kind": [_("Choose the case, a goal, a measure or a log entry.")]})
    rows = model._default_manager.select_for_update()
    item = (
        rows.filter(pk=case.pk).first()
        if model is Case
        else rows.filter(pk=item_id if str(item_id).isdigit() else None, case=case).first()
    )
    if item is None:
        raise ValidationError(
            {"item": [_("That record is not part of this case. Reload the page and try again.")]}
        )
    item.released_to_family_at = timezone.now() if released else None  # type: ignore[attr-defined]
    item.save(update_fields=["released_to_family_at"])
    _audit(
        actor,
        audit.AuditEvent.Action.CHANGE,
        item,
        case,
        released_to_family=released,
    )
    return item


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
    from .feedback_services import record_feedback

    record_feedback(actor, case)
