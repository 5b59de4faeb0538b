"""The leader's page for free text held back from anonymous evaluations: only the leader of
the answer's unit reads it, redacts it and releases it; everyone else is refused, and bad
input changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familiebro.outcomes import evaluation_services
from familiebro.outcomes.models import AnonymousAnswer
from tests.cases import builders
from tests.outcomes.test_anonymous import MEETING, link
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

HELD = "Takk til Kari på helsestasjonen, ring 91234567"


@pytest.fixture
def town():
    return builders.municipality()


def held_answer(client, town, text=HELD):
    assert client.post(link(town).url, {**MEETING, "kommentar": text}).status_code == 200
    answer = AnonymousAnswer.objects.get(held=True)
    return answer


def test_the_leader_reads_the_held_comment_redacts_and_releases_it(client, town):
    answer = held_answer(client, town)
    leader = logged_in(town.nurse_leader)
    start = leader.get(reverse("outcomes:evaluations"))
    assert reverse("outcomes:held") in start.content.decode()
    page = leader.get(reverse("outcomes:held")).content.decode()
    assert "Kari" in page and "91234567" in page
    assert "Frigi kommentaren" in page

    response = leader.post(
        reverse("outcomes:held"),
        {"svar": str(answer.pk), "tekst-kommentar": "Takk til [navn] på helsestasjonen"},
    )

    assert response.status_code == 302
    answer.refresh_from_db()
    assert not answer.held
    assert answer.answers["kommentar"] == "Takk til [navn] på helsestasjonen"
    assert answer.answers["nyttig"] == 5  # the scores are untouched
    after = leader.get(response.url).content.decode()
    assert "Kommentaren er frigitt." in after and "Ingen kommentarer venter på deg." in after


def test_an_emptied_comment_is_removed(client, town):
    answer = held_answer(client, town)
    logged_in(town.nurse_leader).post(
        reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": "  "}
    )
    answer.refresh_from_db()
    assert not answer.held and "kommentar" not in answer.answers


def test_only_the_leader_of_the_unit_reads_held_comments(client, town):
    answer = held_answer(client, town)
    # The nurse who handed out the link, another unit's leader, another organisation and a
    # visitor: none reads the comment, and none can release it.
    for stranger in (town.nurse, town.team_leader, town.psychiatrist):
        staff = logged_in(stranger)
        staff.raise_request_exception = False
        page = staff.get(reverse("outcomes:held"))
        if stranger == town.team_leader:
            assert page.status_code == 200 and "91234567" not in page.content.decode()
        else:
            assert page.status_code == 403 and "91234567" not in page.content.decode()
        staff.post(reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": "x"})
    assert Client().get(reverse("outcomes:held")).status_code == 302
    Client().post(reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": "x"})
    answer.refresh_from_db()
    assert answer.held and answer.answers["kommentar"] == HELD
    # The nurse is not shown the link to the page either.
    nurse_page = logged_in(town.nurse).get(reverse("outcomes:evaluations")).content.decode()
    assert reverse("outcomes:held") not in nurse_page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"svar": "abc"},
        {"svar": "00000000-0000-4000-8000-000000000000", "tekst-kommentar": "x"},
        {"svar": ["a", "b"]},
    ],
)
def test_bad_input_changes_nothing_and_says_so(client, town, data):
    answer = held_answer(client, town)
    leader = logged_in(town.nurse_leader)
    response = leader.post(reverse("outcomes:held"), data, follow=True)
    assert response.status_code == 200
    assert "Den kommentaren venter ikke lenger. Ingenting ble endret." in response.content.decode()
    answer.refresh_from_db()
    assert answer.held and answer.answers["kommentar"] == HELD


def test_a_released_comment_cannot_be_released_again(client, town):
    answer = held_answer(client, town)
    leader = logged_in(town.nurse_leader)
    leader.post(reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": "Fint"})
    leader.post(reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": "Kari"})
    answer.refresh_from_db()
    assert answer.answers["kommentar"] == "Fint"


def test_too_long_a_text_is_refused_and_kept_in_the_form(client, town):
    answer = held_answer(client, town)
    long = "a" * (evaluation_services.MAX_TEXT + 1)
    response = logged_in(town.nurse_leader).post(
        reverse("outcomes:held"), {"svar": str(answer.pk), "tekst-kommentar": long}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Gjør teksten kortere" in page and long in page
    answer.refresh_from_db()
    assert answer.held


def test_the_page_reads_a_constant_number_of_queries(client, town):
    leader = logged_in(town.nurse_leader)
    held_answer(client, town)
    with CaptureQueriesContext(connection) as one:
        assert "Kari" in leader.get(reverse("outcomes:held")).content.decode()
    for n in range(5):
        client.post(link(town).url, {**MEETING, "kommentar": f"Hilsen Per {n}0"})
    assert AnonymousAnswer.objects.filter(held=True).count() == 6
    with CaptureQueriesContext(connection) as six:
        assert "Per 40" in leader.get(reverse("outcomes:held")).content.decode()
    assert len(six.captured_queries) == len(one.captured_queries)
