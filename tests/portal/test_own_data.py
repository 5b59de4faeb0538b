"""Min side: the family downloads everything Familiebro holds about them and their children
under 18, as the staff's right-of-access export, audited as their own read."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from familiebro.cases.models import Measure
from familiebro.core.models import GuardianRelation, Person
from familiebro.privacy import export
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.factories import identity_number
from tests.portal.test_family_pages import logged_in_as, measure
from tests.privacy import factories as make
from tests.privacy.consent_request_scene import FATHER, MOTHER, STEPFATHER, STRANGER
from tests.privacy.factories_consent import Family, record

pytestmark = pytest.mark.django_db

# What differs between a staff member's copy and the family's by design: who made it and
# when, whose duties of confidentiality it spans, its own access log (each download is a
# read), and the kinds the family's download leaves for the service to review.
METADATA = {"generated_at", "generated_by", "services", "access_log", "left_out"}


@pytest.fixture
def town():
    return builders.municipality()


@pytest.fixture
def case(town):
    make.ensure_consent_texts()
    case = builders.open_concern(town.teacher, town.kindergarten)
    numbers = {"Ingrid": MOTHER, "Ola": FATHER, "Per": STEPFATHER}
    for relation in case.child.guardians_rel.select_related("guardian"):
        relation.guardian.set_national_id(numbers[relation.guardian.given_name])
        relation.guardian.save()
    return case


def guardian(case, given_name: str) -> Person:
    return case.child.guardians_rel.get(guardian__given_name=given_name).guardian


def as_citizen(provider, number: str) -> Client:
    return logged_in_as(Client(), provider, number)


def download(client: Client, person: Person, suffix: str = "json"):
    return client.get(reverse(f"portal:own-data-{suffix}", args=[person.pk]))


def test_the_download_is_the_staff_export_of_the_same_child(citizen_login, town, case):
    child = case.child
    measure(case, town.teacher, "Ukentlige samtaler")
    family = Family(child, guardian(case, "Ingrid"), guardian(case, "Ola"), guardian(case, "Per"))
    record(town.teacher, family, recipient_units=[town.health_centre])
    staff_copy = export.export_person(town.teacher, child)
    response = download(as_citizen(citizen_login, MOTHER), child)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mine-data-')
    family_copy = json.loads(response.content)
    left_out = {o["key"] for o in family_copy["left_out"]}
    compared = [k for k in staff_copy if k not in METADATA | left_out]
    assert {"person", "guardian_relations", "consents", "cases", "measures"} <= set(compared)
    assert family_copy["cases"] and family_copy["measures"] and family_copy["consents"]
    staff_copy = json.loads(json.dumps(staff_copy, default=str))
    for key in compared:
        assert family_copy[key] == staff_copy[key], key


def test_what_is_kept_from_the_family_is_not_in_their_download(citizen_login, town, case):
    measure(case, town.teacher, "Intern vurdering", internal_reason="Under avklaring")
    family_copy = json.loads(download(as_citizen(citizen_login, MOTHER), case.child).content)
    assert Measure.objects.filter(case=case).count() == 1
    assert family_copy["measures"] == []
    assert "assignments" in {o["key"] for o in family_copy["left_out"]}
    assert family_copy["assignments"] == []


def test_the_download_is_audited_as_the_familys_own_read(citizen_login, case):
    download(as_citizen(citizen_login, MOTHER), case.child)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="core.person")
    assert event.actor_id is None
    assert event.actor_label.startswith("citizen:")
    assert event.legal_basis == "data_subject"
    assert event.subject_ids == [str(case.child.pk)]


def test_a_parent_downloads_their_own_and_the_childs_never_the_other_parents(citizen_login, case):
    mother = as_citizen(citizen_login, MOTHER)
    page = mother.get(reverse("portal:own-data")).content.decode()
    child, own, father = case.child, guardian(case, "Ingrid"), guardian(case, "Ola")
    assert reverse("portal:own-data-pdf", args=[child.pk]) in page
    assert reverse("portal:own-data-json", args=[own.pk]) in page
    assert reverse("portal:own-data-json", args=[father.pk]) not in page
    assert json.loads(download(mother, own).content)["person"]["id"] == own.pk
    assert download(mother, father).status_code == 404
    assert download(mother, father, "pdf").status_code == 404


def test_a_parent_without_parental_responsibility_gets_nothing_of_the_child(citizen_login, case):
    stepfather = as_citizen(citizen_login, STEPFATHER)
    assert download(stepfather, case.child).status_code == 404
    assert download(stepfather, case.child, "pdf").status_code == 404


def test_another_family_gets_nothing(citizen_login, case):
    stranger = as_citizen(citizen_login, STRANGER)
    assert download(stranger, case.child).status_code == 404
    assert download(stranger, guardian(case, "Ingrid")).status_code == 404


def test_a_child_of_18_is_no_longer_in_the_parents_download(citizen_login, case):
    Person.objects.filter(pk=case.child.pk).update(birth_date=datetime.date(2000, 1, 1))
    assert download(as_citizen(citizen_login, MOTHER), case.child).status_code == 404


def test_a_young_person_downloads_their_own_not_their_parents(citizen_login, case):
    child = case.child
    number = identity_number(child.birth_date, synthetic=True)
    child.set_national_id(number)
    child.save()
    young = as_citizen(citizen_login, number)
    assert json.loads(download(young, child).content)["person"]["id"] == child.pk
    assert download(young, guardian(case, "Ingrid")).status_code == 404


def test_an_untrusted_relation_opens_nothing(citizen_login, case):
    GuardianRelation.objects.filter(guardian__given_name="Ingrid").update(
        known_from=GuardianRelation.KnownFrom.FAMILY  # only what the family told the service
    )
    assert download(as_citizen(citizen_login, MOTHER), case.child).status_code == 404


def test_the_pdf_is_the_staff_pdf(citizen_login, case):
    response = download(as_citizen(citizen_login, MOTHER), case.child, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"Min side" in response.content


def test_malformed_and_missing_ids_are_404_and_anonymous_visitors_log_in(
    citizen_login, client, case
):
    mother = as_citizen(citizen_login, MOTHER)
    assert mother.get("/min-side/mine-data/abc.json").status_code == 404
    assert mother.get("/min-side/mine-data/-1.pdf").status_code == 404
    assert mother.get(reverse("portal:own-data-json", args=[999999])).status_code == 404
    assert mother.post(reverse("portal:own-data-json", args=[case.child.pk])).status_code == 405
    response = client.get(reverse("portal:own-data-json", args=[case.child.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")
