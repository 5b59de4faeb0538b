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


def archive_rules_overridden(category_name: str, unit_kind: str) -> list[RetentionRule]:
    """The instance's archive rules ("preserve and deposit", seeded by privacy migration 0015)
    that an organisation's rule for this category and kind of unit would come before: those
    for the same kind, and one for every kind (retention.governed puts a controller's own rule
    before the instance's for the same kind)."""
    return list(
        RetentionRule.objects.filter(
            organisation=None,
            category=category_name,
            outcome=RetentionRule.Outcome.PRESERVE,
            unit_kind__in={unit_kind, ""},
        ).order_by("unit_kind")
    )


def _archive_problem(archive_rule: RetentionRule) -> str:
    category = retention.CATEGORIES[archive_rule.category]
    what = str(category.model._meta.verbose_name_plural)
    if archive_rule.unit_kind:
        kind = ServiceUnit.Kind(archive_rule.unit_kind).label
        where = _("%(what)s at a %(kind)s") % {"what": what, "kind": str(kind).lower()}
    else:
        where = what
    return _(
        "An archive rule keeps %(where)s for %(days)s days and then preserves and deposits them: "
        "arkivlova § 9 c forbids destroying what is to be preserved, so your organisation may "
        "not delete or anonymise them, nor do so sooner. Choose “preserve and deposit”, after "
        "%(days)s days or more."
    ) % {"where": where, "days": archive_rule.period_days}


def rule_problems(
    category_name: str,
    unit_kind: str,
    days: int | None,
    outcome: str,
    organisation: Organisation | None = None,
) -> list[str]:
    """What is wrong with a rule, one plain message each; empty when it can be set. An
    organisation's rule (not the instance's) may not shorten or replace what an archive rule
    of the instance preserves: for such a category and kind of unit, it preserves too, after
    the archive rule's period or later."""
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
    if organisation is not None and not problems:
        assert days is not None
        problems += [
            _archive_problem(archive_rule)
            for archive_rule in archive_rules_overridden(category_name, unit_kind)
            if outcome != RetentionRule.Outcome.PRESERVE or days < archive_rule.period_days
        ]
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
    kind of unit), audited. A controller's rule keeps what the instance's archive rules
    preserve (rule_problems). ValidationError with every problem at once, nothing written."""
    problems = rule_problems(category, unit_kind, days, outcome, organisation)
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
