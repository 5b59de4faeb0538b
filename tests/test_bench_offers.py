"""The benchmark catalogue generator, at a tiny scale, on the test database."""

import pytest

from bench import generate, offers
from bench.scales import SCALES, Scale
from familiebro.catalogue.finder.criteria import FinderCriteria, filter_offers
from familiebro.catalogue.finder.search import search
from familiebro.catalogue.models import Offer
from familiebro.core.models import Municipality

# Two municipalities of persons, a catalogue over five.
CATALOGUE = Scale("catalogue", 2, 100, "tiny, with a national catalogue", 120, 5)


@pytest.fixture
def dataset(db):
    generate.generate(CATALOGUE, progress=lambda _message: None)


def test_the_scales_that_are_benchmarked_have_twenty_thousand_offers_over_norway():
    assert SCALES["municipality"].offers == 20_000
    assert SCALES["municipality"].offer_municipalities == 357
    assert SCALES["national"].offers == 20_000


def test_offers_per_municipality_have_a_floor_and_sum_to_the_total():
    counts = offers.offers_per_municipality(19_600, 357)
    assert sum(counts) == 19_600
    assert min(counts) >= offers.OFFER_FLOOR_PER_MUNICIPALITY
    assert max(counts) > 20 * min(counts)  # the largest municipality has far more
    assert counts == sorted(counts, reverse=True)


def test_the_catalogue_spreads_published_findable_offers_over_every_municipality(dataset):
    assert Municipality.objects.count() == 5
    assert Offer.objects.filter(status=Offer.Status.PUBLISHED).count() == 120
    assert not Offer.objects.filter(search_document="").exists()
    assert not Offer.objects.filter(topics__isnull=True).exists()
    for municipality in Municipality.objects.all():
        criteria = FinderCriteria(municipality=municipality)
        assert search(criteria).count >= 20


def test_the_finder_finds_generated_offers_by_the_words_parents_use(dataset):
    result = search(FinderCriteria(text="søvn"))
    assert result.count > 0
    documents = Offer.objects.filter(pk__in=[offer.pk for offer in result.offers])
    assert all(
        "søvn" in document.lower()
        for document in documents.values_list("search_document", flat=True)
    )


def test_counts_include_the_catalogue(dataset):
    assert generate.table_counts()["catalogue_offer"] == 120


def test_generated_digital_offers_for_no_municipality_are_found_from_every_municipality(dataset):
    nationwide = Offer.objects.filter(is_digital=True, municipalities__isnull=True)
    assert nationwide.count() == round(120 * offers.NATIONWIDE_DIGITAL_SHARE)
    assert set(Offer.objects.filter(is_nationwide=True)) == set(nationwide)
    for municipality in Municipality.objects.all():
        criteria = FinderCriteria(municipality=municipality)
        found = filter_offers(Offer.objects.published(), criteria)
        assert set(nationwide) <= set(found)
