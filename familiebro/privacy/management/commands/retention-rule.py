from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from familiebro.core.models import Organisation, ServiceUnit
from familiebro.privacy import audit, policy, retention
from familiebro.privacy.models import AuditEvent, RetentionRule


class Command(BaseCommand):
    help = (
        "List the retention rules, or set one: for a category, for every controller or one "
        "(--organisation), for every kind of unit or one (--unit-kind): how long, and then "
        "delete, anonymise or preserve (preserve and deposit). The data controller decides; "
        "the change is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "set"])
        parser.add_argument("--category")
        parser.add_argument("--organisation", help="Organisation number (default: every one).")
        parser.add_argument("--unit-kind", default="", help="Kind of unit (default: every kind).")
        parser.add_argument("--days", type=int)
        parser.add_argument("--outcome", choices=[o.value for o in RetentionRule.Outcome])
        parser.add_argument("--reference", default="", help="The legal ground.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for rule in RetentionRule.objects.select_related("organisation"):
                who = rule.organisation.name if rule.organisation else "every controller"
                self.stdout.write(
                    f"{rule.category:<26} {who} / {rule.unit_kind or 'every kind'}: "
                    f"{rule.period_days} days, then {rule.outcome}. {rule.legal_reference}"
                )
            return
        category = retention.CATEGORIES.get(options["category"] or "")
        if category is None:
            raise CommandError(
                "Name the category with --category: one of "
                + ", ".join(sorted(retention.CATEGORIES))
            )
        kind = options["unit_kind"]
        if kind and kind not in ServiceUnit.Kind.values:
            raise CommandError(
                f"{kind} is no kind of unit: one of {', '.join(ServiceUnit.Kind.values)}"
            )
        if kind and category.unit_kind_field is None:
            raise CommandError(f"{category.name} belongs to no unit: leave out --unit-kind.")
        if options["days"] is None or options["days"] < 0 or not options["outcome"]:
            raise CommandError("Give the period in days (--days) and the outcome (--outcome).")
        if options["outcome"] == RetentionRule.Outcome.PRESERVE and category.archive is None:
            raise CommandError(f"{category.name} cannot be preserved: delete or anonymise it.")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(org_number=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the number {options['organisation']}.")
        with transaction.atomic():
            rule, _created = RetentionRule.objects.update_or_create(
                category=category.name,
                organisation=organisation,
                unit_kind=kind,
                defaults={
                    "period_days": options["days"],
                    "outcome": options["outcome"],
                    "legal_reference": options["reference"][:200],
                },
            )
            audit.record(
                AuditEvent.Action.CHANGE,
                objects=[rule],
                organisation_id=organisation.pk if organisation else None,
                purpose=policy.Purpose.RETENTION,
                detail={
                    "retention_category": category.name,
                    "unit_kind": kind,
                    "period_days": rule.period_days,
                    "outcome": rule.outcome,
                },
            )
        self.stdout.write(f"Set: {rule}")
