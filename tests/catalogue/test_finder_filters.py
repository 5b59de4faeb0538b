"""The finder's filters, the remembered municipality, pagination and the guided path."""

import pytest

from familiebro.catalogue.finder.criteria import AgeRange
from tests import factories
from tests.catalogue.factories import FinderOfferFactory, LocationFactory, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    # The assertions read the English source strings, whatever the nb/nn catalogues say.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return sorted(offer.title for offer in response.context["result"].offers)


# Municipality ---------------------------------------------------------------------------


@pytest.fixture
def places(db):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    stange = factories.MunicipalityFactory(number="3413", name="Stange")
    FinderOfferFactory(title="For Hamar", municipalities=[hamar])
    FinderOfferFactory(title="Holdes i Hamar", locations=[LocationFactory(municipality=hamar)])
    FinderOfferFactory(title="Digitalt for alle", is_digital=True)
    FinderOfferFactory(title="Digitalt for Stange", is_digital=True, municipalities=[stange])
    FinderOfferFactory(title="For Stange", municipalities=[stange])
    return hamar, stange


def test_municipality_shows_its_own_local_and_nationwide_digital_offers(client, places):
    response = client.get("/finn-hjelp/", {"kommune": "3403"})
    assert titles(response) == ["Digitalt for alle", "For Hamar", "Holdes i Hamar"]


def test_a_digital_offer_for_named_municipalities_is_only_shown_there(client, places):
    response = client.get("/finn-hjelp/", {"kommune": "3413"})
    assert titles(response) == ["Digitalt for Stange", "Digitalt for alle", "For Stange"]


def test_all_of_norway_shows_every_offer(client, places):
    assert len(titles(client.get("/finn-hjelp/", {"kommune": ""}))) == 5


def test_choosing_a_municipality_remembers_it_in_a_cookie(client, places):
    response = client.get("/finn-hjelp/", {"kommune": "3403"})
    cookie = response.cookies["fb_kommune"]
    assert cookie.value == "3403"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    # The next visit, without a municipality in the address, starts from the remembered one.
    response = client.get("/finn-hjelp/")
    assert titles(response) == ["Digitalt for alle", "For Hamar", "Holdes i Hamar"]
    assert 'value="3403" selected' in response.content.decode()


def test_choosing_all_of_norway_forgets_the_municipality(client, places):
    client.get("/finn-hjelp/", {"kommune": "3403"})
    response = client.get("/finn-hjelp/", {"kommune": ""})
    assert response.cookies["fb_kommune"].value == ""
    assert len(titles(client.get("/finn-hjelp/"))) == 5


def test_a_remembered_municipality_that_no_longer_exists_is_forgotten(client, places):
    client.cookies["fb_kommune"] = "9999"
    response = client.get("/finn-hjelp/")
    assert len(titles(response)) == 5
    assert response.cookies["fb_kommune"].value == ""


def test_an_unknown_municipality_in_the_address_is_a_clear_error(client, places):
    response = client.get("/finn-hjelp/", {"kommune": "0000"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose a municipality from the list" in text or "kommune" in text.lower()
    assert response.context["form"].errors["kommune"]
    assert "fb_kommune" not in response.cookies


# Age ------------------------------------------------------------------------------------


@pytest.fixture
def ages(db):
    for title, from_months, to_months in [
        ("Fødselsforberedende kurs", -9, -1),
        ("Fra graviditet til ett år", -9, 12),
        ("Barselgruppe", 0, 6),
        ("Det første året", 0, 12),
        ("Treåringer", 36, 47),
        ("Skolebarn", 72, 155),
        ("Alle aldre", None, None),
        ("Til og med to år", None, 35),
        ("Fra ti år", 120, None),
    ]:
        FinderOfferFactory(title=title, age_from_months=from_months, age_to_months=to_months)


def test_expecting_parents_find_offers_that_include_pregnancy(client, ages):
    response = client.get("/finn-hjelp/", {"alder": "gravid"})
    assert titles(response) == [
        "Alle aldre",
        "Fra graviditet til ett år",
        "Fødselsforberedende kurs",
        "Til og med to år",
    ]


def test_a_baby_under_one_finds_offers_from_birth_but_not_pregnancy_only(client, ages):
    response = client.get("/finn-hjelp/", {"alder": "0"})
    assert titles(response) == [
        "Alle aldre",
        "Barselgruppe",
        "Det første året",
        "Fra graviditet til ett år",
        "Til og med to år",
    ]


def test_a_one_year_old_is_twelve_to_twentythree_months(client, ages):
    response = client.get("/finn-hjelp/", {"alder": "1"})
    assert titles(response) == [
        "Alle aldre",
        "Det første året",
        "Fra graviditet til ett år",
        "Til og med to år",
    ]


def test_open_ended_ranges_reach_the_oldest_children(client, ages):
    assert titles(client.get("/finn-hjelp/", {"alder": "12"})) == [
        "Alle aldre",
        "Fra ti år",
        "Skolebarn",
    ]
    assert titles(client.get("/finn-hjelp/", {"alder": "3"})) == ["Alle aldre", "Treåringer"]


def test_an_age_outside_the_choices_is_refused(client, ages):
    response = client.get("/finn-hjelp/", {"alder": "40"})
    assert response.status_code == 400
    assert response.context["form"].errors["alder"]


def test_age_range_of_pregnancy_is_minus_nine_to_minus_one_months():
    assert AgeRange.from_choice("gravid") == AgeRange(-9, -1)
    assert AgeRange.from_choice("2") == AgeRange(24, 35)


# Topic, language, format and the yes/no filters -------------------------------------------


def test_topic_filter_finds_offers_with_any_of_the_topics(client):
    FinderOfferFactory(title="Parkurs", topics=[topic("couple-relationship")])
    FinderOfferFactory(title="Etter bruddet", topics=[topic("conflict-separation")])
    FinderOfferFactory(title="Søvnskole", topics=[topic("infant-sleep-feeding")])
    response = client.get("/finn-hjelp/", {"tema": ["couple-relationship"]})
    assert titles(response) == ["Parkurs"]
    response = client.get("/finn-hjelp/", {"tema": ["couple-relationship", "conflict-separation"]})
    assert titles(response) == ["Etter bruddet", "Parkurs"]


def test_only_topics_in_use_are_offered_as_choices(client):
    FinderOfferFactory(title="Parkurs", topics=[topic("couple-relationship")])
    response = client.get("/finn-hjelp/")
    choices = dict(response.context["form"].fields["tema"].choices)
    assert set(choices) == {"couple-relationship"}
    assert client.get("/finn-hjelp/", {"tema": "violence"}).status_code == 400


def test_a_topic_taken_into_use_is_a_choice_at_the_next_search(client):
    FinderOfferFactory(title="Parkurs", topics=[topic("couple-relationship")])
    client.get("/finn-hjelp/")
    FinderOfferFactory(title="Søvnskole", topics=[topic("infant-sleep-feeding")])
    response = client.get("/finn-hjelp/", {"tema": "infant-sleep-feeding"})
    assert titles(response) == ["Søvnskole"]
    choices = dict(response.context["form"].fields["tema"].choices)
    assert set(choices) == {"couple-relationship", "infant-sleep-feeding"}


def test_language_filter_finds_offers_where_the_language_is_spoken(client):
    FinderOfferFactory(title="Arabisk og norsk", languages=" nb ar ")
    FinderOfferFactory(title="Bare norsk", languages=" nb ")
    FinderOfferFactory(title="Nynorsk og somali", languages=" nn so ")
    assert titles(client.get("/finn-hjelp/", {"språk": "ar"})) == ["Arabisk og norsk"]
    assert titles(client.get("/finn-hjelp/", {"språk": "so"})) == ["Nynorsk og somali"]
    # Nynorsk is Norwegian too.
    assert titles(client.get("/finn-hjelp/", {"språk": "nb"})) == [
        "Arabisk og norsk",
        "Bare norsk",
        "Nynorsk og somali",
    ]


def test_format_filter(client):
    FinderOfferFactory(title="Gruppe", format_group=True)
    FinderOfferFactory(title="Samtaler", format_individual=True)
    FinderOfferFactory(title="Nettkurs", is_digital=True)
    FinderOfferFactory(title="Hjemmebesøk", format_home_visit=True)
    expected = {
        "gruppe": ["Gruppe"],
        "individuell": ["Samtaler"],
        "digital": ["Nettkurs"],
        "hjemmebesok": ["Hjemmebesøk"],
    }
    for value, wanted in expected.items():
        assert titles(client.get("/finn-hjelp/", {"format": value})) == wanted, value


def test_free_no_referral_and_evening_or_weekend_filters(client):
    FinderOfferFactory(title="Gratis", is_free=True)
    FinderOfferFactory(title="Koster", is_free=False, cost="200 kr")
    FinderOfferFactory(title="Henvisning", referral_required=True, is_free=False)
    FinderOfferFactory(title="Kveld", open_evenings=True, is_free=False)
    FinderOfferFactory(title="Helg", open_weekends=True, is_free=False)
    assert titles(client.get("/finn-hjelp/", {"gratis": "on"})) == ["Gratis"]
    assert "Henvisning" not in titles(client.get("/finn-hjelp/", {"uten_henvisning": "on"}))
    assert len(titles(client.get("/finn-hjelp/", {"uten_henvisning": "on"}))) == 4
    assert titles(client.get("/finn-hjelp/", {"kveld_helg": "on"})) == ["Helg", "Kveld"]


def test_filters_combine_with_the_search_text(client, places):
    FinderOfferFactory(
        title="Søvnkurs i Hamar",
        municipalities=[places[0]],
        age_from_months=0,
        age_to_months=12,
        description="Om søvn for de minste.",
    )
    FinderOfferFactory(
        title="Søvnkurs i Stange", municipalities=[places[1]], description="Om søvn for de minste."
    )
    response = client.get("/finn-hjelp/", {"q": "søvn", "kommune": "3403", "alder": "0"})
    assert titles(response) == ["Søvnkurs i Hamar"]  # fmt: skip


# Results --------------------------------------------------------------------------------


def test_results_are_paginated_twenty_to_a_page_with_the_count(client):
    for number in range(25):
        FinderOfferFactory(title=f"Tilbud {number:02d}")
    first = client.get("/finn-hjelp/")
    assert len(titles(first)) == 20
    assert first.context["result"].count == 25
    text = first.content.decode()
    assert "25" in text
    assert "side=2" in text
    second = client.get("/finn-hjelp/", {"side": "2"})
    assert titles(second) == [f"Tilbud {n}" for n in range(20, 25)]


def test_a_page_number_out_of_range_shows_the_last_page(client):
    for number in range(3):
        FinderOfferFactory(title=f"Tilbud {number}")
    assert len(titles(client.get("/finn-hjelp/", {"side": "9"}))) == 3
    assert len(titles(client.get("/finn-hjelp/", {"side": "abc"}))) == 3


def test_stale_offers_are_shown_with_their_flag(client):
    import datetime

    from django.utils import timezone

    FinderOfferFactory(
        title="Gammelt tilbud", last_verified_at=timezone.now() - datetime.timedelta(days=200)
    )
    FinderOfferFactory(title="Ferskt tilbud")
    response = client.get("/finn-hjelp/")
    assert titles(response) == ["Ferskt tilbud", "Gammelt tilbud"]
    text = response.content.decode()
    assert text.count("Not checked in the last 6 months") == 1


def test_each_result_explains_the_offer_in_plain_words(client):
    FinderOfferFactory(
        title="Barselgruppe",
        summary="Møt andre som nettopp har fått barn.",
        age_from_months=0,
        age_to_months=6,
        is_free=True,
        referral_required=False,
        languages=" nb ar ",
        locations=[
            LocationFactory(
                name="Helsestasjonen",
                municipality=factories.MunicipalityFactory(number="3403", name="Hamar"),
            )
        ],
    )
    text = client.get("/finn-hjelp/").content.decode()
    assert "Møt andre som nettopp har fått barn." in text
    assert "From birth to 6 months" in text
    assert "Helsestasjonen, Hamar" in text
    assert "No referral needed" in text
    assert '<span lang="ar" dir="rtl">العربية</span>' in text


def test_htmx_gets_only_the_results(client):
    FinderOfferFactory(title="Barselgruppe")
    response = client.get("/finn-hjelp/", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "Barselgruppe" in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]
    full = client.get("/finn-hjelp/")
    assert "<html" in full.content.decode()
    assert 'hx-get="/finn-hjelp/"' in full.content.decode()


# The guided path ------------------------------------------------------------------------


def test_the_guide_asks_who_then_age_then_need_and_ends_in_filtered_results(client):
    FinderOfferFactory(title="Parkurs", topics=[topic("couple-relationship")])
    step1 = client.get("/finn-hjelp/veiviser/")
    assert step1.status_code == 200
    assert "Step 1 of 3" in step1.content.decode()
    step2 = client.get("/finn-hjelp/veiviser/", {"hvem": "forelder"})
    assert "Step 2 of 3" in step2.content.decode()
    assert "How old is the child?" in step2.content.decode()
    step3 = client.get("/finn-hjelp/veiviser/", {"hvem": "forelder", "alder": "4"})
    assert "We argue a lot" in step3.content.decode()
    done = client.get(
        "/finn-hjelp/veiviser/", {"hvem": "forelder", "alder": "4", "hjelp": "krangel"}
    )
    assert done.status_code == 302
    assert done["Location"].startswith("/finn-hjelp/?")
    assert "tema=couple-relationship" in done["Location"]
    assert "alder=4" in done["Location"]
    assert titles(client.get(done["Location"])) == ["Parkurs"]


def test_expecting_parents_skip_the_age_question(client):
    step2 = client.get("/finn-hjelp/veiviser/", {"hvem": "venter-barn"})
    text = step2.content.decode()
    assert "Step 2 of 2" in text
    assert "What is it about?" in text
    done = client.get("/finn-hjelp/veiviser/", {"hvem": "venter-barn", "hjelp": "sovn"})
    assert "alder=gravid" in done["Location"]


def test_a_need_whose_topic_no_offer_has_searches_its_words_instead(client):
    done = client.get("/finn-hjelp/veiviser/", {"hvem": "forelder", "alder": "0", "hjelp": "sovn"})
    assert "q=s%C3%B8vn" in done["Location"]
    assert "tema=" not in done["Location"]


def test_the_guide_says_what_is_missing_when_nothing_is_chosen(client):
    response = client.get("/finn-hjelp/veiviser/", {"hvem": "forelder", "alder": "4", "hjelp": ""})
    assert response.status_code == 400
    assert "Choose what fits best" in response.content.decode()


def test_a_young_person_is_asked_their_own_age(client):
    response = client.get("/finn-hjelp/veiviser/", {"hvem": "ungdom"})
    assert "How old are you?" in response.content.decode()


def test_the_guide_works_without_javascript_as_plain_get_forms(client):
    for params in ({}, {"hvem": "forelder"}, {"hvem": "forelder", "alder": "2"}):
        text = client.get("/finn-hjelp/veiviser/", params).content.decode()
        assert 'method="get"' in text
        assert "<script" not in text.split("</head>")[1]
        assert "{#" not in text and "{%" not in text  # no template source leaks onto the page
