"""Registering a family: the child with the parents, linking and unlinking a guardian on the
child's page, and the inline paths from "open a case" and from a request for help."""

import datetime

import pytest
from django.urls import reverse

from familiebro.cases.models import HelpRequest
from familiebro.core import crypto
from familiebro.core.models import GuardianRelation, Person, ServiceUnit
from familiebro.persons import family
from familiebro.privacy.family import Citizen, family_of
from familiebro.privacy.models import Assignment, AuditEvent
from tests import factories
from tests.cases.factories import HelpRequestFactory
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

CHILD_NUMBER = identity_number(datetime.date(2019, 3, 4))
MOTHER_NUMBER = identity_number(datetime.date(1988, 5, 6))


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    # Assertions read the English messages, which translations cannot change.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def family_post(organisation, **overrides):
    data = {
        "barn-organisation": organisation.pk,
        "barn-kind": "child",
        "barn-given_name": "Ada",
        "barn-family_name": "Lund",
        "barn-national_id": CHILD_NUMBER,
        "forelder1-given_name": "Nina",
        "forelder1-family_name": "Lund",
        "forelder1-national_id": MOTHER_NUMBER,
        "forelder1-relation": "biological",
        "forelder1-parental_responsibility": "ja",
        "forelder1-same_address": "ja",
        "forelder1-known_from": "population_register",
        "forelder2-given_name": "Per",
        "forelder2-family_name": "Lund",
        "forelder2-birth_date": "1985-01-02",
        "forelder2-relation": "biological",
        "forelder2-parental_responsibility": "ja",
        "forelder2-same_address": "nei",
        "forelder2-known_from": "family",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_child_is_registered_with_both_parents_and_their_flags(staff_client, staff, unit):
    response = staff_client.post(reverse("person-family-register"), family_post(unit.organisation))
    child = Person.objects.get(kind=Person.Kind.CHILD)
    assert response.status_code == 302
    assert response["Location"] == reverse("person-detail", args=[child.pk])
    assert child.birth_date == datetime.date(2019, 3, 4)
    assert child.national_id_hash == crypto.lookup_hash(CHILD_NUMBER)
    relations = {r.guardian.given_name: r for r in GuardianRelation.objects.filter(child=child)}
    assert set(relations) == {"Nina", "Per"}
    assert relations["Nina"].has_parental_responsibility and relations["Nina"].lives_with_child
    assert relations["Per"].has_parental_responsibility and not relations["Per"].lives_with_child
    # The second parent has no identity number: registered without one.
    assert relations["Per"].guardian.national_id_hash is None
    assert relations["Nina"].known_from == "population_register"
    assert relations["Nina"].registered_by == staff
    # The registrar works with all three, so the page opens and consent can be recorded.
    assert Assignment.objects.filter(user=staff, ended_at=None).count() == 3
    links = AuditEvent.objects.filter(action="create", object_type="core.guardianrelation")
    assert links.count() == 2
    assert {e.detail["known_from"] for e in links} == {"population_register", "family"}
    page = staff_client.get(reverse("person-detail", args=[child.pk])).content.decode()
    assert "Nina Lund" in page and "Per Lund" in page


def test_the_second_parent_is_optional(staff_client, unit):
    post = family_post(
        unit.organisation,
        **{
            f"forelder2-{n}": None
            for n in ("given_name", "family_name", "birth_date", "known_from")
        },
    )
    response = staff_client.post(reverse("person-family-register"), post)
    assert response.status_code == 302
    assert GuardianRelation.objects.count() == 1


def test_a_parent_must_say_parental_responsibility_and_nothing_is_stored_otherwise(
    staff_client, unit
):
    post = family_post(unit.organisation, **{"forelder2-parental_responsibility": None})
    response = staff_client.post(reverse("person-family-register"), post)
    assert response.status_code == 400
    assert "Say whether the parent has parental responsibility." in response.content.decode()
    assert 'href="#id_forelder2-parental_responsibility_0"' in response.content.decode()
    assert not Person.objects.exists()


def test_a_child_without_identity_number_needs_a_birth_date(staff_client, unit):
    post = family_post(
        unit.organisation,
        **{"barn-national_id": ""},
        **{f"forelder2-{n}": None for n in ("given_name", "family_name", "birth_date")},
    )
    response = staff_client.post(reverse("person-family-register"), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the birth date, or the identity number" in page
    # The second parent, left without names, is not registered and shows no errors.
    assert 'id="id_forelder2-given_name_error"' not in page
    assert page.count("ds-validation-message") == 1
    post["barn-birth_date"] = "2019-03-04"
    assert staff_client.post(reverse("person-family-register"), post).status_code == 302
    assert Person.objects.get(kind="child").national_id_hash is None
    assert GuardianRelation.objects.count() == 1


def test_a_wrong_identity_number_names_the_parent_it_belongs_to(staff_client, unit):
    post = family_post(unit.organisation, **{"forelder1-national_id": "15061210111"})
    response = staff_client.post(reverse("person-family-register"), post)
    assert response.status_code == 400
    assert 'href="#id_forelder1-national_id"' in response.content.decode()
    # One transaction: the child registered before the parent failed is not kept either.
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_parent_already_registered_is_joined_by_identity_number_not_registered_twice(
    staff_client, staff, unit
):
    sibling, mother, _relation = make.child_with_guardian(unit.organisation)
    mother.set_national_id(MOTHER_NUMBER)
    mother.save()
    make.assign(mother, user=staff)
    response = staff_client.post(reverse("person-family-register"), family_post(unit.organisation))
    assert response.status_code == 302
    assert Person.objects.filter(national_id_hash=crypto.lookup_hash(MOTHER_NUMBER)).count() == 1
    child = Person.objects.get(national_id_hash=crypto.lookup_hash(CHILD_NUMBER))
    assert set(
        GuardianRelation.objects.filter(guardian=mother).values_list("child", flat=True)
    ) == {
        sibling.pk,
        child.pk,
    }


def test_registering_the_same_family_again_joins_it(staff_client, unit):
    staff_client.post(reverse("person-family-register"), family_post(unit.organisation))
    post = family_post(
        unit.organisation,
        **{
            f"forelder2-{n}": None
            for n in ("given_name", "family_name", "birth_date", "known_from")
        },
    )
    assert staff_client.post(reverse("person-family-register"), post).status_code == 302
    assert Person.objects.filter(kind="child").count() == 1
    assert Person.objects.filter(kind="guardian").count() == 2
    assert GuardianRelation.objects.count() == 2


def test_another_service_of_the_organisation_joins_its_record(unit):
    """Another confidentiality domain registered the child: the number joins that record, and
    the new service gets its own need to know (as register_person does)."""
    first = factories.MembershipFactory(unit=unit).user
    family.register_family(
        first,
        unit.organisation,
        child_kind="child",
        child=family.PersonDetails("Ada", "Lund", national_id=CHILD_NUMBER),
        parents=[],
    )
    school = factories.ServiceUnitFactory(
        organisation=unit.organisation, kind=ServiceUnit.Kind.SCHOOL
    )
    other = factories.MembershipFactory(unit=school).user
    registered = family.register_family(
        other,
        unit.organisation,
        child_kind="child",
        child=family.PersonDetails("Ada", "Lund", national_id=CHILD_NUMBER),
        parents=[],
    )
    assert Person.objects.filter(kind="child").count() == 1
    assert Assignment.objects.filter(person=registered.child, user=other).exists()


# Linking and unlinking on the child's page


@pytest.fixture
def child(staff, unit):
    child = factories.PersonFactory(organisation=unit.organisation, given_name="Ada")
    make.assign(child, user=staff)
    return child


def link_post(**overrides):
    data = {
        "given_name": "Nina",
        "family_name": "Lund",
        "national_id": MOTHER_NUMBER,
        "relation": "biological",
        "parental_responsibility": "ja",
        "same_address": "ja",
        "known_from": "document",
    }
    return {k: v for k, v in (data | overrides).items() if v is not None}


def test_a_guardian_is_linked_on_the_childs_page_and_audited(staff_client, child):
    page = staff_client.get(reverse("person-detail", args=[child.pk])).content.decode()
    assert reverse("person-guardian-link", args=[child.pk]) in page
    assert "No guardian is linked" in page
    response = staff_client.post(reverse("person-guardian-link", args=[child.pk]), link_post())
    assert response.status_code == 302
    relation = GuardianRelation.objects.get(child=child)
    assert relation.known_from == "document"
    event = AuditEvent.objects.get(action="create", object_type="core.guardianrelation")
    assert set(event.subject_ids) == {str(child.pk), str(relation.guardian_id)}
    assert event.detail == {"event": "guardian_linked", "known_from": "document"}


def test_linking_the_same_guardian_twice_is_explained(staff_client, child):
    staff_client.post(reverse("person-guardian-link", args=[child.pk]), link_post())
    response = staff_client.post(reverse("person-guardian-link", args=[child.pk]), link_post())
    assert response.status_code == 400
    assert "already linked" in response.content.decode()
    assert GuardianRelation.objects.count() == 1


def test_a_guardian_is_unlinked_with_why_and_audited(staff_client, child):
    staff_client.post(reverse("person-guardian-link", args=[child.pk]), link_post())
    relation = GuardianRelation.objects.get()
    url = reverse("person-guardian-unlink", args=[child.pk, relation.pk])
    response = staff_client.post(url, {})
    assert response.status_code == 302
    assert GuardianRelation.objects.exists(), "an unlink without why is refused"
    response = staff_client.post(url, {"grunn": "mistake"}, follow=True)
    assert "is no longer linked as a guardian" in response.content.decode()
    assert not GuardianRelation.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="core.guardianrelation")
    assert event.object_ids == [str(relation.pk)]
    assert event.detail == {"event": "guardian_unlinked", "reason": "mistake"}
    assert set(event.subject_ids) == {str(child.pk), str(relation.guardian_id)}


def test_staff_without_a_need_to_know_for_the_child_can_neither_link_nor_unlink(unit, child):
    guardian = factories.PersonFactory(organisation=unit.organisation, kind="guardian")
    relation = GuardianRelation.objects.create(
        organisation=unit.organisation,
        guardian=guardian,
        child=child,
        kind="biological",
        has_parental_responsibility=True,
    )
    colleague = make.logged_in(make.member(unit))
    link = colleague.post(reverse("person-guardian-link", args=[child.pk]), link_post())
    unlink = colleague.post(
        reverse("person-guardian-unlink", args=[child.pk, relation.pk]), {"grunn": "mistake"}
    )
    assert link.status_code == 404
    assert unlink.status_code == 404
    other_organisation = make.logged_in(factories.MembershipFactory().user)
    assert (
        other_organisation.get(reverse("person-guardian-link", args=[child.pk])).status_code == 404
    )
    assert GuardianRelation.objects.filter(pk=relation.pk).exists()
    assert GuardianRelation.objects.count() == 1


def test_a_relation_of_another_child_is_not_unlinked_through_this_childs_page(
    staff_client, staff, unit, child
):
    other_child, _guardian, relation = make.child_with_guardian(unit.organisation)
    make.assign(other_child, user=staff)
    url = reverse("person-guardian-unlink", args=[child.pk, relation.pk])
    assert staff_client.post(url, {"grunn": "mistake"}).status_code == 404
    assert GuardianRelation.objects.filter(pk=relation.pk).exists()


def test_guardians_are_linked_to_children_only(staff_client, staff, unit):
    adult = factories.PersonFactory(organisation=unit.organisation, kind="guardian")
    make.assign(adult, user=staff)
    response = staff_client.post(reverse("person-guardian-link", args=[adult.pk]), link_post())
    assert response.status_code == 400
    assert not GuardianRelation.objects.exists()


# Inline: from "open a case" and from a request for help


def test_open_a_case_offers_registering_the_family_and_comes_back_with_the_child_chosen(
    staff_client, unit
):
    page = staff_client.get(reverse("cases:open")).content.decode()
    assert f"{reverse('person-family-register')}?neste=sak" in page
    post = family_post(unit.organisation, neste="sak")
    response = staff_client.post(reverse("person-family-register"), post)
    child = Person.objects.get(kind="child")
    assert response["Location"] == f"{reverse('cases:open')}?barn={child.pk}"
    page = staff_client.get(response["Location"]).content.decode()
    assert f'<option value="{child.pk}" selected>' in page


def test_a_parent_who_asked_for_help_is_filled_in_as_the_first_parent(staff_client, unit):
    help_request = HelpRequestFactory(
        unit=unit,
        requester_role=HelpRequest.RequesterRole.PARENT,
        requester_name="Nina Marie Lund",
        phone="+4791234567",
    )
    url = reverse("inbox:register-family", args=[help_request.pk])
    assert url in staff_client.get(reverse("inbox:detail", args=[help_request.pk])).content.decode()
    page = staff_client.get(url).content.decode()
    assert 'name="forelder1-given_name" value="Nina Marie"' in page
    assert 'name="forelder1-family_name" value="Lund"' in page
    assert 'value="+4791234567"' in page
    response = staff_client.post(url, family_post(unit.organisation))
    child = Person.objects.get(kind="child")
    assert response["Location"] == (
        f"{reverse('cases:open')}?henvendelse={help_request.pk}&barn={child.pk}"
    )


def test_a_professional_who_asked_is_not_filled_in_as_a_parent(staff_client, unit):
    help_request = HelpRequestFactory(
        unit=unit,
        requester_role=HelpRequest.RequesterRole.PROFESSIONAL,
        requester_name="Lærer Hansen",
    )
    page = staff_client.get(reverse("inbox:register-family", args=[help_request.pk]))
    assert "Hansen" not in page.content.decode().split("<form", 1)[1]


def test_another_units_request_is_not_found(staff_client):
    help_request = HelpRequestFactory()
    url = reverse("inbox:register-family", args=[help_request.pk])
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("known_from", "on_min_side"),
    [("family", False), ("document", True), ("population_register", True)],
)
def test_only_a_relation_backed_by_the_register_or_a_document_opens_the_child_on_min_side(
    staff_client, child, known_from, on_min_side
):
    # A service's word on what a family said must not open every service's records of the
    # child to whoever claimed to be the parent.
    response = staff_client.post(
        reverse("person-guardian-link", args=[child.pk]), link_post(known_from=known_from)
    )
    assert response.status_code == 302
    mother = Citizen(identity_hash=crypto.lookup_hash(MOTHER_NUMBER))
    assert (child in [member.person for member in family_of(mother)]) == on_min_side


def test_a_child_cannot_be_linked_as_a_guardian(staff_client, staff, unit, child):
    sibling_number = identity_number(datetime.date(2012, 5, 1), synthetic=True)
    sibling = factories.PersonFactory(
        organisation=unit.organisation, kind=Person.Kind.YOUNG_PERSON, given_name="Siv"
    )
    sibling.set_national_id(sibling_number)
    sibling.save()
    make.assign(sibling, user=staff)
    response = staff_client.post(
        reverse("person-guardian-link", args=[child.pk]),
        link_post(national_id=sibling_number, given_name="Siv"),
    )
    assert response.status_code == 400
    assert "cannot be a guardian" in response.content.decode()
    assert not GuardianRelation.objects.filter(child=child).exists()
