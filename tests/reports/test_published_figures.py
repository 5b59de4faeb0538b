"""Published figures reproduced from raw records: Familiehjelpa's pilot year, as its report
gives it, counted by the same figures the dashboard shows.

The pilot year: 37 families; 17 cases closed, 4 of them after one phone call (resolved at
first contact); 22 families with services from several agencies, 14 of them with NAV and
10 with child welfare. (The consultations per family and the outcome scales come with the
appointments and outcomes parts.) The 4 is fewer than 5, so the dashboard shows it as "<5":
the figure behind it is still 4.
"""

from __future__ import annotations

import datetime

import pytest

from familiebro.cases.models import Case
from familiebro.reports import figures, pages
from familiebro.reports.periods import year_of
from tests.reports import records

pytestmark = pytest.mark.django_db

PILOT_YEAR = year_of(2025)
READ_AT = records.at("2026-01-15")


@pytest.fixture
def familiehjelpa():
    town = records.stange()
    team, staff = town.team, town.therapist
    made = []
    for n in range(37):
        received = records.at("2025-01-06") + datetime.timedelta(days=9 * n)
        request = records.request(team, received, contact_after=1)
        made.append(records.case(team, records.later(received, 1), staff, help_request=request))
    for n, case in enumerate(made[:17]):
        reason = "resolved_first_contact" if n < 4 else "goal_reached"
        closed = records.later(case.opened_at, 1 if n < 4 else 60)
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.CLOSED, closed_at=closed, close_reason=reason
        )
    # 22 families with several agencies: NAV in cases 15–28, child welfare in 27–36.
    for case in made[15:29]:
        records.take_part(case, town.nav, records.later(case.opened_at, 2), staff)
    for case in made[27:37]:
        records.take_part(case, town.child_welfare, records.later(case.opened_at, 3), staff)
    return town


def line(view, key):
    return next(line for line in view.lines if line.key == key)


def test_the_pilot_years_figures_are_what_the_report_gave(familiehjelpa):
    team = familiehjelpa.team.pk
    counted = figures.compute(frozenset({team}), PILOT_YEAR, READ_AT)
    services = counted["cases_by_services"]
    assert services.totals[team] == 37
    assert services.by_unit[team] == {"several_services": 22, "nav": 14, "barnevern": 10}
    closed = counted["cases_closed"].by_unit[team]
    assert sum(closed.values()) == 17
    assert closed["resolved_first_contact"] == 4
    assert closed["goal_reached"] == 13

    board = pages.dashboard(familiehjelpa.team_leader, f"unit-{team}", PILOT_YEAR, READ_AT)
    views = {view.figure.key: view for view in board.figures}
    shown = views["cases_by_services"]
    assert shown.total.now.text == "37"
    assert [line(shown, key).now.text for key in ("several_services", "nav", "barnevern")] == [
        "22",
        "14",
        "10",
    ]
    shown = views["cases_closed"]
    assert shown.total.now.text == "17"
    assert line(shown, "goal_reached").now.text == "13"
    assert line(shown, "resolved_first_contact").now.text == "<5"
    # All 37 cases were new in the pilot year: beside the 37 followed, a 37 new would say
    # that nought were open at the end of the year before (shown as "<5"), so it is hidden.
    assert views["cases_by_origin"].total.now.text == "–"
    assert views["cases_by_phase"].total.before.text == "<5"
    assert views["requests_by_channel"].total.now.text == "37"
