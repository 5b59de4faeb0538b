"""What an attacker with the database administrator's rights, but without the audit keys, can do
to the trail: change rows behind the application's back with the append-only triggers lifted,
and compute every later link again with whatever hash they can compute."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.db import connection

from familiebro.privacy import append_only, audit
from familiebro.privacy.models import AuditEvent


def tamper(sql: str, params: list | tuple = ()) -> None:
    """Run one statement on the audit table with its triggers lifted, as a DBA would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE privacy_auditevent ENABLE TRIGGER USER")
        else:
            lifted = append_only.present_sqlite_triggers(cursor)
            append_only.drop_sqlite_triggers(cursor, lifted)
            cursor.execute(sql, params)
            append_only.create_sqlite_triggers(cursor, lifted)


Digest = Callable[[AuditEvent, str], str]


def plain_sha256(event: AuditEvent, prev_hash: str) -> str:
    """The hash anyone can compute: the unkeyed SHA-256 the chain used before it was keyed."""
    return audit.chain_hash(event, prev_hash, None)


def hmac_with(guessed_key: bytes) -> Digest:
    """The keyed hash, with a key the attacker guessed instead of the real one."""

    def digest(event: AuditEvent, prev_hash: str) -> str:
        content = audit._canonical(event, keyed=True)
        return hmac.new(guessed_key, (prev_hash + content).encode(), hashlib.sha256).hexdigest()

    return digest


def rechain(
    digest: Digest, *, key_id: str | None = None, from_event: AuditEvent | None = None
) -> None:
    """Compute every link again with `digest`, from `from_event` (or the first) to the newest,
    claiming `key_id` for each if given, and point the head at the newest: a rewrite that
    leaves no broken link for anyone who checks with the same digest."""
    events = AuditEvent.objects.order_by("id")
    prev_hash = audit.GENESIS_HASH
    if from_event is not None:
        before = events.filter(id__lt=from_event.pk).last()
        prev_hash = before.hash if before else prev_hash
        events = events.filter(id__gte=from_event.pk)
    last_id = None
    for event in events:
        if key_id is not None:
            event.key_id = key_id
        event.prev_hash = prev_hash
        prev_hash = digest(event, prev_hash)
        tamper(
            "UPDATE privacy_auditevent SET key_id = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.key_id, event.prev_hash, prev_hash, event.pk],
        )
        last_id = event.pk
    move_head(last_id, prev_hash)


def move_head(event_id: int | None, event_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditchainhead SET last_event_id = %s, last_hash = %s WHERE id = 1",
            [event_id, event_hash],
        )
