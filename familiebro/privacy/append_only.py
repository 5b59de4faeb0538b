"""The triggers that keep the audit trail append-only on SQLite (PostgreSQL's are in migration
0002): they refuse UPDATE and DELETE on privacy_auditevent for everyone.

Emptying the whole database stays possible, as PostgreSQL's TRUNCATE does for the table's
owner: `familiebro flush` (which the tests also use between transactional tests) lifts the
triggers for the flush alone. The checkpoints outside the database show such an emptying up.
"""

from __future__ import annotations

from typing import Any

SQLITE_TRIGGERS = {
    "privacy_auditevent_no_update": "UPDATE",
    "privacy_auditevent_no_delete": "DELETE",
}


def _create_sql(name: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {operation} ON privacy_auditevent BEGIN "
        f"SELECT RAISE(ABORT, 'The audit trail is append-only: {operation} on "
        "privacy_auditevent is not allowed'); END"
    )


def present_sqlite_triggers(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
        list(SQLITE_TRIGGERS),
    )
    return [name for (name,) in cursor.fetchall()]


def create_sqlite_triggers(cursor: Any, names: list[str] | None = None) -> None:
    for name in SQLITE_TRIGGERS if names is None else names:
        cursor.execute(_create_sql(name, SQLITE_TRIGGERS[name]))


def drop_sqlite_triggers(cursor: Any, names: list[str] | None = None) -> None:
    for name in SQLITE_TRIGGERS if names is None else names:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
