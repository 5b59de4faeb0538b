"""A family to record consent for, and a service in another organisation to receive it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from familiebro.core.models import GuardianRelation, Organisation, Person, ServiceUnit, User
from familiebro.persons import services as person_services
from familiebro.privacy import consent_services
from familiebro.privacy.models import Consent, Purpose
from tests import factories


@dataclass
class Family:
    child: Person
    mother: Person  # parental responsibility
    father: Person  # parental responsibility
    stepfather: Person  # lives with the child, no parental responsibility


def family(staff: User, *, child_born: datetime.date = datetime.date(2016, 5, 2)) -> Family:
    """A child with three registered adults, all registered by `staff` (so assigned to them)."""
    organisation = staff.memberships.select_related("unit__organisation").first().unit.organisation

    def person(kind: str, given: str, family_name: str, born: datetime.date) -> Person:
        return person_services.register_person(
            staff,
            organisation,
            kind=kind,
            given_name=given,
            family_name=family_name,
            birth_date=born,
        )

    child = person(Person.Kind.CHILD, "Åse", "Sæther", child_born)
    mother = person(Person.Kind.GUARDIAN, "Ingrid", "Sæther", datetime.date(1984, 2, 3))
    father = person(Person.Kind.GUARDIAN, "Ola", "Bråten", datetime.date(1982, 7, 9))
    stepfather = person(Person.Kind.GUARDIAN, "Per", "Lunde", datetime.date(1980, 11, 30))
    for guardian, kind, responsible in (
        (mother, GuardianRelation.Kind.BIOLOGICAL, True),
        (father, GuardianRelation.Kind.BIOLOGICAL, True),
        (stepfather, GuardianRelation.Kind.STEP, False),
    ):
        person_services.relate_guardian(
            staff, guardian, child, kind=kind, has_parental_responsibility=responsible
        )
    return Family(child, mother, father, stepfather)


def health_trust_unit(name: str = "BUP Hamar") -> ServiceUnit:
    """A child and adolescent mental health unit in a health trust: another data controller."""
    organisation = factories.OrganisationFactory(
        name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST
    )
    return factories.ServiceUnitFactory(
        organisation=organisation, name=name, kind=ServiceUnit.Kind.BUP
    )


def staff_in(unit: ServiceUnit) -> User:
    return factories.MembershipFactory(unit=unit).user


def record(staff: User, family: Family, **overrides: Any) -> Consent:
    """A consent both parents gave on paper, for coordination (name the recipients)."""
    arguments: dict[str, Any] = {
        "purpose": Purpose.COORDINATION,
        "givers": [family.mother, family.father],
        "scope": ["measures_and_plans"],
        "channel": Consent.Channel.PAPER,
        "witness": "Kari Kollega",
        "valid_to": timezone.now() + datetime.timedelta(days=90),
        # The child (10 in the default family) is to be heard before the guardians decide.
        "child_view": "Åse vil at skolen skal vite det.",
    }
    arguments.update(overrides)
    return consent_services.record_consent(staff, family.child, **arguments)
