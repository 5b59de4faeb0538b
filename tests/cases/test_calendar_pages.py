"""The calendar pages: a staff member's week and month of meetings, their units' calendars,
and the personal subscription address a calendar program fetches without logging in."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from familiebro.cases import participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import CalendarFeed, Meeting
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def case(town):
    """A kindergarten's case with the health centre taking part under the family's consent."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    return case


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def plan(case, planner, day: datetime.date, hour: int = 10, hours: int = 1, **fields) -> Meeting:
    return meeting_services.plan_meeting(
        planner,
        case,
        kind=fields.pop("kind", Meeting.Kind.FAMILY_MEETING),
        starts_at=at(day, hour),
        ends_at=at(day, hour) + datetime.timedelta(hours=hours),
        place="Møterom 2",
        **fields,
    )


def week(client: Client, day: datetime.date, **params) -> str:
    response = client.get(reverse("calendar:week"), {"dato": day.isoformat(), **params})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def meeting_url(meeting: Meeting) -> str:
    return reverse("cases:meeting", args=[meeting.case_id, meeting.pk])


def test_the_planner_sees_the_meeting_in_the_week_and_reaches_it_in_one_click(town, case):
    meeting = plan(case, town.teacher, next_monday() + datetime.timedelta(days=2))
    text = week(as_user(town.teacher), next_monday())
    assert f'href="{meeting_url(meeting)}"' in text
    assert case.reference in text
    assert "10:00" in text and "11:00" in text
    # The link leads to the meeting page.
    assert as_user(town.teacher).get(meeting_url(meeting)).status_code == 200


def test_the_week_lists_every_day_and_links_to_the_weeks_around_it(town, case):
    monday = next_monday()
    text = week(as_user(town.teacher), monday + datetime.timedelta(days=3))
    assert text.count('<li class="fb-calendar__day') == 7
    assert f"dato={(monday - datetime.timedelta(days=7)).isoformat()}" in text
    assert f"dato={(monday + datetime.timedelta(days=7)).isoformat()}" in text


def test_the_month_shows_the_meetings_of_the_month_and_not_the_next(town, case):
    monday = next_monday()
    first = plan(case, town.teacher, monday)
    later = plan(case, town.teacher, monday + datetime.timedelta(days=40))
    response = as_user(town.teacher).get(
        reverse("calendar:month"), {"dato": monday.strftime("%Y-%m")}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert meeting_url(first) in text
    assert meeting_url(later) not in text


def test_reading_the_calendar_is_audited_as_a_list_of_meetings(town, case):
    meeting = plan(case, town.teacher, next_monday())
    week(as_user(town.teacher), next_monday())
    event = AuditEvent.objects.filter(
        action=AuditEvent.Action.LIST, object_type="cases.meeting", actor_id=town.teacher.pk
    ).last()
    assert event is not None
    assert str(meeting.pk) in [str(i) for i in event.object_ids]


def test_a_meeting_that_ends_after_midnight_says_the_day_it_ends(town, case):
    monday = next_monday()
    meeting = plan(case, town.teacher, monday, hour=22, hours=3)
    text = week(as_user(town.teacher), monday)
    assert meeting_url(meeting) in text
    end_day = monday + datetime.timedelta(days=1)
    assert f"{end_day.day}. {end_day.strftime('%B')} 01:00" in text


def test_a_cancelled_meeting_is_shown_as_cancelled(town, case):
    meeting = plan(case, town.teacher, next_monday())
    meeting_services.cancel_meeting(
        town.teacher, meeting, reason="Syk", based_on_sequence=meeting.calendar_sequence
    )
    assert "Cancelled:" in week(as_user(town.teacher), next_monday())


def test_the_participating_unit_sees_the_meeting_in_its_unit_calendar(town, case):
    meeting = plan(case, town.teacher, next_monday())
    nurse = as_user(town.nurse)
    # The health centre takes part as a unit, not the nurse by name: not in her own calendar.
    assert meeting_url(meeting) not in week(nurse, next_monday())
    assert meeting_url(meeting) in week(nurse, next_monday(), enhet=town.health_centre.pk)


def test_a_colleague_of_another_unit_sees_nothing_and_may_not_open_the_units_calendar(town, case):
    meeting = plan(case, town.teacher, next_monday())
    therapist = as_user(town.therapist)
    assert meeting_url(meeting) not in week(therapist, next_monday())
    assert meeting_url(meeting) not in week(therapist, next_monday(), enhet=town.team.pk)
    response = therapist.get(
        reverse("calendar:week"), {"dato": next_monday(), "enhet": town.kindergarten.pk}
    )
    assert response.status_code == 404


def test_staff_of_another_organisation_see_nothing(town, case):
    meeting = plan(case, town.teacher, next_monday())
    psychiatrist = as_user(town.psychiatrist)
    assert meeting_url(meeting) not in week(psychiatrist, next_monday())
    assert meeting_url(meeting) not in week(psychiatrist, next_monday(), enhet=town.bup.pk)


def test_a_date_not_understood_shows_this_week_and_says_why(town, case):
    response = as_user(town.teacher).get(reverse("calendar:week"), {"dato": "2026-13-45"})
    assert response.status_code == 400
    assert "The date was not understood" in response.content.decode()
    response = as_user(town.teacher).get(reverse("calendar:month"), {"dato": "desember"})
    assert response.status_code == 400
    response = as_user(town.teacher).get(reverse("calendar:week"), {"enhet": "x"})
    assert response.status_code == 404


def test_the_calendar_needs_a_login(town):
    response = Client().get(reverse("calendar:week"))
    assert response.status_code == 302


def _count_queries(client: Client, day: datetime.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        week(client, day)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_meetings(town, case):
    monday = next_monday()
    plan(case, town.teacher, monday)
    client = as_user(town.teacher)
    week(client, monday)  # the session and caches warm
    few = _count_queries(client, monday)
    for n in range(1, 6):
        other = builders.open_concern(town.teacher, town.kindergarten)
        plan(other, town.teacher, monday + datetime.timedelta(days=n % 7), hour=8 + n)
    many = _count_queries(client, monday)
    assert many == few


# The subscription ---------------------------------------------------------------------------


def subscribe(client: Client) -> str:
    """Make an address on the calendar page and return its token, as the page shows it once."""
    response = client.post(reverse("calendar:subscribe"))
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    marker = "/kalender/"
    start = text.index(marker, text.index('id="new-feed-url"')) + len(marker)
    return text[start : text.index(".ics", start)]


def fetch(token: str):
    return Client().get(reverse("calendar:feed", args=[token]))


def test_the_feed_has_the_meetings_with_neutral_titles(town, case):
    meeting = plan(case, town.teacher, next_monday())
    token = subscribe(as_user(town.teacher))
    response = fetch(token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Meeting, Tangen barnehage"
    assert meeting_url(meeting) in str(event["url"])
    body = response.content.decode()
    assert case.reference not in body
    assert case.child.given_name not in body and case.child.family_name not in body
    assert "Møterom" not in body


def test_the_address_is_shown_once_and_only_its_hash_is_kept(town, case):
    client = as_user(town.teacher)
    token = subscribe(client)
    feed = CalendarFeed.objects.get(user=town.teacher)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get(reverse("calendar:week")).content.decode()


def test_every_fetch_is_audited_as_the_owners_read(town, case):
    plan(case, town.teacher, next_monday())
    token = subscribe(as_user(town.teacher))
    before = AuditEvent.objects.filter(actor_id=town.teacher.pk).count()
    fetch(token)
    fetch(token)
    events = AuditEvent.objects.filter(actor_id=town.teacher.pk).order_by("pk")
    assert events.count() == before + 4  # each fetch: the feed read and its list of meetings
    assert (
        events.filter(object_type="cases.calendarfeed", action=AuditEvent.Action.VIEW).count() == 2
    )


def test_a_stopped_address_is_not_found(town, case):
    client = as_user(town.teacher)
    token = subscribe(client)
    response = client.post(reverse("calendar:unsubscribe"))
    assert response.status_code == 302
    assert fetch(token).status_code == 404


def test_a_new_address_stops_the_old_one(town, case):
    client = as_user(town.teacher)
    old = subscribe(client)
    new = subscribe(client)
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200


def test_a_made_up_address_is_not_found(town):
    assert fetch("not-a-token").status_code == 404


def test_the_feed_leaves_out_a_meeting_the_owner_may_no_longer_read(town, case):
    meeting = plan(case, town.teacher, next_monday())
    invited_unit_feed = subscribe(as_user(town.therapist))
    body = fetch(invited_unit_feed).content.decode()
    assert f"meeting-{meeting.pk}@" not in body
