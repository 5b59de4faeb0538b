"""Cases: the goals of a case, and the measures that work towards them, with their
evaluations. A measure may be internal (the family's shared log and printed plan leave it
out); changing one is refused if someone saved it since the form was opened.

The rules of case_services hold here too: reads go through the access policy, changes need
work on the case (cases.permissions), every change is audited, and each action is one
transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy import audit

from .case_services import (
    MAX_TEXT,
    MAX_TITLE,
    EditConflict,
    _audit,
    _clean_text,
    _log,
    _require_change,
)
from .deadlines import rules as deadline_rules
from .models import (
    Case,
    Goal,
    LogEntry,
    Measure,
    MeasureEvaluation,
    Participant,
)

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
