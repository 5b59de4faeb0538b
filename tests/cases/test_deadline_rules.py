"""When deadlines fall: calendar days run straight through holidays, working days skip
weekends and Norway's public holidays (Easter, Ascension, Whit Monday, 1 and 17 May,
Christmas and New Year), and the time of day stays the same across the change to summer time."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.utils import timezone

from familiebro.cases import case_services
from familiebro.cases.models import Case, PathwayDefinition, PathwayVersion
from familiebro.cases.pathway_library import FAMILIEHJELPA
from familiebro.cases.pathways.spec import add_days, is_working_day
from tests.cases import builders


def local(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Easter 2027: Maundy Thursday 25 March, Good Friday 26, Easter Monday 29.
        ("2027-03-24T09:00", 1, "2027-03-30T09:00"),
        ("2027-03-24T09:00", 3, "2027-04-01T09:00"),
        ("2027-03-22T09:00", 5, "2027-04-01T09:00"),
        # Christmas Eve is a working day; 25 and 26 December and 1 January are not.
        ("2026-12-23T09:00", 1, "2026-12-24T09:00"),
        ("2026-12-24T09:00", 1, "2026-12-28T09:00"),
        ("2026-12-31T09:00", 1, "2027-01-04T09:00"),
        # In 2027 Christmas Day and Boxing Day fall on the weekend.
        ("2027-12-23T09:00", 3, "2027-12-28T09:00"),
        # 1 May 2026 is a Friday; Ascension 14 May 2026; Whit Monday 25 May 2026.
        ("2026-04-30T09:00", 1, "2026-05-04T09:00"),
        ("2026-05-13T09:00", 1, "2026-05-15T09:00"),
        ("2026-05-22T09:00", 1, "2026-05-26T09:00"),
        # 2027: Ascension 6 May; 17 May and Whit Monday fall on the same Monday.
        ("2027-05-05T09:00", 1, "2027-05-07T09:00"),
        ("2027-05-14T09:00", 1, "2027-05-18T09:00"),
        # 17 May 2028 is a Wednesday.
        ("2028-05-16T09:00", 1, "2028-05-18T09:00"),
        # A weekend with no holiday.
        ("2026-11-06T09:00", 1, "2026-11-09T09:00"),
    ],
)
def test_working_days_skip_weekends_and_public_holidays(start, days, expected):
    assert add_days(local(start), days, "working") == local(expected)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Calendar days count holidays too, and a deadline landing on one stays there.
        ("2027-03-24T09:00", 3, "2027-03-27T09:00"),
        ("2027-03-22T09:00", 7, "2027-03-29T09:00"),
        ("2026-12-18T09:00", 7, "2026-12-25T09:00"),
        ("2026-12-25T09:00", 7, "2027-01-01T09:00"),
        ("2027-05-10T09:00", 7, "2027-05-17T09:00"),
    ],
)
def test_calendar_days_run_through_holidays(start, days, expected):
    assert add_days(local(start), days, "calendar") == local(expected)


def test_the_time_of_day_survives_the_change_to_summer_time():
    # Summer time starts on Easter Sunday 28 March 2027: that week is an hour short.
    start = local("2027-03-24T09:00")
    for kind in ("calendar", "working"):
        due = add_days(start, 7, kind)
        assert timezone.localtime(due).time() == datetime.time(9, 0)
    utc = datetime.UTC
    elapsed = add_days(start, 7, "calendar").astimezone(utc) - start.astimezone(utc)
    assert elapsed == datetime.timedelta(days=7, hours=-1)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-03-24", True),
        ("2027-03-25", False),  # Maundy Thursday
        ("2027-03-26", False),  # Good Friday
        ("2027-03-29", False),  # Easter Monday
        ("2027-03-30", True),
        ("2026-12-24", True),
        ("2026-12-25", False),
        ("2026-12-26", False),
        ("2027-01-01", False),
        ("2026-05-01", False),
        ("2028-05-17", False),
        ("2026-05-14", False),  # Ascension
        ("2026-05-25", False),  # Whit Monday
        ("2026-11-07", False),  # a Saturday
    ],
)
def test_which_days_are_working_days(day, working):
    assert is_working_day(datetime.date.fromisoformat(day)) is working


# Through real cases --------------------------------------------------------------------------


@pytest.fixture
def town(db):
    return builders.municipality()


def _due(case: Case, key: str) -> datetime.datetime:
    return timezone.localtime(case.deadlines.get(key=key).due_at)


def test_the_level_0_decision_is_due_14_calendar_days_after_the_concern_over_christmas(town):
    case = builders.open_concern(
        town.teacher, town.kindergarten, received_at=local("2025-12-20T13:30")
    )
    # Lands on a Saturday (3 January 2026) and stays there: the rule counts calendar days.
    assert _due(case, "level0_decision") == local("2026-01-03T13:30")


def test_the_discharge_summary_is_due_7_calendar_days_after_the_summary_meeting(town):
    case = builders.open_concern(
        town.nurse,
        town.health_centre,
        pathway="kvalitet-i-alle-ledd",
        received_at=local("2025-11-03T09:00"),
    )
    case_services.record_milestone(
        town.nurse, case, "summary_meeting_held", local("2025-12-22T14:00")
    )
    assert _due(case, "discharge_summary") == local("2025-12-29T14:00")


@pytest.fixture
def working_day_pathway(db) -> PathwayVersion:
    """A municipality's version of Familiehjelpa that counts first contact in working days."""
    spec = copy.deepcopy(FAMILIEHJELPA)
    rule = spec["phases"][0]["deadlines"][0]
    assert rule["key"] == "first_contact"
    rule["day_kind"] = "working"
    definition = PathwayDefinition.objects.get(key="familiehjelpa")
    version = PathwayVersion.objects.create(
        definition=definition, number=2, spec=spec, note="Første kontakt innen 7 virkedager"
    )
    version.parsed  # noqa: B018 - the test's own spec must parse
    return version


def _open_with(town, version: PathwayVersion, received: str) -> Case:
    return case_services.open_case(
        town.therapist,
        child=builders.child_of(town.therapist),
        unit=town.team,
        origin=Case.Origin.STAFF_CONCERN,
        concern="Foreldrene ønsker hjelp med søvn.",
        pathway=version,
        received_at=local(received),
    )


@pytest.mark.parametrize(
    ("received", "calendar_due", "working_due"),
    [
        # Easter 2026: Maundy Thursday 2 April, Good Friday 3, Easter Monday 6.
        ("2026-04-01T10:00", "2026-04-08T10:00", "2026-04-15T10:00"),
        # Christmas 2025: 25 and 26 December, 1 January 2026.
        ("2025-12-22T10:00", "2025-12-29T10:00", "2026-01-05T10:00"),
        # Ascension 14 May 2026; Whit Monday 25 May.
        ("2026-05-12T10:00", "2026-05-19T10:00", "2026-05-22T10:00"),
        ("2026-05-19T10:00", "2026-05-26T10:00", "2026-05-29T10:00"),
    ],
)
def test_first_contact_through_a_case_in_calendar_and_in_working_days(
    town, working_day_pathway, received, calendar_due, working_due
):
    shipped = PathwayDefinition.objects.get(key="familiehjelpa").versions.get(number=1)
    calendar_case = _open_with(town, shipped, received)
    working_case = _open_with(town, working_day_pathway, received)

    assert _due(calendar_case, "first_contact") == local(calendar_due)
    assert _due(working_case, "first_contact") == local(working_due)
    assert "7 working days" in working_case.deadlines.get(key="first_contact").rule
