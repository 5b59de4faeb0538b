"""Min side: how a family member is told — per kind of notice e-mail, SMS or not at all, to an
address or number proved theirs with a code — and that the worker honours it."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from familiebro.portal import notices
from familiebro.portal.models import Channel, ContactPoint, NoticeChoice, NoticeKind
from tests.portal.test_family_pages import logged_in_as
from tests.privacy import factories as make
from tests.privacy.consent_request_scene import (
    FATHER,
    MOTHER,
    STEPFATHER,
    citizen,
    family_with_logins,
    prepare,
)
from tests.privacy.factories_consent import health_trust_unit

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _sms_to_a_file_and_tasks_at_once(settings, tmp_path):
    settings.FAMILIEBRO_SMS_BACKEND = "file"
    settings.FAMILIEBRO_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.TASKS = IMMEDIATE_TASKS
    with translation.override("en"):
        yield


def sent_sms(settings) -> list[dict]:
    try:
        with open(settings.FAMILIEBRO_SMS_FILE, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]
    except FileNotFoundError:
        return []


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def verified_phone(settings, number: str, phone: str = "912 34 567") -> None:
    notices.send_code(citizen(number), ContactPoint.Kind.PHONE, phone)
    notices.verify(
        citizen(number), ContactPoint.Kind.PHONE, code_in(sent_sms(settings)[-1]["message"])
    )


def test_a_number_is_verified_by_the_code_sent_to_it(settings):
    mother = citizen(MOTHER)
    notices.send_code(mother, ContactPoint.Kind.PHONE, "912 34 567")
    (sms,) = sent_sms(settings)
    assert sms["to"] == "+4791234567"
    with pytest.raises(ValidationError, match="not right"):
        notices.verify(
            mother,
            ContactPoint.Kind.PHONE,
            "000000" if code_in(sms["message"]) != "000000" else "111111",
        )
    contact = ContactPoint.objects.get()
    assert contact.attempts == 1 and contact.verified_at is None
    notices.verify(mother, ContactPoint.Kind.PHONE, code_in(sms["message"]))
    assert ContactPoint.objects.get().verified_at is not None


def test_an_e_mail_address_is_verified_by_the_code_sent_to_it(mailoutbox):
    mother = citizen(MOTHER)
    notices.send_code(mother, ContactPoint.Kind.EMAIL, "ingrid@example.no")
    (message,) = mailoutbox
    assert message.to == ["ingrid@example.no"]
    notices.verify(mother, ContactPoint.Kind.EMAIL, code_in(message.body))
    assert notices.settings_of(mother).verified(ContactPoint.Kind.EMAIL)


def test_five_wrong_codes_or_fifteen_minutes_make_the_code_useless(settings):
    mother = citizen(MOTHER)
    notices.send_code(mother, ContactPoint.Kind.PHONE, "91234567")
    right = code_in(sent_sms(settings)[-1]["message"])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            notices.verify(mother, ContactPoint.Kind.PHONE, wrong)
    with pytest.raises(ValidationError, match="no longer valid"):
        notices.verify(mother, ContactPoint.Kind.PHONE, right)
    ContactPoint.objects.update(
        attempts=0, code_sent_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    with pytest.raises(ValidationError, match="no longer valid"):
        notices.verify(mother, ContactPoint.Kind.PHONE, right)


def test_a_new_code_is_sent_at_most_once_a_minute_and_bad_input_is_refused(settings):
    mother = citizen(MOTHER)
    notices.send_code(mother, ContactPoint.Kind.PHONE, "91234567")
    with pytest.raises(ValidationError, match="Wait a minute"):
        notices.send_code(mother, ContactPoint.Kind.PHONE, "91234567")
    with pytest.raises(ValidationError, match="mobile number"):
        notices.send_code(citizen(FATHER), ContactPoint.Kind.PHONE, "ikke et nummer")
    with pytest.raises(ValidationError, match="e-mail address"):
        notices.send_code(citizen(FATHER), ContactPoint.Kind.EMAIL, "ikke@")
    assert len(sent_sms(settings)) == 1


def test_sms_or_e_mail_can_be_chosen_only_once_verified(settings):
    mother = citizen(MOTHER)
    with pytest.raises(ValidationError, match="verify"):
        notices.choose(mother, {NoticeKind.CONSENTS_WAITING: Channel.SMS})
    assert not NoticeChoice.objects.exists()
    verified_phone(settings, MOTHER)
    notices.choose(mother, {NoticeKind.CONSENTS_WAITING: Channel.SMS})
    assert notices.settings_of(mother).choices == {NoticeKind.CONSENTS_WAITING: Channel.SMS}


def test_the_worker_tells_those_asked_for_a_consent_as_they_chose_and_says_nothing_more(
    settings, staff, mailoutbox, django_capture_on_commit_callbacks
):
    make.ensure_consent_texts()
    fam = family_with_logins(staff)
    verified_phone(settings, MOTHER)
    notices.choose(citizen(MOTHER), {NoticeKind.CONSENTS_WAITING: Channel.SMS})
    verified_phone(settings, FATHER, "913 34 567")
    notices.choose(citizen(FATHER), {NoticeKind.CONSENTS_WAITING: Channel.NONE})
    verified_phone(settings, STEPFATHER, "914 34 567")
    notices.choose(citizen(STEPFATHER), {NoticeKind.CONSENTS_WAITING: Channel.SMS})
    before = len(sent_sms(settings))
    with django_capture_on_commit_callbacks(execute=True):
        prepare(staff, fam.child, health_trust_unit())
    told = sent_sms(settings)[before:]
    # The mother chose SMS; the father chose not to be told; the stepfather is not asked.
    assert [sms["to"] for sms in told] == ["+4791234567"]
    text = told[0]["message"]
    assert "/min-side/" in text
    for secret in ("Åse", "Sæther", "BUP", "Sykehuset", "coordination", "samordning"):
        assert secret.lower() not in text.lower()


def test_the_page_shows_only_the_citizens_own_choices_and_never_fails(settings, citizen_login):
    verified_phone(settings, MOTHER)
    mother = logged_in_as(Client(), citizen_login, MOTHER)
    url = reverse("portal:notice-settings")
    assert "+4791234567" in mother.get(url).content.decode()
    father = logged_in_as(Client(), citizen_login, FATHER)
    assert "+4791234567" not in father.get(url).content.decode()
    for data in (
        {},
        {"handling": "nonsense"},
        {"handling": "send-kode", "type": "fax", "verdi": "1"},
        {"handling": "send-kode", "type": "phone", "verdi": "x" * 5000},
        {"handling": "bekreft", "type": "phone", "kode": "12"},
        {"handling": "velg", NoticeKind.MEETINGS: "pigeon"},
        {"handling": "velg", NoticeKind.MEETINGS: Channel.EMAIL},
    ):
        assert father.post(url, data).status_code == 400, data
    assert (
        father.post(url, {"handling": "velg", NoticeKind.MEETINGS: Channel.NONE}).status_code == 302
    )
    assert Client().get(url)["Location"] == reverse("portal:login")
