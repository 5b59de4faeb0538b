"""familiebro create-instance-admin: make the first instance administrator (or another)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.administration import staff_actions

ENVIRONMENT = {
    "username": "FAMILIEBRO_ADMIN_USERNAME",
    "name": "FAMILIEBRO_ADMIN_NAME",
    "email": "FAMILIEBRO_ADMIN_EMAIL",
    "password": "FAMILIEBRO_ADMIN_PASSWORD",
}


class Command(BaseCommand):
    help = (
        "Make an instance administrator: asks for the username, name, e-mail and password "
        "(twice), or with --no-input reads them from FAMILIEBRO_ADMIN_USERNAME, "
        "FAMILIEBRO_ADMIN_NAME, FAMILIEBRO_ADMIN_EMAIL and FAMILIEBRO_ADMIN_PASSWORD. The "
        "administrator sets up an authenticator app at the first login."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Read everything from the environment variables instead of asking.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interactive"]:
            values = self._ask()
        else:
            missing = [name for name in ENVIRONMENT.values() if not os.environ.get(name)]
            if missing:
                raise CommandError(f"Set {', '.join(missing)} (or leave out --no-input).")
            values = {key: os.environ[name] for key, name in ENVIRONMENT.items()}
        first_name, _, last_name = values["name"].strip().rpartition(" ")
        try:
            user = staff_actions.create_instance_admin(
                username=values["username"],
                first_name=first_name,
                last_name=last_name,
                email=values["email"],
                password=values["password"],
            )
        except ValidationError as error:
            lines = [
                f"{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("Nothing was made.\n" + "\n".join(lines)) from error
        self.stdout.write(
            f"{user.username} is an instance administrator. At the first login they set up an "
            "authenticator app, then find the administration pages under "
            "/ansatt/administrasjon/."
        )

    def _ask(self) -> dict[str, str]:
        values = {
            "username": input("Username: "),
            "name": input("Full name (first and last): "),
            "email": input("E-mail: "),
        }
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CommandError("The two passwords differ. Nothing was made; run it again.")
        values["password"] = password
        return values
