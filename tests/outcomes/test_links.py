"""The family's single-use link: it shows only the questions, works once and for half an
hour, and nothing about it is kept but that it was used."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.models import Case
from familiebro.outcomes import scale_services
from familiebro.outcomes.models import Instrument, ScaleScore, UsedLink
from tests.outcomes.helpers import Setting, lines
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    return Setting.make()


def link(setting, rater=None, session=1):
    return scale_services.make_link(
        setting.town.nurse,
        setting.case,
        (rater or setting.mother).pk,
        Instrument.Kind.WELLBEING,
        session,
    )


def test_the_family_answers_once_on_their_own_phone(client, setting):
    made = link(setting)
    page = client.get(made.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Du svarer som: Mor" in html and "Meg selv" in html
    # Nothing about the case or the child.
    assert setting.case.reference not in html
    assert setting.case.child.given_name not in html
    done = client.post(made.url, lines(26))
    assert done.status_code == 200 and "Takk for svarene" in done.content.decode()
    score = ScaleScore.objects.get()
    assert (score.rater, score.total, score.session, score.channel) == (
        setting.mother,
        26,
        1,
        "link",
    )
    assert UsedLink.objects.count() == 1
    # A second time: refused, and nothing more is written.
    again = client.post(made.url, lines(30))
    assert again.status_code == 410 and "allerede brukt" in again.content.decode()
    assert client.get(made.url).status_code == 410
    assert ScaleScore.objects.count() == 1


def test_the_link_carries_nothing_readable(setting):
    made = link(setting)
    token = made.url.rstrip("/").rsplit("/", 1)[-1]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    # Encrypted: neither the case, the rater nor the session can be read from it.
    assert b'"c"' not in raw and b'"r"' not in raw and b"Mor" not in raw


def test_an_expired_link_is_refused(client, setting, monkeypatch):
    made = link(setting)
    later = timezone.now() + datetime.timedelta(minutes=scale_services.LINK_MINUTES + 1)
    monkeypatch.setattr(scale_services.timezone, "now", lambda: later)
    response = client.post(made.url, lines(20))
    assert response.status_code == 410 and "utløpt" in response.content.decode()
    assert not ScaleScore.objects.exists()


@pytest.mark.parametrize("token", ["x", "not-a-token", "A" * 200, "%%%", "AAAA"])
def test_a_made_up_or_altered_link_is_refused(client, setting, token):
    url = reverse("outcomes:answer", args=[token])
    assert client.get(url).status_code == 410
    assert client.post(url, lines(20)).status_code == 410


def test_an_altered_link_is_refused(client, setting):
    made = link(setting)
    token = made.url.rstrip("/").rsplit("/", 1)[-1]
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert client.get(reverse("outcomes:answer", args=[altered])).status_code == 410


def test_a_closed_case_takes_no_answers(client, setting):
    made = link(setting)
    Case.objects.filter(pk=setting.case.pk).update(status=Case.Status.CLOSED)
    assert client.post(made.url, lines(20)).status_code == 410
    assert not ScaleScore.objects.exists()


def test_bad_answers_on_the_phone_say_what_to_do_and_keep_the_link(client, setting):
    made = link(setting)
    response = client.post(made.url, {"meg-selv": "12"})
    assert response.status_code == 400
    assert "Svar på dette spørsmålet" in response.content.decode()
    assert not UsedLink.objects.exists()
    assert client.post(made.url, lines(20)).status_code == 200


def test_the_staff_page_hands_out_the_link_with_a_qr_code(setting):
    client = logged_in(setting.town.nurse)
    response = client.post(
        reverse("outcomes:make-link", args=[setting.case.pk]),
        {"link-rater": setting.father.pk, "link-scale": "samarbeid", "link-session": "2"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data:image/svg+xml" in html and "/skjema/" in html
    assert not ScaleScore.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"link-rater": "abc", "link-scale": "trivsel", "link-session": "1"},
        {"link-rater": "999999", "link-scale": "trivsel", "link-session": "1"},
        {"link-rater": "1", "link-scale": "annet", "link-session": "1"},
    ],
)
def test_a_link_with_bad_input_is_refused_with_a_message(setting, data):
    response = logged_in(setting.town.nurse).post(
        reverse("outcomes:make-link", args=[setting.case.pk]), data
    )
    assert response.status_code == 400
