from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familiebro.core.demo import DEMO_LOGINS, DemoDataRefused
from familiebro.demo.data import load_demo_data


class Command(BaseCommand):
    help = (
        "Load fictional demo data: the pilot municipalities and their services, family "
        "counselling offices, BUP units, demo staff logins and families with synthetic identity "
        "numbers. Creates only what is missing; runs only on a demo or test instance."
    )

    def handle(self, *args, **options):
        try:
            result = load_demo_data()
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
        self.stdout.write(
            f"{len(DEMO_LOGINS)} demo logins share the password {settings.DEMO_PASSWORD!r}; "
            "docs/demo.md lists them."
        )
