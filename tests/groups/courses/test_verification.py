"""Enrolment without login: a code sent to the phone or e-mail given, typed in to enrol."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.groups.courses import verification
from familiebro.groups.models import Enrolment
from tests.groups.courses.conftest import enrol, sms_sent

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Ola Nordmann", "role": "father", "phone": "912 34 567"}


def start(place, client=None, **details):
    client = client or Client()
    answer = client.post(reverse("courses:public", args=[place.course.pk]), DETAILS | details)
    assert answer.status_code == 302, answer.content.decode()
    return client


def the_code(settings) -> str:
    return sms_sent(settings)[-1]["message"].split(": ")[1][:6]


def verify(place):
    return reverse("courses:verify", args=[place.course.pk])


def test_the_code_goes_to_the_phone_and_nothing_is_written_before_it_comes_back(place, settings):
    client = start(place)
    message = sms_sent(settings)[-1]
    assert message["to"] == "+4791234567"
    assert place.course.name in message["message"]
    assert not Enrolment.objects.exists()
    assert 'name="code"' in client.get(verify(place)).content.decode()
    wrong = "000000" if the_code(settings) != "000000" else "111111"
    refused = client.post(verify(place), {"code": wrong})
    assert refused.status_code == 200 and 'name="code"' in refused.content.decode()
    assert not Enrolment.objects.exists()
    answer = client.post(verify(place), {"code": the_code(settings)})
    assert answer.status_code == 200
    enrolment = Enrolment.objects.get()
    assert (enrolment.name, enrolment.phone, enrolment.status) == (
        "Ola Nordmann", "+4791234567", "confirmed"
    )  # fmt: skip
    assert enrolment.citizen_identity_hash == "" and enrolment.enrolled_by is None
    # Used: the page leads back to the course.
    assert client.post(verify(place), {"code": the_code(settings)}).status_code == 302
    assert Enrolment.objects.count() == 1


def test_too_many_wrong_codes_end_the_attempt(place, settings):
    client = start(place)
    code = the_code(settings)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(verification.MAX_TRIES):
        assert client.post(verify(place), {"code": wrong}).status_code == 200
    assert client.post(verify(place), {"code": code}).status_code == 302
    assert not Enrolment.objects.exists()


def test_a_code_runs_out(place, settings):
    client = start(place)
    session = client.session
    pending = session[verification.SESSION_KEY]
    pending["expires"] = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    session[verification.SESSION_KEY] = pending
    session.save()
    assert client.post(verify(place), {"code": the_code(settings)}).status_code == 302
    assert not Enrolment.objects.exists()


def test_a_session_gets_only_a_few_codes(place, settings):
    client = Client()
    for _ in range(verification.MAX_CODES):
        start(place, client)
    answer = client.post(reverse("courses:public", args=[place.course.pk]), DETAILS)
    assert answer.status_code == 200
    assert len(sms_sent(settings)) == verification.MAX_CODES


def test_bad_details_send_no_code(place, settings):
    answer = Client().post(
        reverse("courses:public", args=[place.course.pk]), DETAILS | {"phone": "12"}
    )
    assert answer.status_code == 200
    assert sms_sent(settings) == []


def test_if_the_course_fills_meanwhile_the_waiting_list_is_offered(place, settings):
    client = start(place)
    for n, name in enumerate("ABCD"):
        enrol(place, name, phone=f"9000000{n}")
    full = client.post(verify(place), {"code": the_code(settings)})
    assert full.status_code == 409
    assert 'name="waiting_list"' in full.content.decode()
    assert client.post(verify(place), {"waiting_list": "on"}).status_code == 200
    assert Enrolment.objects.get(name="Ola Nordmann").status == Enrolment.Status.WAITING


def test_a_verified_phone_already_enrolled_is_told_so_not_enrolled_twice(place, settings):
    """A second enrolment with the same verified number would let one phone take every seat."""
    enrol(place, "Kari Nordmann")  # by staff, with the same number
    client = start(place)
    answer = client.post(verify(place), {"code": the_code(settings)})
    assert "allerede meldt på dette kurset" in answer.content.decode()
    assert Enrolment.objects.filter(course=place.course).count() == 1


def test_guesses_are_counted_even_when_the_session_forgets_them(place, settings):
    """The try count lives in the database: a session written back with an older count (as
    parallel requests do) does not give more guesses."""
    client = start(place)
    pending = client.session[verification.SESSION_KEY]
    for _guess in range(verification.MAX_TRIES):
        client.post(verify(place), {"code": "not-it"})
    session = client.session
    session[verification.SESSION_KEY] = pending  # as a parallel request would write it back
    session.save()
    client.post(verify(place), {"code": the_code(settings)})
    assert not Enrolment.objects.exists()


def test_codes_per_number_hold_across_sessions_and_courses_have_their_own(place, settings):
    for _attempt in range(verification.MAX_CODES + 2):
        Client().post(reverse("courses:public", args=[place.course.pk]), DETAILS)
    assert len(sms_sent(settings)) == verification.MAX_CODES
    refused = Client().post(reverse("courses:public", args=[place.course.pk]), DETAILS)
    assert refused.status_code == 200 and "flere koder" in refused.content.decode()
    # Another number is not held back by the first.
    start(place, phone="900 00 001")
    assert len(sms_sent(settings)) == verification.MAX_CODES + 1


def test_a_closed_course_sends_no_code(place, settings):
    place.course.open_for_enrolment = False
    place.course.save(update_fields=["open_for_enrolment"])
    answer = Client().post(reverse("courses:public", args=[place.course.pk]), DETAILS)
    assert answer.status_code in (200, 404)
    assert sms_sent(settings) == []
