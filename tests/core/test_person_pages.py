import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import exceptional, policy
from familiebro.privacy.models import (
    Assignment,
    AuditEvent,
    DataCategory,
    ExceptionalAccess,
    OversightRule,
    Purpose,
)
from tests import factories
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    # Assertions read the English messages, which translations cannot change.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def family(unit, staff):
    child, guardian, _relation = make.child_with_guardian(unit.organisation)
    make.assign(child, user=staff)
    make.assign(guardian, user=staff)
    return child, guardian


def persons_assigned_to(staff, organisation, count):
    for number in range(count):
        person = factories.PersonFactory(
            organisation=organisation, given_name=f"Barn{number:03d}", family_name="Lie"
        )
        make.assign(person, user=staff)


def register_form(organisation, **fields):
    return {
        "organisation": organisation.pk,
        "kind": Person.Kind.CHILD,
        "given_name": "Nora",
        "family_name": "Dahl",
        "national_id": "",
        "birth_date": "2018-04-12",
        "phone": "",
        "email": "",
    } | fields


# The list


def test_the_person_list_requires_login_and_the_second_factor(client, staff):
    assert client.get(reverse("person-list")).status_code == 302
    client.force_login(staff)
    response = client.get(reverse("person-list"))
    assert response["Location"] == reverse("login-second-factor")


def test_the_list_shows_the_persons_the_user_works_with_and_no_others(staff_client, unit, family):
    colleague_only = factories.PersonFactory(organisation=unit.organisation, given_name="Ukjent")
    make.assign(colleague_only, user=make.member(unit))
    other_organisation = factories.PersonFactory(given_name="Fremmed")
    page = staff_client.get(reverse("person-list")).content.decode()
    assert "Berg, Emma" in page
    assert "Berg, MorEmma" in page
    assert "Ukjent" not in page
    assert "Fremmed" not in page
    assert other_organisation.organisation.name not in page


def test_the_list_is_searched_by_name(staff_client, family):
    page = staff_client.get(reverse("person-list"), {"q": "mor berg"}).content.decode()
    assert "Berg, MorEmma" in page
    assert "Berg, Emma" not in page


def test_the_list_is_narrowed_to_the_persons_one_of_my_units_works_with(
    staff_client, staff, unit, family
):
    _child, _guardian = family
    of_the_unit = factories.PersonFactory(organisation=unit.organisation, given_name="Enhetsbarn")
    make.assign(of_the_unit, unit=unit)
    make.assign(of_the_unit, user=staff)
    page = staff_client.get(reverse("person-list"), {"enhet": unit.pk}).content.decode()
    assert "Enhetsbarn" in page
    assert "Berg, Emma" not in page  # the user's own need to know, not the unit's


def test_another_units_persons_cannot_be_listed_by_naming_the_unit(staff_client, staff, unit):
    other_unit = factories.ServiceUnitFactory(organisation=unit.organisation)
    person = factories.PersonFactory(organisation=unit.organisation)
    make.assign(person, unit=other_unit)
    assert not policy.persons_of_own_unit(staff, other_unit.pk).exists()
    page = staff_client.get(reverse("person-list"), {"enhet": other_unit.pk})
    assert page.status_code == 200
    assert f'value="{other_unit.pk}"' not in page.content.decode()  # not offered either
    assert f'value="{unit.pk}"' in page.content.decode()


def test_the_list_is_narrowed_by_kind_and_a_bad_filter_lists_everyone(staff_client, family):
    parents = staff_client.get(
        reverse("person-list"), {"type": Person.Kind.GUARDIAN}
    ).content.decode()
    assert "Berg, MorEmma" in parents
    assert "Berg, Emma" not in parents
    anything = staff_client.get(reverse("person-list"), {"type": "x", "enhet": "y"})
    assert anything.status_code == 200
    assert "Berg, Emma" in anything.content.decode()


def test_persons_of_another_organisation_appear_for_the_purpose_their_family_consented_to(
    staff_client, staff, unit
):
    child, _guardian, _ = make.child_with_guardian(make.organisation(), given_name="Delt")
    make.assign(child, user=staff, domain=unit.domain)  # works on the child, under consent
    make.consent(child, purpose=Purpose.COORDINATION, recipient_organisations=[unit.organisation])
    casework = staff_client.get(reverse("person-list")).content.decode()
    coordination = staff_client.get(
        reverse("person-list"), {"formål": Purpose.COORDINATION}
    ).content.decode()
    assert "Berg, Delt" not in casework
    assert "Berg, Delt" in coordination


def test_one_page_shows_fifty_persons_and_is_logged_as_one_event(staff_client, staff, unit):
    persons_assigned_to(staff, unit.organisation, 51)
    first = staff_client.get(reverse("person-list")).content.decode()
    second = staff_client.get(reverse("person-list"), {"side": 2}).content.decode()
    assert "Lie, Barn049" in first
    assert "Lie, Barn050" not in first
    assert "Lie, Barn050" in second
    events = AuditEvent.objects.filter(action="list", object_type="core.person")
    assert events.count() == 2
    assert len(events.first().subject_ids) == 50
    assert events.last().subject_ids == [str(Person.objects.get(given_name="Barn050").pk)]


@pytest.mark.parametrize("purpose", [None, Purpose.COORDINATION])
def test_a_list_page_costs_the_same_number_of_queries_for_5_and_50_persons(
    staff_client, staff, unit, purpose
):
    other = make.organisation()
    query = {"formål": purpose} if purpose else {}

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("person-list"), query).status_code == 200
        return len(captured)

    persons_assigned_to(staff, unit.organisation, 5)
    shared = factories.PersonFactory(organisation=other)
    make.consent(shared, purpose=Purpose.COORDINATION, recipient_organisations=[unit.organisation])
    queries_for_a_page()  # the very first audit event also creates the chain's head
    with_five = queries_for_a_page()
    persons_assigned_to(staff, unit.organisation, 45)
    for _ in range(3):
        shared = factories.PersonFactory(organisation=other)
        make.consent(
            shared, purpose=Purpose.COORDINATION, recipient_organisations=[unit.organisation]
        )
    assert queries_for_a_page() == with_five


# One person


def test_the_person_page_shows_the_person_with_guardians_and_links(staff_client, family):
    child, guardian = family
    response = staff_client.get(reverse("person-detail", args=[child.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Emma Berg" in page
    assert reverse("person-detail", args=[guardian.pk]) in page
    assert reverse("consent-list", kwargs={"person_id": child.pk}) in page
    assert reverse("person-access-log", args=[child.pk]) in page
    assert f"/ansatt/personer/{child.pk}/innsyn/eksport.json" in page
    assert reverse("person-change", args=[child.pk]) in page


def test_the_guardians_page_lists_their_children(staff_client, family):
    child, guardian = family
    page = staff_client.get(reverse("person-detail", args=[guardian.pk])).content.decode()
    assert "Emma Berg" in page
    assert reverse("person-detail", args=[child.pk]) in page


def test_another_organisations_person_is_not_found(staff_client):
    stranger = factories.PersonFactory()
    assert staff_client.get(reverse("person-detail", args=[stranger.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_consent_shows_contact_details_only_when_it_covers_them(staff_client, staff, unit):
    child, _guardian, _ = make.child_with_guardian(make.organisation(), given_name="Delt")
    make.assign(child, user=staff, domain=unit.domain)  # works on the child, under consent
    Person.objects.filter(pk=child.pk).update(phone="+4791234567")
    url = reverse("person-detail", args=[child.pk])
    make.consent(child, purpose=Purpose.REFERRAL, recipient_organisations=[unit.organisation])
    make.consent(
        child,
        purpose=Purpose.COORDINATION,
        scope=[DataCategory.CONTACT_DETAILS],
        recipient_organisations=[unit.organisation],
    )
    without = staff_client.get(url, {"formål": Purpose.REFERRAL}).content.decode()
    covered = staff_client.get(url, {"formål": Purpose.COORDINATION}).content.decode()
    assert "Delt Berg" in without
    assert "912 34 567" not in without
    assert "912 34 567" in covered
    # A reader by consent can change nothing and is not led to the family's privacy pages.
    assert reverse("person-change", args=[child.pk]) not in covered
    assert reverse("person-access-log", args=[child.pk]) not in covered


# Registration


def test_a_person_is_registered_and_the_registering_user_works_with_them(staff_client, unit):
    response = staff_client.post(reverse("person-register"), register_form(unit.organisation))
    person = Person.objects.get(given_name="Nora")
    assert response.status_code == 302
    assert response["Location"] == reverse("person-detail", args=[person.pk])
    assert staff_client.get(response["Location"]).status_code == 200


def test_the_birth_date_is_taken_from_the_identity_number(staff_client, unit):
    number = identity_number(datetime.date(2017, 9, 3))
    staff_client.post(
        reverse("person-register"),
        register_form(unit.organisation, national_id=number, birth_date=""),
    )
    person = Person.objects.get(given_name="Nora")
    assert person.birth_date == datetime.date(2017, 9, 3)
    assert person.national_id == number


def test_an_invalid_identity_number_is_explained_and_nothing_is_registered(staff_client, unit):
    response = staff_client.post(
        reverse("person-register"), register_form(unit.organisation, national_id="03091712345")
    )
    assert response.status_code == 400
    assert "control digits" in response.content.decode()
    assert not Person.objects.exists()


def test_registering_a_person_twice_says_to_search_instead(staff_client, unit):
    number = identity_number(datetime.date(2017, 9, 3))
    form = register_form(unit.organisation, national_id=number)
    staff_client.post(reverse("person-register"), form)
    response = staff_client.post(reverse("person-register"), form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "already registered" in page
    assert reverse("person-lookup") in page
    assert Person.objects.count() == 1


def test_a_person_cannot_be_registered_in_another_organisation(staff_client):
    other = make.organisation()
    response = staff_client.post(reverse("person-register"), register_form(other))
    assert response.status_code == 400
    assert not Person.objects.exists()


# Contact details


def test_contact_details_are_changed_and_logged_with_field_names_only(staff_client, family):
    child, _guardian = family
    response = staff_client.post(
        reverse("person-change", args=[child.pk]),
        {"phone": "912 34 567", "email": "emma@example.no"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.phone, child.email) == ("+4791234567", "emma@example.no")
    event = AuditEvent.objects.get(action="change", object_type="core.person")
    assert event.detail == {"changed_fields": ["phone", "email"]}
    assert "91234567" not in str(event.detail) and "emma@" not in str(event.detail)
    assert event.legal_basis == "own_organisation"


def test_an_unchanged_form_writes_nothing(staff_client, family):
    child, _guardian = family
    staff_client.post(reverse("person-change", args=[child.pk]), {"phone": "", "email": ""})
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_invalid_phone_number_is_explained_and_nothing_is_changed(staff_client, family):
    child, _guardian = family
    response = staff_client.post(
        reverse("person-change", args=[child.pk]), {"phone": "12", "email": "emma@example.no"}
    )
    assert response.status_code == 400
    assert "12" in response.content.decode()
    child.refresh_from_db()
    assert child.email == ""
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_colleague_with_break_glass_access_may_read_but_not_change(unit, family, settings):
    child, _guardian = family
    colleague = make.member(unit)
    exceptional.open_access(
        colleague,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        basis=ExceptionalAccess.Basis.BREAK_GLASS,
        reason="Akutt: barnet er på legevakten nå",
    )
    client = make.logged_in(colleague)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("person-detail", args=[child.pk])).status_code == 200
    view = AuditEvent.objects.filter(action="view", object_type="core.person").latest("id")
    assert view.legal_basis == "break_glass"
    response = client.post(reverse("person-change", args=[child.pk]), {"phone": "91234567"})
    assert response.status_code == 403
    assert "You are not assigned to this person" in response.content.decode()
    child.refresh_from_db()
    assert child.phone == ""


# Ending a need to know


def end_url(person, assignment) -> str:
    return reverse("person-assignment-end", args=[person.pk, assignment.pk])


def test_the_person_page_shows_who_works_with_the_person_since_when_and_why(
    staff_client, staff, unit, family
):
    child, _guardian = family
    colleague = make.member(unit, first_name="Per", last_name="Kollega")
    colleagues = make.assign(child, user=colleague)
    make.assign(child, unit=unit)
    page = staff_client.get(reverse("person-detail", args=[child.pk])).content.decode()
    assert "Who works with the person" in page
    assert staff.display_name() in page
    assert "Per Kollega" in page
    assert f"{unit.name} (the whole unit)" in page
    assert timezone.localdate().strftime("%d.%m.%Y") in page
    # Their own and their unit's they may end; a colleague's not.
    own = Assignment.objects.get(person=child, user=staff)
    assert end_url(child, own) in page
    assert end_url(child, colleagues) not in page
    events = AuditEvent.objects.filter(action="list", object_type="privacy.assignment")
    assert events.get().subject_ids == [str(child.pk)]


def test_ending_the_last_need_to_know_closes_the_person_page_from_the_next_request(
    staff_client, staff, family
):
    child, _guardian = family
    own = Assignment.objects.get(person=child, user=staff)
    response = staff_client.post(end_url(child, own), {"grunn": "work_finished"}, follow=True)
    assert response.redirect_chain == [(reverse("person-list"), 302)]
    assert "Your need to know of Emma Berg has ended" in response.content.decode()
    assert "Berg, Emma" not in response.content.decode()
    assert staff_client.get(reverse("person-detail", args=[child.pk])).status_code == 404


def test_ending_one_of_several_keeps_the_page_open_with_a_confirmation(
    staff_client, staff, unit, family
):
    child, _guardian = family
    make.assign(child, unit=unit)
    own = Assignment.objects.get(person=child, user=staff)
    response = staff_client.post(end_url(child, own), {"grunn": "taken_over"}, follow=True)
    detail = reverse("person-detail", args=[child.pk])
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert "The need to know has ended." in page
    assert end_url(child, own) not in page


def test_a_leader_ends_a_members_need_to_know_from_the_page(unit, staff, family):
    child, _guardian = family
    leader = make.member(unit, Membership.Role.LEADER)
    # The organisation lets its leaders see the persons their members work with.
    OversightRule.objects.create(organisation=unit.organisation, leaders_see_unit_persons=True)
    client = make.logged_in(leader)
    own = Assignment.objects.get(person=child, user=staff)
    assert (
        end_url(child, own)
        in client.get(reverse("person-detail", args=[child.pk])).content.decode()
    )
    response = client.post(end_url(child, own), {"grunn": "in_error"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.end_reason == "in_error"


def test_a_worker_cannot_end_a_colleagues_need_to_know(staff_client, unit, family):
    child, _guardian = family
    colleagues = make.assign(child, user=make.member(unit))
    response = staff_client.post(end_url(child, colleagues), {"grunn": "work_finished"})
    assert response.status_code == 403
    assert "Ask the colleague it belongs to" in response.content.decode()
    colleagues.refresh_from_db()
    assert colleagues.ended_at is None


def test_a_need_to_know_that_has_ended_is_not_ended_again(staff_client, staff, unit, family):
    child, _guardian = family
    make.assign(child, unit=unit)
    own = Assignment.objects.get(person=child, user=staff)
    staff_client.post(end_url(child, own), {"grunn": "work_finished"})
    response = staff_client.post(end_url(child, own), {"grunn": "work_finished"}, follow=True)
    assert "already ended on" in response.content.decode()
    assert AuditEvent.objects.filter(action="change", object_type="privacy.assignment").count() == 1


def test_a_need_to_know_an_open_case_depends_on_says_how_to_end_it_instead(
    client, staff, unit, family
):
    from tests.cases import builders

    child, _guardian = family
    case = builders.open_concern(staff, unit, child=child)
    coordinator = Assignment.objects.get(person=child, user=staff, given_by_case=case)
    page = (
        make.logged_in(staff, client)
        .get(reverse("person-detail", args=[child.pk]))
        .content.decode()
    )
    assert end_url(child, coordinator) not in page
    assert f"Case {case.reference} is open" in page
    # The need to know names the role the case gave, in words, not the case.
    assert "Coordinator of a case" in page and "case:coordinator" not in page
    response = make.logged_in(staff, client).post(
        end_url(child, coordinator), {"grunn": "work_finished"}, follow=True
    )
    assert "Close the case, or end the participation in it, first." in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.ended_at is None


def test_ending_needs_a_reason_from_the_list(staff_client, staff, family):
    child, _guardian = family
    own = Assignment.objects.get(person=child, user=staff)
    response = staff_client.post(end_url(child, own), {"grunn": "because"}, follow=True)
    assert "Choose why the need to know ends" in response.content.decode()
    own.refresh_from_db()
    assert own.ended_at is None


def test_ending_is_a_post_with_the_csrf_token(staff, family):
    child, _guardian = family
    own = Assignment.objects.get(person=child, user=staff)
    client = make.logged_in(staff, Client(enforce_csrf_checks=True))
    assert client.get(end_url(child, own)).status_code == 405
    assert client.post(end_url(child, own), {"grunn": "work_finished"}).status_code == 403
    own.refresh_from_db()
    assert own.ended_at is None


def test_someone_who_does_not_see_the_person_gets_not_found(family):
    child, _guardian = family
    own = Assignment.objects.filter(person=child).first()
    stranger = make.logged_in(make.member(make.unit()))
    assert stranger.post(end_url(child, own), {"grunn": "work_finished"}).status_code == 404
