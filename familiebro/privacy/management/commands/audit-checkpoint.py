from django.core.management.base import BaseCommand, CommandError

from familiebro.privacy.checkpoints import CheckpointError, destinations, write_checkpoint


class Command(BaseCommand):
    help = (
        "Write a checkpoint of the audit trail's head now, to FAMILIEBRO_AUDIT_CHECKPOINT_FILE "
        "and/or FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL (the worker does this on its own every "
        "FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES)."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = write_checkpoint()
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        newest = (
            f"event {checkpoint.event_id}" if checkpoint.event_id is not None else "no events yet"
        )
        self.stdout.write(
            f"Checkpoint written ({newest}, hash {checkpoint.hash[:12]}…) to "
            f"{', '.join(destinations())}."
        )
