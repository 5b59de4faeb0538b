"""Anonymous evaluations: answered through a single-use link and stored so that no answer can
be joined back to a person, a case, a meeting, or the time it was given; small groups are
never shown."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Person
from familiebro.outcomes import evaluation_services
from familiebro.outcomes.models import AnonymousAnswer, UsedLink
from tests.cases import builders
from tests.privacy.factories import logged_in
from tests.privacy.test_no_policy_bypass import models_about_a_person

pytestmark = pytest.mark.django_db

MEETING = {
    "forstatt": "5",
    "tema": "4",
    "form": "4",
    "nyttig": "5",
    "svarer": "parent",
    "alder": "6-12",
}


@pytest.fixture
def town():
    return builders.municipality()


def link(town, key="familiemote-evaluering", activity="family_meeting"):
    return evaluation_services.make_evaluation_link(
        town.nurse, town.health_centre.pk, activity, key
    )


def test_a_family_answers_once_and_only_the_allowed_facts_are_kept(client, town):
    case = builders.open_concern(town.nurse, town.health_centre)
    made = link(town)
    page = client.get(made.url)
    assert (
        page.status_code == 200 and "Jeg følte meg forstått og respektert" in page.content.decode()
    )
    assert client.post(made.url, MEETING).status_code == 200
    answer = AnonymousAnswer.objects.get()
    assert answer.unit == town.health_centre and answer.organisation == town.organisation
    assert answer.activity == "family_meeting" and answer.age_band == "6-12"
    assert answer.month == timezone.localdate().replace(day=1)
    assert answer.answers["nyttig"] == 5
    # Nothing of the case, the child or the staff member is in it.
    stored = repr(list(AnonymousAnswer.objects.values()))
    for trace in (
        case.reference,
        case.child.given_name,
        case.child.family_name,
        town.nurse.username,
    ):
        assert trace not in stored
    # The link is spent: refused a second time, and nothing more is written.
    assert client.post(made.url, MEETING).status_code == 410
    assert AnonymousAnswer.objects.count() == 1


def test_every_join_path_is_closed():
    fields = {f.name: f for f in AnonymousAnswer._meta.get_fields()}
    # Exactly these facts: where, what kind of activity, the month, the age band, the answers.
    assert set(fields) == {
        "id",
        "organisation",
        "unit",
        "activity",
        "month",
        "age_band",
        "version",
        "answers",
        "held",
        "released",
    }
    # References only to the organisation, the unit and the questionnaire: none to a person,
    # a case, a meeting, a course, an appointment or a staff member, directly or through them.
    referenced = {f.related_model._meta.label for f in fields.values() if f.is_relation}
    assert referenced == {"core.Organisation", "core.ServiceUnit", "outcomes.InstrumentVersion"}
    assert AnonymousAnswer not in models_about_a_person()
    assert Person not in {f.related_model for f in fields.values() if f.is_relation}
    # No model refers to an answer, so no row elsewhere can point at one.
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation:
                assert field.related_model is not AnonymousAnswer, model
    # No exact time: the month only, as a date; and the used-link table names nothing.
    assert not any(isinstance(f, models.DateTimeField | models.TimeField) for f in fields.values())
    assert {f.name for f in UsedLink._meta.get_fields()} == {"id", "nonce_hash", "expires_at"}


def test_the_order_of_answers_does_not_tell_when_they_were_given(client, town):
    for _ in range(3):
        assert client.post(link(town).url, MEETING).status_code == 200
    ids = list(AnonymousAnswer.objects.values_list("id", flat=True))
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    # The spent links keep no exact time either: their expiry is rounded to a whole day.
    for used in UsedLink.objects.all():
        assert (used.expires_at.hour, used.expires_at.minute, used.expires_at.second) == (0, 0, 0)


def test_identifying_free_text_is_held(client, town):
    made = link(town)
    client.post(made.url, {**MEETING, "kommentar": "Takk til Kari på helsestasjonen"})
    assert AnonymousAnswer.objects.get().held
    client.post(link(town).url, {**MEETING, "kommentar": "Fint møte, takk."})
    assert AnonymousAnswer.objects.filter(held=False).count() == 1


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Ring meg på 91234567", True),
        ("skriv til kari@example.no", True),
        ("Vi møtte Per og Lise", True),
        ("Bodde i Hamar før", True),
        ("Fint møte, takk.", False),
        ("Nyttig. Godt å bli hørt.", False),
    ],
)
def test_what_looks_identifying(text, held):
    assert evaluation_services.looks_identifying(text) is held


def test_a_unit_summary_shows_the_distribution_and_hides_small_groups(client, town):
    for nyttig in ("5", "5", "4", "3"):
        client.post(link(town).url, {**MEETING, "nyttig": nyttig})
    [meeting, *_rest] = evaluation_services.unit_summaries(
        town.nurse, town.health_centre.pk, timezone.localdate().year
    )
    assert meeting.suppressed and meeting.items == []
    client.post(link(town).url, {**MEETING, "nyttig": "0"})
    [meeting, *_rest] = evaluation_services.unit_summaries(
        town.nurse, town.health_centre.pk, timezone.localdate().year
    )
    useful = next(s for s in meeting.items if s.item.key == "nyttig")
    assert (meeting.answers, useful.answered, useful.mean) == (5, 5, 3.4)
    assert useful.distribution == [
        ("0", 1, 20.0),
        ("1", 0, 0.0),
        ("2", 0, 0.0),
        ("3", 1, 20.0),
        ("4", 1, 20.0),
        ("5", 2, 40.0),
    ]
    # Another unit's staff cannot ask for it.
    with pytest.raises(PermissionDenied):
        evaluation_services.unit_summaries(town.psychiatrist, town.health_centre.pk, 2026)


def test_the_summary_changes_only_by_a_batch_of_five_answers(client, town):
    """The nurse who handed out a link and saw the family answer cannot read their answer
    off the summary: answers after a released batch wait until there are 5 of them."""

    def shown():
        [meeting, *_rest] = evaluation_services.unit_summaries(
            town.nurse, town.health_centre.pk, timezone.localdate().year
        )
        return meeting.answers, [s.distribution for s in meeting.items if s.item.key == "nyttig"]

    for _ in range(5):
        client.post(link(town).url, MEETING)
    first = shown()
    assert first[0] == 5
    for count in range(4):
        client.post(link(town).url, {**MEETING, "nyttig": "0"})
        assert shown() == first, f"the summary changed after {count + 1} more answers"
    client.post(link(town).url, {**MEETING, "nyttig": "1"})
    total, [distribution] = shown()
    assert total == 10 and distribution[0] == ("0", 4, 40.0) and distribution[1] == ("1", 1, 10.0)
    assert not AnonymousAnswer.objects.filter(released=False).exists()


def test_only_staff_of_the_unit_hand_out_a_link(town):
    with pytest.raises(PermissionDenied):
        evaluation_services.make_evaluation_link(
            town.psychiatrist, town.health_centre.pk, "family_meeting", "familiemote-evaluering"
        )


def test_the_staff_page_makes_a_link_and_shows_the_summary(town):
    client = logged_in(town.nurse)
    page = client.get(reverse("outcomes:evaluations") + f"?enhet={town.health_centre.pk}&ar=abc")
    assert page.status_code == 200 and "Færre enn 5 svar" in page.content.decode()
    made = client.post(
        reverse("outcomes:evaluation-link"),
        {
            "evaluering-unit": town.health_centre.pk,
            "evaluering-activity": "course",
            "evaluering-instrument": "tiltak-26",
        },
    )
    assert made.status_code == 200 and "/evaluering/" in made.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"evaluering-unit": "abc"},
        {
            "evaluering-unit": "999999",
            "evaluering-activity": "course",
            "evaluering-instrument": "tiltak-26",
        },
        {"evaluering-activity": "x", "evaluering-instrument": "trivsel"},
    ],
)
def test_bad_input_for_a_link_says_what_to_do(town, data):
    response = logged_in(town.nurse).post(reverse("outcomes:evaluation-link"), data)
    assert response.status_code == 400


def test_an_expired_or_made_up_evaluation_link_is_refused(client, town, monkeypatch):
    made = link(town)
    later = timezone.now() + datetime.timedelta(hours=evaluation_services.LINK_HOURS + 1)
    monkeypatch.setattr(evaluation_services.timezone, "now", lambda: later)
    assert client.post(made.url, MEETING).status_code == 410
    assert client.get(reverse("outcomes:evaluate", args=["tull"])).status_code == 410
    assert not AnonymousAnswer.objects.exists()
