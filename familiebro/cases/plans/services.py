"""Individual plans (individuell plan): started when a family needs long-term coordinated
services, naming the coordinator (the case's) and the responsibility group (participants).

The plan's goals and measures are the case's, so there is one place for each; the printable
plan shows what the family may read (internal measures are left out). The register counts
active plans per unit and municipality, and how many lack a coordinator: counts, no names.
Both are read in plans.pages; here are starting and ending a plan.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.privacy import audit, policy

from ..case_services import READ, _audit, _log, _require_change
from ..models import Case, IndividualPlan, LogEntry, Participant


def active_plan(actor: Any, case: Case) -> IndividualPlan | None:
    return (
        policy.visible(actor, IndividualPlan, READ, few_rows=True)
        .filter(case=case, ended_at__isnull=True)
        .prefetch_related("responsibility_group__user", "responsibility_group__unit")
        .first()
    )


def _group(case: Case, participant_ids: list[int]) -> list[Participant]:
    group = list(
        Participant.objects.filter(case=case, pk__in=participant_ids, ended_at__isnull=True)
    )
    if len(group) != len(set(participant_ids)):
        raise ValidationError(
            {"members": [_("Choose the responsibility group among the case's participants.")]}
        )
    if not group:
        raise ValidationError(
            {"members": [_("Choose at least one participant for the responsibility group.")]}
        )
    return group


@transaction.atomic
def start_plan(actor: Any, case: Case, participant_ids: list[int]) -> IndividualPlan:
    """Start the case's individual plan with its responsibility group."""
    case = _require_change(actor, case)
    if case.coordinator is None:
        raise ValidationError(_("Name a coordinator for the case before starting the plan."))
    group = _group(case, participant_ids)
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = IndividualPlan.objects.create(
                case=case,
                organisation_id=case.organisation_id,
                unit_id=case.unit_id,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("The case already has an individual plan.")) from None
    plan.responsibility_group.set(group)
    _log(
        case,
        actor,
        LogEntry.Kind.DECISION,
        _("An individual plan is started. Coordinator: %(coordinator)s.")
        % {"coordinator": case.coordinator.display_name()},
        at=now,
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, plan, case, members=sorted(participant_ids))
    return plan


@transaction.atomic
def end_plan(actor: Any, plan: IndividualPlan) -> IndividualPlan:
    case = _require_change(actor, plan.case)
    if plan.ended_at is not None:
        raise ValidationError(_("The plan has already ended."))
    plan.ended_at = timezone.now()
    plan.save(update_fields=["ended_at"])
    _log(case, actor, LogEntry.Kind.DECISION, _("The individual plan has ended."))
    _audit(actor, audit.AuditEvent.Action.CHANGE, plan, case, ended=True)
    return plan
