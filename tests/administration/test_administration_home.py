"""The administration area: who sees it in the menu and what its start page offers each
administrator role. None of the roles opens a family's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import Membership, OrganisationAdministrator, Person
from familiebro.privacy import policy
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

HOME = reverse("administration:home")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    unit = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    return unit


def test_a_caseworker_has_no_administration(town):
    nurse = make.member(town)
    client = logged_in(nurse)
    response = client.get(HOME)
    assert response.status_code == 403
    assert "The administration pages are for administrators" in response.content.decode()
    assert HOME not in client.get(reverse("staff-home")).content.decode()


def test_an_organisation_administrator_sees_their_organisation_and_no_family(town):
    admin = make.user()
    OrganisationAdministrator.objects.create(user=admin, organisation=town.organisation)
    other = make.unit(name="Helsestasjonen i Hamar", kind="helsestasjon")
    client = logged_in(admin)
    page = client.get(HOME).content.decode()
    assert town.organisation.name in page
    assert other.organisation.name not in page
    assert HOME in client.get(reverse("staff-home")).content.decode()
    # Administering gives no place in a unit, so the access policy opens no person.
    make.child_with_guardian(town.organisation)
    assert not policy.visible(admin, Person, policy.Purpose.CASEWORK).exists()


def test_a_unit_administrator_sees_their_unit(town):
    admin = make.member(town, role=Membership.Role.UNIT_ADMIN)
    client = logged_in(admin)
    page = client.get(HOME).content.decode()
    assert "Helsestasjonen i Stange" in page
    assert "Units you administer" in page
    assert "Organisations you administer" not in page


def test_an_instance_administrator_sees_every_organisation(town):
    other = make.unit(name="BUP Hamar", kind="bup")
    admin = make.user(is_instance_admin=True)
    client = logged_in(admin)
    page = client.get(HOME).content.decode()
    assert town.organisation.name in page and other.organisation.name in page


def test_the_scope_is_one_query_with_organisations_administered(django_assert_num_queries, town):
    admin = make.member(town, role=Membership.Role.LEADER)
    OrganisationAdministrator.objects.create(user=admin, organisation=town.organisation)
    with django_assert_num_queries(1):
        scope = policy.scope_of(admin)
    assert scope.administered_organisation_ids == {town.organisation_id}
    assert scope.unit_ids == {town.pk}
    assert scope.leader_unit_ids == {town.pk}
