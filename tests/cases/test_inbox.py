"""The unit's inbox of requests for help: who sees what, the deadline, and what staff do."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.help_requests import services
from familiebro.cases.models import HelpRequest
from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.cases.factories import HelpRequestFactory
from tests.catalogue.factories import PublishedOfferFactory
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

INBOX = "/ansatt/henvendelser/"
REGISTER = "/ansatt/henvendelser/ny/"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def home(db) -> ServiceUnit:
    return factories.ServiceUnitFactory(name="Helsestasjonen i Stange")


@pytest.fixture
def member(home):
    return factories.MembershipFactory(unit=home).user


@pytest.fixture
def browser(member) -> Client:
    client = logged_in(member)
    client.cookies["familiebro_language"] = "en"
    return client


def detail_url(help_request: HelpRequest) -> str:
    return f"{INBOX}{help_request.pk}/"


def page_of(response) -> str:
    return response.content.decode()


# Who sees what -----------------------------------------------------------------------------------


def test_unit_members_see_their_own_units_requests_and_no_others(browser, home):
    ours = HelpRequestFactory(unit=home, requester_name="Vår Forelder")
    theirs = HelpRequestFactory(requester_name="Deres Forelder")
    same_organisation = HelpRequestFactory(
        unit=factories.ServiceUnitFactory(organisation=home.organisation),
        requester_name="Naboenhetens Forelder",
    )

    page = page_of(browser.get(INBOX))

    assert ours.reference in page and "Vår Forelder" in page
    assert theirs.reference not in page and "Deres Forelder" not in page
    assert same_organisation.reference not in page


@pytest.mark.parametrize("action", ["", "kontaktet/", "lukk/", "sak/"])
def test_another_units_request_is_not_found_at_any_address_and_stays_unchanged(browser, action):
    theirs = HelpRequestFactory()

    if action:
        response = browser.post(f"{detail_url(theirs)}{action}", {"close-reason": "duplicate"})
    else:
        response = browser.get(detail_url(theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == HelpRequest.Status.NEW
    assert "Deres" not in page_of(response)


def test_a_leader_of_another_unit_in_the_same_organisation_does_not_see_the_request(home):
    neighbour = factories.ServiceUnitFactory(organisation=home.organisation)
    leader = factories.MembershipFactory(unit=neighbour, role=Membership.Role.LEADER).user
    request = HelpRequestFactory(unit=home)

    response = logged_in(leader).get(detail_url(request))

    assert response.status_code == 404


def test_the_inbox_is_for_logged_in_staff_only(client, home):
    HelpRequestFactory(unit=home)

    response = client.get(INBOX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_unit_filter_refuses_a_unit_the_user_is_not_a_member_of(browser):
    other = factories.ServiceUnitFactory()

    assert browser.get(f"{INBOX}?enhet={other.pk}").status_code == 404


def test_a_member_of_two_units_can_narrow_the_inbox_to_one(member, home, browser):
    second = factories.MembershipFactory(user=member).unit
    first_request = HelpRequestFactory(unit=home)
    second_request = HelpRequestFactory(unit=second)

    everything = page_of(browser.get(INBOX))
    narrowed = page_of(browser.get(f"{INBOX}?enhet={second.pk}"))

    assert first_request.reference in everything and second_request.reference in everything
    assert second_request.reference in narrowed and first_request.reference not in narrowed


# The deadline and the lists ---------------------------------------------------------------------


def test_the_inbox_is_sorted_by_deadline_and_says_in_words_which_are_overdue(browser, home):
    now = timezone.now()
    later = HelpRequestFactory(unit=home, received_at=now - datetime.timedelta(days=1))
    overdue = HelpRequestFactory(unit=home, received_at=now - datetime.timedelta(days=9))
    soon = HelpRequestFactory(unit=home, received_at=now - datetime.timedelta(days=5))

    page = page_of(browser.get(INBOX))

    positions = [page.index(r.reference) for r in (overdue, soon, later)]
    assert positions == sorted(positions)
    rows = page.split("<tr>")[2:]
    overdue_row = next(row for row in rows if overdue.reference in row)
    assert "Overdue" in overdue_row
    assert all("Overdue" not in row for row in rows if overdue.reference not in row)


def test_each_status_has_its_own_list_with_its_count(browser, home):
    new = HelpRequestFactory(unit=home)
    contacted = HelpRequestFactory(unit=home, status=HelpRequest.Status.CONTACTED)
    closed = HelpRequestFactory(
        unit=home,
        status=HelpRequest.Status.CLOSED,
        close_reason=HelpRequest.CloseReason.DUPLICATE,
    )

    default = page_of(browser.get(INBOX))
    contacted_list = page_of(browser.get(f"{INBOX}?status=kontaktet"))
    closed_list = page_of(browser.get(f"{INBOX}?status=lukket"))

    assert new.reference in default and contacted.reference not in default
    assert contacted.reference in contacted_list and new.reference not in contacted_list
    assert closed.reference in closed_list
    assert 'aria-current="page">Closed (1)</a>' in closed_list
    assert "New (1)" in default and "Converted to case (0)" in default


def test_an_unknown_status_list_is_not_found(browser):
    assert browser.get(f"{INBOX}?status=alle").status_code == 404


def test_listing_the_inbox_is_audited_as_one_event_for_the_page(browser, member, home):
    shown = [HelpRequestFactory(unit=home) for _ in range(3)]

    browser.get(INBOX)

    event = AuditEvent.objects.get(action=AuditEvent.Action.LIST)
    assert event.actor_id == member.pk
    assert sorted(event.object_ids) == sorted(str(r.pk) for r in shown)
    assert event.purpose == "casework"


def test_the_inbox_costs_the_same_number_of_queries_for_5_and_50_requests(browser, home):
    def queries_for_one_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(INBOX).status_code == 200
        return len(captured.captured_queries)

    offer = PublishedOfferFactory(unit=home)
    HelpRequestFactory.create_batch(5, unit=home, offer=offer)
    browser.get(INBOX)  # the session and the second factor settle on the first visit
    with_five = queries_for_one_page()
    HelpRequestFactory.create_batch(45, unit=home, offer=offer)
    with_fifty = queries_for_one_page()

    assert with_five == with_fifty


# What staff do --------------------------------------------------------------------------------


def test_the_detail_page_shows_the_request_and_is_audited(browser, member, home):
    request = HelpRequestFactory(
        unit=home, message="Vi trenger noen å snakke med.", email="kari@example.no"
    )

    page = page_of(browser.get(detail_url(request)))

    assert request.reference in page
    assert "Vi trenger noen å snakke med." in page
    assert 'href="mailto:kari@example.no"' in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.actor_id, event.object_ids) == (member.pk, [str(request.pk)])


def test_marking_contacted_records_the_time_and_is_audited(browser, member, home):
    request = HelpRequestFactory(unit=home)

    response = browser.post(f"{detail_url(request)}kontaktet/")

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONTACTED
    assert request.first_contacted_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.actor_id == member.pk
    assert event.object_ids == [str(request.pk)]
    assert event.detail == {"status": ["new", "contacted"]}
    assert "is marked as contacted" in page_of(browser.get(response["Location"]))


def test_closing_needs_a_reason(browser, home):
    request = HelpRequestFactory(unit=home)

    response = browser.post(f"{detail_url(request)}lukk/", {"close-note": "Ferdig"})

    assert response.status_code == 400
    assert "Choose why the request is closed." in page_of(response)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.NEW
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


def test_closing_with_a_reason_is_audited_without_the_note(browser, member, home):
    request = HelpRequestFactory(unit=home, status=HelpRequest.Status.CONTACTED)

    browser.post(
        f"{detail_url(request)}lukk/",
        {"close-reason": "referred_elsewhere", "close-note": "Henvist til familievernet."},
    )

    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CLOSED
    assert request.close_reason == HelpRequest.CloseReason.REFERRED_ELSEWHERE
    assert request.note == "Henvist til familievernet."
    assert request.closed_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.detail == {
        "status": ["contacted", "closed"],
        "close_reason": "referred_elsewhere",
    }


def test_closing_after_one_conversation_counts_as_the_first_contact(browser, home):
    request = HelpRequestFactory(unit=home)

    browser.post(f"{detail_url(request)}lukk/", {"close-reason": "resolved_first_conversation"})

    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CLOSED
    assert request.first_contacted_at == request.closed_at


def test_closing_a_request_nobody_reached_does_not_count_as_contact(browser, home):
    request = HelpRequestFactory(unit=home)

    browser.post(f"{detail_url(request)}lukk/", {"close-reason": "not_reached"})

    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CLOSED
    assert request.first_contacted_at is None


def test_converting_to_a_case_keeps_the_note_and_is_audited(browser, member, home):
    request = HelpRequestFactory(unit=home, status=HelpRequest.Status.CONTACTED)

    response = browser.post(
        f"{detail_url(request)}sak/", {"convert-note": "Til fordelingsmøtet tirsdag."}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONVERTED
    assert request.converted_at is not None
    assert request.note == "Til fordelingsmøtet tirsdag."
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.detail == {"status": ["contacted", "converted"]}
    page = page_of(browser.get(detail_url(request)))
    assert "Marked as converted to a case" in page
    assert "Til fordelingsmøtet tirsdag." in page


def test_a_closed_request_cannot_be_closed_or_converted_again(browser, home):
    request = HelpRequestFactory(
        unit=home,
        status=HelpRequest.Status.CLOSED,
        close_reason=HelpRequest.CloseReason.DUPLICATE,
    )

    response = browser.post(f"{detail_url(request)}sak/", {}, follow=True)

    assert "This request is already marked “Closed”" in page_of(response)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CLOSED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


def test_an_identity_number_in_the_note_is_refused(browser, home):
    request = HelpRequestFactory(unit=home)
    number = factories.identity_number(datetime.date(2016, 2, 3), synthetic=True)

    response = browser.post(f"{detail_url(request)}sak/", {"convert-note": f"Barn {number}"})

    assert response.status_code == 400
    assert "Remove the identity number from the note" in page_of(response)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.NEW


def test_the_actions_need_a_csrf_token(member, home):
    request = HelpRequestFactory(unit=home)
    strict = logged_in(member, Client(enforce_csrf_checks=True))

    response = strict.post(f"{detail_url(request)}kontaktet/")

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.NEW


def test_changes_are_refused_by_the_service_for_someone_outside_the_unit(home):
    request = HelpRequestFactory(unit=home)
    outsider = factories.MembershipFactory(
        unit=factories.ServiceUnitFactory(organisation=home.organisation)
    ).user

    with pytest.raises(services.PermissionDenied):
        services.mark_contacted(outsider, request)

    request.refresh_from_db()
    assert request.status == HelpRequest.Status.NEW


# Registering a request received elsewhere ------------------------------------------------------


def registration(home: ServiceUnit, **overrides) -> dict[str, str]:
    data = {
        "unit": str(home.pk),
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "requester_role": "professional",
        "family_knows": "on",
        "requester_name": "Fastlege Ola Hansen",
        "phone": "62 51 10 00",
        "child_age_months": "-1",
        "message": "Mor ønsker samtale om søvn.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_register_a_request_received_by_phone(browser, member, home):
    response = browser.post(REGISTER, registration(home))

    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert response["Location"] == detail_url(request)
    assert request.channel == HelpRequest.Channel.PHONE
    assert request.registered_by == member
    assert request.child_age_months == -1
    assert request.storage_notice_version == ""
    assert request.first_contact_due_at - request.received_at == datetime.timedelta(days=7)
    assert mail.outbox == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.actor_id == member.pk
    assert event.detail == {"channel": "phone", "unit_id": home.pk}


def test_a_letter_received_earlier_is_due_counted_from_the_day_it_came(browser, home):
    three_days_ago = timezone.localdate() - datetime.timedelta(days=3)

    browser.post(
        REGISTER, registration(home, channel="letter", received_on=three_days_ago.isoformat())
    )

    request = HelpRequest.objects.get()
    assert timezone.localdate(request.received_at) == three_days_ago
    assert timezone.localdate(request.first_contact_due_at) == three_days_ago + datetime.timedelta(
        days=7
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": "web"}, "Choose how the request was received."),
        ({"received_on": "2999-01-01"}, "The date cannot be in the future."),
        ({"family_knows": None}, "Tick the box to confirm that the family knows"),
        ({"phone": ""}, "Enter a phone number or an e-mail address"),
    ],
    ids=["web is not a staff channel", "future date", "family not told", "no way to reach"],
)
def test_a_registration_that_cannot_be_used_says_what_to_fix(browser, home, overrides, message):
    response = browser.post(REGISTER, registration(home, **overrides))

    assert response.status_code == 400
    assert message in page_of(response)
    assert not HelpRequest.objects.exists()


def test_staff_cannot_register_a_request_for_a_unit_they_are_not_in(browser):
    other = factories.ServiceUnitFactory()

    response = browser.post(REGISTER, registration(other))

    assert response.status_code == 400
    assert "Choose one of your own units." in page_of(response)
    assert not HelpRequest.objects.exists()
