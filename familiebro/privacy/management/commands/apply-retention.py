from django.core.management.base import BaseCommand, CommandError

from familiebro.privacy.retention import RetentionError, apply_retention

OUTCOME_DONE = {
    "delete": ("deleted", "would be deleted"),
    "anonymise": ("anonymised", "would be anonymised"),
    "preserve": ("deleted after deposit", "would be deleted after deposit"),
}


class Command(BaseCommand):
    help = (
        "Delete or anonymise data whose retention period has run out, following the retention "
        "rules, and print what was done per category. Run it nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only report what would be deleted or anonymised; change nothing.",
        )

    def handle(self, *args, **options):
        report = apply_retention(dry_run=options["dry_run"])
        heading = f"Retention at {report.ran_at:%Y-%m-%d %H:%M %Z}"
        if report.dry_run:
            heading += " (dry run: nothing was changed)"
        self.stdout.write(heading)
        for result in report.results:
            if result.error:
                self.stdout.write(f"  {result.category:<26} ERROR: {result.error}")
                continue
            done, would = OUTCOME_DONE.get(result.outcome, (result.outcome, result.outcome))
            verb = would if report.dry_run else done
            line = (
                f"  {result.category:<26} kept {result.period_days} days, then {result.outcome}: "
                f"{result.count} {verb}"
            )
            if result.awaiting_deposit_ids:
                line += (
                    f"; {len(result.awaiting_deposit_ids)} kept under an archive rule until "
                    "the archive takes over their deposit (familiebro retention-deposit)"
                )
            if result.held_ids:
                line += f"; {len(result.held_ids)} kept by a legal hold"
            self.stdout.write(line)
        try:
            report.raise_for_errors()
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
