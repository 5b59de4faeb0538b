"""The allocation view of the weekly team meeting: what waits for the team, and nothing else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familiebro.cases import case_pages, case_services
from familiebro.cases.models import Case, HelpRequest
from familiebro.privacy.audit import verify_chain
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

ALLOCATION = reverse("cases:allocation")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def team_case(town: builders.Municipality, *, to_allocation: bool = True) -> Case:
    """A Familiehjelpa case from a request for help, after the first meeting."""
    request = HelpRequestFactory(unit=town.team)
    case = case_services.open_case(
        town.therapist,
        child=builders.child_of(town.therapist),
        unit=town.team,
        origin=Case.Origin.HELP_REQUEST,
        help_request=request,
    )
    if to_allocation:
        case_services.decide(town.therapist, case, option="first_meeting", reason="Vil ha møte.")
        case_services.decide(town.therapist, case, option="allocate", reason="Trenger mer hjelp.")
        case.refresh_from_db()
    return case


def page_for(user, **query) -> str:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    response = client.get(ALLOCATION, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_team_sees_its_cases_to_allocate_and_its_new_requests():
    town = builders.municipality()
    waiting = team_case(town)
    not_yet = team_case(town, to_allocation=False)  # still before the first meeting
    new_request = HelpRequestFactory(unit=town.team)
    other_units_request = HelpRequestFactory(unit=town.health_centre)
    assert waiting.phase == "allocation"

    page = page_for(town.team_leader)
    assert "Allocation meeting: Familiehjelpa" in page
    assert waiting.reference in page
    assert not_yet.reference not in page
    assert new_request.reference in page
    assert other_units_request.reference not in page
    # Converted requests are cases now: they are not listed twice.
    assert not_yet.help_request.reference not in page
    assert not_yet.help_request.status == HelpRequest.Status.CONVERTED


def test_the_allocation_view_audits_each_list_it_shows():
    town = builders.municipality()
    case = team_case(town)
    request = HelpRequestFactory(unit=town.team)
    page_for(town.team_leader)
    events = AuditEvent.objects.filter(actor_id=town.team_leader.pk, action="list").order_by("pk")
    assert [(e.object_type, e.object_ids) for e in events] == [
        ("cases.helprequest", [str(request.pk)]),
        ("cases.case", [str(case.pk)]),
    ]
    assert verify_chain().ok


def test_another_unit_sees_nothing_of_the_team_and_cannot_choose_it():
    town = builders.municipality()
    waiting = team_case(town)
    page = page_for(town.nurse)
    assert "Allocation meeting: Helsestasjonen i Stange" in page
    assert waiting.reference not in page
    client = logged_in(town.nurse)
    assert client.get(ALLOCATION, {"enhet": town.team.pk}).status_code == 404


def test_the_allocation_view_takes_the_same_number_of_queries_for_more_cases():
    town = builders.municipality()
    client = logged_in(town.team_leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ALLOCATION).status_code == 200
        return len(captured)

    team_case(town)
    HelpRequestFactory(unit=town.team)
    few = queries()
    for _ in range(4):
        team_case(town)
        HelpRequestFactory(unit=town.team)
    assert queries() == few


def test_a_long_list_shows_the_oldest_and_says_so(monkeypatch):
    town = builders.municipality()
    monkeypatch.setattr(case_pages, "ALLOCATION_LIMIT", 2)
    requests = [HelpRequestFactory(unit=town.team) for _ in range(3)]
    requests.sort(key=lambda r: (r.first_contact_due_at, r.pk))
    page = page_for(town.team_leader)
    assert requests[0].reference in page and requests[1].reference in page
    assert requests[2].reference not in page
    assert "Only the 2 oldest are shown." in page
