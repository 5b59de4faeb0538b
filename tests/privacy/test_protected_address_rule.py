"""The protected-address rule (familiebro.privacy.protected), how staff record a protection on
the person page, and the shared log's warning before an entry names a third party."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from familiebro.core.models import AddressProtection, Membership, ParentInformationDecision, Person
from familiebro.privacy import protected
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

STRICT = AddressProtection.STRICTLY_CONFIDENTIAL
CONFIDENTIAL = AddressProtection.CONFIDENTIAL


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    return builders.municipality()


@pytest.fixture
def family(town):
    """Åse, her mother Ingrid and father Ola (both with parental responsibility), and the
    stepfather Per (without)."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    people = {r.guardian.given_name: r.guardian for r in case.child.guardians_rel.all()}
    people["Åse"] = case.child
    people["case"] = case
    return people


def protect(person: Person, level: str = STRICT) -> None:
    Person.objects.filter(pk=person.pk).update(address_protection=level)


# The rule, with the expected answers written out -------------------------------------------

# (who is protected, who reads) -> is what could show where Åse lives hidden from the reader?
EXPECTED = [
    ((), "Ola", False),  # nobody is protected
    ((), None, False),
    (("Ingrid",), "Ola", True),  # the other parent
    (("Ingrid",), "Per", True),  # a step-parent
    (("Ingrid",), None, True),  # an export that does not say for whom
    (("Ingrid",), "Ingrid", False),  # the protected mother herself
    (("Ingrid",), "Åse", False),  # the child herself
    (("Åse",), "Ingrid", True),  # a child placed at a protected address: both parents
    (("Åse",), "Ola", True),
    (("Åse",), "Åse", False),
    (("Åse", "Ingrid"), "Ingrid", False),  # mother and child protected together
    (("Åse", "Ingrid"), "Ola", True),
]


@pytest.mark.parametrize(("protected_people", "reader", "hidden"), EXPECTED)
def test_who_is_kept_from_where_the_child_lives(family, protected_people, reader, hidden):
    for name in protected_people:
        protect(family[name], CONFIDENTIAL if name == "Åse" else STRICT)
    who = protected.ANYONE if reader is None else protected.reader_of(family[reader])
    assert protected.hidden_from(family["Åse"], who) is hidden


def test_the_mothers_registration_in_another_organisation_counts(family, town):
    number = identity_number(datetime.date(1984, 2, 3), synthetic=True)
    family["Ingrid"].set_national_id(number)
    family["Ingrid"].save()
    twin = Person.objects.create(
        organisation=town.bup.organisation,
        kind=Person.Kind.GUARDIAN,
        given_name="Ingrid",
        family_name="Sæther",
        birth_date=datetime.date(1984, 2, 3),
    )
    twin.set_national_id(number)
    twin.address_protection = STRICT
    twin.save()
    assert protected.hidden_from(family["Åse"], protected.reader_of(family["Ola"]))
    # And Ingrid is known as herself by her other registration.
    assert not protected.hidden_from(family["Åse"], protected.reader_of(twin))


def test_invitees_without_a_staff_account_get_no_place_on_a_protected_case(family):
    case = family["case"]
    assert protected.invitee_sees_place(case, has_staff_account=False)
    protect(family["Ingrid"])
    assert not protected.invitee_sees_place(case, has_staff_account=False)
    assert protected.invitee_sees_place(case, has_staff_account=True)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mor og Åse bor på krisesenteret nå.", ["bor på", "krisesenteret"]),
        ("Ny adresse er ikke kjent for far.", ["adresse"]),
        ("Hun har flytta til ein annan stad.", ["flytta til"]),
        ("The other parent called the school.", ["the other parent"]),
        ("Åse trives i barnehagen og sover bedre.", []),
    ],
)
def test_words_that_suggest_a_third_party_are_found(text, found):
    assert protected.third_party_words(text) == found


# Recording the protection on the person page -----------------------------------------------


def post_protection(user, person: Person, level: str):
    client = make.logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client.post(
        reverse("person-address-protection", args=[person.pk]), {"address_protection": level}
    )


def test_a_worker_records_the_protection_and_it_is_audited(family, town):
    mother = family["Ingrid"]
    response = post_protection(town.teacher, mother, STRICT)
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.address_protection == STRICT
    assert mother.address_protection_set_by == town.teacher
    assert mother.address_protection_set_at is not None
    event = AuditEvent.objects.filter(object_type="core.person", action="change").latest("id")
    assert event.object_ids == [str(mother.pk)]
    assert event.detail == {"changed_fields": ["address_protection"]}
    assert event.actor_id == town.teacher.pk
    page = make.logged_in(town.teacher).get(reverse("person-detail", args=[mother.pk]))
    text = page.content.decode()
    assert "Strictly confidential address (code 6)" in text
    assert town.teacher.get_full_name() in text


def test_only_a_leader_lowers_or_lifts_it(family, town):
    mother = family["Ingrid"]
    post_protection(town.teacher, mother, STRICT)
    refused = post_protection(town.teacher, mother, AddressProtection.NONE)
    assert refused.status_code == 403
    assert "Only a unit leader can lower or lift a protected address" in refused.content.decode()
    mother.refresh_from_db()
    assert mother.address_protection == STRICT
    # Raising it stays open to the worker.
    assert post_protection(town.teacher, mother, AddressProtection.STRICTLY_CONFIDENTIAL_ABROAD)
    leader = make.member(town.kindergarten, Membership.Role.LEADER)
    make.assign(mother, user=leader)
    assert post_protection(leader, mother, AddressProtection.NONE).status_code == 302
    mother.refresh_from_db()
    assert mother.address_protection == AddressProtection.NONE
    assert mother.address_protection_set_by == leader


def test_someone_who_does_not_work_with_the_person_cannot_record_it(family, town):
    assert post_protection(town.psychiatrist, family["Ingrid"], STRICT).status_code == 404
    assert post_protection(town.teacher, family["Ingrid"], "kode 9").status_code == 302
    family["Ingrid"].refresh_from_db()
    assert family["Ingrid"].address_protection == AddressProtection.NONE


# The shared log's warning ------------------------------------------------------------------


def write(user, case, text: str, **extra):
    client = make.logged_in(user)
    client.cookies["familiebro_language"] = "en"
    data = {"log-kind": "note", "log-text": text, **extra}
    return client.post(reverse("cases:write-log", args=[case.pk]), data)


def test_an_entry_naming_a_crisis_shelter_is_saved_only_once_the_writer_confirms(family, town):
    case = family["case"]
    text = "Mor og Åse bor på krisesenteret i påvente av ny bolig."
    warned = write(town.teacher, case, text)
    assert warned.status_code == 400
    page = warned.content.decode()
    assert "«krisesenteret»" in page
    assert "I have checked the text: save it as it is" in page
    assert not case.log_entries.filter(text=text).exists()
    saved = write(town.teacher, case, text, **{"log-third_party_checked": "on"})
    assert saved.status_code == 302
    entry = case.log_entries.get(text=text)
    event = AuditEvent.objects.filter(object_type="cases.logentry", action="create").latest("id")
    assert event.object_ids == [str(entry.pk)]
    assert event.detail["third_party_warning_confirmed"] is True


def test_on_a_protected_case_every_entry_is_checked(family, town):
    case = family["case"]
    assert write(town.teacher, case, "Åse sov godt i hvilen.").status_code == 302
    protect(family["Ingrid"])
    warned = write(town.teacher, case, "Åse lekte med de andre i dag.")
    assert warned.status_code == 400
    assert "Someone in this family has a protected address" in warned.content.decode()


# Barneloven § 47: the service's decision ---------------------------------------------------


def decide(user, child: Person, **fields):
    client = make.logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client.post(reverse("person-parent-information", args=[child.pk]), fields)


def test_a_decision_on_information_to_a_parent_without_responsibility_is_recorded(family, town):
    child, father = family["Åse"], family["Ola"]
    child.guardians_rel.filter(guardian=father).update(has_parental_responsibility=False)
    page = make.logged_in(town.teacher).get(reverse("person-detail", args=[child.pk]))
    assert reverse("person-parent-information", args=[child.pk]) in page.content.decode()
    form = make.logged_in(town.teacher).get(reverse("person-parent-information", args=[child.pk]))
    assert form.status_code == 200
    # The mother has parental responsibility: she is not among those whose requests are decided.
    assert "Ingrid" not in form.content.decode().split("<form")[1]
    refused = decide(
        town.teacher,
        child,
        parent=father.pk,
        unit=town.kindergarten.pk,
        asked="Hvilken avdeling går Åse på?",
        outcome="refused",
    )
    assert refused.status_code == 400
    assert "Write why it was refused" in refused.content.decode()
    done = decide(
        town.teacher,
        child,
        parent=father.pk,
        unit=town.kindergarten.pk,
        asked="Hvordan har Åse det i barnehagen?",
        outcome="partly_given",
        given="Åse trives og leker godt med de andre.",
        reason="Hvilken avdeling hun går på, kan skade henne å oppgi (sperret adresse).",
    )
    assert done.status_code == 302
    decision = ParentInformationDecision.objects.get()
    assert (decision.parent, decision.unit, decision.decided_by) == (
        father,
        town.kindergarten,
        town.teacher,
    )
    event = AuditEvent.objects.filter(object_type="core.parentinformationdecision").get()
    assert sorted(event.subject_ids) == sorted([str(child.pk), str(father.pk)])
    text = make.logged_in(town.teacher).get(reverse("person-detail", args=[child.pk]))
    assert "Åse trives og leker godt med de andre." in text.content.decode()
    # Another service's staff do not see the kindergarten's decision.
    make.assign(child, user=town.nurse)
    nurse_page = make.logged_in(town.nurse).get(reverse("person-detail", args=[child.pk]))
    assert "Åse trives og leker godt" not in nurse_page.content.decode()


def test_a_parent_with_parental_responsibility_is_not_decided_on_here(family, town):
    response = decide(
        town.teacher,
        family["Åse"],
        parent=family["Ingrid"].pk,
        unit=town.kindergarten.pk,
        asked="Hvordan går det?",
        outcome="given",
        given="Bra.",
    )
    assert response.status_code == 400
    assert not ParentInformationDecision.objects.exists()
