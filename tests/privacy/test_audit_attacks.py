"""Attacks on the audit trail by someone with the database administrator's rights, and how
`familiebro verify-audit` detects each: the keyed chain catches every rewrite made without the
audit key, and the checkpoints outside the database catch removing the newest events (and a
rewrite by someone who has the key)."""

from __future__ import annotations

import base64
import importlib
import json
import os

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from familiebro.privacy import audit, checkpoints
from familiebro.privacy.models import AuditChainHead, AuditEvent
from familiebro.settings import dev_key
from tests.privacy.audit_tampering import (
    hmac_with,
    move_head,
    plain_sha256,
    rechain,
    tamper,
)

pytestmark = pytest.mark.django_db


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def write_events(n: int) -> list[AuditEvent]:
    return [audit.record("view", object_type="core.person", object_ids=[i]) for i in range(n)]


def verify(*args: str) -> str:
    """verify-audit's verdict: what it prints when the trail is intact, or its error."""
    try:
        call_command("verify-audit", *args)
    except CommandError as exc:
        return f"FAILED: {exc}"
    return "intact"


@pytest.fixture
def checkpoint_file(settings, tmp_path):
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    return path


# Rewrites without the key: the keyed chain alone detects them.


def test_an_event_edited_and_every_hash_recomputed_with_plain_sha256_is_detected():
    _, second, _ = write_events(3)
    tamper("UPDATE privacy_auditevent SET purpose = %s WHERE id = %s", ["research", second.pk])
    rechain(plain_sha256, from_event=second)
    assert f"At event {second.pk}: its content does not match its hash" in verify()


def test_a_rewrite_that_claims_every_event_predates_the_keyed_chain_is_detected():
    _, second, _ = write_events(3)
    tamper("UPDATE privacy_auditevent SET purpose = %s WHERE id = %s", ["research", second.pk])
    # Labelled as events from before the chain had a key, plain SHA-256 would hold.
    rechain(plain_sha256, key_id=audit.LEGACY_KEY_ID)
    first = AuditEvent.objects.order_by("id").first()
    assert f"At event {first.pk}: this and every later event are hashed without a key" in verify()


def test_an_event_edited_and_every_hash_recomputed_with_a_guessed_key_is_detected():
    _, second, _ = write_events(3)
    tamper("UPDATE privacy_auditevent SET purpose = %s WHERE id = %s", ["research", second.pk])
    # The public development key of another label, and the attacker's own key under a new id.
    for guessed in (dev_key("lookup"), new_key()):
        rechain(hmac_with(base64.urlsafe_b64decode(guessed)), from_event=second)
        assert f"At event {second.pk}: its content does not match its hash" in verify()
    rechain(hmac_with(base64.urlsafe_b64decode(new_key())), key_id="attacker", from_event=second)
    assert "chained with the key 'attacker', which FAMILIEBRO_AUDIT_KEYS does not hold" in (
        verify()
    )


def test_an_event_deleted_and_every_hash_recomputed_is_detected():
    _, second, third = write_events(3)
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [second.pk])
    rechain(plain_sha256, from_event=third)
    assert f"At event {third.pk}: its content does not match its hash" in verify()


def test_an_event_reattributed_to_another_user_is_detected(staff):
    write_events(1)
    second = audit.record("view", actor=staff, object_type="core.person", object_ids=[1])
    write_events(1)
    tamper(
        "UPDATE privacy_auditevent SET actor_id = %s, actor_label = %s WHERE id = %s",
        [999, "someone-else", second.pk],
    )
    assert f"At event {second.pk}: its content does not match its hash" in verify()
    rechain(plain_sha256, from_event=second)
    assert f"At event {second.pk}: its content does not match its hash" in verify()


def test_the_old_unkeyed_chain_was_fooled_by_a_recomputed_rewrite():
    # Why the chain is keyed: with plain SHA-256 links, this rewrite left no broken link.
    write_events(3)
    tamper("UPDATE privacy_auditevent SET purpose = 'research'")
    rechain(plain_sha256)
    prev_hash = audit.GENESIS_HASH
    for event in AuditEvent.objects.order_by("id"):
        assert event.prev_hash == prev_hash
        assert plain_sha256(event, prev_hash) == event.hash
        prev_hash = event.hash


# Removing the newest events: only the checkpoints outside the database can tell.


def test_the_newest_events_removed_and_the_head_moved_back_are_detected_by_a_checkpoint(
    checkpoint_file,
):
    events = write_events(5)
    call_command("audit-checkpoint")
    for event in events[3:]:
        tamper("DELETE FROM privacy_auditevent WHERE id = %s", [event.pk])
    move_head(events[2].pk, events[2].hash)
    # The chain that is left is consistent: without the checkpoint nothing would show.
    assert audit.verify_chain().ok
    verdict = verify()
    assert f"- The trail ends at event {events[2].pk}, but 1 checkpoint(s) recorded" in verdict
    assert f"recorded event {events[4].pk}: the newest events were removed" in verdict
    assert f"line 1 of {checkpoint_file}" in verdict


def test_a_trail_emptied_since_a_checkpoint_is_detected(checkpoint_file):
    write_events(2)
    call_command("audit-checkpoint")
    tamper("DELETE FROM privacy_auditevent")
    tamper("DELETE FROM privacy_auditchainhead")
    assert "The trail is empty, but 1 checkpoint(s) recorded later events" in verify()


def test_a_rewrite_with_the_audit_key_itself_is_detected_by_a_checkpoint(checkpoint_file):
    # An insider who has both the database and the audit key (but not the checkpoint file).
    events = write_events(3)
    call_command("audit-checkpoint")
    tamper("UPDATE privacy_auditevent SET purpose = 'research' WHERE id = %s", [events[1].pk])
    key = audit.audit_keyring().current
    rechain(lambda event, prev_hash: audit.chain_hash(event, prev_hash, key))
    assert audit.verify_chain().ok
    assert f"At event {events[2].pk}: the checkpoint written at" in verify()
    assert "recorded another hash for it" in verify()


def test_an_event_removed_before_a_checkpoint_and_the_chain_recomputed_with_the_key(
    checkpoint_file,
):
    events = write_events(3)
    call_command("audit-checkpoint")
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [events[2].pk])
    key = audit.audit_keyring().current
    rechain(lambda event, prev_hash: audit.chain_hash(event, prev_hash, key))
    assert "the newest events were removed" in verify()


def test_a_checkpoint_line_altered_or_forged_is_detected(checkpoint_file):
    events = write_events(2)
    call_command("audit-checkpoint")
    line = json.loads(checkpoint_file.read_text())
    altered = line | {"event_id": events[0].pk, "hash": events[0].hash}
    forged = dict(altered, key_id="other", mac="0" * 64)
    checkpoint_file.write_text(
        "\n".join([json.dumps(line), json.dumps(altered), json.dumps(forged), "not json"]) + "\n"
    )
    verdict = verify()
    assert f"Line 2 of {checkpoint_file} does not match its signature: it was altered" in verdict
    assert f"Line 3 of {checkpoint_file} is signed with the key 'other'" in verdict
    assert f"Line 4 of {checkpoint_file} is not a checkpoint" in verdict
    assert "Checkpoints compared: 1." in verdict


def test_a_missing_checkpoint_file_fails_and_says_what_to_do(checkpoint_file):
    write_events(1)
    verdict = verify()
    assert f"The checkpoint file {checkpoint_file} does not exist" in verdict
    assert "run 'familiebro audit-checkpoint' once" in verdict


def test_verify_audit_passes_with_the_checkpoints_and_says_so(checkpoint_file):
    write_events(2)
    call_command("audit-checkpoint")
    write_events(2)
    call_command("audit-checkpoint")
    write_events(1)
    assert verify() == "intact"
    assert len(checkpoint_file.read_text().splitlines()) == 2


def test_verify_audit_without_checkpoints_warns_that_truncation_would_go_unnoticed(capsys):
    write_events(2)
    call_command("verify-audit")
    out = capsys.readouterr().out
    assert "The audit trail is intact: 2 events verified." in out
    assert "removing the newest events" in out and "would go unnoticed" in out


# The database refuses changes (SQLite as PostgreSQL).


def test_the_database_refuses_to_update_or_delete_audit_events_through_the_orm_too():
    event = write_events(1)[0]
    for change in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(purpose="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's flush lifts its triggers")
def test_flushing_the_whole_database_keeps_the_triggers(settings):
    # As PostgreSQL's TRUNCATE, emptying everything stays possible; single rows stay refused.
    write_events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = write_events(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


# Key rotation and the events chained before the chain had a key.


def test_events_before_and_after_a_key_rotation_verify(settings):
    before = write_events(2)
    old = settings.AUDIT_KEYS
    settings.AUDIT_KEYS = f"2027:{new_key()},{old}"
    after = write_events(2)
    assert [e.key_id for e in before + after] == ["dev", "dev", "2027", "2027"]
    assert verify() == "intact"
    # A retired key must stay in the keyring: without it, its events cannot be checked.
    settings.AUDIT_KEYS = settings.AUDIT_KEYS.split(",")[0]
    verdict = verify()
    assert f"At event {before[0].pk}: it was chained with the key 'dev'" in verdict
    assert "put it back in the keyring" in verdict


def test_checkpoints_signed_before_a_checkpoint_key_rotation_still_verify(
    settings, checkpoint_file
):
    write_events(1)
    call_command("audit-checkpoint")
    settings.AUDIT_CHECKPOINT_KEYS = f"2027:{new_key()},{settings.AUDIT_CHECKPOINT_KEYS}"
    write_events(1)
    call_command("audit-checkpoint")
    key_ids = [json.loads(line)["key_id"] for line in checkpoint_file.read_text().splitlines()]
    assert key_ids == ["dev", "2027"]
    assert verify() == "intact"


def key_the_chain():
    """Migration 0009's step that keys an existing, unkeyed chain."""
    migration = importlib.import_module("familiebro.privacy.migrations.0009_audit_keyed_chain")
    with transaction.atomic():
        migration.key_the_chain(apps, None)


def write_unkeyed_events(n: int) -> list[AuditEvent]:
    """Events as the chain wrote them before it was keyed: plain SHA-256 links."""
    events = []
    for i in range(n):
        event = audit.new_event("view", object_type="core.person", object_ids=[i])
        head = AuditChainHead.objects.filter(pk=1).first()
        prev_hash = head.last_hash if head else audit.GENESIS_HASH
        event.key_id, event.prev_hash = audit.LEGACY_KEY_ID, prev_hash
        event.hash = plain_sha256(event, prev_hash)
        event.save()
        AuditChainHead.objects.update_or_create(
            pk=1, defaults={"last_event_id": event.pk, "last_hash": event.hash}
        )
        events.append(event)
    return events


def test_events_from_before_the_chain_was_keyed_verify_after_the_upgrade():
    old = write_unkeyed_events(3)
    key_the_chain()
    write_events(2)
    marker = AuditEvent.objects.get(prev_hash=old[-1].hash)
    assert marker.detail == {"audit_chain": "keyed", "key_id": "dev"}
    assert verify() == "intact"


def test_events_from_before_the_chain_was_keyed_cannot_be_rewritten_after_the_upgrade():
    old = write_unkeyed_events(3)
    key_the_chain()
    tamper("UPDATE privacy_auditevent SET purpose = 'research' WHERE id = %s", [old[1].pk])
    # The unkeyed events can be recomputed; the keyed event after them cannot.
    rechain_unkeyed_part = AuditEvent.objects.filter(key_id=audit.LEGACY_KEY_ID)
    prev_hash = audit.GENESIS_HASH
    for event in rechain_unkeyed_part.order_by("id"):
        event.prev_hash, event.hash = prev_hash, plain_sha256(event, prev_hash)
        tamper(
            "UPDATE privacy_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.pk],
        )
        prev_hash = event.hash
    marker = AuditEvent.objects.exclude(key_id=audit.LEGACY_KEY_ID).get()
    assert f"At event {marker.pk}: its link to the previous event does not match" in verify()


def test_keyed_events_rewritten_as_unkeyed_after_keyed_ones_are_detected():
    _, second, _ = write_events(3)
    tamper("UPDATE privacy_auditevent SET purpose = %s WHERE id = %s", ["research", second.pk])
    rechain(plain_sha256, key_id=audit.LEGACY_KEY_ID, from_event=second)
    assert f"At event {second.pk}: it claims to be hashed without a key" in verify()


# The worker writes checkpoints, to the file and to the data protection officer.


def test_the_worker_writes_a_checkpoint_to_the_file_and_e_mails_the_dpo(
    settings, checkpoint_file, monkeypatch, tmp_path
):
    from familiebro.cases.management.commands import worker as worker_command

    settings.AUDIT_CHECKPOINT_EMAIL = ["personvernombud@kommune.example"]
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)
    events = write_events(2)
    call_command("worker", "--once")
    line = json.loads(checkpoint_file.read_text())
    assert (line["event_id"], line["hash"]) == (events[-1].pk, events[-1].hash)
    [message] = mail.outbox
    assert message.to == ["personvernombud@kommune.example"]
    assert message.subject == "Familiebro: kontrollpunkt for tilgangsloggen"  # the instance's
    # The DPO can check the trail against the checkpoint saved from the e-mail.
    saved = tmp_path / "from-email.jsonl"
    saved.write_text(
        next(text for text in message.body.splitlines() if text.startswith("{")) + "\n"
    )
    settings.AUDIT_CHECKPOINT_FILE = ""
    assert verify("--checkpoints", str(saved)) == "intact"
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [events[-1].pk])
    move_head(events[0].pk, events[0].hash)
    assert "the newest events were removed" in verify("--checkpoints", str(saved))


def test_the_checkpoint_interval_is_configurable(settings, checkpoint_file):
    settings.AUDIT_CHECKPOINT_MINUTES = 60
    assert checkpoints.checkpoint_interval_seconds() == 3600
    settings.AUDIT_CHECKPOINT_FILE = ""
    assert checkpoints.checkpoint_interval_seconds() is None  # nowhere to write


def test_a_checkpoint_that_cannot_be_written_says_why_and_what_to_do(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "no-such-directory" / "checkpoints.jsonl")
    with pytest.raises(CommandError, match=r"could not be written to .*no-such-directory"):
        call_command("audit-checkpoint")
    settings.AUDIT_CHECKPOINT_FILE = ""
    with pytest.raises(CommandError, match="No checkpoint destination is configured"):
        call_command("audit-checkpoint")


def test_the_checkpoint_task_writes_one_for_installations_with_their_own_scheduler(
    checkpoint_file,
):
    from familiebro.privacy.tasks import write_audit_checkpoint_task

    event = write_events(1)[0]
    assert write_audit_checkpoint_task.call() == {"event_id": event.pk, "hash": event.hash}
    assert json.loads(checkpoint_file.read_text())["event_id"] == event.pk
