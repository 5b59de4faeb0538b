from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from familiebro.catalogue.hsds.files import import_hsds_paths
from familiebro.catalogue.hsds.schemas import SchemasMissing


class Command(BaseCommand):
    help = (
        "Import a service directory published as HSDS 3.0 by another system: JSON files holding "
        "a record, a list of records or a page of them (services, organizations, "
        "service_at_locations, locations, taxonomies, taxonomy terms), directories of such "
        "files, or a directory of HSDS's CSV tables (organizations.csv, services.csv, …). "
        "Records are upserted by their HSDS id after checking them against the official "
        "schemas. All or nothing unless --partial: if any record is rejected, each is reported "
        "with its id and reason and nothing is imported. Links to rows a CSV package does not "
        "have are dropped with a warning."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the valid records and report the rejected ones.",
        )

    def handle(self, *args, **options):
        try:
            report = import_hsds_paths(
                [Path(path) for path in options["paths"]], partial=options["partial"]
            )
        except SchemasMissing as exc:
            raise CommandError(str(exc)) from exc
        for note in report.notes:
            self.stdout.write(note)
        for warning in report.warnings:
            self.stderr.write(warning, style_func=self.style.WARNING)
        for rejection in report.rejections:
            self.stderr.write(rejection.describe())
        if not report.ok:
            hint = "" if options["partial"] else " Or use --partial to import the valid ones."
            raise CommandError(report.summary() + hint)
        self.stdout.write(report.summary())
