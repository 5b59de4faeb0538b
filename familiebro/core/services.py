"""What people do with organisations, units, staff and persons.

Each function is one thing a person does. It validates, changes the data and writes the audit
event in one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from familiebro.privacy import audit, policy
from familiebro.privacy.models import Assignment
from familiebro.privacy.policy import Purpose

from . import crypto
from .identifiers import normalise_identity_number
from .models import GuardianRelation, Organisation, Person, User


@transaction.atomic
def register_person(
    actor: User | None,
    organisation: Organisation,
    *,
    kind: str,
    given_name: str,
    family_name: str,
    birth_date: datetime.date | None = None,
    national_id: str | None = None,
    phone: str = "",
    email: str = "",
) -> Person:
    """Register a person with an organisation. Raises ValidationError with what to fix."""
    if actor is not None and organisation.pk not in policy.organisation_ids_of(actor):
        raise ValidationError(_("You can only register persons in your own organisation."))
    person = Person(
        organisation=organisation,
        kind=kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        birth_date=birth_date,
        phone=phone,
        email=email,
    )
    if national_id:
        try:
            person.set_national_id(national_id)
        except ValidationError as exc:
            raise ValidationError({"national_id": exc.messages}) from exc
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        # The unique constraint is the last line of defence against a concurrent duplicate.
        raise ValidationError(
            {
                "national_id": [
                    _(
                        "A person with this identity number is already registered in "
                        "this organisation. Search for the person instead."
                    )
                ]
            }
        ) from exc
    if actor is not None:
        # Whoever registers a person works with them: that is their need to know.
        Assignment.objects.create(
            organisation=organisation, person=person, user=actor, reason="registered"
        )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[person],
        subject_ids=[person.pk],
        organisation_id=organisation.pk,
        purpose=Purpose.REGISTRATION,
    )
    return person


@transaction.atomic
def relate_guardian(
    actor: User | None,
    guardian: Person,
    child: Person,
    *,
    kind: str,
    has_parental_responsibility: bool,
    lives_with_child: bool = True,
) -> GuardianRelation:
    relation = GuardianRelation(
        organisation_id=child.organisation_id,
        guardian=guardian,
        child=child,
        kind=kind,
        has_parental_responsibility=has_parental_responsibility,
        lives_with_child=lives_with_child,
    )
    relation.full_clean()
    relation.save()
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[relation],
        subject_ids=[guardian.pk, child.pk],
        organisation_id=child.organisation_id,
        purpose=Purpose.REGISTRATION,
    )
    return relation


@transaction.atomic
def find_person_by_identity_number(actor: Any, number: str) -> Person | None:
    """Look up a person by identity number among the persons the actor may see.

    The number is hashed with the lookup key, never compared in clear. The search itself is
    audited (without the number), and so is the hit.
    """
    normalised = normalise_identity_number(number)
    person = (
        policy.visible(actor, Person, Purpose.IDENTITY_LOOKUP)
        .filter(national_id_hash=crypto.lookup_hash(normalised))
        .select_related("organisation")
        .first()
    )
    audit.record(
        audit.AuditEvent.Action.SEARCH,
        actor=actor,
        object_type="core.person",
        object_ids=[person.pk] if person else [],
        subject_ids=[person.pk] if person else [],
        organisation_id=person.organisation_id if person else None,
        purpose=Purpose.IDENTITY_LOOKUP,
        detail={"found": person is not None},
    )
    return person
