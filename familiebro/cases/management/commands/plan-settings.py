import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.cases.plans import decisions
from familiebro.core.models import Organisation, ServiceUnit


class Command(BaseCommand):
    help = (
        "Show or record an organisation's settings for individual plans, each the data "
        "controller's decision: its coordinating unit (koordinerende enhet, helse- og "
        "omsorgstjenesteloven § 7-3), and whether its plans are archived from its own record "
        "system instead of from Familiebro. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show", "coordinating-unit", "archive"])
        parser.add_argument("--organisation", required=True, help="The organisation number.")
        parser.add_argument("--unit", type=int, help="The coordinating unit's id.")
        parser.add_argument("--decided-on", help="The date of the decision, YYYY-MM-DD.")
        parser.add_argument("--reference", default="", help="Who decided it, and its number.")
        parser.add_argument(
            "--from",
            dest="archived_from",
            choices=["familiebro", "own-system"],
            help="archive: where the plans are archived from (familiebro is the default).",
        )

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(org_number=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the number {options['organisation']}.")
        try:
            if options["action"] == "coordinating-unit":
                self._coordinating_unit(organisation, options)
            elif options["action"] == "archive":
                if options["archived_from"] is None:
                    raise CommandError("Say where plans are archived from with --from.")
                decisions.set_plans_archived_elsewhere(
                    organisation, options["archived_from"] == "own-system"
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self._show(organisation)

    def _coordinating_unit(self, organisation, options):
        unit = ServiceUnit.objects.filter(pk=options["unit"] or 0).first()
        if unit is None:
            raise CommandError("Name the coordinating unit with --unit ID.")
        try:
            decided_on = datetime.date.fromisoformat(options["decided_on"] or "")
        except ValueError:
            raise CommandError("Give the decision date with --decided-on YYYY-MM-DD.") from None
        decisions.set_coordinating_unit(organisation, unit, decided_on, options["reference"])

    def _show(self, organisation):
        row = decisions.settings_of(organisation.pk)
        if row is None or row.coordinating_unit is None:
            self.stdout.write("Coordinating unit: none recorded.")
        else:
            self.stdout.write(
                f"Coordinating unit: {row.coordinating_unit.name}, decided "
                f"{row.decided_on:%d.%m.%Y} ({row.decision_reference})."
            )
        elsewhere = row is not None and row.plans_archived_elsewhere
        self.stdout.write(
            "Plans are archived from: "
            + ("the organisation's own record system." if elsewhere else "Familiebro.")
        )
