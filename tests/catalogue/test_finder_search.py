"""The finder's free-text search: parents' own words, synonyms, inflections and misspellings.

The same cases hold on SQLite and PostgreSQL, which find and rank by the same rules
(tests/catalogue/test_finder_language.py has compounds, the thesaurus and ranking).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from familiebro.catalogue.finder import thesaurus
from familiebro.catalogue.finder.criteria import FinderCriteria
from familiebro.catalogue.finder.search import PAGE_SIZE, forget_vocabulary, search
from familiebro.catalogue.models import Offer, Programme
from tests.catalogue.factories import FinderOfferFactory, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_thesaurus_and_vocabulary():
    """The finder keeps its thesaurus and vocabulary for a minute; each test's database is
    new, and a version saved in a test is rolled back with it."""
    thesaurus.forget()
    forget_vocabulary()
    yield
    thesaurus.forget()
    forget_vocabulary()


def found(text: str, **criteria) -> list[str]:
    result = search(FinderCriteria(text=text, **criteria))
    return [offer.title for offer in result.offers]


@pytest.fixture
def catalogue(db):
    """A small catalogue of offers a parent might look for, and some they would not."""
    return {
        "godt_samliv": FinderOfferFactory(
            title="Godt samliv",
            summary="Kurs for foreldre som har fått sitt første barn.",
            description="To kvelder om å ta vare på hverandre når dere har blitt foreldre.",
            programme=Programme.objects.get(slug="godt-samliv"),
            topics=[topic("couple-relationship")],
        ),
        "fortsatt_foreldre": FinderOfferFactory(
            title="Fortsatt foreldre",
            description="Kurs for foreldre etter separasjon: å samarbeide om barna når dere "
            "ikke bor sammen lenger.",
        ),
        "barselgruppe": FinderOfferFactory(
            title="Barselgruppe på helsestasjonen",
            description="Møt andre nybakte foreldre og snakk om søvn, mat og hverdagen.",
        ),
        "babysang": FinderOfferFactory(
            title="Babysang i biblioteket",
            description="Sang og rim for de minste, hver tirsdag.",
        ),
        "foreldrekurs": FinderOfferFactory(
            title="Foreldrekurs for fedre",
            description="Kurset er for pappaer med barn i alderen 0 til 6 år.",
        ),
    }


def test_parforhold_finds_godt_samliv(catalogue):
    assert found("parforhold")[0] == "Godt samliv"


def test_a_synonym_finds_an_offer_that_uses_another_word(catalogue):
    # The offer says "separasjon"; the parent says "skilsmisse".
    assert found("skilsmisse") == ["Fortsatt foreldre"]


def test_the_page_says_which_other_words_were_searched(catalogue):
    # No offer has "skilsmisse": the page says it shows offers for the words that mean it.
    result = search(FinderCriteria(text="skilsmisse"))
    assert "samlivsbrudd" in result.showing_for.split(", ")
    assert result.offers[0].title == "Fortsatt foreldre"
    # "fedre" is in an offer: the other words searched are shown as "also searched".
    result = search(FinderCriteria(text="fedre"))
    assert result.showing_for == ""
    assert "pappa" in result.also_searched


def test_samliv_and_kjæreste_mean_the_couple_relationship(catalogue):
    offer = FinderOfferFactory(
        title="Parsamtaler",
        description="Samtaler for kjærester og ektefeller som vil ha det bedre.",
    )
    assert offer.title in found("parforhold")
    assert offer.title in found("kjæreste")


def test_misspelt_words_still_find(catalogue):
    assert found("parforhol")[0] == "Godt samliv"
    assert found("skillsmisse")[0] == "Fortsatt foreldre"
    assert found("foreldrekur")[0] == "Foreldrekurs for fedre"
    assert found("barslgruppe")[0] == "Barselgruppe på helsestasjonen"


def test_a_misspelling_shows_results_for_the_word_meant(catalogue):
    result = search(FinderCriteria(text="barslgruppe"))
    assert result.exact_count == 0
    assert result.showing_for.startswith("barselgruppe")
    assert result.offers[0].title == "Barselgruppe på helsestasjonen"


def test_an_exact_word_shows_no_replacement(catalogue):
    result = search(FinderCriteria(text="babysang"))
    assert result.showing_for == ""
    assert [offer.title for offer in result.offers] == ["Babysang i biblioteket"]


def test_inflected_forms_find_the_base_word(catalogue):
    # "pappaene" (the dads), "søvnen" (the sleep), "tirsdagene" (the Tuesdays).
    assert "Foreldrekurs for fedre" in found("pappaene")
    assert "Barselgruppe på helsestasjonen" in found("søvnen")
    assert found("tirsdagene") == ["Babysang i biblioteket"]


def test_words_of_the_offer_in_any_order_and_with_function_words(catalogue):
    assert found("kurs for fedre")[0] == "Foreldrekurs for fedre"


def test_fathers_are_found_by_far_pappa_and_fedre(catalogue):
    for word in ("pappa", "far", "fedre"):
        assert "Foreldrekurs for fedre" in found(word), word


def test_the_best_match_comes_first(catalogue):
    FinderOfferFactory(title="Temakveld", description="Foredrag om mye, blant annet litt om søvn.")
    titles = found("barselgruppe søvn")
    assert titles[0] == "Barselgruppe på helsestasjonen"


def test_only_published_offers_are_found(catalogue):
    FinderOfferFactory(title="Babysang i kladd", status=Offer.Status.DRAFT)
    FinderOfferFactory(title="Babysang som er avsluttet", status=Offer.Status.RETIRED)
    assert found("babysang") == ["Babysang i biblioteket"]


def test_text_that_matches_nothing_finds_nothing(catalogue):
    result = search(FinderCriteria(text="xylofonreparasjon"))
    assert result.count == 0
    assert result.offers == []


def test_search_uses_the_stored_term_vector_on_postgresql_and_python_elsewhere(catalogue):
    result = search(FinderCriteria(text="samlivet"))
    assert "Godt samliv" in [offer.title for offer in result.offers]
    if connection.vendor == "postgresql":
        assert result.method == "fulltext"
        # Over all offers, with sequential scans forbidden because a test table is tiny: the
        # plan shows whether the GIN index on the finder's term vector (0007) serves it.
        matches = Offer.objects.extra(
            where=["search_terms_vector @@ to_tsquery('simple', %s)"], params=["samliv:*"]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = matches.explain()
        assert "catalogue_offer_search_terms" in plan
    else:
        assert result.method == "terms"


def test_a_word_cut_short_finds_the_words_it_begins(catalogue):
    result = search(FinderCriteria(text="barselgr"))
    assert [offer.title for offer in result.offers] == ["Barselgruppe på helsestasjonen"]
    assert result.showing_for == ""


def test_inflected_compounds_find_their_base_form(catalogue):
    offer = FinderOfferFactory(title="Ammegruppe", description="For mødre som ammer.")
    result = search(FinderCriteria(text="ammegruppene"))
    assert result.offers[0].title == offer.title
    assert result.showing_for == ""


def test_the_finder_page_shows_the_results_and_the_words_searched(client, catalogue):
    response = client.get("/finn-hjelp/", {"q": "skilsmisse"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Fortsatt foreldre" in text
    assert "Godt samliv" not in text
    assert "samlivsbrudd" in text


def test_the_finder_page_says_when_it_shows_other_words(client, catalogue):
    response = client.get("/finn-hjelp/", {"q": "barslgruppe"})
    assert response.status_code == 200
    assert "Barselgruppe på helsestasjonen" in response.content.decode()
    assert response.context["result"].showing_for.startswith("barselgruppe")


def test_a_very_long_query_is_refused_with_a_clear_message(client, catalogue):
    response = client.get("/finn-hjelp/", {"q": "søvn " * 100})
    assert response.status_code == 400
    assert response.context["form"].errors["q"]


# Query counts ------------------------------------------------------------------------------


@pytest.fixture
def many_offers(db):
    """Offers with everything a result card shows, in three municipalities."""
    from tests import factories
    from tests.catalogue.factories import LocationFactory, OpeningHoursFactory, target_group

    municipalities = [factories.MunicipalityFactory(number=f"510{n}") for n in range(3)]

    def make(count: int) -> None:
        for number in range(count):
            municipality = municipalities[number % 3]
            offer = FinderOfferFactory(
                title=f"Foreldrekurs {number}",
                description="Kurs om søvn, samliv og hverdagen for foreldre.",
                topics=[topic("infant-sleep-feeding")],
                target_groups=[target_group("fathers")],
                municipalities=[municipality],
                locations=[LocationFactory(municipality=municipality)],
                languages=" nb ar ",
            )
            OpeningHoursFactory(offer=offer)

    return municipalities, make


@pytest.mark.parametrize("count", [10, 60])
@pytest.mark.parametrize(
    "query",
    [
        {"q": "søvn"},
        {"q": "barslgruppe"},  # no match: the search runs again with the word corrected
        {"q": "foreldrekrus"},  # read as "foreldre" + "krus": a word of every offer
        {"q": "skilsmisse parforhold", "alder": "1", "tema": "infant-sleep-feeding"},
        {"språk": "ar", "gratis": "on", "side": "2"},
    ],
)
def test_the_finder_page_costs_the_same_queries_however_many_offers(
    client, many_offers, count, query, django_assert_max_num_queries
):
    municipalities, make = many_offers
    make(count)
    # The filters' choices (2), the thesaurus (1) and the words misspellings are corrected to
    # (2) are read once a minute; the search (1, 2 on PostgreSQL; twice when a correction is
    # tried), the cards (1) and their places, hours, groups and translations (4), and the
    # units of cards on the page that share a title (1).
    with django_assert_max_num_queries(15):
        response = client.get("/finn-hjelp/", {**query, "kommune": municipalities[0].number})
    assert response.status_code == 200
    if query.get("q") == "foreldrekrus":
        assert response.context["result"].count == count // 3 + (count % 3 > 0)


def test_the_finder_reads_its_filter_choices_once_for_many_searches(client, many_offers):
    municipalities, make = many_offers
    search = {"q": "søvn", "kommune": municipalities[0].number}
    make(10)
    with CaptureQueriesContext(connection) as first:
        client.get("/finn-hjelp/", search)
    with CaptureQueriesContext(connection) as second:
        client.get("/finn-hjelp/", search)
    make(50)
    with CaptureQueriesContext(connection) as with_more_offers:
        response = client.get("/finn-hjelp/", search)
    assert len(response.context["result"].offers) == PAGE_SIZE
    # The first search also read the municipalities and the topics in use (2), the thesaurus
    # (1) and the words misspellings are corrected to (2); saving offers made all but the
    # thesaurus be read again.
    assert len(first) == len(second) + 5
    # Cards on one page that share a title read their units once more (1).
    shares_titles = any(
        getattr(card, "distinction", "") for card in response.context["result"].offers
    )
    assert len(with_more_offers) == len(second) + 4 + shares_titles
    assert len(second) <= 5


# Within a municipality ------------------------------------------------------------------------


def test_a_search_in_a_municipality_ranks_its_own_and_the_nationwide_offers_and_filters_them(db):
    """On PostgreSQL each offer of the municipality is tested by its key (search.py): the
    other filters and what is not published must hold there as in the whole country."""
    from familiebro.catalogue.finder.criteria import AgeRange
    from tests import factories

    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    stange = factories.MunicipalityFactory(number="3413", name="Stange")
    FinderOfferFactory(title="Søvnkurs", description="Om kvelden.", municipalities=[hamar])
    FinderOfferFactory(
        title="Babysang", description="Sang som hjelper på søvn.", municipalities=[hamar]
    )
    FinderOfferFactory(title="Søvn på nett", description="Video.", is_digital=True)
    FinderOfferFactory(title="Søvnskole i Stange", municipalities=[stange])
    FinderOfferFactory(title="Søvn i kladd", municipalities=[hamar], status=Offer.Status.DRAFT)
    FinderOfferFactory(
        title="Søvn for tenåringer", municipalities=[hamar], age_from_months=156, age_to_months=216
    )
    # In the title before in the text; alike titles by title.
    expected = ["Søvn for tenåringer", "Søvn på nett", "Søvnkurs", "Babysang"]
    assert found("søvn", municipality=hamar) == expected
    result = search(FinderCriteria(text="søvn", municipality=hamar))
    assert result.count == 4
    assert found("søvn", municipality=hamar, age=AgeRange.from_choice("1")) == expected[1:]
    assert found("søvn", municipality=stange) == ["Søvn på nett", "Søvnskole i Stange"]
