"""A family asked for a consent on Min side: mother and father with parental responsibility
and a stepfather without, each with an identity number to log in with; BUP in the health
trust as the recipient."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from familiebro.core import crypto
from familiebro.core.models import ServiceUnit, User
from familiebro.privacy import consent_requests, family
from familiebro.privacy.models import ConsentRequest, Purpose
from tests.factories import identity_number
from tests.privacy import factories_consent as privacy_factories

MOTHER = identity_number(datetime.date(1984, 2, 3), synthetic=True)
FATHER = identity_number(datetime.date(1982, 7, 9), synthetic=True)
STEPFATHER = identity_number(datetime.date(1980, 11, 30), synthetic=True)
STRANGER = identity_number(datetime.date(1990, 6, 6), synthetic=True)


def family_with_logins(staff: User, **kwargs: Any) -> privacy_factories.Family:
    fam = privacy_factories.family(staff, **kwargs)
    for person, number in (
        (fam.mother, MOTHER),
        (fam.father, FATHER),
        (fam.stepfather, STEPFATHER),
    ):
        person.set_national_id(number)
        person.save()
    return fam


def citizen(number: str) -> family.Citizen:
    return family.Citizen(identity_hash=crypto.lookup_hash(number))


def prepare(staff: User, subject: Any, bup: ServiceUnit, **overrides: Any) -> ConsentRequest:
    arguments: dict[str, Any] = {
        "purpose": Purpose.COORDINATION,
        "recipient_units": [bup],
        "scope": ["measures_and_plans"],
        "valid_to": timezone.now() + datetime.timedelta(days=90),
        "child_view": "Åse vil at BUP skal vite det.",
    }
    arguments.update(overrides)
    return consent_requests.prepare_consent_request(staff, subject, **arguments)
