"""Norwegian that the finder understands: compounds, stems, the thesaurus, other languages,
and the ranking. The search cases run on SQLite and, with DATABASE_URL, on PostgreSQL."""

import datetime

import pytest
from django.utils import timezone, translation

from familiebro.catalogue.finder import thesaurus
from familiebro.catalogue.finder.analysis import compound_parts, index_terms, stem
from familiebro.catalogue.finder.criteria import FinderCriteria
from familiebro.catalogue.finder.query import interpret
from familiebro.catalogue.finder.search import forget_vocabulary, search
from familiebro.catalogue.models import Thesaurus
from familiebro.catalogue.search import refresh_search_fields
from tests.catalogue.factories import FinderOfferFactory, OfferTranslationFactory, topic


@pytest.fixture(autouse=True)
def _fresh_thesaurus_and_vocabulary():
    """The finder keeps its thesaurus and vocabulary for a minute; each test's database is
    new, and a version saved in a test is rolled back with it."""
    thesaurus.forget()
    forget_vocabulary()
    yield
    thesaurus.forget()
    forget_vocabulary()


def found(text: str, language: str = "nb", **criteria) -> list[str]:
    with translation.override(language):
        result = search(FinderCriteria(text=text, **criteria))
    return [offer.title for offer in result.offers]


# Compounds and stems (no database) --------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("søvnproblemer", ("søvn", "problemer")),
        ("fødselsdepresjon", ("fødsel", "depresjon")),  # the linking -s- is dropped
        ("foreldrekurs", ("foreldre", "kurs")),
        ("raserianfall", ("raseri", "anfall")),
        ("skjermtid", ("skjerm", "tid")),
        ("samlivsbrudd", ("samliv", "brudd")),
        ("fosterhjemsforeldre", ("foster", "hjem", "foreldre")),
        ("søvnvanskar", ("søvn", "vanskar")),  # nynorsk
    ],
)
def test_norwegian_compounds_are_split_into_their_parts(word, parts):
    assert compound_parts(word) == parts


@pytest.mark.parametrize(
    "word",
    # Commoner whole than split ("ung" + "dom"), parts that are accidents of spelling
    # ("skils" + "misse"), function words ("for" + "eldre"), or too short to be compounds.
    ["ungdom", "skilsmisse", "mekling", "foreldre", "einsemd", "permisjonen", "søvn"],
)
def test_words_that_are_not_compounds_stay_whole(word):
    assert compound_parts(word) == ()


def test_an_offer_is_indexed_by_stems_and_compound_parts():
    terms = index_terms("Søvnproblemer hos de minste")
    assert {"søvnproblem", "søvn", "problem", "minst"} <= set(terms)
    assert stem("skilsmissen", "nb") == stem("skilsmisse", "nb")


# The thesaurus ------------------------------------------------------------------------------


def test_the_default_thesaurus_reads_and_maps_everyday_words():
    default = thesaurus.parse(thesaurus.default_text())
    plan = interpret("fødselsdepresjon", "nb", default)
    assert "psykisk helse" in plan.also_searched
    # In any inflection: "skilsmissen" triggers "skilsmisse".
    assert "samlivsbrudd" in interpret("skilsmissen", "nb", default).also_searched
    for word, expected in [
        ("raserianfall", "sinne"),
        ("skjermtid", "skjermbruk"),
        ("mobbing", "skole"),
        ("søvnproblemer", "søvn"),
        ("foreldreveiledning", "foreldregruppe"),
    ]:
        assert expected in interpret(word, "nb", default).also_searched, word


def test_english_and_nynorsk_words_have_their_entries():
    default = thesaurus.parse(thesaurus.default_text())
    assert "samlivsbrudd" in interpret("divorce", "en", default).also_searched
    assert "søvn" in interpret("søvnvanskar", "nn", default).also_searched
    assert "pappa" in interpret("ojciec", "nb", default).also_searched


def test_a_phrase_of_several_words_is_one_concept():
    default = thesaurus.parse(thesaurus.default_text())
    plan = interpret("vi skal flytte fra hverandre", "nb", default)
    assert "flytte hverandre" in [concept.asked for concept in plan.concepts]


def test_the_literal_query_uses_no_thesaurus():
    default = thesaurus.parse(thesaurus.default_text())
    assert interpret("skilsmisse", "nb", default, literal=True).also_searched == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nb skilsmisse => samlivsbrudd", "language | words people use => words searched"),
        ("nb | skilsmisse samlivsbrudd", "language | words people use => words searched"),
        ("norsk | skilsmisse => samlivsbrudd", "is not a language code"),
        ("nb | => samlivsbrudd", "at least one word on each side"),
        ("nb | skilsmisse => #no-such-theme", "there is no theme #no-such-theme"),
    ],
)
def test_a_bad_line_is_refused_saying_what_to_write(text, message):
    with pytest.raises(thesaurus.ThesaurusError, match=message):
        thesaurus.parse(f"# a note\n{text}", known_themes={"conflict-separation"})


# Search: compounds, thesaurus, languages (both databases) --------------------------------


@pytest.fixture
def offers(db):
    thesaurus.forget()
    yield {
        "sleep": FinderOfferFactory(
            title="Barselgruppe",
            description="Vi snakker om søvn, amming og gråt.",
            topics=[topic("infant-sleep-feeding")],
        ),
        "separation": FinderOfferFactory(
            title="Fortsatt foreldre",
            description="Kurs for foreldre som har gått fra hverandre.",
            topics=[topic("conflict-separation")],
        ),
        "postnatal": FinderOfferFactory(
            title="Jordmor på helsestasjonen",
            description="Samtaler om hvordan du har det i svangerskapet og etter fødselen.",
            topics=[topic("pregnancy-birth"), topic("mental-health")],
        ),
        "anger": FinderOfferFactory(
            title="De utrolige årene",
            description="Foreldregruppe når hverdagen er preget av trass og sinne.",
            topics=[topic("behaviour")],
        ),
    }


@pytest.mark.django_db
def test_a_compound_query_finds_offers_about_its_parts(offers):
    assert found("søvnproblemer")[0] == "Barselgruppe"
    assert found("søvnvanskar", "nn")[0] == "Barselgruppe"


@pytest.mark.django_db
def test_everyday_words_find_offers_through_the_thesaurus(offers):
    assert found("skilsmisse")[0] == "Fortsatt foreldre"
    assert found("fødselsdepresjon")[0] == "Jordmor på helsestasjonen"
    assert found("raserianfall")[0] == "De utrolige årene"


@pytest.mark.django_db
def test_english_queries_on_the_english_page_find_norwegian_offers(offers):
    assert found("divorce", "en")[0] == "Fortsatt foreldre"
    assert found("tantrums", "en")[0] == "De utrolige årene"
    assert found("postnatal depression", "en")[0] == "Jordmor på helsestasjonen"


@pytest.mark.django_db
def test_the_page_language_translation_is_searched_and_shown(offers):
    offer = offers["sleep"]
    OfferTranslationFactory(
        offer=offer, language="en", title="Baby group", description="About sleep and crying."
    )
    OfferTranslationFactory(
        offer=offer,
        language="ar",
        title="مجموعة الرضع",
        description="نتحدث عن النوم والرضاعة.",
    )
    refresh_search_fields(offer)
    # The card shows the page language's translation; bokmål where there is none.
    assert found("crying", "en") == ["Baby group"]
    assert found("gråt", "nb")[0] == "Barselgruppe"
    # A query in Arabic finds the Arabic translation, with or without short vowels.
    assert found("الرضاعة")[0] == "Barselgruppe"


@pytest.mark.django_db
def test_an_editor_s_new_version_of_the_thesaurus_is_used_at_once(offers, staff):
    assert found("hjertesorg") == []
    thesaurus.save_version(staff, "nb | hjertesorg => gått fra hverandre", "Et nytt ord")
    assert found("hjertesorg") == ["Fortsatt foreldre"]
    assert Thesaurus.objects.order_by("-version").first().created_by == staff


# Ranking ------------------------------------------------------------------------------------


@pytest.fixture
def ranked(db):
    thesaurus.forget()
    long_ago = timezone.now() - datetime.timedelta(days=300)
    return [
        FinderOfferFactory(title="Kveldsmøte", description="Litt om mange ting, også søvn."),
        FinderOfferFactory(title="Søvnkurs", description="Et kurs for foreldre."),
        FinderOfferFactory(
            title="Babytreff",
            description="Treff for foreldre.",
            topics=[topic("infant-sleep-feeding")],
        ),
        FinderOfferFactory(
            title="Søvn og samliv",
            description="Søvn og samliv for foreldre.",
            last_verified_at=long_ago,
        ),
        FinderOfferFactory(title="Søvn og samliv", description="Om søvn og samliv for par."),
    ]


@pytest.mark.django_db
def test_more_words_title_then_themes_then_text_and_fresh_before_stale(ranked):
    # Both words in the title first, the fresh offer before the stale one that otherwise
    # matches as well (a stale offer counts half); then one word in the title, then in the
    # themes, then in the text.
    result = search(FinderCriteria(text="søvn samliv"))
    order = [(offer.title, offer.facts.stale) for offer in result.offers]
    assert order == [
        ("Søvn og samliv", False),
        ("Søvn og samliv", True),
        ("Søvnkurs", False),
        ("Babytreff", False),
        ("Kveldsmøte", False),
    ]


@pytest.mark.django_db
def test_every_word_counts_but_none_is_required(ranked):
    # No offer has "kurs" and "sinne"; the offers with "kurs" are found all the same.
    assert found("kurs sinne")[0] == "Søvnkurs"


# What the page says --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_misspelling_shows_results_for_the_word_meant_and_links_back(client, offers):
    response = client.get("/finn-hjelp/", {"q": "skillsmise"})
    result = response.context["result"]
    assert result.count and result.offers[0].title == "Fortsatt foreldre"
    assert result.showing_for.startswith("skilsmisse")
    page = response.content.decode()
    assert 'id="showing-for"' in page
    assert "ordrett=1" in page
    # The link back searches the parent's own words only: nothing has them.
    literal = client.get("/finn-hjelp/", {"q": "skillsmise", "ordrett": "1"})
    assert literal.context["result"].count == 0
    assert literal.context["result"].showing_for == ""


@pytest.mark.django_db
def test_an_exact_match_says_which_other_words_were_searched(client, offers):
    response = client.get("/finn-hjelp/", {"q": "søvn"})
    result = response.context["result"]
    assert result.showing_for == ""
    assert "sover" in result.also_searched


# The editors' page ---------------------------------------------------------------------------

THESAURUS_URL = "/ansatt/tilbud/sokeord/"


@pytest.mark.django_db
def test_editors_save_a_new_version_of_the_thesaurus(staff_client, staff, offers):
    page = staff_client.get(THESAURUS_URL)
    assert page.status_code == 200
    # The default shipped with the product is the first version, and is what is edited.
    assert "skilsmisse" in page.context["form"]["text"].value()
    assert [v.version for v in page.context["versions"]] == [1]
    text = page.context["form"]["text"].value() + "\nnb | hjertesorg => gått fra hverandre\n"
    response = staff_client.post(THESAURUS_URL, {"text": text, "note": "Nytt ord"})
    assert response.status_code == 302
    newest = Thesaurus.objects.order_by("-version").first()
    assert (newest.version, newest.note, newest.created_by) == (2, "Nytt ord", staff)
    assert found("hjertesorg") == ["Fortsatt foreldre"]


@pytest.mark.django_db
def test_a_bad_thesaurus_is_refused_and_nothing_is_saved(staff_client, offers):
    response = staff_client.post(THESAURUS_URL, {"text": "nb | skilsmisse samlivsbrudd"})
    assert response.status_code == 200
    assert "Linje 1" in response.context["form"].errors["text"][0]
    assert Thesaurus.objects.count() == 1


@pytest.mark.django_db
def test_only_staff_who_edit_offers_may_change_the_thesaurus(client, db):
    from tests import factories
    from tests.privacy.factories import logged_in

    assert client.get(THESAURUS_URL).status_code in (302, 403)
    outsider = logged_in(factories.UserFactory())
    assert outsider.get(THESAURUS_URL).status_code == 403
    assert outsider.post(THESAURUS_URL, {"text": "nb | a => b"}).status_code == 403
    assert Thesaurus.objects.count() == 1


@pytest.mark.django_db
def test_the_offers_list_links_to_the_thesaurus(staff_client):
    page = staff_client.get("/ansatt/tilbud/")
    assert THESAURUS_URL in page.content.decode()
