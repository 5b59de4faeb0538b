import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import ConfidentialityDomain, Membership, Person
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
def child_here(unit):
    """A child registered in the staff member's own organisation, whom a colleague of another
    health unit there works with (so neither the staff member nor their leader knows the child),
    and the same child registered by a health trust."""
    own = registered(unit.organisation, "Ella")
    make.assign(own, user=make.member(make.unit(unit.organisation)))
    registered(make.organisation(name="Helse Innlandet"), "Ella")
    return own


def look_up(client, number=NUMBER):
    return client.post(reverse("exceptional-access-lookup"), {"national_id": number})


def open_form(person, **fields):
    return {
        "person": person.pk,
        "duration": "1h",
        "reason": REASON,
    } | fields


def test_the_search_finds_only_the_registration_in_the_own_organisation(
    staff_client, staff, child_here
):
    response = look_up(staff_client)
    assert response.status_code == 302
    assert NUMBER not in response["Location"]
    page = staff_client.get(response["Location"]).content.decode()
    assert child_here.organisation.name in page
    # Which other organisations hold the person is theirs to keep.
    assert "Helse Innlandet" not in page
    assert "Ella" not in page
    search = AuditEvent.objects.get(purpose=exceptional.LOOKUP_PURPOSE)
    assert search.actor_id == staff.pk
    assert search.subject_ids == [str(child_here.pk)]
    assert search.detail == {"found": 1}


def test_a_person_only_another_organisation_holds_is_not_found(staff_client):
    registered(make.organisation(name="Helse Innlandet"))
    response = look_up(staff_client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No person with this identity number is registered in your organisation" in page
    assert "Helse Innlandet" not in page
    search = AuditEvent.objects.get(purpose=exceptional.LOOKUP_PURPOSE)
    assert search.detail == {"found": 0} and search.subject_ids == []


def test_an_invalid_number_is_explained(staff_client):
    response = look_up(staff_client, "16050212345")
    assert response.status_code == 400
    assert "control digits" in response.content.decode()


def test_staff_without_a_role_cannot_search(client, child_here):
    admin = make.user(is_instance_admin=True)
    client = make.logged_in(admin, client)
    response = look_up(client)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(purpose=exceptional.LOOKUP_PURPOSE).exists()


@pytest.mark.parametrize(
    "domain",
    [
        ConfidentialityDomain.EDUCATION,
        ConfidentialityDomain.NAV,
        ConfidentialityDomain.FAMILY_COUNSELLING,
        ConfidentialityDomain.VOLUNTARY,
    ],
)
def test_services_without_an_emergency_ground_cannot_break_the_glass(client, domain):
    school = make.unit(domain=domain)
    registered(school.organisation)
    worker = make.logged_in(make.member(school), client)
    response = look_up(worker)
    assert response.status_code == 403
    assert "Only staff of health and child welfare services" in response.content.decode()
    assert not AuditEvent.objects.filter(purpose=exceptional.LOOKUP_PURPOSE).exists()


def test_the_next_step_needs_a_search_first(staff_client):
    response = staff_client.get(reverse("exceptional-access-open"))
    assert response["Location"] == reverse("exceptional-access-lookup")


def test_access_is_opened_after_confirmation_and_reported_to_the_leader(
    staff_client, staff, unit, child_here
):
    leader = make.member(unit, Membership.Role.LEADER)
    look_up(staff_client)
    url = reverse("exceptional-access-open")
    detail = reverse("person-detail", args=[child_here.pk])
    assert staff_client.get(detail).status_code == 404

    confirm = staff_client.post(url, open_form(child_here))
    assert "Confirm and open access" in confirm.content.decode()
    assert not ExceptionalAccess.objects.exists()

    done = staff_client.post(url, open_form(child_here) | {"confirm": "yes"})
    assert done["Location"] == detail
    access = ExceptionalAccess.objects.get()
    assert (access.user, access.person, access.basis) == (
        staff,
        child_here,
        ExceptionalAccess.Basis.BREAK_GLASS,
    )
    assert access.expires_at - access.starts_at == datetime.timedelta(hours=1)
    opened = AuditEvent.objects.get(detail__event="exceptional_access_opened")
    assert opened.detail["reported_to_leader_ids"] == [leader.pk]
    assert staff_client.get(detail).status_code == 200
    view = AuditEvent.objects.filter(action="view", object_type="core.person").latest("id")
    assert view.legal_basis == ExceptionalAccess.Basis.BREAK_GLASS
    assert view.detail["exceptional_access_ids"] == [access.pk]


def test_going_back_from_the_confirmation_keeps_what_was_written(staff_client, child_here):
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(child_here) | {"change": "yes"}
    )
    assert REASON in response.content.decode()
    assert "Confirm and open access" not in response.content.decode()
    assert not ExceptionalAccess.objects.exists()


def test_only_a_registration_the_search_found_can_be_opened(staff_client, child_here):
    other = factories.PersonFactory()
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(other) | {"confirm": "yes"}
    )
    assert response.status_code == 400
    assert not ExceptionalAccess.objects.exists()


def test_a_search_older_than_half_an_hour_must_be_repeated(staff_client, staff, child_here):
    look_up(staff_client)
    session = staff_client.session
    lookup = session[SESSION_KEY]
    earlier = timezone.now() - exceptional.LOOKUP_VALID_FOR - datetime.timedelta(minutes=1)
    session[SESSION_KEY] = lookup | {"at": earlier.isoformat()}
    session.save()
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(child_here) | {"confirm": "yes"}
    )
    assert response["Location"] == reverse("exceptional-access-lookup")
    assert not ExceptionalAccess.objects.exists()
    with pytest.raises(ValidationError, match="Search for the person again"):
        exceptional.open_access(
            staff,
            person_id=child_here.pk,
            found_person_ids={child_here.pk},
            looked_up_at=earlier,
            reason=REASON,
        )


def test_break_glass_lasts_at_most_four_hours(staff, child_here):
    with pytest.raises(ValidationError, match="at most 4 hours"):
        exceptional.open_access(
            staff,
            person_id=child_here.pk,
            found_person_ids={child_here.pk},
            looked_up_at=timezone.now(),
            reason=REASON,
            duration=datetime.timedelta(hours=5),
        )
    assert not ExceptionalAccess.objects.exists()


def test_a_duration_the_form_does_not_offer_is_refused(staff_client, child_here):
    look_up(staff_client)
    response = staff_client.post(
        reverse("exceptional-access-open"), open_form(child_here, duration="31d") | {"confirm": "1"}
    )
    assert response.status_code == 400
    assert not ExceptionalAccess.objects.exists()


@pytest.mark.parametrize(
    "basis",
    [
        ExceptionalAccess.Basis.DUTY_TO_REPORT,
        ExceptionalAccess.Basis.EMERGENCY,
        ExceptionalAccess.Basis.COURT_ORDER,
    ],
)
def test_a_legal_ground_opens_no_access_it_is_for_the_holder_to_disclose(staff, child_here, basis):
    with pytest.raises(ValidationError, match="send it a disclosure request"):
        exceptional.open_access(
            staff,
            person_id=child_here.pk,
            found_person_ids={child_here.pk},
            looked_up_at=timezone.now(),
            reason=REASON,
            basis=basis,
        )
    assert not ExceptionalAccess.objects.exists()


def test_another_organisations_person_cannot_be_opened_even_by_its_id(staff):
    elsewhere = registered(make.organisation(name="Helse Innlandet"))
    with pytest.raises(PermissionDenied, match="only in your own organisation"):
        exceptional.open_access(
            staff,
            person_id=elsewhere.pk,
            found_person_ids={elsewhere.pk},
            looked_up_at=timezone.now(),
            reason=REASON,
        )
    assert not ExceptionalAccess.objects.exists()


def test_an_old_cross_organisation_access_opens_nothing(staff_client, staff):
    """An access to another organisation's person recorded before the rule (the migration ends
    those still open; the policy ignores any left) lets its holder read nothing there."""
    elsewhere = registered(make.organisation(name="Helse Innlandet"))
    ExceptionalAccess.objects.create(
        basis=ExceptionalAccess.Basis.DUTY_TO_REPORT,
        user=staff,
        person=elsewhere,
        organisation=elsewhere.organisation,
        reason=REASON,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert staff_client.get(reverse("person-detail", args=[elsewhere.pk])).status_code == 404


def test_break_glass_opens_only_what_the_own_services_hold(client, unit):
    """A health nurse's break-glass opens the person and the health centre's case, never the
    case child welfare of the same municipality holds."""
    from familiebro.cases import case_services
    from familiebro.cases.models import Case

    nurse = make.member(unit)
    child = registered(unit.organisation)
    welfare = make.unit(unit.organisation, domain=ConfidentialityDomain.CHILD_WELFARE)
    caseworker = make.member(welfare)
    make.assign(child, user=caseworker)
    welfare_case = case_services.open_case(
        caseworker, child=child, unit=welfare, origin=Case.Origin.STAFF_CONCERN, concern="Uro."
    )
    health_worker = make.member(unit)
    make.assign(child, user=health_worker)
    health_case = case_services.open_case(
        health_worker, child=child, unit=unit, origin=Case.Origin.STAFF_CONCERN, concern="Vekt."
    )
    exceptional.open_access(
        nurse,
        person_id=child.pk,
        found_person_ids={child.pk},
        looked_up_at=timezone.now(),
        reason=REASON,
    )
    nurse_client = make.logged_in(nurse, client)
    assert nurse_client.get(reverse("person-detail", args=[child.pk])).status_code == 200
    assert nurse_client.get(reverse("cases:detail", args=[health_case.pk])).status_code == 200
    assert nurse_client.get(reverse("cases:detail", args=[welfare_case.pk])).status_code == 404


def test_the_one_who_breaks_the_glass_cannot_hide_it_from_the_family(staff_client, child_here):
    look_up(staff_client)
    url = reverse("exceptional-access-open")
    page = staff_client.post(url, open_form(child_here)).content.decode()
    assert "Hide this access" not in page
    staff_client.post(
        url,
        open_form(child_here, hidden_from_family="on", hiding_justification="x" * 30)
        | {"confirm": "yes"},
    )
    access = ExceptionalAccess.objects.get()
    assert not access.hidden_from_family
    # Nor can they decide it afterwards, as if they were their own leader.
    hiding = reverse("exceptional-access-hiding", args=[access.pk])
    assert staff_client.get(hiding).status_code == 404


# The leaders' report


@pytest.fixture
def opened(staff, child_here):
    found = exceptional.find_for_exceptional_access(staff, NUMBER)
    return exceptional.open_access(
        staff,
        person_id=child_here.pk,
        found_person_ids={c.person_id for c in found},
        looked_up_at=timezone.now(),
        reason=REASON,
    )


def test_the_leader_sees_who_opened_what_why_and_until_when(client, staff, unit, opened):
    leader = make.member(unit, Membership.Role.LEADER)
    client = make.logged_in(leader, client)
    page = client.get(reverse("exceptional-access-report")).content.decode()
    assert staff.get_full_name() in page
    assert f"Person no. {opened.person_id}, {opened.organisation.name}" in page
    assert "Break-glass access" in page
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
        basis=ExceptionalAccess.Basis.BREAK_GLASS,
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


def test_a_leader_reviews_an_access_once_and_it_is_audited(client, staff, unit, opened):
    leader = make.member(unit, Membership.Role.LEADER)
    leader_client = make.logged_in(leader, client)
    report = reverse("exceptional-access-report")
    assert "Mark as reviewed" in leader_client.get(report).content.decode()
    url = reverse("exceptional-access-review", args=[opened.pk])
    assert leader_client.post(url)["Location"] == report
    opened.refresh_from_db()
    assert (opened.reviewed_by, opened.reviewed_at is not None) == (leader, True)
    reviewed = AuditEvent.objects.get(detail__event="exceptional_access_reviewed")
    assert reviewed.subject_ids == [str(opened.person_id)]
    page = leader_client.get(report).content.decode()
    assert "Mark as reviewed" not in page and f"By {leader.display_name()}" in page
    # Reviewing again changes nothing.
    leader_client.post(url)
    assert AuditEvent.objects.filter(detail__event="exceptional_access_reviewed").count() == 1


def test_nobody_reviews_their_own_access_nor_one_outside_their_units(client, staff, unit, opened):
    url = reverse("exceptional-access-review", args=[opened.pk])
    own_leader_access = ExceptionalAccess.objects.create(
        basis=ExceptionalAccess.Basis.BREAK_GLASS,
        user=make.member(unit, Membership.Role.LEADER),
        person_id=opened.person_id,
        organisation_id=opened.organisation_id,
        reason=REASON,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    themself = make.logged_in(own_leader_access.user)
    own_url = reverse("exceptional-access-review", args=[own_leader_access.pk])
    assert themself.post(own_url).status_code == 404
    elsewhere = make.logged_in(make.member(make.unit(), Membership.Role.LEADER), client)
    assert elsewhere.post(url).status_code == 404
    assert elsewhere.get(url).status_code == 405
    opened.refresh_from_db()
    own_leader_access.refresh_from_db()
    assert opened.reviewed_at is None and own_leader_access.reviewed_at is None


# Hiding an access from the family: the controller's decision


JUSTIFICATION = "Undersøkelsen ville bli skadet om foreldrene fikk vite det nå"


def test_the_leader_hides_an_access_with_a_reason_and_an_end_date(client, unit, opened):
    leader = make.member(unit, Membership.Role.LEADER)
    leader_client = make.logged_in(leader, client)
    report = reverse("exceptional-access-report")
    url = reverse("exceptional-access-hiding", args=[opened.pk])
    assert url in leader_client.get(report).content.decode()
    until = timezone.localdate() + datetime.timedelta(days=60)
    fields = {"justification": JUSTIFICATION, "until": f"{until:%Y-%m-%d}"}
    response = leader_client.post(url, fields)
    assert response["Location"] == report
    opened.refresh_from_db()
    assert (opened.hidden_from_family, opened.hidden_until) == (True, until)
    assert (opened.hiding_justification, opened.hiding_decided_by) == (JUSTIFICATION, leader)
    event = AuditEvent.objects.get(detail__event=exceptional.HIDING_DECIDED)
    assert (event.actor_id, event.detail["hidden_until"]) == (leader.pk, until.isoformat())
    page = leader_client.get(report).content.decode()
    assert f"Hidden from the family until {until:%d.%m.%Y}" in page
    assert f"decided by {leader.display_name()}" in page
    # Shown again at once, before the date: audited too.
    leader_client.post(reverse("exceptional-access-show", args=[opened.pk]))
    opened.refresh_from_db()
    assert not opened.hidden_from_family
    assert AuditEvent.objects.filter(detail__event=exceptional.HIDING_LIFTED).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"justification": "For kort", "until": "+30"}, "at least 20 characters"),
        ({"justification": JUSTIFICATION, "until": ""}, "Choose the last day"),
        ({"justification": JUSTIFICATION, "until": "-1"}, "The end date has passed"),
        ({"justification": JUSTIFICATION, "until": "+200"}, "To keep it hidden longer"),
        ({"justification": JUSTIFICATION, "until": "31.02.2027"}, "Write the date as"),
    ],
)
def test_a_hiding_without_reason_or_a_fitting_end_date_is_refused(
    client, unit, opened, fields, message
):
    leader_client = make.logged_in(make.member(unit, Membership.Role.LEADER), client)
    until = fields["until"]
    if until[:1] in "+-" and until:
        day = timezone.localdate() + datetime.timedelta(days=int(until))
        fields = fields | {"until": f"{day:%Y-%m-%d}"}
    url = reverse("exceptional-access-hiding", args=[opened.pk])
    response = leader_client.post(url, fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    opened.refresh_from_db()
    assert not opened.hidden_from_family
    assert not AuditEvent.objects.filter(detail__event=exceptional.HIDING_DECIDED).exists()


def test_only_a_leader_of_the_openers_units_decides_on_hiding(client, staff, opened):
    elsewhere = make.logged_in(make.member(make.unit(), Membership.Role.LEADER), client)
    url = reverse("exceptional-access-hiding", args=[opened.pk])
    assert elsewhere.get(url).status_code == 404
    assert elsewhere.post(reverse("exceptional-access-show", args=[opened.pk])).status_code == 404
    with pytest.raises(Http404):
        exceptional.decide_hiding(
            staff, opened.pk, justification=JUSTIFICATION, until=timezone.localdate()
        )
