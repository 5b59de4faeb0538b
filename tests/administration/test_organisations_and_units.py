"""The organisation and unit pages: who may do what (instance administrator, the
organisation's administrator, another organisation's administrator, a unit administrator, a
caseworker), that each change is audited with before and after, and that bad input gets a
message and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import (
    ConfidentialityDomain,
    Membership,
    Municipality,
    Organisation,
    OrganisationAdministrator,
    ServiceUnit,
)
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

ROLES = ["instance_admin", "org_admin", "other_org_admin", "unit_admin", "caseworker"]


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    organisation = factories.OrganisationFactory(
        name="Stange kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        municipality=Municipality.objects.get(number="3413"),
    )
    return make.unit(organisation, name="Helsestasjonen i Stange", kind="helsestasjon")


def someone(role: str, unit: ServiceUnit):
    if role == "instance_admin":
        return make.user(is_instance_admin=True)
    if role == "org_admin":
        user = make.user()
        OrganisationAdministrator.objects.create(user=user, organisation=unit.organisation)
        return user
    if role == "other_org_admin":
        user = make.user()
        other = make.organisation(name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST)
        OrganisationAdministrator.objects.create(user=user, organisation=other)
        return user
    if role == "unit_admin":
        return make.member(unit, role=Membership.Role.UNIT_ADMIN)
    return make.member(unit)


def allowed(role: str, *roles: str) -> bool:
    return role in roles


def refused(role: str) -> int:
    """How a page about an organisation refuses: its own staff are told why (403); for
    someone with no tie to it, the organisation is not found (404), as any staff page with an
    id answers for another organisation's object."""
    return 404 if role == "other_org_admin" else 403


def organisation_fields(**changes):
    return {
        "name": "Familievernkontoret Innlandet",
        "kind": Organisation.Kind.STATE_SERVICE,
        "org_number": "974 760 673",
        "municipality_number": "",
        "served": "3413 3403",
    } | changes


def unit_fields(unit: ServiceUnit | None = None, **changes):
    fields = {
        "name": "Familiens hus Stange",
        "kind": ServiceUnit.Kind.FAMILY_CENTRE,
        "domain": "",
        "first_contact_days": "5",
        "phone": "62 56 20 00",
        "phone_hours": "Monday to Friday 8–15",
        "address": "Storgata 1, 2335 Stange",
        "email": "familienshus@example.no",
        "external_id": "",
        "served": "3413",
    }
    if unit is not None:
        fields |= {
            "name": unit.name,
            "kind": unit.kind,
            "domain": unit.domain,
            "first_contact_days": str(unit.first_contact_days),
            "phone": unit.phone,
            "phone_hours": unit.phone_hours,
            "address": unit.address,
            "email": unit.email,
            "external_id": unit.external_id,
        }
    return fields | changes


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_organisations(role, town):
    response = logged_in(someone(role, town)).get(reverse("administration:organisations"))
    if allowed(role, "unit_admin", "caseworker"):
        assert response.status_code == 403
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert ("Stange kommune" in page) == allowed(role, "instance_admin", "org_admin")
    assert ("New organisation" in page) == (role == "instance_admin")


@pytest.mark.parametrize("role", ROLES)
def test_creating_an_organisation(role, town):
    client = logged_in(someone(role, town))
    url = reverse("administration:organisation-create")
    response = client.post(url, organisation_fields())
    created = Organisation.objects.filter(org_number="974760673").first()
    if role != "instance_admin":
        assert response.status_code == 403
        assert client.get(url).status_code == 403
        assert created is None
        return
    assert response.status_code == 302
    assert created.name == "Familievernkontoret Innlandet"
    assert {m.number for m in created.municipalities_served.all()} == {"3413", "3403"}
    event = AuditEvent.objects.get(detail__event="organisation_created")
    assert event.detail["after"]["org_number"] == "974760673"
    assert event.detail["after"]["municipalities_served"] == ["3403", "3413"]


@pytest.mark.parametrize("role", ROLES)
def test_changing_an_organisation(role, town):
    organisation = town.organisation
    client = logged_in(someone(role, town))
    url = reverse("administration:organisation-change", args=[organisation.pk])
    response = client.post(
        url,
        organisation_fields(
            name="Stange kommune (ny)",
            kind=Organisation.Kind.MUNICIPALITY,
            org_number=organisation.org_number,
            municipality_number="3413",
            served="3413",
        ),
    )
    organisation.refresh_from_db()
    if role != "instance_admin":
        assert response.status_code == refused(role)
        assert organisation.name == "Stange kommune"
        return
    assert response.status_code == 302
    assert organisation.name == "Stange kommune (ny)"
    event = AuditEvent.objects.get(detail__event="organisation_changed")
    assert event.detail["changes"]["name"] == {
        "before": "Stange kommune",
        "after": "Stange kommune (ny)",
    }
    assert event.actor_id is not None


def test_an_organisation_number_and_municipality_are_checked(town):
    client = logged_in(make.user(is_instance_admin=True))
    url = reverse("administration:organisation-create")
    bad_number = client.post(url, organisation_fields(org_number="974 760 674"))
    assert bad_number.status_code == 200
    assert "control digit does not match" in bad_number.content.decode()
    taken = client.post(
        url,
        organisation_fields(kind=Organisation.Kind.MUNICIPALITY, municipality_number="3413"),
    )
    assert "Stange is already an organisation here" in taken.content.decode()
    missing = client.post(url, organisation_fields(kind=Organisation.Kind.MUNICIPALITY))
    assert "A municipality must name its municipality number" in missing.content.decode()
    unknown = client.post(url, organisation_fields(served="3413 9999 abc"))
    page = unknown.content.decode()
    assert "No municipality in force has the number 9999" in page
    assert "“abc” is not a municipality number" in page
    assert not Organisation.objects.filter(org_number="974760673").exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_organisation_page(role, town):
    response = logged_in(someone(role, town)).get(
        reverse("administration:organisation", args=[town.organisation.pk])
    )
    if allowed(role, "instance_admin", "org_admin"):
        assert response.status_code == 200
        assert "Helsestasjonen i Stange" in response.content.decode()
    else:
        assert response.status_code == refused(role)


@pytest.mark.parametrize("role", ROLES)
def test_appointing_and_removing_an_administrator(role, town):
    # One of the organisation's own staff: an organisation's administrator appoints no one else.
    colleague = make.member(town, username="kari.admin", first_name="Kari", last_name="Nordmann")
    client = logged_in(someone(role, town))
    organisation = town.organisation
    response = client.post(
        reverse("administration:administrator-appoint", args=[organisation.pk]),
        {"username": "KARI.admin"},
    )
    appointed = OrganisationAdministrator.objects.filter(user=colleague, organisation=organisation)
    if not allowed(role, "instance_admin", "org_admin"):
        assert response.status_code == refused(role)
        assert not appointed.exists()
        appointment = OrganisationAdministrator.objects.create(
            user=colleague, organisation=organisation
        )
        removed = client.post(
            reverse("administration:administrator-remove", args=[organisation.pk, appointment.pk])
        )
        assert removed.status_code == refused(role)
        assert appointed.exists()
        return
    assert response.status_code == 302
    appointment = appointed.get()
    event = AuditEvent.objects.get(detail__event="organisation_administrator_appointed")
    assert (event.detail["user_id"], event.organisation_id) == (colleague.pk, organisation.pk)
    response = client.post(
        reverse("administration:administrator-remove", args=[organisation.pk, appointment.pk])
    )
    assert response.status_code == 302
    assert not appointed.exists()
    assert AuditEvent.objects.filter(detail__event="organisation_administrator_removed").exists()


def test_only_an_instance_administrator_appoints_another_organisations_staff(town):
    outsider = make.member(make.unit(name="Helsestasjonen i Hamar"), username="hans.hamar")
    url = reverse("administration:administrator-appoint", args=[town.organisation.pk])
    response = logged_in(someone("org_admin", town)).post(url, {"username": "hans.hamar"})
    assert response.status_code == 400
    assert "No staff account has the username “hans.hamar”" in response.content.decode()
    response = logged_in(someone("instance_admin", town)).post(url, {"username": "hans.hamar"})
    assert response.status_code == 302
    assert OrganisationAdministrator.objects.filter(
        user=outsider, organisation=town.organisation
    ).exists()


def test_the_last_administrator_stays_unless_an_instance_administrator_removes_them(town):
    admin = someone("org_admin", town)
    appointment = OrganisationAdministrator.objects.get(user=admin)
    url = reverse(
        "administration:administrator-remove", args=[town.organisation.pk, appointment.pk]
    )
    response = logged_in(admin).post(url, follow=True)
    assert "would be left without an administrator" in response.content.decode()
    assert OrganisationAdministrator.objects.filter(pk=appointment.pk).exists()
    assert not AuditEvent.objects.filter(detail__event="organisation_administrator_removed")
    response = logged_in(someone("instance_admin", town)).post(url)
    assert response.status_code == 302
    assert not OrganisationAdministrator.objects.filter(pk=appointment.pk).exists()


def test_an_unknown_username_is_named(town):
    admin = someone("org_admin", town)
    response = logged_in(admin).post(
        reverse("administration:administrator-appoint", args=[town.organisation.pk]),
        {"username": "finnes.ikke"},
    )
    assert response.status_code == 400
    assert "No staff account has the username “finnes.ikke”" in response.content.decode()
    assert town.organisation.administrators.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_unit(role, town):
    client = logged_in(someone(role, town))
    url = reverse("administration:unit-create", args=[town.organisation.pk])
    response = client.post(url, unit_fields())
    created = ServiceUnit.objects.filter(name="Familiens hus Stange").first()
    if not allowed(role, "instance_admin", "org_admin"):
        assert response.status_code == refused(role)
        assert client.get(url).status_code == refused(role)
        assert created is None
        return
    assert response.status_code == 302
    assert created.organisation == town.organisation
    assert created.domain == ConfidentialityDomain.HEALTH  # the kind's usual domain
    assert created.phone == "+4762562000"
    assert created.address == "Storgata 1, 2335 Stange"
    assert [m.number for m in created.municipalities_served.all()] == ["3413"]
    event = AuditEvent.objects.get(detail__event="unit_created")
    assert event.detail["after"]["first_contact_days"] == 5


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_unit(role, town):
    client = logged_in(someone(role, town))
    url = reverse("administration:unit", args=[town.pk])
    response = client.post(
        url,
        unit_fields(
            town,
            name="Helsestasjon for barn og unge",
            domain=ConfidentialityDomain.OTHER,
            phone="62 56 30 00",
            phone_hours="Hverdager 8–15",
            served="3413",
        ),
    )
    town.refresh_from_db()
    if not allowed(role, "instance_admin", "org_admin", "unit_admin"):
        assert response.status_code == refused(role)
        assert client.get(url).status_code == refused(role)
        assert town.phone == ""
        return
    assert response.status_code == 302
    assert town.phone == "+4762563000"
    assert town.phone_hours == "Hverdager 8–15"
    changes = AuditEvent.objects.get(detail__event="unit_changed").detail["changes"]
    assert changes["phone"] == {"before": "", "after": "+4762563000"}
    if role == "unit_admin":
        # The unit's own administrator changes its contact details, not what the unit is.
        assert (town.name, town.domain) == ("Helsestasjonen i Stange", "health")
        assert "domain" not in changes
    else:
        assert (town.name, town.domain) == ("Helsestasjon for barn og unge", "other")
        assert changes["domain"] == {"before": "health", "after": "other"}


def test_a_unit_with_cases_keeps_its_domain():
    place = builders.municipality()
    unit = place.health_centre
    builders.open_concern(place.nurse, unit)
    client = logged_in(make.user(is_instance_admin=True))
    url = reverse("administration:unit", args=[unit.pk])
    assert "the domain cannot be changed" in client.get(url).content.decode()
    response = client.post(url, unit_fields(unit, domain=ConfidentialityDomain.OTHER))
    assert response.status_code == 200
    assert "so the domain cannot be changed" in response.content.decode()
    unit.refresh_from_db()
    assert unit.domain == ConfidentialityDomain.HEALTH
    assert not AuditEvent.objects.filter(detail__event="unit_changed").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "Helsestasjonen i Stange"}, "already has a unit called"),
        ({"first_contact_days": "0"}, "from 1 to 90"),
        ({"first_contact_days": "abc"}, "Enter a whole number"),
        ({"phone": "12"}, "not a valid phone number"),
        ({"served": "3413 0000"}, "No municipality in force has the number 0000"),
        ({"kind": "rocket"}, "Select a valid choice"),
    ],
)
def test_bad_unit_details_get_a_message_and_change_nothing(town, changes, message):
    client = logged_in(someone("org_admin", town))
    url = reverse("administration:unit-create", args=[town.organisation.pk])
    response = client.post(url, unit_fields(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert town.organisation.units.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_units(role, town):
    response = logged_in(someone(role, town)).get(reverse("administration:units"))
    if role == "caseworker":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Helsestasjonen i Stange" in page) == (role != "other_org_admin")


@pytest.mark.parametrize("role", ROLES)
def test_the_start_page_offers_each_administrator_their_sections(role, town):
    response = logged_in(someone(role, town)).get(reverse("administration:home"))
    if role == "caseworker":
        assert response.status_code == 403
        return
    page = response.content.decode()
    organisation_sections = role != "unit_admin"
    assert (reverse("administration:organisations") in page) == organisation_sections
    assert (reverse("administration:unit-import") in page) == organisation_sections
    assert reverse("administration:units") in page
