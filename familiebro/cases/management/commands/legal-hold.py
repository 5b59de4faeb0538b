from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.cases.models import Case
from familiebro.core.models import Person, User
from familiebro.privacy import holds
from familiebro.privacy.models import LegalHold


class Command(BaseCommand):
    help = (
        "Place, lift or list legal holds: a hold stops retention from deleting a person's "
        "data or a case until it is lifted. Placed and lifted by a leader, with the reason; "
        "both are audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["place", "lift", "list"])
        parser.add_argument("--by", help="Username of the leader who decides.")
        parser.add_argument("--person", type=int, help="The person's id (place).")
        parser.add_argument("--case", help="The case's reference (place).")
        parser.add_argument("--hold", type=int, help="The hold's id (lift).")
        parser.add_argument("--reason", default="", help="Why (place), or why no longer (lift).")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for hold in LegalHold.objects.filter(lifted_at__isnull=True).order_by("pk"):
                what = (
                    f"person {hold.person_id}"
                    if hold.person_id
                    else f"{hold.object_type} {hold.object_id}"
                )
                self.stdout.write(
                    f"{hold.pk}: {hold.organisation.name}, {what}, placed "
                    f"{hold.placed_at:%d.%m.%Y} by {hold.placed_by.display_name()}"
                )
            return
        user = User.objects.filter(username=options["by"] or "").first()
        if user is None:
            raise CommandError("Name the leader who decides with --by USERNAME.")
        try:
            if options["action"] == "place":
                person = record = None
                if options["person"]:
                    person = Person.objects.filter(pk=options["person"]).first()
                    if person is None:
                        raise CommandError(f"There is no person {options['person']}.")
                if options["case"]:
                    record = Case.objects.filter(reference=options["case"]).first()
                    if record is None:
                        raise CommandError(f"There is no case {options['case']}.")
                hold = holds.place_hold(user, options["reason"], person=person, record=record)
                self.stdout.write(f"Legal hold {hold.pk} placed.")
            else:
                held = LegalHold.objects.filter(pk=options["hold"] or 0).first()
                if held is None:
                    raise CommandError("Name the hold to lift with --hold ID (see `list`).")
                holds.lift_hold(user, held, options["reason"])
                self.stdout.write(f"Legal hold {held.pk} lifted.")
        except (PermissionDenied, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
