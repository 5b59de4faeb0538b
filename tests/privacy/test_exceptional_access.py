import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import exceptional
from familiebro.privacy.exceptional_views import SESSION_KEY
from familiebro.privacy.models import AuditEvent, ExceptionalAccess
from tests import factories
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

NUMBER = identity_number(datetime.date(2016, 5, 2))
REASON = "Bekymringsmelding fra barnehagen må vurderes i dag"


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"


def registered(organisation, given_name="Ella") -> Person:
    person = factories.PersonFactory(organisation=organisation, given_name=given_name)
    person.set_national_id(NUMBER)
    person.save()
    return person


@pytest.fixture
def child_elsewhere():
    """The same child, registered by a health trust and by a municipality."""
    trust = registered(make.organisation(name="Helse Innlandet"), "Ella")
    registered(make.organisation(name="Hamar kommune"), "Ella")
    return trust


def look_up(client, number=NUMBER):
    return client.post(reverse("exceptional-access-lookup"), {"national_id": number})


def open_form(person, **fields):
    return {
        "person": person.pk,
        "basis": ExceptionalAccess.Basis.DUTY_TO_REPORT,
        "duration": "1d",
        "reason": REASON,
        "hiding_justification": "",
    } | fields


def test_the_search_finds_every_registration_but_shows_only_the_organisations(
    staff_client, staff, child_elsewhere
):
    response = look_up(staff_client)
    assert response.status_code == 302
    assert NUMBER not in response["Location"]
    page = staff_client.get(response["Location"]).content.decode()
    assert "Helse Innlandet" in page and "Hamar kommune" in page
    assert "Ella" not in page
    search = AuditEvent.objects.get(purpose=exceptional.LOOKUP_PURPOSE)
    assert search.actor_id == staff.pk
    assert len(search.subject_ids) == 2
    assert search.detail == {"found": 2}


def test_an_invalid_number_is_explained(staff_client):
    response = look_up(staff_client, "16050212345")
    assert response.status_code == 400
    assert "control digits" in response.content.decode()


def test_a_number_nobody_has_is_said_so_and_still_logged(staff_client):
    response = look_up(staff_client)
    assert response.status_code == 200
    assert "No person with this identity number" in response.content.decode()
    assert AuditEvent.objects.get(purpose=exceptional.LOOKUP_PURPOSE).detail == {"found": 0}


def test_staff_without_a_role_cannot_search(client, child_elsewhere):
    admin = make.user(is_instance_admin=True)
    client = make.logged_in(admin, client)
    response = look_up(client)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(purpose=exceptional.LOOKUP_PURPOSE).exists()


def test_the_next_step_needs_a_search_first(staff_client):
    response = staff_client.get(reverse("exceptional-access-open"))
    assert response["Location"] == reverse("exceptional-access-lookup")


def test_access_is_opened_after_confirmation_and_reported_to_the_leader(
    staff_client, staff, unit, child_elsewhere
):
    leader = make.member(unit, Membership.Role.LEADER)
    look_up(staff_client)
    url = reverse("exceptional-access-open")
    detail = reverse("person-detail", args=[child_elsewhere.pk])
    assert staff_client.get(detail).status_code == 404

    confirm = staff_client.post(url, open_form(child_elsewhere))
    assert "Confirm and open access" in confirm.content.decode()
    assert not ExceptionalAccess.objects.exists()

    done = staff_client.post(url, open_form(child_elsewhere) | {"confirm": "yes"})
    assert done["Location"] == detail
    access = ExceptionalAccess.objects.get()
    assert (access.user, access.person, access.basis) == (
        staff,
        child_elsewhere,
        ExceptionalAccess.Basis.DUTY_TO_REPORT,
    )
    assert access.expires_at - access.starts_at == datetime.timedelta(days=1)
    opened = AuditEvent.objects.get(detail__event="exceptional_access_opened")
    assert opened.detail["reported_to_leader_ids"] == [leader.pk]
    assert staff_client.get(detail).status_code == 200


def test_going_back_from_the_confirmation_keeps_what_was_written(staff_client, child_elsewhere):
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(child_elsewhere) | {"change": "yes"}
    )
    assert REASON in response.content.decode()
    assert "Confirm and open access" not in response.content.decode()
    assert not ExceptionalAccess.objects.exists()


def test_only_a_registration_the_search_found_can_be_opened(staff_client, child_elsewhere):
    other = factories.PersonFactory()
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(other) | {"confirm": "yes"}
    )
    assert response.status_code == 400
    assert not ExceptionalAccess.objects.exists()


def test_a_search_older_than_half_an_hour_must_be_repeated(staff_client, child_elsewhere):
    look_up(staff_client)
    session = staff_client.session
    lookup = session[SESSION_KEY]
    earlier = timezone.now() - exceptional.LOOKUP_VALID_FOR - datetime.timedelta(minutes=1)
    session[SESSION_KEY] = lookup | {"at": earlier.isoformat()}
    session.save()
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(child_elsewhere) | {"confirm": "yes"}
    )
    assert response["Location"] == reverse("exceptional-access-lookup")
    assert not ExceptionalAccess.objects.exists()
    with pytest.raises(ValidationError, match="Search for the person again"):
        exceptional.open_access(
            make.user(),
            person_id=child_elsewhere.pk,
            found_person_ids={child_elsewhere.pk},
            looked_up_at=earlier,
            basis=ExceptionalAccess.Basis.EMERGENCY,
            reason=REASON,
        )


def test_break_glass_lasts_at_most_four_hours(staff_client, child_elsewhere):
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"),
        open_form(child_elsewhere, basis=ExceptionalAccess.Basis.BREAK_GLASS, duration="1d")
        | {"confirm": "yes"},
    )
    assert response.status_code == 400
    assert "at most 4 hours" in response.content.decode()
    assert not ExceptionalAccess.objects.exists()


def test_hiding_from_the_family_needs_a_documented_reason(staff_client, child_elsewhere):
    look_up(staff_client)
    url = reverse("exceptional-access-open")
    refused = staff_client.post(
        url, open_form(child_elsewhere, hidden_from_family="on") | {"confirm": "yes"}
    )
    assert refused.status_code == 400
    assert "Document why the family must not see" in refused.content.decode()
    justification = "Undersøkelsen ville bli skadet om foreldrene fikk vite det"
    staff_client.post(
        url,
        open_form(child_elsewhere, hidden_from_family="on", hiding_justification=justification)
        | {"confirm": "yes"},
    )
    access = ExceptionalAccess.objects.get()
    assert access.hidden_from_family
    assert access.hiding_justification == justification


def test_a_colleague_without_assignment_can_break_the_glass_in_their_own_organisation(
    staff_client, staff, unit
):
    own = registered(unit.organisation)
    make.assign(own, user=make.member(unit))
    look_up(staff_client)
    staff_client.post(
        reverse("exceptional-access-open"),
        open_form(own, basis=ExceptionalAccess.Basis.BREAK_GLASS, duration="1h")
        | {"confirm": "yes"},
    )
    assert staff_client.get(reverse("person-detail", args=[own.pk])).status_code == 200
    view = AuditEvent.objects.filter(action="view", object_type="core.person").latest("id")
    assert view.legal_basis == ExceptionalAccess.Basis.BREAK_GLASS
    assert view.detail["exceptional_access_ids"] == [ExceptionalAccess.objects.get().pk]


# The leaders' report


@pytest.fixture
def opened(staff, child_elsewhere):
    found = exceptional.find_for_exceptional_access(staff, NUMBER)
    return exceptional.open_access(
        staff,
        person_id=child_elsewhere.pk,
        found_person_ids={c.person_id for c in found},
        looked_up_at=timezone.now(),
        basis=ExceptionalAccess.Basis.EMERGENCY,
        reason=REASON,
    )


def test_the_leader_sees_who_opened_what_why_and_until_when(client, staff, unit, opened):
    leader = make.member(unit, Membership.Role.LEADER)
    client = make.logged_in(leader, client)
    page = client.get(reverse("exceptional-access-report")).content.decode()
    assert staff.get_full_name() in page
    assert f"Person no. {opened.person_id}, Helse Innlandet" in page
    assert "Emergency" in page
    assert REASON in page
    assert timezone.localtime(opened.expires_at).strftime("%d.%m.%Y %H:%M") in page
    # The leader may not see the person, so the name stays hidden.
    assert "Ella" not in page
    report = AuditEvent.objects.get(purpose=exceptional.REPORT_PURPOSE)
    assert report.object_ids == [str(opened.pk)]


def test_the_leader_sees_the_name_of_a_person_they_may_see(client, unit, opened):
    leader = make.member(unit, Membership.Role.LEADER)
    # The leader opened an access to the same registration themself.
    ExceptionalAccess.objects.create(
        basis=ExceptionalAccess.Basis.EMERGENCY,
        user=leader,
        person_id=opened.person_id,
        organisation_id=opened.organisation_id,
        reason=REASON,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client = make.logged_in(leader, client)
    page = client.get(reverse("exceptional-access-report")).content.decode()
    assert "Ella Hansen" in page


def test_leaders_of_other_units_and_non_leaders_do_not_see_the_report(client, staff, opened):
    elsewhere = make.member(make.unit(), Membership.Role.LEADER)
    page = make.logged_in(elsewhere, client).get(reverse("exceptional-access-report"))
    assert REASON not in page.content.decode()
    worker = make.logged_in(staff)
    response = worker.get(reverse("exceptional-access-report"))
    assert response.status_code == 403
    assert "Only unit leaders" in response.content.decode()
