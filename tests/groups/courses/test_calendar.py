"""A course's sessions as an iCalendar feed, and in the staff calendar."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from familiebro.cases.calendar.events import Whose, events
from familiebro.groups.courses import actions
from tests.groups.courses.conftest import enrol
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


def test_the_feed_holds_every_session_with_its_time_and_place_and_no_names(place):
    start = place.session.starts_at + datetime.timedelta(days=7)
    actions.add_session(
        place.leader, place.course, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
        video_url="https://video.example.no/rom/7", topic="Søvn",
    )  # fmt: skip
    enrol(place, "Ola Hemmelig")
    answer = Client().get(reverse("courses:ical", args=[place.course.pk]))
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(answer.content)
    found = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [e.decoded("dtstart") for e in found] == [place.session.starts_at.replace(
        microsecond=0), start.replace(microsecond=0)]  # fmt: skip
    assert str(found[0]["location"]) == "Helsestasjonen, 2. etasje"
    assert str(found[1]["summary"]) == f"{place.course.name}: Søvn"
    assert str(found[1]["url"]) == "https://video.example.no/rom/7"
    assert len({str(e["uid"]) for e in found}) == 2
    assert b"Hemmelig" not in answer.content


def test_a_course_of_a_draft_offer_has_no_public_feed_or_page(place):
    place.course.offer.status = "draft"
    place.course.offer.save()
    assert Client().get(reverse("courses:ical", args=[place.course.pk])).status_code == 404
    assert Client().get(reverse("courses:public", args=[place.course.pk])).status_code == 404


def test_the_sessions_show_in_the_leaders_calendar_and_the_units_not_elsewhere(place):
    start = place.session.starts_at - datetime.timedelta(days=1)
    end = place.session.ends_at + datetime.timedelta(days=1)
    mine = events(Whose(place.leader), start, end)
    assert [e.neutral_title for e in mine] == [place.course.name]
    assert mine[0].url == reverse("courses:detail", args=[place.course.pk])
    assert [e.neutral_title for e in events(Whose(place.nurse, place.unit), start, end)] == [
        place.course.name
    ]
    # The nurse leads nothing: their own calendar has no course.
    assert events(Whose(place.nurse), start, end) == []
    outsider = make.member(make.unit())
    assert events(Whose(outsider, place.unit), start, end) == []
