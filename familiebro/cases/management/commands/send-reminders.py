from django.core.management.base import BaseCommand

from familiebro.cases.deadlines import reminders


class Command(BaseCommand):
    help = (
        "Send the deadline reminders that are owed now, once each, and print how many. Safe to "
        "run from cron as often as you like; `familiebro worker` also does this on its own."
    )

    def handle(self, *args, **options):
        self.stdout.write(reminders.sweep().describe())
