from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from familiebro.core.models import Organisation
from familiebro.privacy import deposit, retention


class Command(BaseCommand):
    help = (
        "Make deposit packages (metadata in XML, documents as PDF/A, a checksum manifest) of "
        "the records an archive rule preserves whose period has run out, one package per data "
        "controller and category; or, with --confirm, record that the archive has taken a "
        "package over, so that the next retention run deletes its records from Familiebro."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Folder to write the packages in.")
        parser.add_argument("--by", default="", help="Who makes the deposit (name or role).")
        parser.add_argument(
            "--organisation",
            help="Organisation number of one data controller (default: every controller).",
        )
        parser.add_argument(
            "--category",
            action="append",
            help="Retention category (default: every category that can be preserved).",
        )
        parser.add_argument("--confirm", metavar="PACKAGE_ID", help="A package's id.")
        parser.add_argument("--receipt", default="", help="The archive's receipt (with --confirm).")
        parser.add_argument(
            "--verify", metavar="FOLDER", help="Check a package's checksums and schema."
        )

    def handle(self, *args, **options):
        try:
            if options["verify"]:
                return self._verify(Path(options["verify"]))
            if options["confirm"]:
                done = deposit.confirm_transfer(options["confirm"], options["receipt"])
                self.stdout.write(
                    f"Deposit {done.package_id} is taken over by the archive "
                    f"({len(done.object_ids)} records); the next retention run deletes them "
                    "from Familiebro."
                )
                return None
            return self._make(options)
        except deposit.DepositError as exc:
            raise CommandError(str(exc)) from exc

    def _verify(self, folder: Path) -> None:
        problems = deposit.verify_package(folder)
        if problems:
            raise CommandError("The package is not intact: " + "; ".join(problems))
        self.stdout.write(f"{folder}: every checksum matches and the metadata follow the schema.")

    def _make(self, options) -> None:
        if not options["output"]:
            raise CommandError("Say where to write the packages: --output FOLDER.")
        output = Path(options["output"])
        if not output.is_dir():
            raise CommandError(f"{output} is not a folder. Make it first, or name another.")
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(org_number=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation has the number {options['organisation']}.")
        categories = options["category"] or [
            c.name for c in retention.CATEGORIES.values() if c.archive is not None
        ]
        made = 0
        for organisation in organisations:
            for category in categories:
                result = deposit.make_deposit(organisation, category, output, options["by"])
                if result is None:
                    continue
                package, folder = result
                made += 1
                self.stdout.write(
                    f"{organisation.name} – {category}: {len(package.object_ids)} records in "
                    f"{folder} (manifest sha256 {package.manifest_sha256})"
                )
        if not made:
            self.stdout.write("Nothing is due for deposit.")
