from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.core.models import Membership, ServiceUnit, User
from familiebro.privacy import grants


class Command(BaseCommand):
    help = (
        "Give a staff member a role in a unit, on the authorisation of the unit's data "
        "controller: name the instance administrator doing it (--admin), who at the controller "
        "authorised it (--authorised-by, name and position) and the reference of the "
        "controller's written authorisation (--reference). Kept and audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin", required=True, help="Your username (instance admin).")
        parser.add_argument("--user", required=True, help="The staff member's username.")
        parser.add_argument("--unit", required=True, type=int, help="The unit's id.")
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--authorised-by", default="", help="Name and position.")
        parser.add_argument("--reference", default="", help="Case or document number.")

    def handle(self, *args, **options):
        admin = User.objects.filter(username=options["admin"]).first()
        user = User.objects.filter(username=options["user"]).first()
        unit = ServiceUnit.objects.select_related("organisation").filter(pk=options["unit"]).first()
        if admin is None or user is None:
            raise CommandError("No staff account has that username: check --admin and --user.")
        if unit is None:
            raise CommandError(f"No unit has the id {options['unit']}.")
        try:
            grants.grant_role(
                admin,
                user=user,
                unit=unit,
                role=options["role"],
                authorised_by=options["authorised_by"],
                reference=options["reference"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        self.stdout.write(
            f"{user.get_username()} is now {options['role']} in {unit.name} "
            f"({unit.organisation.name}), authorised by {options['authorised_by'].strip()}, "
            f"reference {options['reference'].strip()}."
        )
