"""Writing and verifying the audit trail.

Each event's hash is an HMAC-SHA256, keyed with the current key of FAMILIEBRO_AUDIT_KEYS, of
its own content and the previous event's hash: removing, reordering or altering any event
breaks every later link, and nobody without the key (which is kept apart from the database and
its backups) can compute the links again. Each event records the id of the key it was chained
with, so a rotated key's events still verify. Writers lock the single chain-head row, which
orders concurrent transactions; the event is written in the caller's transaction, so a change
that rolls back leaves no event and an event that fails rolls the change back.

The key does not help against someone who removes the newest events and moves the head back,
or who holds the key: checkpoints of the head, written outside the database
(privacy/checkpoints.py), do, and verify_chain() checks the trail against them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from familiebro.core.crypto import Keyring, parse_keyring
from familiebro.core.request_context import current_request_id

from .basis import Basis
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from .checkpoints import Checkpoint

GENESIS_HASH = "0" * 64
# The key id of the events chained before the chain had a key, with a plain SHA-256. They are
# accepted only at the start of the chain, and only with a keyed event after them (the upgrade
# that keyed the chain wrote one): its keyed hash covers theirs, so they cannot be rewritten.
LEGACY_KEY_ID = "sha256"


def audit_keyring() -> Keyring:
    return parse_keyring(settings.AUDIT_KEYS, "FAMILIEBRO_AUDIT_KEYS", reserved=(LEGACY_KEY_ID,))


def _canonical(event: Any, *, keyed: bool) -> str:
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
    if keyed:
        content["key_id"] = event.key_id
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(event: Any, prev_hash: str, key: bytes | None) -> str:
    """The event's link: HMAC-SHA256 with `key` over the previous hash and the event's content
    (its key id included). Without a key, the plain SHA-256 of events from before the chain was
    keyed. `event` may be a migration's historical model: this must never change."""
    if key is None:
        return hashlib.sha256((prev_hash + _canonical(event, keyed=False)).encode()).hexdigest()
    message = (prev_hash + _canonical(event, keyed=True)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
            # The very first writers race to create the head: one inserts it, the others wait
            # for that and insert nothing (ON CONFLICT DO NOTHING), and all then lock it.
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(pk=1, last_hash=GENESIS_HASH)], ignore_conflicts=True
            )
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        last_hash = head.last_hash
        keyring = audit_keyring()
        for event in events:
            event.prev_hash = last_hash
            event.key_id = keyring.current_id
            event.hash = last_hash = chain_hash(event, last_hash, keyring.current)
        # One INSERT, its rows numbered in this order: the order verify_chain() walks.
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(last_event_id=events[-1].pk, last_hash=last_hash)
    return events


def record(action: str, **fields: Any) -> AuditEvent:
    """Append one event (see new_event() for its fields) to the chain, inside the caller's
    transaction."""
    return append([new_event(action, **fields)])[0]


# Reading figures (counts and waiting times of a set of units, small counts suppressed): no
# person's record is read, so the event names the units and the period, no person, and no
# family's access log shows it.
STATISTICS_PURPOSE = "statistics"


def record_aggregate_read(
    actor: Any, *, unit_ids: Iterable[int], organisation_id: int, detail: dict[str, Any]
) -> AuditEvent:
    """Record that `actor` read the aggregated figures of `unit_ids` (one organisation's)."""
    return record(
        "view",
        actor=actor,
        object_type="reports.figures",
        object_ids=sorted(unit_ids),
        organisation_id=organisation_id,
        purpose=STATISTICS_PURPOSE,
        detail=detail,
    )


@dataclass
class Problem:
    """Something verify_chain() found wrong: what, and at which event if it names one."""

    reason: str
    event_id: int | None = None


@dataclass
class VerificationResult:
    events_checked: int
    problems: list[Problem] = field(default_factory=list)
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_event_id(self) -> int | None:
        return self.problems[0].event_id if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""


def _link_problem(event: AuditEvent, prev_hash: str, keyring: Keyring, keyed_before: bool) -> str:
    """Why `event` does not hold as the link after `prev_hash`, or "" if it does."""
    if event.prev_hash != prev_hash:
        return (
            "its link to the previous event does not match: an event before it was removed "
            "or altered"
        )
    if event.key_id == LEGACY_KEY_ID:
        if keyed_before:
            return (
                "it claims to be hashed without a key, as only events from before the chain "
                "was keyed are, but keyed events come before it: it was rewritten"
            )
        key = None
    elif event.key_id in keyring.keys:
        key = keyring.keys[event.key_id]
    else:
        return (
            f"it was chained with the key {event.key_id!r}, which FAMILIEBRO_AUDIT_KEYS does "
            "not hold: if that key was rotated out, put it back in the keyring (retired keys "
            "must stay); if no key with that id was ever used, the event was rewritten"
        )
    if chain_hash(event, prev_hash, key) != event.hash:
        return (
            "its content does not match its hash: it was altered, or its hash recomputed "
            "without the audit key"
        )
    return ""


def verify_chain(
    checkpoints: Sequence[Checkpoint] = (), chunk_size: int = 5000
) -> VerificationResult:
    """Walk the whole chain with the audit keys and check it against `checkpoints` (already
    read and authenticated): report the first event whose link or content does not hold, and
    every checkpoint the trail disagrees with."""
    keyring = audit_keyring()
    expected: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if checkpoint.event_id is not None:
            expected.setdefault(checkpoint.event_id, []).append(checkpoint)
    result = VerificationResult(
        0, checkpoints_checked=sum(1 for c in checkpoints if c.event_id is None)
    )
    prev_hash = GENESIS_HASH
    last_id: int | None = None
    first_unkeyed: int | None = None
    keyed_seen = False
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        reason = _link_problem(event, prev_hash, keyring, keyed_seen)
        if reason:
            # Past a broken link nothing can be verified: report it and stop.
            result.problems.append(Problem(reason, event.pk))
            return result
        if event.key_id == LEGACY_KEY_ID:
            first_unkeyed = first_unkeyed or event.pk
        else:
            keyed_seen = True
        for checkpoint in expected.pop(event.pk, []):
            result.checkpoints_checked += 1
            if checkpoint.hash != event.hash:
                result.problems.append(
                    Problem(
                        f"the checkpoint written at {checkpoint.written_at} ({checkpoint.source}) "
                        "recorded another hash for it: this event or one before it was "
                        "rewritten after that checkpoint, with the audit key",
                        event.pk,
                    )
                )
        prev_hash, last_id = event.hash, event.pk
        result.events_checked += 1
    if first_unkeyed is not None and not keyed_seen:
        result.problems.append(
            Problem(
                "this and every later event are hashed without a key, and no keyed event "
                "follows them; only events from before the chain was keyed may be, and the "
                "upgrade that keyed it wrote a keyed event after them: they were rewritten",
                first_unkeyed,
            )
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev_hash or head.last_event_id != last_id):
        result.problems.append(
            Problem(
                "the newest events are missing: the chain ends before its recorded head",
                head.last_event_id,
            )
        )
    result.problems += _unmatched_checkpoints(expected, last_id)
    return result


def _unmatched_checkpoints(
    expected: dict[int, list[Checkpoint]], last_id: int | None
) -> list[Problem]:
    """The checkpoints whose event the walk never met: removed from the middle of the trail,
    or from its end with the head moved back."""
    problems = []
    beyond_end = []
    for event_id, checkpoints in sorted(expected.items()):
        if last_id is None or event_id > last_id:
            beyond_end += checkpoints
            continue
        for checkpoint in checkpoints:
            problems.append(
                Problem(
                    f"the checkpoint written at {checkpoint.written_at} ({checkpoint.source}) "
                    "recorded this event, and it is missing from the trail: it was removed",
                    event_id,
                )
            )
    if beyond_end:
        newest = max(beyond_end, key=lambda c: c.event_id or 0)
        ends = f"ends at event {last_id}" if last_id is not None else "is empty"
        problems.append(
            Problem(
                f"the trail {ends}, but {len(beyond_end)} checkpoint(s) recorded later events; "
                f"the newest, written at {newest.written_at} ({newest.source}), recorded event "
                f"{newest.event_id}: the newest events were removed and the chain head moved "
                "back"
            )
        )
    return problems
