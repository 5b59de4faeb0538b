"""The case pages take the same number of queries however much a case or a caseload holds."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import LogEntry
from tests.cases import builders
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def grow(town, case, n: int) -> None:
    """n more of everything the case page shows."""
    today = timezone.localdate()
    for i in range(n):
        goal = measure_services.add_goal(town.nurse, case, f"Mål {i}")
        measure_services.add_measure(
            town.nurse,
            case,
            measure_services.MeasureFields(
                title=f"Tiltak {i}",
                responsible_unit=town.health_centre,
                responsible_user=town.nurse,
                start_date=today,
                evaluation_date=today + datetime.timedelta(days=30 + i),
                goal=goal,
            ),
        )
        entry = case_services.write_log_entry(
            town.nurse, case, kind=LogEntry.Kind.NOTE, text=f"Notat {i}"
        )
        case_services.correct_log_entry(town.nurse, entry.pk, f"Rettet notat {i}")


SECTIONS = ("detail", "write-log", "goals", "meetings", "participants", "decisions")


def plan_meetings(town, case, n: int) -> None:
    start = timezone.now() + datetime.timedelta(days=7)
    for i in range(n):
        meeting_services.plan_meeting(
            town.nurse,
            case,
            kind="family_meeting",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=1),
            place="Helsestasjonen",
        )


def test_each_section_of_the_case_page_takes_the_same_number_of_queries_for_a_bigger_case():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    client = logged_in(town.nurse)
    urls = {name: reverse(f"cases:{name}", args=[case.pk]) for name in SECTIONS}
    grow(town, case, 1)
    plan_meetings(town, case, 1)
    few = {name: queries(client, url) for name, url in urls.items()}
    grow(town, case, 6)
    plan_meetings(town, case, 6)
    assert {name: queries(client, url) for name, url in urls.items()} == few
    # Each section reads only what it shows: none costs as much as the parts of all of them.
    assert max(few.values()) < 18, few


def test_my_cases_takes_the_same_number_of_queries_for_more_cases():
    town = builders.municipality()
    client = logged_in(town.nurse)
    builders.open_concern(town.nurse, town.health_centre)
    few = queries(client, reverse("cases:mine"))
    for _ in range(5):
        builders.open_concern(town.nurse, town.health_centre)
    assert queries(client, reverse("cases:mine")) == few
