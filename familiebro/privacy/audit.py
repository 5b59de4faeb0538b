"""Writing and verifying the audit trail.

Each event's hash covers its own content and the previous event's hash, so removing,
reordering or altering any event breaks every later link. Writers lock the single chain-head
row, which orders concurrent transactions; the event is written in the caller's transaction,
so a change that rolls back leaves no event and an event that fails rolls the change back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from familiebro.core.request_context import current_request_id

from .models import AuditChainHead, AuditEvent
from .policy import Basis

GENESIS_HASH = "0" * 64


def _digest(event: AuditEvent, prev_hash: str) -> str:
    content = {
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_ids": [str(i) for i in event.object_ids],
        "subject_ids": [str(i) for i in event.subject_ids],
        "purpose": event.purpose,
        "legal_basis": event.legal_basis,
        "consent_id": event.consent_id,
        "detail": event.detail,
        "request_id": event.request_id,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def new_event(
    action: str,
    *,
    actor: Any = None,
    objects: Iterable[models.Model] = (),
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    subject_ids: Iterable[Any] = (),
    organisation_id: int | None = None,
    purpose: str = "",
    legal_basis: str = "",
    consent_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An event not yet in the chain: append() links and writes it.

    `objects` is a convenience for model instances: their type and ids are recorded.
    `detail` must never hold personal data (names, identity numbers, free text).
    An event on the basis of consent names the consent: `consent_id`, or when several opened
    what was read, all of them in `detail["consent_ids"]`.
    """
    if Basis.CONSENT in legal_basis.split(",") and not (
        consent_id or (detail or {}).get("consent_ids")
    ):
        raise ValueError(
            "An audit event on the basis of consent must name the consent: pass consent_id "
            "(policy.record_access() does so from the bases it is given)."
        )
    objects = list(objects)
    ids = [str(i) for i in object_ids]
    if objects:
        object_type = object_type or objects[0]._meta.label_lower
        ids += [str(o.pk) for o in objects]
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    # A citizen logged in with ID-porten has no staff account: their label says who it was.
    actor_label = getattr(actor, "audit_label", "") or (
        actor.get_username() if actor_id is not None else ""
    )
    return AuditEvent(
        # Microseconds are kept: the database stores them and the hash covers them.
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_ids=ids,
        subject_ids=[str(i) for i in subject_ids],
        purpose=purpose,
        legal_basis=legal_basis,
        consent_id=consent_id,
        detail=detail or {},
        request_id=current_request_id() or "",
    )


def append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Link `events` to the chain in their order and write them inside the caller's
    transaction: one lock of the chain head, one insert and one head update however many
    (a page that shows two lists writes both of its events at once)."""
    if not events:
        return events
    # No savepoint: if the events cannot be written, the whole change must roll back anyway.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=GENESIS_HASH)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        last_hash = head.last_hash
        for event in events:
            event.prev_hash = last_hash
            event.hash = last_hash = _digest(event, last_hash)
        # One INSERT, its rows numbered in this order: the order verify_chain() walks.
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(last_event_id=events[-1].pk, last_hash=last_hash)
    return events


def record(action: str, **fields: Any) -> AuditEvent:
    """Append one event (see new_event() for its fields) to the chain, inside the caller's
    transaction."""
    return append([new_event(action, **fields)])[0]


@dataclass
class VerificationResult:
    ok: bool
    events_checked: int
    broken_event_id: int | None = None
    reason: str = ""


def verify_chain(chunk_size: int = 5000) -> VerificationResult:
    """Walk the whole chain; report the first event whose link or content does not hold."""
    prev_hash = GENESIS_HASH
    last_id = None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev_hash:
            return VerificationResult(
                False,
                checked,
                event.pk,
                "its link to the previous event does not match: an event before it was "
                "removed or altered",
            )
        if _digest(event, prev_hash) != event.hash:
            return VerificationResult(
                False, checked, event.pk, "its content does not match its hash: it was altered"
            )
        prev_hash, last_id = event.hash, event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev_hash or head.last_event_id != last_id):
        return VerificationResult(
            False,
            checked,
            head.last_event_id,
            "the newest events are missing: the chain ends before its recorded head",
        )
    return VerificationResult(True, checked)
