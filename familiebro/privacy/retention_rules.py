"""Setting a retention rule: the one place that checks a rule and writes it, for the
`retention-rule` command and the administration pages alike.

A rule is for one category (retention.CATEGORIES), for every data controller or one, for
every kind of unit or one: how many days, and then delete, anonymise or preserve. The data
controller decides; the change is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from familiebro.core.models import Organisation, ServiceUnit

from . import audit, policy, retention
from .models import AuditEvent, RetentionRule

# The longest period a rule may give: a hundred years, beyond any archive rule.
LONGEST_PERIOD_DAYS = 36_500


def rule_problems(category_name: str, unit_kind: str, days: int | None, outcome: str) -> list[str]:
    """What is wrong with a rule, one plain message each; empty when it can be set."""
    category = retention.CATEGORIES.get(category_name)
    if category is None:
        return [
            _("Name the category: one of %(categories)s.")
            % {"categories": ", ".join(sorted(retention.CATEGORIES))}
        ]
    problems = []
    if unit_kind and unit_kind not in ServiceUnit.Kind.values:
        problems.append(
            _("%(kind)s is no kind of unit: one of %(kinds)s.")
            % {"kind": unit_kind, "kinds": ", ".join(ServiceUnit.Kind.values)}
        )
    elif unit_kind and category.unit_kind_field is None:
        problems.append(_("This category belongs to no unit: choose every kind of unit."))
    if days is None or not 0 <= days <= LONGEST_PERIOD_DAYS:
        problems.append(
            _("Give the period as a number of days from 0 to %(longest)s.")
            % {"longest": LONGEST_PERIOD_DAYS}
        )
    if outcome not in RetentionRule.Outcome.values:
        problems.append(_("Choose the outcome after the period: delete, anonymise or preserve."))
    elif outcome == RetentionRule.Outcome.PRESERVE and category.archive is None:
        problems.append(_("This category cannot be preserved: delete or anonymise it."))
    return problems


@transaction.atomic
def set_rule(
    *,
    category: str,
    organisation: Organisation | None,
    unit_kind: str,
    days: int | None,
    outcome: str,
    reference: str = "",
    actor: Any = None,
) -> RetentionRule:
    """Set the rule (a new one, or in place of the one for the same category, controller and
    kind of unit), audited. ValidationError with every problem at once, nothing written."""
    problems = rule_problems(category, unit_kind, days, outcome)
    if problems:
        raise ValidationError(problems)
    rule, _created = RetentionRule.objects.update_or_create(
        category=category,
        organisation=organisation,
        unit_kind=unit_kind,
        defaults={"period_days": days, "outcome": outcome, "legal_reference": reference[:200]},
    )
    audit.record(
        AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[rule],
        organisation_id=organisation.pk if organisation else None,
        purpose=policy.Purpose.RETENTION,
        detail={
            "retention_category": category,
            "unit_kind": unit_kind,
            "period_days": rule.period_days,
            "outcome": rule.outcome,
        },
    )
    return rule
