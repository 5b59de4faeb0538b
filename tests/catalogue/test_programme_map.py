"""The national programme map: which programmes are offered in which municipalities."""

import pytest

from familiebro.catalogue.finder import programme_map as programmes
from familiebro.catalogue.models import Offer, Programme
from tests import factories
from tests.catalogue.factories import FinderOfferFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    # The assertions read the English source strings, whatever the nb/nn catalogues say.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def offers(db):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar", county="Innlandet")
    stange = factories.MunicipalityFactory(number="3413", name="Stange", county="Innlandet")
    oslo = factories.MunicipalityFactory(number="0301", name="Oslo", county="Oslo")
    icdp = Programme.objects.get(slug="icdp")
    pmto = Programme.objects.get(slug="pmto")
    godt_samliv = Programme.objects.get(slug="godt-samliv")
    # For Hamar's residents and given in Hamar: counted once for Hamar.
    FinderOfferFactory(
        programme=icdp, municipalities=[hamar], locations=[LocationFactory(municipality=hamar)]
    )
    FinderOfferFactory(programme=icdp, municipalities=[hamar])
    # For Hamar's residents, given in Stange: counted for both.
    FinderOfferFactory(
        programme=icdp, municipalities=[hamar], locations=[LocationFactory(municipality=stange)]
    )
    FinderOfferFactory(programme=pmto, locations=[LocationFactory(municipality=hamar)])
    FinderOfferFactory(programme=godt_samliv, is_digital=True)
    # Not counted: a draft, and an offer of no programme.
    FinderOfferFactory(programme=pmto, municipalities=[oslo], status=Offer.Status.DRAFT)
    FinderOfferFactory(municipalities=[oslo])
    return {"hamar": hamar, "stange": stange, "icdp": icdp, "pmto": pmto, "gs": godt_samliv}


def test_each_programme_lists_its_municipalities_with_counts(offers):
    rows = {row.programme.slug: row for row in programmes.programme_map().programmes}
    icdp = rows["icdp"]
    assert icdp.offers == 3
    assert [(m.name, n) for m, n in icdp.municipalities] == [("Hamar", 3), ("Stange", 1)]
    assert [(m.name, n) for m, n in rows["pmto"].municipalities] == [("Hamar", 1)]
    assert rows["pmto"].offers == 1
    assert rows["godt-samliv"].nationwide == 1
    assert rows["godt-samliv"].municipalities == []
    # Programmes offered nowhere are listed too: that is news for the national overview.
    assert rows["tibir"].offers == 0


def test_each_municipality_lists_its_programmes(offers):
    rows = {row.municipality.name: row for row in programmes.programme_map().municipalities}
    assert set(rows) == {"Hamar", "Stange"}
    assert [(p.slug, n) for p, n in rows["Hamar"].programmes] == [("icdp", 3), ("pmto", 1)]
    assert [(p.slug, n) for p, n in rows["Stange"].programmes] == [("icdp", 1)]


def test_the_totals_count_offers_programmes_and_municipalities_once(offers):
    programme_map = programmes.programme_map()
    assert programme_map.total_offers == 5
    assert programme_map.total_programmes_offered == 3
    assert programme_map.total_municipalities == 2
    assert programme_map.total_nationwide == 1


def test_the_map_page_shows_both_tables_accessibly(client, offers):
    response = client.get("/finn-hjelp/program-kart/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("<caption") == 2
    assert '<th scope="col">Programme</th>' in text
    assert '<th scope="col">Municipality</th>' in text
    assert "Hamar (3), Stange (1)" in text
    assert (
        f'<th scope="row"><a class="ds-link" href="/finn-hjelp/program/icdp/">'
        f"{offers['icdp'].name}</a></th>"
    ) in text
    assert "<tfoot>" in text
    assert "In total: 5 published offers of 3 programmes in 2 municipalities." in text


def test_the_map_page_needs_no_login(client, offers):
    assert client.get("/finn-hjelp/program-kart/").status_code == 200


@pytest.mark.parametrize("extra", [10, 60])
def test_the_map_costs_the_same_queries_however_many_offers(
    client, offers, extra, django_assert_max_num_queries
):
    programmes = list(Programme.objects.all()[:8])
    pool = [factories.MunicipalityFactory(number=f"{5000 + n}") for n in range(10)]
    for number in range(extra):
        municipality = pool[number % len(pool)]
        FinderOfferFactory(
            programme=programmes[number % len(programmes)],
            municipalities=[municipality],
            locations=[LocationFactory(municipality=municipality)],
        )
    with django_assert_max_num_queries(4):
        response = client.get("/finn-hjelp/program-kart/")
    assert response.status_code == 200
    assert response.context["map"].total_offers == 5 + extra
