import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from familiebro.privacy import audit
from familiebro.privacy.models import AuditChainHead, AuditEvent
from tests.privacy.audit_tampering import tamper

pytestmark = pytest.mark.django_db


def write_events(n=3):
    return [audit.record("view", object_type="core.person", object_ids=[i]) for i in range(n)]


def test_each_event_links_to_the_previous_one():
    first, second, third = write_events()
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_events_appended_together_are_linked_in_their_order_with_one_head_update():
    before = write_events(1)[0]
    events = [audit.new_event("list", object_type="core.person", object_ids=[i]) for i in (7, 8)]
    with CaptureQueriesContext(connection) as queries:
        audit.append(events)
    first, second = AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")
    assert [first.object_ids, second.object_ids] == [["7"], ["8"]]
    assert first.prev_hash == before.hash and second.prev_hash == first.hash
    assert AuditChainHead.objects.get(pk=1).last_hash == second.hash
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) == 2  # the two events in one INSERT, the chain head in one UPDATE
    assert audit.verify_chain().ok


def test_verify_audit_reports_an_intact_chain(capsys):
    write_events()
    call_command("verify-audit")
    assert "3 events verified" in capsys.readouterr().out


def test_an_event_is_not_written_when_the_change_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("create", object_type="core.person", object_ids=[1])
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    write_events(1)
    assert audit.verify_chain().ok


def test_verify_audit_finds_an_altered_event():
    _, second, _ = write_events()
    tamper("UPDATE privacy_auditevent SET purpose = %s WHERE id = %s", ["other", second.pk])
    with pytest.raises(CommandError, match=f"At event {second.pk}: .*altered"):
        call_command("verify-audit")


def test_verify_audit_finds_a_removed_event():
    _, second, third = write_events()
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"At event {third.pk}: .*removed"):
        call_command("verify-audit")


def test_verify_audit_finds_the_newest_event_removed():
    *_, third = write_events()
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [third.pk])
    result = audit.verify_chain()
    assert not result.ok
    assert "newest events are missing" in result.reason


def test_the_database_refuses_updates_and_deletes_of_audit_events():
    # PostgreSQL's trigger (migration 0002) and SQLite's (0009) alike.
    from django.db.utils import DatabaseError

    event = write_events(1)[0]
    for statement in (
        "UPDATE privacy_auditevent SET purpose = 'x' WHERE id = %s",
        "DELETE FROM privacy_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
