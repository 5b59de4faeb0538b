"""`familiebro appointment-sweep`: queue the reminders and go/no-go notices appointment books
owe now; the worker (`familiebro worker`) sends them. Run from cron as often as you like."""

from django.core.management.base import BaseCommand

from familiebro.groups.appointments import sweep


class Command(BaseCommand):
    help = (
        "Queue the appointment reminders to families and the go/no-go notices to providers "
        "that are due; run from cron as often as you like, the worker sends them."
    )

    def handle(self, *args, **options):
        self.stdout.write(sweep.sweep().describe())
