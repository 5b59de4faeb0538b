"""Factories for catalogue tests: programmes, taxonomy terms, providers and offers.

The topic and target-group vocabularies are seeded by migration 0003, so tests pick terms by
code with `topic()` and `target_group()` rather than making their own. Other catalogue test
modules may append factories at the end of this file.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from familiebro.catalogue.models import (
    Location,
    Offer,
    OfferSession,
    OfferTranslation,
    OpeningHours,
    Programme,
    Provider,
    Taxonomy,
    TaxonomyTerm,
)
from familiebro.catalogue.programme_data import TARGET_GROUP_TAXONOMY, TOPIC_TAXONOMY
from familiebro.catalogue.search import refresh_search_fields
from familiebro.core.models import Organisation, ServiceUnit
from tests import factories


def topic(code: str) -> TaxonomyTerm:
    """A seeded topic ("Tema") by its code, e.g. "couple-relationship"."""
    return TaxonomyTerm.objects.get(taxonomy__name=TOPIC_TAXONOMY, code=code)


def target_group(code: str) -> TaxonomyTerm:
    """A seeded target group ("Målgruppe") by its code, e.g. "fathers"."""
    return TaxonomyTerm.objects.get(taxonomy__name=TARGET_GROUP_TAXONOMY, code=code)


def provider_for_unit(unit) -> Provider:
    provider, _ = Provider.objects.get_or_create(
        organisation=unit.organisation, defaults={"name": unit.organisation.name}
    )
    return provider


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    name = factory.Sequence(lambda n: f"Vokabular {n}")


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    code = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"Term {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"program-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    owner = "Bufdir"
    target_group = "Foreldre"
    purpose = "Styrke foreldre i omsorgsrollen."


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Tilbyder {n}")


class OfferFactory(factory.django.DjangoModelFactory):
    """A draft offer of a unit, with its organisation's provider."""

    class Meta:
        model = Offer

    unit = factory.SubFactory(factories.ServiceUnitFactory)
    provider = factory.LazyAttribute(lambda o: provider_for_unit(o.unit))
    title = factory.Sequence(lambda n: f"Foreldrekurs {n}")
    description = "Et kurs for foreldre med små barn."
    contact_phone = "+4762000000"


class OfferTranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferTranslation

    offer = factory.SubFactory(OfferFactory)
    language = "en"
    title = "Parenting course"
    description = "A course for parents of young children."


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    offer = factory.SubFactory(OfferFactory)
    weekday = OpeningHours.Weekday.TUESDAY
    opens_at = "09:00"
    closes_at = "11:00"


class OfferSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferSession

    offer = factory.SubFactory(OfferFactory)
    title = "Samling"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))


# Published offers and places, for the public finder's tests. --------------------------------


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Familiens hus {n}")
    address = "Storgata 1"
    postal_code = "2317"
    city = "Hamar"
    municipality = factory.SubFactory(factories.MunicipalityFactory)


def shared_unit() -> ServiceUnit:
    """One family centre for the offers of finder tests that do not care whose they are.

    A unit of its own for every offer would also make an organisation and a municipality
    each time, and the factories' municipality numbers (four digits) would run out in a
    long test session.
    """
    municipality = factories.MunicipalityFactory(number="0999", name="Finnheim")
    organisation = Organisation.objects.filter(municipality=municipality).first()
    if organisation is None:
        organisation = factories.OrganisationFactory(
            municipality=municipality, name="Finnheim kommune"
        )
    unit, _ = ServiceUnit.objects.get_or_create(
        organisation=organisation,
        name="Familiens hus Finnheim",
        defaults={"kind": ServiceUnit.Kind.FAMILY_CENTRE},
    )
    return unit


class PublishedOfferFactory(OfferFactory):
    """A published, recently verified offer that the finder can find (its search document is
    built). `topics`, `target_groups`, `municipalities` and `locations` take lists."""

    class Meta:
        skip_postgeneration_save = True

    status = Offer.Status.PUBLISHED
    last_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)

    @factory.post_generation
    def target_groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.target_groups.set(extracted)

    @factory.post_generation
    def municipalities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.municipalities.set(extracted)

    @factory.post_generation
    def locations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.locations.set(extracted)

    @factory.post_generation
    def searchable(obj, create, extracted, **kwargs):
        # Declared last: the document includes the topics and target groups set above.
        if create:
            refresh_search_fields(obj)


class FinderOfferFactory(PublishedOfferFactory):
    """A published offer of the shared unit (see shared_unit): for tests that make many."""

    unit = factory.LazyFunction(shared_unit)
