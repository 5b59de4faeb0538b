"""Between the finder and an offer: the way back to the same results, and cards that tell
apart offers with the same title."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from familiebro.catalogue.finder.navigation import results_query
from tests import factories
from tests.catalogue.factories import FinderOfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


SEARCH = "q=s%C3%B8vn&kommune=3403&tema=a&tema=b&side=2"


@pytest.mark.parametrize(
    "given, kept",
    [
        (SEARCH, SEARCH),
        ("q=x&next=https://evil.example/&side=1", "q=x&side=1"),
        ("https://evil.example/?q=x", ""),
        ("", ""),
        ("q=" + "x" * 3000, ""),
    ],
)  # fmt: skip
def test_only_the_finders_own_parameters_are_carried_back(given, kept):
    assert results_query(given) == kept


def test_an_offer_found_by_a_search_leads_back_to_the_same_results(client):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    offer = FinderOfferFactory(title="Søvnkurs", municipalities=[hamar])

    finder = client.get("/finn-hjelp/?q=s%C3%B8vnkurs&kommune=3403&gratis=on").content.decode()
    [link] = re.findall(rf'href="(/tilbud/{offer.pk}/[^"]*)"', finder)
    offer_page = client.get(link.replace("&amp;", "&")).content.decode()

    back = re.search(r'<a class="ds-link" href="([^"]+)">Back to the results</a>', offer_page)
    assert back and back[1].replace("&amp;", "&") == (
        "/finn-hjelp/?q=s%C3%B8vnkurs&kommune=3403&gratis=on"
    )


def test_an_offer_opened_directly_leads_to_the_finder(client):
    offer = FinderOfferFactory(title="Søvnkurs")

    page = client.get(f"/tilbud/{offer.pk}/?fra=https://evil.example/").content.decode()

    assert "Back to the results" not in page
    assert '<a class="ds-link" href="/finn-hjelp/">Back to Find help</a>' in page


def test_offers_that_share_a_title_show_their_unit_and_place(client):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    for unit in ("Helsestasjonen Sentrum", "Helsestasjonen Ottestad"):
        FinderOfferFactory(
            title="Samtale på helsestasjonen",
            unit=factories.ServiceUnitFactory(name=unit),
            municipalities=[hamar],
        )
    FinderOfferFactory(title="Søvnkurs", municipalities=[hamar])

    html = client.get("/finn-hjelp/?kommune=3403").content.decode()

    titles = [
        " ".join(re.sub(r"<[^>]+>", "", title).split())
        for title in re.findall(r'<h3 class="ds-heading".*?</h3>', html, re.S)
    ]
    shared = sorted(t for t in titles if t.startswith("Samtale"))
    assert shared[0].startswith("Samtale på helsestasjonen – Helsestasjonen Ottestad")
    assert shared[1].startswith("Samtale på helsestasjonen – Helsestasjonen Sentrum")
    assert "Søvnkurs" in titles
