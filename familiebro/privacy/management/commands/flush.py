"""Django's `flush`, which on SQLite lifts the audit trail's append-only triggers for the
flush alone, as PostgreSQL lets the table's owner TRUNCATE it (privacy/append_only.py)."""

from django.core.management.commands import flush
from django.db import connections, transaction

from familiebro.privacy import append_only


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        # One transaction: the triggers are never missing outside the flush itself.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            lifted = append_only.present_sqlite_triggers(cursor)
            append_only.drop_sqlite_triggers(cursor, lifted)
            super().handle(**options)
            append_only.create_sqlite_triggers(cursor, lifted)
