from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from familiebro.administration import csv_import, unit_import
from familiebro.core.models import User


class Operator:
    """Whoever runs the command on the server: the instance's operator, with an instance
    administrator's rights. The audit trail names them so."""

    is_authenticated = True
    is_instance_admin = True
    pk = None
    audit_label = "import-units (command line)"


class Command(BaseCommand):
    help = (
        "Create or update units from a CSV file (docs/administration.md describes its "
        "columns). Nothing is imported when any row is rejected, unless --partial is given; "
        "the same file imported twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument(
            "--partial", action="store_true", help="Import the good rows even if some are rejected."
        )
        parser.add_argument(
            "--admin",
            default="",
            help="Import with this administrator's rights and name (default: the operator).",
        )

    def handle(self, *args, **options):
        admin: Any = Operator()
        if options["admin"]:
            admin = User.objects.filter(username=options["admin"]).first()
            if admin is None:
                raise CommandError(f"No staff account has the username {options['admin']}.")
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        try:
            report = unit_import.import_units(admin, data, partial=options["partial"])
        except csv_import.CsvError as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problem_lines():
            self.stdout.write(
                f"Line {problem.line} ({problem.label or '-'}), {problem.column}: {problem.message}"
            )
        if not report.applied:
            raise CommandError(
                f"Nothing was imported: {len(report.rejected)} rows have problems. Mend the file "
                "or run again with --partial to import the good rows."
            )
        self.stdout.write(
            f"{report.created} created, {report.changed} changed, {report.unchanged} unchanged, "
            f"{len(report.rejected)} rejected."
        )
