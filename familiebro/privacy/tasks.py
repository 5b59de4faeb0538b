"""Background tasks of the privacy layer, run by the django-tasks worker (`familiebro db_worker`).

django-tasks runs what is enqueued; it has no clock of its own. Schedule retention nightly
either with cron or a systemd timer running `familiebro apply-retention` (the simplest, see
docs/operations.md), or by enqueueing `apply_retention_task` from whatever scheduler the
installation already has. Both run the same service function.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .checkpoints import write_checkpoint
from .retention import apply_retention


@task()
def apply_retention_task() -> dict[str, Any]:
    """Apply the retention rules now. Fails (and the worker records the failure) when a
    category could not be handled; the categories that could be are still done."""
    report = apply_retention()
    report.raise_for_errors()
    return report.as_dict()


@task()
def write_audit_checkpoint_task() -> dict[str, Any]:
    """Write a checkpoint of the audit trail's head, for installations that schedule it
    themselves (`familiebro worker` writes them on its own). Fails, and the worker records the
    failure, when a destination could not be written."""
    checkpoint = write_checkpoint()
    return {"event_id": checkpoint.event_id, "hash": checkpoint.hash}
