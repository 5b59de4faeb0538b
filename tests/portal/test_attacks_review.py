"""An outside review of Min side's digital consent and "my data" download: what an attacker
(another parent, a parent without parental responsibility, a stranger) tries, and what
must hold. All of these held in the review; they stay as proof."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from familiebro.privacy.models import AuditEvent, Consent, ConsentRequest, ConsentRequestAnswer
from tests.portal.test_family_pages import logged_in_as
from tests.portal.test_give_consent import asked, bup, bup_staff, fam  # noqa: F401 (fixtures)
from tests.portal.test_own_data import case, guardian, town  # noqa: F401 (fixtures)
from tests.privacy.consent_request_scene import FATHER, MOTHER, STEPFATHER, STRANGER

pytestmark = pytest.mark.django_db


def as_citizen(provider, number: str) -> Client:
    return logged_in_as(Client(raise_request_exception=False), provider, number)


def give(client: Client, request_id: int):
    return client.post(
        reverse("portal:give-consent", args=[request_id]), {"svar": "gi", "bekreft": "ja"}
    )


def test_held_no_one_without_parental_responsibility_gives_or_declines(
    citizen_login,
    asked,  # noqa: F811
    fam,  # noqa: F811
):
    """Holds: the stepfather (a registered guardian WITHOUT parental responsibility) and a
    stranger open the consent waiting for the child's parents and try to give it and to
    decline it (which would close it for everyone): 404, nothing changes."""
    for number in (STEPFATHER, STRANGER):
        client = as_citizen(citizen_login, number)
        url = reverse("portal:give-consent", args=[asked.pk])
        assert client.get(url).status_code == 404, number
        assert give(client, asked.pk).status_code in (302, 404)
        client.post(url, {"svar": "nei"})
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING
    assert {a.answer for a in asked.answers.all()} == {ConsentRequestAnswer.Answer.WAITING}


def test_held_the_consent_opens_nothing_until_the_last_guardian_gives_it(
    citizen_login,
    asked,  # noqa: F811
    fam,  # noqa: F811
):
    """Holds: the mother gives it, gives it again, and a second browser of hers posts at
    once; the consent does not exist until the father has given it too."""
    mother = as_citizen(citizen_login, MOTHER)
    give(mother, asked.pk)
    give(mother, asked.pk)
    give(as_citizen(citizen_login, MOTHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING and asked.consent is None
    assert not Consent.objects.filter(subject=fam.child).exists()
    give(as_citizen(citizen_login, FATHER), asked.pk)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    assert Consent.objects.filter(subject=fam.child).count() == 1


def test_held_a_parent_downloads_only_their_own_and_their_childrens_data(
    citizen_login,
    town,  # noqa: F811
    case,  # noqa: F811
):
    """Holds: the father asks for the mother's own record, the stepfather (no parental
    responsibility) and a stranger for the child's, and anyone for a made-up or huge id: 404
    each time. The mother's download of the child is audited as an export."""
    child, mother = case.child, guardian(case, "Ingrid")
    father = as_citizen(citizen_login, FATHER)
    assert father.get(reverse("portal:own-data-json", args=[mother.pk])).status_code == 404
    for number in (STEPFATHER, STRANGER):
        client = as_citizen(citizen_login, number)
        for suffix in ("json", "pdf"):
            url = reverse(f"portal:own-data-{suffix}", args=[child.pk])
            assert client.get(url).status_code == 404, (number, suffix)
    assert father.get(f"/min-side/mine-data/{10**30}.json").status_code == 404
    assert father.get("/min-side/mine-data/abc.json").status_code == 404
    assert Client().get(reverse("portal:own-data-json", args=[child.pk])).status_code == 302
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    mine = as_citizen(citizen_login, MOTHER)
    assert mine.get(reverse("portal:own-data-json", args=[child.pk])).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before + 1
