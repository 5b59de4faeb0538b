"""Changes to the registers the instance publishes: the programme register and the crisis
lines the finder shows for searches about danger.

Each change checks the editor's right (permissions.require_can_edit_register), is saved with
an audit event naming the fields that changed, in one transaction. The registers hold no
personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

from .models import CrisisLine, Programme
from .permissions import require_can_edit_register

AUDIT_PURPOSE = "catalogue"


def _apply(instance: models.Model, data: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


def _record(actor: Any, action: str, instance: models.Model, fields: list[str]) -> None:
    audit.record(
        action,
        actor=actor,
        object_type=f"catalogue.{instance._meta.model_name}",
        object_ids=[instance.pk],
        purpose=AUDIT_PURPOSE,
        detail={"event": "create" if action == AuditEvent.Action.CREATE else "update",
                "fields": fields},
    )  # fmt: skip


@transaction.atomic
def save_crisis_line(
    actor: Any, data: Mapping[str, Any], line: CrisisLine | None = None
) -> CrisisLine:
    """Create a crisis line, or change one; `data` is a valid CrisisLineForm's."""
    require_can_edit_register(actor)
    creating = line is None
    line = line or CrisisLine()
    changed = _apply(line, data)
    if changed or creating:
        line.save()
        action = AuditEvent.Action.CREATE if creating else AuditEvent.Action.CHANGE
        _record(actor, action, line, changed)
    return line


@transaction.atomic
def save_programme(
    actor: Any, data: Mapping[str, Any], programme: Programme | None = None
) -> Programme:
    """Create a programme in the register, or change one; `data` is a valid ProgrammeForm's."""
    require_can_edit_register(actor)
    creating = programme is None
    programme = programme or Programme()
    changed = _apply(programme, data)
    if changed or creating:
        programme.updated_at = timezone.now()
        programme.save()
        action = AuditEvent.Action.CREATE if creating else AuditEvent.Action.CHANGE
        _record(actor, action, programme, changed)
    return programme
