"""When nothing fits, and when a search is about danger: crisis numbers first, ways to widen
the search, and asking for help without a referral on every result page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.http import QueryDict

from familiebro.catalogue.finder import crisis, widen
from familiebro.catalogue.finder.criteria import FinderCriteria
from familiebro.catalogue.finder.search import search
from familiebro.catalogue.models import CrisisLine
from tests import factories
from tests.catalogue.factories import FinderOfferFactory, topic

pytestmark = pytest.mark.django_db

SHIPPED_NUMBERS = ["112", "113", "116 111", "116 006", "116 123"]


def page(client, query: str, language: str = "nb") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/finn-hjelp/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def crisis_box(html: str) -> str:
    match = re.search(r'<div class="ds-alert fb-crisis".*?</div>', html, re.S)
    return match.group(0) if match else ""


# Which searches are about danger -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # bokmål
        "vold",
        "Vold i familien",
        "voldsutsatt barn",
        "seksuelle overgrep",
        "overgrepet",
        "selvmordstanker",
        "datteren min selvskader",
        "han slår meg",
        "sønnen vil ta livet sitt",
        "omsorgssvikt",
        # nynorsk
        "vald i heimen",
        "sjølvmord",
        "sjølvskading hjå ungdom",
        "han slår meg og borna",
        # English
        "violence at home",
        "domestic abuse",
        "my husband hits me",
        "suicide",
        "suicidal teenager",
        "self-harm",
        "self harm",
        "want to die",
    ],
)
def test_searches_about_violence_abuse_self_harm_or_suicide_are_recognised(text):
    assert crisis.is_about_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "søvn",
        "foreldrekurs",
        "alle slags kurs",
        "skilsmisse",
        "sinne hos tenåringer",
        "divorce",
        "course for fathers",
        "slagord",
        "",
    ],
)
def test_everyday_searches_are_not_about_danger(text):
    assert not crisis.is_about_danger(text)


# The numbers on the page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, language",
    [("vold", "nb"), ("sjølvmord", "nn"), ("violence", "en"), ("self-harm", "en")],
)
def test_the_numbers_come_first_for_risk_words_in_each_language(client, text, language):
    FinderOfferFactory(title="Samtaler om vold i familien", description="Vold og trygghet.")

    html = page(client, f"q={text}", language)

    box = crisis_box(html)
    assert box, "no crisis numbers"
    # First: before the heading of the results and before any offer.
    assert html.index("fb-crisis") < html.index('id="results-heading"')
    for number in SHIPPED_NUMBERS:
        assert f'href="tel:{number.replace(" ", "")}"' in box
        assert number in box
    assert "Alarmtelefonen for barn og unge" in box
    assert "Vold- og overgrepslinjen" in box
    assert "Mental Helse" in box
    assert "krisesenter.com" in box


def test_the_descriptions_follow_the_page_language(client):
    nynorsk = crisis_box(page(client, "q=vald", "nn"))
    english = crisis_box(page(client, "q=violence", "en"))

    assert "Ring 112 viss nokon er i fare no" in nynorsk
    assert "Call 112 if someone is in danger now" in english


def test_no_numbers_for_everyday_searches(client):
    FinderOfferFactory(title="Søvnkurs", description="Når babyen sover dårlig.")

    assert crisis_box(page(client, "q=søvn")) == ""
    assert crisis_box(page(client, "")) == ""


def test_the_numbers_show_also_when_nothing_is_found_and_in_the_htmx_fragment(client):
    response = client.get("/finn-hjelp/?q=overgrep", headers={"HX-Request": "true"})

    assert "116 006" in crisis_box(response.content.decode())


def test_what_editors_change_is_what_the_finder_shows(client):
    line = CrisisLine.objects.get(phone="116 123")
    line.phone = "116 999"
    line.save()
    CrisisLine.objects.filter(phone="113").update(is_active=False)

    box = crisis_box(page(client, "q=selvmord"))

    assert "116 999" in box and "116 123" not in box
    assert 'href="tel:113"' not in box


def test_a_municipalitys_own_crisis_centre_replaces_the_list_of_every_centre(client):
    hamar = factories.MunicipalityFactory(name="Hamar", number="3403")
    other = factories.MunicipalityFactory(name="Elverum", number="3420")
    CrisisLine.objects.create(
        kind=CrisisLine.Kind.CRISIS_CENTRE,
        name="Krisesenteret i Innlandet",
        phone="62 00 00 00",
        description="Døgnåpent krisesenter.",
        municipality=hamar,
        position=55,
    )

    in_hamar = crisis_box(page(client, "q=vold&kommune=3403"))
    in_elverum = crisis_box(page(client, f"q=vold&kommune={other.number}"))

    assert "Krisesenteret i Innlandet" in in_hamar and "krisesenter.com" not in in_hamar
    assert "116 111" in in_hamar
    assert "Krisesenteret i Innlandet" not in in_elverum and "krisesenter.com" in in_elverum


# Ways to widen -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    hamar = factories.MunicipalityFactory(name="Hamar", number="3403")
    factories.MunicipalityFactory(name="Elverum", number="3420")
    FinderOfferFactory(
        title="Søvnkurs for småbarnsforeldre",
        description="Når babyen sover dårlig om natta.",
        topics=[topic("infant-sleep-feeding")],
        municipalities=[hamar],
        is_free=False,
        age_from_months=0,
        age_to_months=24,
    )
    FinderOfferFactory(
        title="Foreldre i konflikt",
        description="Samtaler etter samlivsbrudd.",
        topics=[topic("conflict-separation")],
        municipalities=[hamar],
    )


def links(html: str) -> dict[str, str]:
    """The widening links: label → address."""
    box = re.search(r'<ul class="ds-list fb-widen".*?</ul>', html, re.S)
    assert box, "no ways to widen"
    return {
        label.strip(): href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="ds-link" href="([^"]+)">([^<]+)</a>', box[0])
    }


def test_another_municipality_is_offered_the_whole_country(client, catalogue):
    html = page(client, "q=babyen&kommune=3420", "en")

    found = links(html)
    assert found == {"Search the whole country": "?q=babyen&kommune="}
    assert "Search the whole country</a> (1 offer)" in html
    # Following it finds what it promised.
    assert "Søvnkurs for småbarnsforeldre" in page(client, "q=babyen&kommune=", "en")


def test_a_topic_near_the_words_is_offered(client, catalogue):
    # "søvnvansker" is in no offer, but "Søvn" is in a topic's name. The finder itself reads
    # the compound and finds the sleep course, so the widening is asked directly, as the page
    # asks it when a search's words found nothing.
    ways = widen.ways_to_widen(
        FinderCriteria(text="søvnvansker"),
        QueryDict("q=søvnvansker&kommune=3403"),
        lambda changed: search(changed).count,
        "en",
    )
    found = {way.label: f"?{way.query}" for way in ways}

    [(label, address)] = [(k, v) for k, v in found.items() if k.startswith("The topic")]
    assert "instead of your words" in label
    assert "tema=infant-sleep-feeding" in address and "q=" not in address
    assert "Søvnkurs for småbarnsforeldre" in page(client, address.lstrip("?"), "en")


def test_each_filter_that_hides_offers_can_be_dropped(client, catalogue):
    html = page(client, "q=babyen&kommune=3403&gratis=on&alder=1", "en")

    found = links(html)
    assert found["Also offers that cost money"] == "?q=babyen&kommune=3403&alder=1"
    assert "Without the child's age" not in found  # still nothing without the age alone
    for address in found.values():
        assert "side=" not in address


def test_no_ways_when_nothing_would_help_and_asking_directly_is_always_there(client, catalogue):
    html = page(client, "q=xylofonundervisning&kommune=3403", "en")

    assert "fb-widen" not in html
    assert "Try other words or fewer choices." in html
    assert 'href="/ta-kontakt/"' in html
    # Also when the search found offers.
    assert 'href="/ta-kontakt/"' in page(client, "q=babyen", "en")


def test_ways_to_widen_only_count_for_searches_that_found_nothing(client, catalogue):
    html = page(client, "q=babyen&kommune=3403", "en")

    assert "fb-widen" not in html


def test_ways_to_widen_names_each_change_once():
    criteria = FinderCriteria(text="xylofon", free_only=True, no_referral=True)
    params = QueryDict("q=xylofon&gratis=on&uten_henvisning=on&side=3")

    ways = widen.ways_to_widen(
        criteria, params, lambda changed: 0 if changed == criteria else 2, "en"
    )

    assert [(way.label, way.query, way.count) for way in ways] == [
        ("Without your words, only the choices", "gratis=on&uten_henvisning=on", 2),
        ("Also offers that cost money", "q=xylofon&uten_henvisning=on", 2),
        ("Also offers that need a referral", "q=xylofon&gratis=on", 2),
    ]
    assert search(criteria).count == 0


def test_ways_that_find_nothing_are_left_out():
    criteria = FinderCriteria(text="xylofon", free_only=True)

    assert widen.ways_to_widen(criteria, QueryDict("q=xylofon&gratis=on"), lambda c: 0, "en") == []
