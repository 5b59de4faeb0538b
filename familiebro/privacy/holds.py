"""Legal holds: the data controller stops retention from removing a person's or a record's data.

A hold is placed when the data may be needed as evidence after their period (a complaint, a
supervision case, a claim for compensation, a court case, a request from the police), by a
leader of the controller, with the reason; it is lifted the same way. Both are audited. While
a hold stands, retention leaves the held rows alone (familiebro.privacy.retention.held) and
reports how many it kept; once lifted, the next run handles them by their rule again.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from familiebro.core.models import Membership, Organisation, Person, User

from . import audit, policy
from .models import AuditEvent, LegalHold


def may_hold(user: User, organisation: Organisation) -> bool:
    """A leader of one of the controller's units decides on holds for the controller."""
    return Membership.objects.filter(
        user=user, unit__organisation=organisation, role=Membership.Role.LEADER
    ).exists()


def _require(user: User, organisation: Organisation) -> None:
    if not may_hold(user, organisation):
        raise PermissionDenied(
            f"Only a leader in {organisation.name} can place or lift a legal hold on its data."
        )


def place_hold(
    user: User,
    reason: str,
    *,
    person: Person | None = None,
    record: models.Model | None = None,
    now: datetime.datetime | None = None,
) -> LegalHold:
    """Hold a person's data, or one record, against deletion by retention."""
    if (person is None) == (record is None):
        raise ValidationError("A legal hold is on one person or on one record.")
    if not reason.strip():
        raise ValidationError(
            "Write why the data must be kept (for example the complaint or court case)."
        )
    if person is not None:
        organisation = person.organisation
    else:
        assert record is not None
        organisation = Organisation.objects.get(pk=record.organisation_id)  # type: ignore[attr-defined]
    _require(user, organisation)
    with transaction.atomic():
        hold = LegalHold.objects.create(
            organisation=organisation,
            person=person,
            object_type=record._meta.label_lower if record is not None else "",
            object_id=record.pk if record is not None else None,
            reason=reason.strip(),
            placed_by=user,
            placed_at=now or timezone.now(),
        )
        _audit(user, hold, placed=True)
    return hold


def lift_hold(
    user: User, hold: LegalHold, reason: str, now: datetime.datetime | None = None
) -> LegalHold:
    """End a hold: retention handles the data by their rule again from its next run."""
    if not reason.strip():
        raise ValidationError("Write why the hold is no longer needed.")
    _require(user, hold.organisation)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ValidationError("The hold was already lifted.")
        hold.lifted_at = now or timezone.now()
        hold.lifted_by = user
        hold.lift_reason = reason.strip()
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        _audit(user, hold, placed=False)
    return hold


def _audit(user: User, hold: LegalHold, *, placed: bool) -> None:
    # The reason is free text and stays in the hold; the event names what was held.
    audit.record(
        AuditEvent.Action.CREATE if placed else AuditEvent.Action.CHANGE,
        actor=user,
        objects=[hold],
        subject_ids=[hold.person_id] if hold.person_id else [],
        organisation_id=hold.organisation_id,
        purpose=policy.Purpose.RETENTION,
        legal_basis="legal_hold",
        detail={
            "legal_hold": "placed" if placed else "lifted",
            "object_type": hold.object_type,
            "object_id": hold.object_id,
        },
    )
