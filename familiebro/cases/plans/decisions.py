"""Decisions on the family's rights to an individual plan, a coordinator and a child
coordinator, and the municipality's coordinating unit.

Helse- og omsorgstjenesteloven § 7-1 (individual plan), § 7-2 (coordinator) and § 7-2 a
(child coordinator, from 2022) give the rights; § 7-3 gives the coordinating unit the overall
responsibility for the plans and for appointing coordinators and child coordinators. Each
decision is recorded with its dates, who decided, why, and how to appeal; a refusal always
has its reason, and a child coordinator is granted only when the conditions of § 7-2 a are
found to be met. The family reads the decisions on Min side and in its right-of-access export,
and the shared log says each was made. See docs/cases.md and docs/data-protection.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from familiebro.core.models import Organisation, ServiceUnit
from familiebro.privacy import audit
from familiebro.privacy.family import birthday

from ..case_services import _audit, _clean_text, _log, _require_change
from ..models import Case, LogEntry, PlanDecision, PlanSettings

Right = PlanDecision.Right
Outcome = PlanDecision.Outcome

# The child coordinator is for families with a child under 18 (or expecting one).
CHILD_COORDINATOR_AGE_LIMIT = 18


@dataclass(frozen=True)
class DecisionFields:
    right: str
    origin: str
    requested_on: datetime.date
    outcome: str
    decided_on: datetime.date
    decided_by: str
    reason: str = ""
    appeal_information: str = ""
    appointed: str = ""
    serious_condition: bool = False
    long_term_needs: bool = False


def appeal_text() -> str:
    """What the family is told about appealing, the form's starting text (staff adjust it
    to the decision and the municipality's own wording)."""
    return _(
        "You may appeal the decision to the county governor (Statsforvalteren). Send the "
        "appeal to the service that made the decision within four weeks of being told of it "
        "(pasient- og brukerrettighetsloven chapter 7). The service will help you write it, "
        "and you may see the documents of the case."
    )


def _check_child_coordinator(case: Case, fields: DecisionFields) -> None:
    """A child coordinator only for the families § 7-2 a names: a child under 18 (or
    expected) with a serious illness, injury or disability who will need long-term,
    coordinated health and care services and other welfare services."""
    if fields.right != Right.CHILD_COORDINATOR or fields.outcome != Outcome.GRANTED:
        return
    if not (fields.serious_condition and fields.long_term_needs):
        raise ValidationError(
            {
                "serious_condition": [
                    _(
                        "A child coordinator is for families with a child who has a serious "
                        "illness, injury or disability and will need long-term, coordinated "
                        "health and care services and other welfare services (helse- og "
                        "omsorgstjenesteloven § 7-2 a). Confirm both, or record a refusal with "
                        "the reason."
                    )
                ]
            }
        )
    born = case.child.birth_date
    if born is not None and birthday(born, CHILD_COORDINATOR_AGE_LIMIT) <= fields.decided_on:
        raise ValidationError(
            {
                "right": [
                    _(
                        "A child coordinator is for families with a child under 18, and the "
                        "child was 18 when the decision was made. Consider a coordinator "
                        "instead."
                    )
                ]
            }
        )


def _check(case: Case, fields: DecisionFields) -> DecisionFields:
    if fields.right not in Right.values:
        raise ValidationError({"right": [_("Choose the right the decision is about.")]})
    if fields.origin not in PlanDecision.Origin.values:
        raise ValidationError({"origin": [_("Choose how the question came up.")]})
    if fields.outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose whether it is granted or refused.")]})
    today = timezone.localdate()
    if fields.decided_on > today:
        raise ValidationError(
            {"decided_on": [_("The decision date cannot be in the future. Record it when made.")]}
        )
    if fields.requested_on > fields.decided_on:
        raise ValidationError(
            {
                "requested_on": [
                    _("The date it was asked for or considered cannot be after the decision.")
                ]
            }
        )
    refused = fields.outcome == Outcome.REFUSED
    reason = _clean_text(fields.reason, "reason", required=False)
    if refused and not reason:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "Write the reason for the refusal: the family needs it to decide "
                        "whether to appeal."
                    )
                ]
            }
        )
    appeal = _clean_text(fields.appeal_information, "appeal_information", required=False)
    if refused and not appeal:
        raise ValidationError(
            {"appeal_information": [_("Tell the family how to appeal the refusal.")]}
        )
    appointed = _clean_text(fields.appointed, "appointed", required=False, limit=200)
    if appointed and (refused or fields.right == Right.INDIVIDUAL_PLAN):
        raise ValidationError(
            {
                "appointed": [
                    _(
                        "Name who is appointed only when a coordinator or child coordinator "
                        "is granted."
                    )
                ]
            }
        )
    checked = DecisionFields(
        right=fields.right,
        origin=fields.origin,
        requested_on=fields.requested_on,
        outcome=fields.outcome,
        decided_on=fields.decided_on,
        decided_by=_clean_text(fields.decided_by, "decided_by", limit=200),
        reason=reason,
        appeal_information=appeal,
        appointed=appointed,
        # The conditions of § 7-2 a are recorded for a child coordinator only.
        serious_condition=fields.serious_condition and fields.right == Right.CHILD_COORDINATOR,
        long_term_needs=fields.long_term_needs and fields.right == Right.CHILD_COORDINATOR,
    )
    _check_child_coordinator(case, checked)
    return checked


def _log_text(decision: PlanDecision) -> str:
    values = {
        "right": decision.get_right_display(),
        "date": date_format(decision.decided_on, "DATE_FORMAT"),
        "by": decision.decided_by,
    }
    if decision.outcome == Outcome.GRANTED:
        text = _("%(right)s: granted on %(date)s by %(by)s.") % values
        if decision.appointed:
            text += " " + _("Appointed: %(name)s.") % {"name": decision.appointed}
    else:
        text = _("%(right)s: refused on %(date)s by %(by)s.") % values
        text += " " + _("Reason: %(reason)s") % {"reason": decision.reason}
    return text


@transaction.atomic
def record_decision(actor: Any, case: Case, fields: DecisionFields) -> PlanDecision:
    """Record a decision on the right to an individual plan, a coordinator or a child
    coordinator. The shared log says it was made, so the family reads it."""
    case = _require_change(actor, case)
    checked = _check(case, fields)
    now = timezone.now()
    decision = PlanDecision.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        right=checked.right,
        origin=checked.origin,
        requested_on=checked.requested_on,
        outcome=checked.outcome,
        decided_on=checked.decided_on,
        decided_by=checked.decided_by,
        reason=checked.reason,
        appeal_information=checked.appeal_information,
        appointed=checked.appointed,
        serious_condition=checked.serious_condition,
        long_term_needs=checked.long_term_needs,
        recorded_by=actor,
        recorded_at=now,
    )
    _log(case, actor, LogEntry.Kind.DECISION, _log_text(decision), at=now)
    _audit(
        actor,
        audit.AuditEvent.Action.CREATE,
        decision,
        case,
        right=decision.right,
        outcome=decision.outcome,
    )
    return decision


# The organisation's settings -----------------------------------------------------------------


def settings_of(organisation_id: int) -> PlanSettings | None:
    """The organisation's settings for plans and coordinators, if it has recorded any."""
    return (
        PlanSettings.objects.select_related("coordinating_unit")
        .filter(organisation_id=organisation_id)
        .first()
    )


def coordinating_unit(organisation_id: int) -> ServiceUnit | None:
    """The organisation's coordinating unit as the municipality decided it, if recorded."""
    settings = settings_of(organisation_id)
    return settings.coordinating_unit if settings else None


def _settings_row(organisation: Organisation) -> PlanSettings:
    row = PlanSettings.objects.select_for_update().filter(organisation=organisation).first()
    return row or PlanSettings(organisation=organisation)


def _record(row: PlanSettings, **detail: Any) -> PlanSettings:
    row.changed_at = timezone.now()
    row.save()
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        objects=[row],
        organisation_id=row.organisation_id,
        detail=detail,
    )
    return row


@transaction.atomic
def set_coordinating_unit(
    organisation: Organisation, unit: ServiceUnit, decided_on: datetime.date, reference: str
) -> PlanSettings:
    """Record the municipality's decision on its coordinating unit (an operator's act for
    the data controller, from the command line): audited, replacing the earlier one."""
    if unit.organisation_id != organisation.pk:
        raise ValidationError(_("The coordinating unit must be one of the organisation's units."))
    reference = reference.strip()
    if not reference:
        raise ValidationError(
            _("Name the municipality's decision (who decided it, and its case number).")
        )
    if decided_on > timezone.localdate():
        raise ValidationError(_("The decision date cannot be in the future."))
    row = _settings_row(organisation)
    row.coordinating_unit = unit
    row.decided_on = decided_on
    row.decision_reference = reference[:200]
    return _record(row, coordinating_unit_id=unit.pk, decided_on=decided_on.isoformat())


@transaction.atomic
def set_plans_archived_elsewhere(organisation: Organisation, elsewhere: bool) -> PlanSettings:
    """The controller's decision on where its individual plans are archived: from its own
    record system (Familiebro then deletes them with the case), or from Familiebro (the
    default: the case is preserved and deposited). Audited."""
    row = _settings_row(organisation)
    row.plans_archived_elsewhere = elsewhere
    return _record(row, plans_archived_elsewhere=elsewhere)
