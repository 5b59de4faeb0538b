"""The questionnaire pages: instance administrators draft and publish; nobody else gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.outcomes.models import InstrumentVersion
from tests import factories
from tests.privacy.factories import logged_in, member, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return logged_in(factories.UserFactory(is_instance_admin=True))


def test_an_administrator_makes_changes_and_publishes_a_version(admin_client):
    listing = admin_client.get(reverse("outcomes:instruments"))
    assert listing.status_code == 200 and "Trivselsskala" in listing.content.decode()
    made = admin_client.post(reverse("outcomes:new-draft", args=["samarbeid"]))
    assert made.status_code == 302 and made["Location"].endswith("/samarbeid/2/")
    page = admin_client.get(made["Location"])
    assert page.status_code == 200 and "Endre teksten" in page.content.decode()
    data = {
        "note": "Tydeligere tekst",
        "cutoff": "34",
        "intro-nb": "Hvordan var timen?",
        "lyttet-nb": "Jeg ble hørt",
        "viktig-nb": "Vi jobbet med det som betyr noe for meg",
        "maten-nb": "Måten vi jobbet på passet meg",
        "riktig-nb": "Timen var riktig for meg",
    }
    assert admin_client.post(made["Location"], data).status_code == 302
    published = admin_client.post(reverse("outcomes:publish", args=["samarbeid", 2]))
    assert published.status_code == 302
    version = InstrumentVersion.objects.get(instrument__key="samarbeid", number=2)
    assert version.is_published and version.cutoff == 34
    assert version.items.get(key="lyttet").text == {"nb": "Jeg ble hørt"}
    # Published: the page offers no form, and a post changes nothing.
    assert "Endre teksten" not in admin_client.get(made["Location"]).content.decode()
    admin_client.post(made["Location"], {**data, "lyttet-nb": "Noe annet"})
    assert version.items.get(key="lyttet").text == {"nb": "Jeg ble hørt"}


@pytest.mark.parametrize(
    "data", [{}, {"lyttet-nb": "x" * 301}, {"cutoff": "99"}, {"cutoff": "tre"}]
)
def test_a_draft_with_bad_input_says_what_to_do(admin_client, data):
    made = admin_client.post(reverse("outcomes:new-draft", args=["samarbeid"]))
    response = admin_client.post(made["Location"], data)
    assert response.status_code == 400
    assert "Sjekk dette" in response.content.decode()


def test_other_staff_are_refused_every_questionnaire_page():
    client = logged_in(member(unit()))
    gets = [
        reverse("outcomes:instruments"),
        reverse("outcomes:instrument", args=["trivsel"]),
        reverse("outcomes:version", args=["trivsel", 1]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        reverse("outcomes:new-draft", args=["trivsel"]),
        reverse("outcomes:publish", args=["trivsel", 1]),
    ]
    for url in posts:
        assert client.post(url).status_code == 403, url
    assert InstrumentVersion.objects.count() == 5


def test_an_unknown_questionnaire_or_version_is_not_found(admin_client):
    assert admin_client.get(reverse("outcomes:instrument", args=["finnes-ikke"])).status_code == 404
    assert admin_client.get(reverse("outcomes:version", args=["trivsel", 99])).status_code == 404
