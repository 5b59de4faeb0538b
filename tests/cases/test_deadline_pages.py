"""The "My deadlines" and "Notifications" pages as staff use them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.deadlines import reminders
from familiebro.cases.models import Case, Deadline, Notification
from familiebro.core.models import Membership
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

DEADLINES = reverse("cases:deadlines")
NOTIFICATIONS = reverse("cases:notifications")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def town() -> builders.Municipality:
    town = builders.municipality()
    town.kindergarten_leader = make.member(
        town.kindergarten, Membership.Role.LEADER, first_name="Kjell", last_name="Styrer"
    )
    return town


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def concern(town, days_old: int = 1) -> Case:
    """A kindergarten concern: the teacher's level-0 decision is due 14 days after it."""
    return builders.open_concern(town.teacher, town.kindergarten, received_at=days_ago(days_old))


def test_staff_find_their_deadlines_and_notifications_from_their_page(town):
    page = text_of(as_user(town.teacher).get(reverse("staff-home")))
    assert DEADLINES in page
    assert NOTIFICATIONS in text_of(as_user(town.teacher).get(DEADLINES))


def test_my_deadlines_lists_mine_soonest_first_with_overdue_said_in_words(town):
    later = concern(town, days_old=1)
    overdue = concern(town, days_old=20)
    page = text_of(as_user(town.teacher).get(DEADLINES))

    assert page.index(overdue.reference) < page.index(later.reference)
    assert page.count("overdue</strong>") == 1
    assert reverse("cases:detail", args=[later.pk]) in page
    assert "Åse Sæther" in page  # the child
    assert later.deadlines.get(key="level0_decision").title in page
    # Reading the list is audited, with the deadlines and the cases it shows.
    types = set(
        AuditEvent.objects.filter(actor_id=town.teacher.pk, action="list").values_list(
            "object_type", flat=True
        )
    )
    assert {"cases.deadline", "cases.case"} <= types


def test_leaders_also_see_their_units_overdue_deadlines_and_those_nobody_holds(town):
    fresh = concern(town, days_old=1)
    overdue = concern(town, days_old=20)
    unheld = builders.open_concern(
        town.therapist, town.team, pathway="familiehjelpa", received_at=days_ago(1)
    )

    kindergarten_leader = text_of(as_user(town.kindergarten_leader).get(DEADLINES))
    assert overdue.reference in kindergarten_leader
    assert fresh.reference not in kindergarten_leader  # the teacher holds it and has time
    assert unheld.reference not in kindergarten_leader  # another unit's

    team_leader = text_of(as_user(town.team_leader).get(DEADLINES))
    assert unheld.reference in team_leader
    assert "Familiehjelpa: nobody in particular" in team_leader

    # The therapist coordinates, but the first contact is the unit's, not hers in particular.
    therapist = text_of(as_user(town.therapist).get(DEADLINES))
    assert "You have no open deadlines." in therapist


def test_met_deadlines_and_closed_cases_are_not_listed(town):
    case = concern(town, days_old=1)
    Deadline.objects.filter(case=case).update(completed_at=timezone.now())
    closed = concern(town, days_old=2)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)

    page = text_of(as_user(town.teacher).get(DEADLINES))
    assert case.reference not in page and closed.reference not in page
    assert "You have no open deadlines." in page


def test_another_organisations_deadlines_never_show_even_with_a_consent(town):
    case = concern(town, days_old=20)
    builders.coordination_consent(case, town.bup)
    # A deadline of Stange's case put on the BUP psychiatrist: the consent lets her read the
    # case, but Stange's deadlines are Stange's to keep track of.
    Deadline.objects.create(
        case=case,
        organisation=case.organisation,
        unit=case.unit,
        responsible=town.psychiatrist,
        rule="test",
        key="test",
        title="Svar til barnehagen",
        due_at=days_ago(1),
        created_at=timezone.now(),
    )
    page = text_of(as_user(town.psychiatrist).get(DEADLINES))
    assert case.reference not in page
    assert "Svar til barnehagen" not in page


def test_my_deadlines_costs_the_same_number_of_queries_for_3_and_30_deadlines(town):
    for days in range(3):
        concern(town, days_old=days)
    teacher = as_user(town.teacher)
    teacher.get(DEADLINES)  # the session and the sites of first requests

    with CaptureQueriesContext(connection) as few:
        page = text_of(teacher.get(DEADLINES))
    assert page.count("/ansatt/saker/") >= 3
    for days in range(27):
        concern(town, days_old=days % 20)
    with CaptureQueriesContext(connection) as many:
        page = text_of(teacher.get(DEADLINES))
    # A link to each case (the menu's link to "My cases" has no case number).
    assert len(re.findall(r'<a class="ds-link" href="/ansatt/saker/\d', page)) == 30
    assert len(many) == len(few)


def test_notifications_are_my_own_newest_first_and_can_be_marked_read(town):
    old = concern(town, days_old=14)
    reminders.sweep()  # due today: the teacher hears "due today", the leader "overdue"
    Notification.objects.create(
        user=town.teacher,
        text="Newest news",
        link=reverse("cases:detail", args=[old.pk]),
        created_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    client = as_user(town.teacher)
    page = text_of(client.get(NOTIFICATIONS))
    assert page.index("Newest news") < page.index(old.reference)
    assert "You have 2 unread notifications." in page
    assert page.count("Unread:") == 2
    assert "Overdue since" not in page  # that one went to the leader

    assert client.get(reverse("cases:notifications-read")).status_code == 405
    response = client.post(reverse("cases:notifications-read"))
    assert response.status_code == 302
    page = text_of(client.get(NOTIFICATIONS))
    assert "All notifications are marked as read." in page
    assert "Unread:" not in page
    assert "Newest news" in page
    # The leader's own notification is untouched.
    assert Notification.objects.get(user=town.kindergarten_leader).read_at is None
    leader_page = text_of(as_user(town.kindergarten_leader).get(NOTIFICATIONS))
    assert "Overdue since" in leader_page and "Newest news" not in leader_page


def test_both_pages_ask_to_log_in(client):
    for page in (DEADLINES, NOTIFICATIONS):
        response = client.get(page)
        assert response.status_code == 302
        assert "/logg-inn" in response["Location"] or "login" in response["Location"]
