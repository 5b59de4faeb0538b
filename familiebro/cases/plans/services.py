"""Individual plans (individuell plan): started when a family needs long-term coordinated
services, naming the coordinator (the case's) and the responsibility group (participants).

The plan's goals and measures are the case's, so there is one place for each; the printable
plan shows what the family may read (internal measures are left out). The register counts
active plans per unit and municipality, and how many lack a coordinator: counts, no names.
Both are read in plans.pages; here are starting and ending a plan.

A plan is made with the family's consent (forskrift om habilitering og rehabilitering,
individuell plan og koordinator § 19 and § 22): starting one names the consent in force that
covers measures and plans, and each member of the responsibility group outside the service
that holds the case must be covered by a consent, the plan's or the one they take part under.
The decisions on the rights to a plan and to coordinators are in plans.decisions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.privacy import audit, policy
from familiebro.privacy.models import Consent, DataCategory

from ..case_services import READ, _audit, _log, _require_change
from ..models import Case, IndividualPlan, LogEntry, Participant

# How a member of the responsibility group may read the plan (member_access).
HOLDER = "holder"  # works in the service that holds the case
PLAN_CONSENT = "plan_consent"  # named by the consent to the plan
OWN_CONSENT = "own_consent"  # takes part in the case under a consent of its own
NOT_COVERED = ""


def active_plan(actor: Any, case: Case) -> IndividualPlan | None:
    return (
        policy.visible(actor, IndividualPlan, READ, few_rows=True)
        .filter(case=case, ended_at__isnull=True)
        .prefetch_related("responsibility_group__user", "responsibility_group__unit")
        .first()
    )


def plan_consents(actor: Any, case: Case) -> list[Consent]:
    """The consents a plan may be made under: in force, about the case's child, held by the
    case's organisation, covering measures and plans. Audited as one list read."""
    in_force = Consent.objects.valid_at().values("pk")
    return policy.list_page(
        actor,
        policy.visible(actor, Consent, READ, few_rows=True)
        .filter(
            pk__in=in_force,
            subject_id=case.child_id,
            organisation_id=case.organisation_id,
            scope__contains=f" {DataCategory.MEASURES_AND_PLANS} ",
        )
        .prefetch_related("recipient_units", "recipient_organisations")
        .order_by("-valid_from"),
        READ,
    )


def member_access(
    case: Case, consent: Consent | None, members: list[Participant]
) -> dict[int, str]:
    """Per member of the responsibility group, what lets them take part: the service holding
    the case, the consent to the plan naming them, a consent of their own in force, or
    nothing (NOT_COVERED)."""
    units = set(consent.recipient_units.values_list("pk", flat=True)) if consent else set()
    organisations = (
        set(consent.recipient_organisations.values_list("pk", flat=True)) if consent else set()
    )
    own_in_force = set(
        Consent.objects.valid_at()
        .filter(pk__in=[m.consent_id for m in members if m.consent_id])
        .values_list("pk", flat=True)
    )
    access: dict[int, str] = {}
    for member in members:
        unit = member.unit
        if unit.organisation_id == case.organisation_id and unit.domain == case.unit.domain:
            access[member.pk] = HOLDER
        elif unit.pk in units or unit.organisation_id in organisations:
            access[member.pk] = PLAN_CONSENT
        elif member.consent_id in own_in_force:
            access[member.pk] = OWN_CONSENT
        else:
            access[member.pk] = NOT_COVERED
    return access


def _consent(actor: Any, case: Case, consent_id: Any) -> Consent:
    consent = next((c for c in plan_consents(actor, case) if c.pk == consent_id), None)
    if consent is None:
        raise ValidationError(
            {
                "consent": [
                    _(
                        "Choose the family's consent to the plan: a consent in force that "
                        "covers measures and plans. If there is none, record the family's "
                        "consent first."
                    )
                ]
            }
        )
    return consent


def _group(case: Case, participant_ids: list[int]) -> list[Participant]:
    group = list(
        Participant.objects.filter(
            case=case, pk__in=participant_ids, ended_at__isnull=True
        ).select_related("unit")
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
def start_plan(
    actor: Any, case: Case, participant_ids: list[int], consent_id: Any
) -> IndividualPlan:
    """Start the case's individual plan with its responsibility group, under the family's
    consent to the plan."""
    case = _require_change(actor, case)
    if case.coordinator is None:
        raise ValidationError(_("Name a coordinator for the case before starting the plan."))
    consent = _consent(actor, case, consent_id)
    group = _group(case, participant_ids)
    access = member_access(case, consent, group)
    uncovered = [m for m in group if access[m.pk] == NOT_COVERED]
    if uncovered:
        raise ValidationError(
            {
                "members": [
                    _(
                        "No consent in force lets %(names)s take part in the plan. Choose a "
                        "consent that names them, or record the family's consent first."
                    )
                    % {"names": ", ".join(m.unit.name for m in uncovered)}
                ]
            }
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = IndividualPlan.objects.create(
                case=case,
                organisation_id=case.organisation_id,
                unit_id=case.unit_id,
                consent=consent,
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
    _audit(
        actor,
        audit.AuditEvent.Action.CREATE,
        plan,
        case,
        members=sorted(participant_ids),
        consent_id=consent.pk,
        member_access={str(pk): basis for pk, basis in sorted(access.items())},
    )
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
