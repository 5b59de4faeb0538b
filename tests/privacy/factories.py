"""Builders for privacy tests: staff in roles, families, consents, logged-in clients."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from familiebro.core.middleware import SessionRenewalMiddleware
from familiebro.core.models import (
    GuardianRelation,
    Membership,
    Organisation,
    Person,
    ServiceUnit,
    User,
)
from familiebro.privacy import policy
from familiebro.privacy.models import Assignment, Consent, ConsentGiver, ConsentText, Purpose
from tests import factories

_usernames = itertools.count(1)


def user(**fields: Any) -> User:
    """A staff account without a password: these tests log in with force_login, and hashing a
    password costs more than everything else a matrix cell does."""
    number = next(_usernames)
    defaults = {
        "username": f"tilgang{number}",
        "first_name": "Kari",
        "last_name": f"Ansatt{number}",
    }
    return User.objects.create(**(defaults | fields))


def organisation(**fields: Any) -> Organisation:
    """An organisation that is not a municipality. tests.factories numbers each municipality
    from a four-digit counter, which a test run creating a thousand of them (as the policy
    matrix does) would overflow on PostgreSQL."""
    return factories.OrganisationFactory(**({"kind": Organisation.Kind.INTER_MUNICIPAL} | fields))


def unit(in_organisation: Organisation | None = None, **fields: Any) -> ServiceUnit:
    return factories.ServiceUnitFactory(organisation=in_organisation or organisation(), **fields)


def member(unit: ServiceUnit, role: str = Membership.Role.WORKER, **user_fields: Any) -> User:
    """A new staff member with `role` in `unit`."""
    staff = user(**user_fields)
    Membership.objects.create(user=staff, unit=unit, role=role)
    return staff


def assign(
    person: Person, user: Any = None, unit: ServiceUnit | None = None, domain: str = ""
) -> Assignment:
    """A need to know about `person`: a unit's is in the unit's domain; a staff member's in
    `domain`, by default the one domain they work in."""
    if unit is None and not domain:
        (domain,) = policy.domains_of(user, person.organisation_id)
    return Assignment.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        user=user,
        unit=unit,
        domain=domain,
        reason="test",
    )


def child_with_guardian(
    organisation: Organisation, *, given_name: str = "Emma", family_name: str = "Berg"
) -> tuple[Person, Person, GuardianRelation]:
    child = factories.PersonFactory(
        organisation=organisation, given_name=given_name, family_name=family_name
    )
    guardian = factories.PersonFactory(
        organisation=organisation,
        kind=Person.Kind.GUARDIAN,
        given_name=f"Mor{given_name}",
        family_name=family_name,
        birth_date=datetime.date(1985, 2, 1),
    )
    relation = GuardianRelation.objects.create(
        organisation=organisation,
        guardian=guardian,
        child=child,
        kind=GuardianRelation.Kind.BIOLOGICAL,
        has_parental_responsibility=True,
    )
    return child, guardian, relation


def consent_text(purpose: str, language: str = "nb") -> ConsentText:
    text = ConsentText.objects.filter(purpose=purpose, language=language).first()
    return text or ConsentText.objects.create(
        purpose=purpose, language=language, version=1, title="Samtykke", body="Tekst"
    )


def ensure_consent_texts() -> None:
    for purpose in Purpose.values:
        consent_text(purpose)


def consent(
    subject: Person,
    *,
    purpose: str = Purpose.COORDINATION,
    scope: Sequence[str] = ("log_entries",),
    recipient_organisations: Sequence[Organisation] = (),
    recipient_units: Sequence[ServiceUnit] = (),
    valid_from: datetime.datetime | None = None,
    valid_to: datetime.datetime | None = None,
    withdrawn_at: datetime.datetime | None = None,
    giver: Person | None = None,
    attachment: Any = None,
) -> Consent:
    """A consent row as record_consent leaves it, without its checks (for policy tests)."""
    now = timezone.now()
    row = Consent.objects.create(
        organisation_id=subject.organisation_id,
        subject=subject,
        purpose=purpose,
        scope=Consent.encode_scope(list(scope)),
        text=consent_text(purpose),
        valid_from=valid_from or now - datetime.timedelta(days=1),
        valid_to=valid_to if valid_to is not None else now + datetime.timedelta(days=30),
        channel=Consent.Channel.PAPER,
        witness="Vitne Vitnesen",
        withdrawn_at=withdrawn_at,
        attachment=attachment or "",
    )
    row.recipient_organisations.set(recipient_organisations)
    row.recipient_units.set(recipient_units)
    if giver is not None:
        ConsentGiver.objects.create(consent=row, person=giver, role="guardian")
    return row


def logged_in(user: Any, client: Client | None = None) -> Client:
    """A client logged in as `user`, past the second factor."""
    client = client or Client()
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As a real login leaves it: just renewed, so the next page does not write the session.
    session[SessionRenewalMiddleware.RENEWED_AT] = int(timezone.now().timestamp())
    session.save()
    return client
