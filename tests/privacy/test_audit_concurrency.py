"""Concurrent writers of the audit trail, on PostgreSQL: requests that append at the same moment
still form one intact chain, each transaction's events side by side, and verify-audit agrees."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

WRITERS = 8


def run_at_once(work, count: int) -> list[BaseException]:
    """Run work(i) for i in range(count) in threads released together by a barrier; return
    what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_appends_form_one_intact_chain(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")

    def append_a_request(i: int) -> None:
        # One request's two events, in its own transaction, as a page that shows two lists.
        with transaction.atomic():
            audit.append(
                [
                    audit.new_event("list", object_type="core.person", object_ids=[i, "a"]),
                    audit.new_event("list", object_type="core.person", object_ids=[i, "b"]),
                ]
            )

    # The trail starts empty: the first writers also race to create the chain's head.
    assert not AuditEvent.objects.exists()
    assert run_at_once(append_a_request, WRITERS) == []

    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 2 * WRITERS
    prev_hash = audit.GENESIS_HASH
    for event in events:
        assert event.prev_hash == prev_hash
        prev_hash = event.hash
    # No transaction's events were split by another's.
    pairs = [(events[i].object_ids, events[i + 1].object_ids) for i in range(0, len(events), 2)]
    assert sorted(pairs) == sorted(([str(i), "a"], [str(i), "b"]) for i in range(WRITERS))
    call_command("audit-checkpoint", stdout=StringIO())
    out = StringIO()
    call_command("verify-audit", stdout=out)
    assert (
        f"The audit trail is intact: {2 * WRITERS} events verified, consistent with 1 checkpoint."
        in out.getvalue()
    )


def test_appends_racing_a_checkpoint_leave_the_checkpoint_on_a_committed_event(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    audit.record("view", object_type="core.person", object_ids=[0])

    def append_or_checkpoint(i: int) -> None:
        if i % 2:
            call_command("audit-checkpoint", stdout=StringIO())
        else:
            with transaction.atomic():
                audit.record("view", object_type="core.person", object_ids=[i])

    assert run_at_once(append_or_checkpoint, WRITERS) == []
    out = StringIO()
    call_command("verify-audit", stdout=out)
    assert f"consistent with {WRITERS // 2} checkpoints" in out.getvalue()
