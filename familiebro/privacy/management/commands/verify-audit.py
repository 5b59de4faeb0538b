from django.core.management.base import BaseCommand, CommandError

from familiebro.privacy.audit import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"The audit trail is broken at event {result.broken_event_id}: {result.reason}. "
                f"{result.events_checked} events before it are intact. Keep a copy of the "
                "database as evidence and report this to the data protection officer."
            )
        self.stdout.write(f"The audit trail is intact: {result.events_checked} events verified.")
