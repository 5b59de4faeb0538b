from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.core.models import Organisation
from familiebro.privacy import retention_rules
from familiebro.privacy.models import RetentionRule


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
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(org_number=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the number {options['organisation']}.")
        try:
            rule = retention_rules.set_rule(
                category=options["category"] or "",
                organisation=organisation,
                unit_kind=options["unit_kind"],
                days=options["days"],
                outcome=options["outcome"] or "",
                reference=options["reference"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Set: {rule}")
