import io

from django.core.management.base import BaseCommand, CommandError

from familiebro.catalogue import csv_io
from familiebro.core.models import ServiceUnit

EXPORTERS = {"csv": csv_io.export_offers, "json": csv_io.export_offers_hsds}


class Command(BaseCommand):
    help = (
        "Write a unit's offers to a file or standard output: CSV (one row per offer, the "
        "columns `familiebro import-offers` reads back) or JSON (a list of HSDS 3.0 services)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, required=True, help="The service unit's id.")
        parser.add_argument(
            "--format", choices=sorted(EXPORTERS), default="csv", help="csv (default) or json."
        )
        parser.add_argument("--output", help="File to write; standard output if left out.")

    def handle(self, *args, **options):
        unit = ServiceUnit.objects.filter(pk=options["unit"]).first()
        if unit is None:
            raise CommandError(
                f"There is no service unit with id {options['unit']}. The editor's list "
                "(/ansatt/tilbud/) shows a unit's id in its address when you choose the unit."
            )
        export = EXPORTERS[options["format"]]
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                count = export(unit, out)
            self.stderr.write(f"Wrote {count} offers of {unit.name} to {options['output']}.")
            return
        # Written whole: the command's stdout wrapper would add a line break to every write.
        buffer = io.StringIO(newline="")
        count = export(unit, buffer)
        self.stdout.write(buffer.getvalue(), ending="")
        self.stderr.write(f"Wrote {count} offers of {unit.name}.")
