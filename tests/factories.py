"""Factories for test data. Identity numbers are valid test numbers, never real ones."""

import datetime
import itertools

import factory
from stdnum.no import fodselsnummer, orgnr

from familiebro.core.models import (
    Membership,
    Municipality,
    Organisation,
    Person,
    ServiceUnit,
    User,
)

TEST_PASSWORD = "korrekt-hest-batteri-stift"
_org_numbers = itertools.count(100000000)
_municipality_numbers = itertools.count(1000)  # four digits for 9,000 municipalities


def valid_org_number() -> str:
    while True:
        base = str(next(_org_numbers))[1:9]
        for check in "0123456789":
            if orgnr.is_valid(base + check):
                return base + check


def checksummed(six_digits: str, individual: int = 500) -> str:
    """Eleven digits with correct control digits after the given first six."""
    for ind in range(individual, individual + 100):
        base = f"{six_digits}{ind:03d}"
        d1 = fodselsnummer.calc_check_digit1(base)
        d2 = fodselsnummer.calc_check_digit2(base + d1) if len(d1) == 1 else ""
        if len(d2) == 1:
            return base + d1 + d2
    raise ValueError("no checksum-valid number found")


def identity_number(birth: datetime.date, individual: int = 500, *, synthetic: bool = False) -> str:
    """A checksum-valid identity number for the date; synthetic adds 80 to the month."""
    month = birth.month + (80 if synthetic else 0)
    return checksummed(f"{birth:%d}{month:02d}{birth:%y}", individual)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    number = factory.LazyFunction(lambda: str(next(_municipality_numbers)))
    name = factory.Sequence(lambda n: f"Testkommune {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisasjon {n}")
    kind = Organisation.Kind.MUNICIPALITY
    org_number = factory.LazyFunction(valid_org_number)
    municipality = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == Organisation.Kind.MUNICIPALITY),
        yes_declaration=factory.SubFactory(MunicipalityFactory),
        no_declaration=None,
    )


class ServiceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUnit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Helsestasjon {n}")
    kind = ServiceUnit.Kind.HEALTH_CENTRE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"ansatt{n}")
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(ServiceUnitFactory)
    role = Membership.Role.WORKER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Person.Kind.CHILD
    given_name = factory.Sequence(lambda n: f"Barn{n}")
    family_name = "Hansen"
    birth_date = datetime.date(2019, 3, 14)
