"""An outside reviewer's attacks on outcomes: anonymous evaluations read back to the family
who gave them, the family's single-use links, and malformed input. Each test says what the
attacker does and what must hold."""

from __future__ import annotations

import datetime

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.outcomes import evaluation_services, scale_services
from familiebro.outcomes.models import (
    AnonymousAnswer,
    Instrument,
    Rater,
    ScaleScore,
    UsedLink,
)
from tests.cases import builders
from tests.outcomes.helpers import Setting, lines
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

LINK_TIME = datetime.timedelta(minutes=scale_services.LINK_MINUTES)

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


def link(town):
    return evaluation_services.make_evaluation_link(
        town.nurse, town.health_centre.pk, "family_meeting", "familiemote-evaluering"
    )


def _useful(town):
    [meeting, *_rest] = evaluation_services.unit_summaries(
        town.nurse, town.health_centre.pk, timezone.localdate().year
    )
    item = next(s for s in meeting.items if s.item.key == "nyttig")
    return meeting.answers, {value: count for value, count, _share in item.distribution}


def test_the_nurse_reads_one_familys_anonymous_answers_off_the_summary_before_and_after(
    client, town
):
    """Attacker: the nurse who met the family. Her unit's year already has 5 answers, so the
    summary is shown. She reads it, hands the family the link at the end of the meeting,
    watches them answer on their phone, and reads the summary again: the only value that
    grew is their answer ("not useful", 0). The summary is recomputed live for the current
    year, answer by answer, so every new answer can be read off by difference by the staff
    member who handed out its link. What must hold: an anonymous answer can never be joined
    back to the family, so the summary must not change one answer at a time (e.g. show only
    closed periods, or change only in steps of 5 or more)."""
    for _ in range(5):
        assert client.post(link(town).url, MEETING).status_code == 200
    before_total, before = _useful(town)

    family = client.post(link(town).url, {**MEETING, "nyttig": "0"})
    assert family.status_code == 200
    after_total, after = _useful(town)

    grew = {value: after[value] - before[value] for value in after if after[value] != before[value]}
    assert not (after_total - before_total == 1 and grew == {"0": 1}), (
        f"the family's answer to 'useful' is read off the summary: {grew}"
    )


def test_used_links_are_numbered_in_the_order_families_answered(client, town):
    """Attacker: someone who reads the database (an operator, a leaked backup). UsedLink's
    id is a sequential integer shared by the anonymous evaluations and the case-linked
    session-scale links, whose scores carry their exact answered_at. An evaluation's used
    link sits between two session links in that numbering, so the day the module says it
    rounds to is narrowed to the minutes between two timestamped scores. What must hold: a
    used link keeps no more than the keyed hash and the day (docs/outcomes.md), and its id
    tells no order (a random id, as AnonymousAnswer has)."""
    setting = Setting.make()
    mother = setting.mother
    scale = scale_services.make_link(
        setting.town.nurse, setting.case, mother.pk, Instrument.Kind.WELLBEING, 1
    )
    assert client.post(scale.url, lines(20)).status_code == 200
    assert client.post(link(setting.town).url, MEETING).status_code == 200
    later = scale_services.make_link(
        setting.town.nurse, setting.case, mother.pk, Instrument.Kind.WELLBEING, 2
    )
    assert client.post(later.url, lines(22)).status_code == 200

    assert ScaleScore.objects.count() == 2 and AnonymousAnswer.objects.count() == 1
    used = list(UsedLink.objects.order_by("pk"))
    rounded = [
        i
        for i, u in enumerate(used)
        if (u.expires_at.hour, u.expires_at.minute, u.expires_at.second) == (0, 0, 0)
    ]
    # Exactly one is the evaluation's link. (Its place in the pk order is what the attack
    # reads; with a random id it has none to assert, so only the count is checked here.)
    assert len(rounded) == 1
    session = sorted(u.expires_at for i, u in enumerate(used) if i not in rounded)
    window = (session[0] - LINK_TIME, session[1] - LINK_TIME)
    assert not isinstance(UsedLink._meta.pk, models.AutoField), (
        "used links are numbered in the order they were used: the anonymous evaluation was "
        f"answered between {window[0]:%H:%M:%S} and {window[1]:%H:%M:%S}"
    )


def test_a_superscript_digit_as_the_year_is_not_a_server_error(town):
    """Attacker: a logged-in nurse asks for /ansatt/evalueringer/?ar=² (a superscript two).
    str.isdigit() says yes to it and int() raises (outcomes/evaluation_views._page). What
    must hold: bad input is answered, never a 500."""
    nurse = logged_in(town.nurse)
    nurse.raise_request_exception = False

    response = nurse.get(
        reverse("outcomes:evaluations"), {"enhet": town.health_centre.pk, "ar": "²"}
    )

    assert response.status_code < 500


def test_a_scale_link_works_once_and_an_evaluation_token_is_no_scale_token(client):
    """Attacker: the family (or whoever sees their screen) posts the scale link twice, swaps
    the token into the evaluation address and back, and alters one character. What must
    hold (and does): one score, every other attempt 410, nothing stored."""
    setting = Setting.make()
    made = scale_services.make_link(
        setting.town.nurse, setting.case, setting.mother.pk, Instrument.Kind.WELLBEING, 1
    )
    token = made.url.rstrip("/").rsplit("/", 1)[1]
    assert client.post(made.url, lines(20)).status_code == 200
    assert client.post(made.url, lines(30)).status_code == 410
    evaluation = link(setting.town).url
    eval_token = evaluation.rstrip("/").rsplit("/", 1)[1]
    swapped = reverse("outcomes:evaluate", args=[token])
    assert client.post(swapped, MEETING).status_code == 410
    assert client.post(reverse("outcomes:answer", args=[eval_token]), lines(5)).status_code == 410
    altered = eval_token[:-2] + ("A" if eval_token[-2] != "A" else "B") + eval_token[-1]
    assert client.post(reverse("outcomes:evaluate", args=[altered]), MEETING).status_code == 410
    assert ScaleScore.objects.count() == 1 and AnonymousAnswer.objects.count() == 0


def test_strangers_reach_no_scales(town):
    """Attacker: the kindergarten teacher (same municipality, education domain), BUP's
    psychiatrist (another organisation) and an anonymous visitor open a health-centre
    case's scales page and post a rater and a link with its ids. What must hold (and does):
    not found or refused, and nothing is written."""
    setting = Setting.make()
    case = setting.case
    raters = Rater.objects.filter(case=case).count()
    for stranger in (setting.town.teacher, setting.town.psychiatrist):
        client = logged_in(stranger)
        assert client.get(reverse("outcomes:scales", args=[case.pk])).status_code in (403, 404)
        response = client.post(
            reverse("outcomes:add-rater", args=[case.pk]), {"label": "Onkel", "kind": "other"}
        )
        assert response.status_code in (302, 403, 404)
        response = client.post(
            reverse("outcomes:make-link", args=[case.pk]),
            {"rater": setting.mother.pk, "scale": "trivsel", "session": 1},
        )
        assert response.status_code in (403, 404)
    visitor = Client()
    assert visitor.get(reverse("outcomes:scales", args=[case.pk])).status_code in (302, 403)
    assert Rater.objects.filter(case=case).count() == raters
