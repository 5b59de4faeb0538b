from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from familiebro.administration import csv_import, staff_import
from familiebro.core.models import User


class Command(BaseCommand):
    help = (
        "Invite staff, or give roles to staff who have an account, from a CSV file "
        "(docs/administration.md describes its columns), with an administrator's rights. "
        "Nothing is imported when any row is rejected, unless --partial is given; the same file "
        "imported twice sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument(
            "--admin",
            required=True,
            help="The administrator who invites: their rights apply, the audit trail names them.",
        )
        parser.add_argument(
            "--partial", action="store_true", help="Import the good rows even if some are rejected."
        )

    def handle(self, *args, **options):
        admin = User.objects.filter(username=options["admin"], is_active=True).first()
        if admin is None:
            raise CommandError(f"No active staff account has the username {options['admin']}.")
        if not getattr(settings, "SITE_URL", ""):
            raise CommandError(
                "Set FAMILIEBRO_SITE_URL (the instance's address, such as "
                "https://familiebro.kommune.no): the invitations' links start with it."
            )
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        try:
            report = staff_import.import_staff(admin, data, partial=options["partial"])
        except (csv_import.CsvError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problem_lines():
            self.stdout.write(
                f"Line {problem.line} ({problem.label or '-'}), {problem.column}: {problem.message}"
            )
        if not report.applied:
            raise CommandError(
                f"Nothing was imported and no one was invited: {len(report.rejected)} rows have "
                "problems. Mend the file or run again with --partial to import the good rows."
            )
        not_sent = report.count(staff_import.NOT_SENT)
        self.stdout.write(
            f"{report.created} invited, {report.changed} given a role, "
            f"{report.unchanged} unchanged, {report.count(csv_import.RowResult.REJECTED)} "
            "rejected."
        )
        if not_sent:
            self.stdout.write(
                f"{not_sent} not sent: the mail server refused their e-mail after the import, "
                "so their invitations were withdrawn. Import those rows again later."
            )
