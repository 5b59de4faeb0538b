"""Min side: a parent or young person gives (or declines) a consent the service asks of them;
the staff pages show who has and has not given it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Person
from familiebro.privacy import policy
from familiebro.privacy.models import ConsentRequest, Purpose
from tests.portal.test_family_pages import logged_in_as
from tests.privacy import factories as make
from tests.privacy.consent_request_scene import (
    FATHER,
    MOTHER,
    STEPFATHER,
    STRANGER,
    family_with_logins,
    prepare,
)
from tests.privacy.factories_consent import health_trust_unit, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fam(staff):
    return family_with_logins(staff)


@pytest.fixture
def bup():
    return health_trust_unit()


@pytest.fixture
def bup_staff(bup, fam):
    worker = staff_in(bup)
    make.assign(fam.child, user=worker, domain=bup.domain)
    return worker


@pytest.fixture(autouse=True)
def _in_norwegian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"


@pytest.fixture
def asked(staff, fam, bup):
    make.ensure_consent_texts()
    return prepare(staff, fam.child, bup)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def as_citizen(provider, number: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "nb"
    return logged_in_as(client, provider, number)


def test_each_guardian_sees_what_it_covers_in_norwegian_and_gives_it(
    citizen_login, asked, fam, bup, bup_staff
):
    mother = as_citizen(citizen_login, MOTHER)
    home = text_of(mother.get(reverse("portal:home")))
    assert "Samtykker som venter på svar fra deg" in home
    page = mother.get(reverse("portal:give-consent", args=[asked.pk]))
    assert page.status_code == 200
    shown = text_of(page)
    for words in (
        "Åse Sæther",
        "BUP Hamar (Sykehuset Innlandet)",
        "Tiltak og planer",
        "Navn og fødselsdato",
        "Ingrid Sæther (deg): ikke svart ennå",
        "Ola Bråten: ikke svart ennå",
    ):
        assert words in shown, words
    # Giving needs the box ticked.
    refused = mother.post(reverse("portal:give-consent", args=[asked.pk]), {"svar": "gi"})
    assert refused.status_code == 400
    assert "Kryss av" in text_of(refused)
    given = mother.post(
        reverse("portal:give-consent", args=[asked.pk]), {"svar": "gi", "bekreft": "ja"}
    )
    assert given.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING
    assert not policy.visible(bup_staff, Person, Purpose.COORDINATION).filter(pk=fam.child.pk)
    # The mother sees she answered, no form again; the father is still asked.
    again = text_of(mother.get(reverse("portal:give-consent", args=[asked.pk])))
    assert "Ingrid Sæther (deg): gitt" in again
    assert "Gi samtykke" not in again
    father = as_citizen(citizen_login, FATHER)
    father.post(reverse("portal:give-consent", args=[asked.pk]), {"svar": "gi", "bekreft": "ja"})
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    assert policy.visible(bup_staff, Person, Purpose.COORDINATION).filter(pk=fam.child.pk)
    # In force, it is listed with the family's consents, and each can withdraw it.
    assert (
        reverse("portal:withdraw-consent", args=[asked.consent_id])
        in father.get(reverse("portal:home")).content.decode()
    )


def test_a_giver_can_say_no(citizen_login, asked):
    father = as_citizen(citizen_login, FATHER)
    answer = father.post(reverse("portal:give-consent", args=[asked.pk]), {"svar": "nei"})
    assert answer.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.DECLINED


@pytest.mark.parametrize("who", ["stepfather", "stranger"])
def test_others_get_404_and_change_nothing(citizen_login, asked, who):
    other = as_citizen(citizen_login, STEPFATHER if who == "stepfather" else STRANGER)
    url = reverse("portal:give-consent", args=[asked.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"svar": "gi", "bekreft": "ja"}).status_code == 404
    assert other.post(url, {"svar": "nei"}).status_code == 404
    assert "venter på svar" not in text_of(other.get(reverse("portal:home")))
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING


def test_malformed_or_missing_ids_and_answers_never_fail(citizen_login, asked):
    mother = as_citizen(citizen_login, MOTHER)
    assert mother.get("/min-side/samtykker/svar/abc/").status_code == 404
    assert mother.get(reverse("portal:give-consent", args=[999999])).status_code == 404
    url = reverse("portal:give-consent", args=[asked.pk])
    assert mother.post(url, {"svar": "kanskje"}).status_code == 400
    assert mother.post(url, {}).status_code == 400
    assert mother.put(url).status_code == 405
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING


def test_anonymous_visitors_are_sent_to_log_in(client, asked):
    response = client.get(reverse("portal:give-consent", args=[asked.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")


def test_staff_prepare_it_and_see_who_has_given_it(citizen_login, staff, fam, bup):
    make.ensure_consent_texts()
    client = make.logged_in(staff)
    client.cookies["django_language"] = "nb"
    url = reverse("consent-request", args=[fam.child.pk])
    assert client.get(url).status_code == 200
    day = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    posted = client.post(
        url,
        {
            "purpose": Purpose.COORDINATION,
            "language": "nb",
            "domain": "",
            "recipient_units": [bup.pk],
            "scope": ["measures_and_plans"],
            "valid_to": day,
            "child_view": "Åse sa ja.",
        },
    )
    assert posted.status_code == 302, text_of(posted)
    asked = ConsentRequest.objects.get()
    detail = text_of(client.get(posted["Location"]))
    assert "Ingrid Sæther" in detail and "Ikke svart ennå" in detail
    as_citizen(citizen_login, MOTHER).post(
        reverse("portal:give-consent", args=[asked.pk]), {"svar": "gi", "bekreft": "ja"}
    )
    listed = text_of(client.get(reverse("consent-list", args=[fam.child.pk])))
    assert "Ingrid Sæther: gitt" in listed
    assert "Ola Bråten: ikke svart ennå" in listed


def test_staff_form_errors_are_shown_and_nothing_is_written(staff, fam):
    make.ensure_consent_texts()
    client = make.logged_in(staff)
    url = reverse("consent-request", args=[fam.child.pk])
    for data in (
        {},
        {"purpose": "nonsense", "valid_to": "31.02.2026"},
        {"purpose": "coordination", "language": "nb", "valid_to": "2020-01-01"},
        {"purpose": "coordination", "recipient_units": ["abc", "-1"], "scope": ["nope"]},
        {"purpose": "coordination", "language": "xx", "child_view": "x" * 5000},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
    assert not ConsentRequest.objects.exists()


def test_staff_pages_404_for_other_ids(staff, fam, asked):
    client = make.logged_in(staff)
    other_child = make.child_with_guardian(make.organisation())[0]
    assert (
        client.get(reverse("consent-request-detail", args=[fam.child.pk, 999999])).status_code
        == 404
    )
    assert (
        client.get(reverse("consent-request-detail", args=[other_child.pk, asked.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("consent-request-cancel", args=[other_child.pk, asked.pk])).status_code
        == 404
    )
    outsider = make.logged_in(make.member(make.unit()))
    assert (
        outsider.get(reverse("consent-request-detail", args=[fam.child.pk, asked.pk])).status_code
        == 404
    )
    assert outsider.get(reverse("consent-request", args=[fam.child.pk])).status_code == 404
