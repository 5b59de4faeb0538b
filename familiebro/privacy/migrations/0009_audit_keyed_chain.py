"""Key the audit chain, and make the trail append-only on SQLite too.

Events already written were chained with a plain SHA-256: they keep it, under the key id
"sha256". So that nobody can rewrite them (SHA-256 needs no key), this migration appends a keyed
event after them, chained with the current key of FAMILIEBRO_AUDIT_KEYS: its hash covers every
earlier one, and verify-audit accepts unkeyed events only before a keyed one.

SQLite gets the triggers PostgreSQL has had since 0002. SQLite drops a table's triggers when a
migration rebuilds the table, so any later migration that alters privacy_auditevent must create
them again (tests/privacy/test_audit_chain.py fails if it does not). Migrating back is refused
once keyed events exist: earlier releases could not verify them.
"""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.utils import timezone

from familiebro.privacy import append_only
from familiebro.privacy.audit import LEGACY_KEY_ID, audit_keyring, chain_hash

def key_the_chain(apps, schema_editor):
    AuditEvent = apps.get_model("privacy", "AuditEvent")
    AuditChainHead = apps.get_model("privacy", "AuditChainHead")
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None or head.last_event_id is None:
        return  # nothing was chained yet: every event will be keyed
    keyring = audit_keyring()
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_label="",
        action="security",
        object_type="privacy.auditevent",
        object_ids=[],
        subject_ids=[],
        detail={"audit_chain": "keyed", "key_id": keyring.current_id},
        prev_hash=head.last_hash,
        key_id=keyring.current_id,
    )
    event.hash = chain_hash(event, head.last_hash, keyring.current)
    event.save()
    AuditChainHead.objects.filter(pk=1).update(last_event_id=event.pk, last_hash=event.hash)


def refuse_to_unkey_the_chain(apps, schema_editor):
    AuditEvent = apps.get_model("privacy", "AuditEvent")
    if AuditEvent.objects.exclude(key_id=LEGACY_KEY_ID).exists():
        raise IrreversibleError(
            "The audit trail holds events chained with a key, which earlier releases can "
            "neither verify nor continue. Restore the database from a backup taken before the "
            "upgrade instead of migrating back."
        )


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            append_only.create_sqlite_triggers(cursor)


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            append_only.drop_sqlite_triggers(cursor)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_assignment_end_reason")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default=LEGACY_KEY_ID, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(key_the_chain, refuse_to_unkey_the_chain),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
