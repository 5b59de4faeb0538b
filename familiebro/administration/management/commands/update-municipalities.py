import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from familiebro.core import municipalities
from familiebro.core.models import Municipality
from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Update the municipalities from a newer official list in the shape of Statistics "
        "Norway's classification 131 (JSON: codes with code, name and parentCode; counties "
        "with code and name). Adds new municipalities, renames changed ones and marks those "
        "no longer in the list as ended, without deleting them. Prints what changed; running "
        "it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list, a JSON file.")
        parser.add_argument(
            "--ended-on",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date the municipalities missing from the list ended (default today).",
        )

    def handle(self, *args, **options):
        try:
            entries = municipalities.read_list(options["file"])
        except municipalities.ListError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            changes = municipalities.apply_list(
                Municipality,
                entries,
                today=options["ended_on"] or timezone.localdate(),
            )
            if changes.any:
                audit.record(
                    AuditEvent.Action.CHANGE,
                    object_type="core.municipality",
                    purpose="administration",
                    detail={
                        "event": "municipalities_updated",
                        "added": [item.split(" ")[0] for item in changes.added],
                        "changed": [item.split(" ")[0] for item in changes.renamed],
                        "ended": [item.split(" ")[0] for item in changes.ended],
                        "restored": [item.split(" ")[0] for item in changes.restored],
                    },
                )
        self.stdout.write(changes.summary())
