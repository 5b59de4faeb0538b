import datetime

import pytest
from django.urls import reverse

from familiebro.core.models import Membership, Person
from familiebro.persons import services
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.factories import identity_number

pytestmark = pytest.mark.django_db


def test_the_front_page_is_public_and_in_bokmal_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="nb"' in response.content.decode()


def test_the_language_can_be_switched_to_english_and_nynorsk(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    assert 'lang="nn"' in client.get("/").content.decode()


def test_staff_home_requires_login(client):
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_home_requires_the_second_factor(client, staff):
    client.force_login(staff)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login-second-factor")


def test_staff_home_lists_the_users_units_and_roles(staff_client, staff, unit):
    other_unit = factories.ServiceUnitFactory(name="PPT Stange")
    Membership.objects.create(user=staff, unit=other_unit, role=Membership.Role.LEADER)
    page = staff_client.get(reverse("staff-home")).content.decode()
    assert unit.name in page
    assert "PPT Stange" in page
    assert "Leder" in page  # the role, in Norwegian


def test_person_lookup_finds_a_person_in_the_own_organisation(staff_client, staff, unit):
    number = identity_number(datetime.date(2012, 6, 15))
    services.register_person(
        staff,
        unit.organisation,
        kind=Person.Kind.CHILD,
        given_name="Emma",
        family_name="Berg",
        birth_date=datetime.date(2012, 6, 15),
        national_id=number,
    )
    response = staff_client.post(reverse("person-lookup"), {"national_id": number})
    assert "Emma Berg" in response.content.decode()
    assert AuditEvent.objects.filter(action="search", actor_id=staff.pk).count() == 1


def test_person_lookup_explains_an_invalid_number(staff_client):
    response = staff_client.post(reverse("person-lookup"), {"national_id": "15061210111"})
    assert response.status_code == 400
    assert "kontrollsifrene" in response.content.decode().lower() or "control" in (
        response.content.decode().lower()
    )


def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/").headers["X-Request-ID"]) == 32


def test_responses_carry_a_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
