from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familiebro.privacy.checkpoints import verify_trail

WHAT_TO_DO = (
    "What to do: change nothing. Keep a copy of the database and of the checkpoint file as "
    "evidence, and report this to the data protection officer (docs/operations.md, 'When "
    "verify-audit fails')."
)


class Command(BaseCommand):
    help = (
        "Check the audit trail: its keyed hash chain, and the checkpoints of its head written "
        "outside the database. Names every problem found and exits non-zero if there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            action="append",
            type=Path,
            metavar="FILE",
            help=(
                "A file of checkpoints, one line each (for example saved from the data "
                "protection officer's checkpoint e-mails). May be given more than once. "
                "Default: FAMILIEBRO_AUDIT_CHECKPOINT_FILE."
            ),
        )

    def handle(self, *args, checkpoints, **options):
        files = checkpoints or (
            [Path(settings.AUDIT_CHECKPOINT_FILE)] if settings.AUDIT_CHECKPOINT_FILE else []
        )
        result = verify_trail(files)
        if not result.ok:
            lines = [f"The audit trail is NOT intact: {len(result.problems)} problem(s)."]
            for problem in result.problems:
                reason = problem.reason[0].upper() + problem.reason[1:]
                if problem.event_id is not None:
                    reason = f"At event {problem.event_id}: {problem.reason}"
                lines.append(f"- {reason}.")
            lines.append(
                f"Events verified: {result.events_checked}. "
                f"Checkpoints compared: {result.checkpoints_checked}."
            )
            lines.append(WHAT_TO_DO)
            raise CommandError("\n".join(lines))
        held = result.checkpoints_checked
        self.stdout.write(
            f"The audit trail is intact: {result.events_checked} events verified"
            + (f", consistent with {held} checkpoint{'' if held == 1 else 's'}." if files else ".")
        )
        if not files:
            self.stdout.write(
                "No checkpoints were checked, so removing the newest events, or rewriting "
                "events with the audit key, would go unnoticed: set "
                "FAMILIEBRO_AUDIT_CHECKPOINT_FILE, or give the checkpoints saved from e-mails "
                "with --checkpoints FILE."
            )
