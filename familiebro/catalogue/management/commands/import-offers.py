from django.core.management.base import BaseCommand, CommandError

from familiebro.catalogue import csv_io
from familiebro.core.models import ServiceUnit


class Command(BaseCommand):
    help = (
        "Create or update a unit's offers from a file: CSV (the columns `familiebro "
        "export-offers` writes) or HSDS 3.0 JSON services (a .json file). All or nothing: if "
        "any row or record is rejected, each is reported with where it is and why, and nothing "
        "is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or JSON file.")
        parser.add_argument("--unit", type=int, required=True, help="The service unit's id.")

    def handle(self, *args, **options):
        unit = ServiceUnit.objects.filter(pk=options["unit"]).first()
        if unit is None:
            raise CommandError(f"There is no service unit with id {options['unit']}.")
        try:
            with open(options["file"], "rb") as upload:
                # No user runs a command: it acts for the instance, as the demo data does.
                result = csv_io.import_offers_file(None, unit, upload)
        except FileNotFoundError:
            raise CommandError(f"There is no file {options['file']}.") from None
        except csv_io.UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            offer = f" (offer {problem.offer_id})" if problem.offer_id else ""
            self.stderr.write(f"{problem.where}{offer}: {problem.message}")
        if not result.ok:
            raise CommandError(result.summary)
        self.stdout.write(result.summary)
