import json
import os
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404

from familiebro.core.models import Person, User
from familiebro.privacy import export, policy


class Command(BaseCommand):
    help = (
        "Export everything the organisation holds about a person (the right of access), as "
        "JSON or PDF, on behalf of a staff member who works with the person. The export is "
        "audited under that staff member's name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--person-id", type=int, required=True, help="The person's id.")
        parser.add_argument(
            "--actor",
            required=True,
            help="Username of the staff member handling the request; their access applies.",
        )
        parser.add_argument("--format", choices=["json", "pdf"], default="pdf")
        parser.add_argument(
            "--output", required=True, help="File to write. It is created readable by you only."
        )

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["actor"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(
                f"No active staff member has the username {options['actor']!r}. Check the "
                "spelling; usernames are case-sensitive."
            ) from None
        try:
            person = policy.get_or_404(actor, Person, options["person_id"], export.PURPOSE)
            data = export.export_person(actor, person)
        except Http404:
            raise CommandError(
                f"Person {options['person_id']} was not found among the persons "
                f"{actor.username} works with. Check the id, or assign {actor.username} to "
                "the person first."
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            payload = content.encode()
        else:
            payload = export.render_pdf(data)
        path = Path(options["output"])
        # Personal data: the file is readable by its owner only, from the moment it exists.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
        self.stdout.write(
            f"Wrote the export of person {person.pk} ({len(payload)} bytes) to {path}. The "
            "export is recorded in the audit trail."
        )
