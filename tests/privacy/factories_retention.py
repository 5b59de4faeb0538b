"""Records at a chosen age, for the retention, export and consultation tests.

Timestamps set automatically (created_at) are moved into the past with an UPDATE, as the
passage of time would.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from familiebro.core.models import GuardianRelation, Person, ServiceUnit, User
from familiebro.persons import services as person_services
from familiebro.privacy.models import (
    AgeBand,
    AnonymousConsultation,
    Consent,
    ConsentGiver,
    ConsentText,
    ExceptionalAccess,
    Purpose,
)
from tests.factories import identity_number

YEAR = datetime.timedelta(days=365)


def years_ago(years: float) -> datetime.datetime:
    return timezone.now() - years * YEAR


def backdate(obj: models.Model, **fields: Any) -> None:
    """Set fields the ORM would not let a caller choose (auto_now_add) directly in the table."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()


def organisation_of(staff: User):
    return staff.memberships.select_related("unit__organisation").first().unit.organisation


def person(
    staff: User,
    given_name: str,
    family_name: str,
    *,
    kind: str = Person.Kind.CHILD,
    birth_date: datetime.date = datetime.date(2015, 6, 15),
    with_identity_number: bool = False,
    phone: str = "",
    email: str = "",
) -> Person:
    """A person registered by `staff` (so assigned to them)."""
    return person_services.register_person(
        staff,
        organisation_of(staff),
        kind=kind,
        given_name=given_name,
        family_name=family_name,
        birth_date=birth_date,
        national_id=identity_number(birth_date) if with_identity_number else None,
        phone=phone,
        email=email,
    )


def guardian_of(staff: User, child: Person, guardian: Person, *, responsible: bool = True):
    return person_services.relate_guardian(
        staff,
        guardian,
        child,
        kind=GuardianRelation.Kind.BIOLOGICAL,
        has_parental_responsibility=responsible,
    )


def consent(
    child: Person,
    givers: Sequence[Person],
    *,
    recipient_units: Sequence[ServiceUnit] = (),
    valid_from: datetime.datetime | None = None,
    valid_to: datetime.datetime | None = None,
    withdrawn_at: datetime.datetime | None = None,
    purpose: str = Purpose.COORDINATION,
) -> Consent:
    """A consent as stored, at any point of its life (the service only records new ones)."""
    text = ConsentText.objects.filter(purpose=purpose, language="nb").order_by("-version").first()
    assert text is not None, "migration 0004 publishes the consent texts"
    record = Consent.objects.create(
        organisation_id=child.organisation_id,
        subject=child,
        purpose=purpose,
        scope=Consent.encode_scope(["measures_and_plans"]),
        text=text,
        valid_from=valid_from or timezone.now(),
        valid_to=valid_to,
        channel=Consent.Channel.PAPER,
        witness="Kollega på helsestasjonen",
        withdrawn_at=withdrawn_at,
        withdrawn_by=givers[0] if withdrawn_at else None,
    )
    record.recipient_units.set(recipient_units)
    for giver in givers:
        ConsentGiver.objects.create(consent=record, person=giver, role="guardian")
    return record


def exceptional_access(
    user: User,
    person: Person,
    *,
    starts_at: datetime.datetime,
    expires_at: datetime.datetime,
    hidden_from_family: bool = False,
    basis: str = ExceptionalAccess.Basis.DUTY_TO_REPORT,
) -> ExceptionalAccess:
    return ExceptionalAccess.objects.create(
        basis=basis,
        user=user,
        person=person,
        organisation_id=person.organisation_id,
        reason="Bekymringsmelding til barnevernet må følges opp",
        starts_at=starts_at,
        expires_at=expires_at,
        hidden_from_family=hidden_from_family,
        hiding_justification="Undersøkelsen ville bli skadet" if hidden_from_family else "",
        hidden_until=(
            timezone.localdate() + datetime.timedelta(days=30) if hidden_from_family else None
        ),
    )


def consultation(
    unit: ServiceUnit,
    created_by: User,
    held_on: datetime.date,
    topics: str = "søvn, uro",
    **fields: Any,
) -> AnonymousConsultation:
    return AnonymousConsultation.objects.create(
        unit=unit,
        held_on=held_on,
        age_band=AgeBand.AGE_6_12,
        topics=topics,
        advice="Foreslo foreldreveiledning (ICDP).",
        created_by=created_by,
        **fields,
    )
