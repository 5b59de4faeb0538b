"""Every figure on a known data set (tests/reports/records.py), with the numbers worked out
by hand: the counts per unit before any suppression."""

from __future__ import annotations

import pytest

from familiebro.reports import figures
from familiebro.reports.periods import month_of
from tests.reports import records

pytestmark = pytest.mark.django_db

MARCH = month_of(records.at("2026-03-01").date())
FEBRUARY = MARCH.previous()


@pytest.fixture
def town():
    return records.stange()


def counted(town, period=MARCH):
    return figures.compute(frozenset({town.team.pk}), period, records.NOW)


def test_requests_are_counted_by_channel_and_by_who_asked(town):
    result = counted(town)
    team = town.team.pk
    assert result["requests_by_channel"].by_unit[team] == {
        "web": 6,
        "phone": 5,
        "letter": 1,
        "gp": 2,
        "other_service": 0,
        "in_person": 0,
    }
    assert result["requests_by_requester"].by_unit[team] == {
        "parent": 9,
        "young_person": 2,
        "professional": 3,
    }
    # The health centre's requests are not the team's.
    assert town.health_centre.pk not in result["requests_by_channel"].by_unit


def test_the_period_is_its_days_in_norwegian_time(town):
    # 31 March 23:30 counts in March; 1 April 00:00 does not.
    assert sum(counted(town)["requests_by_channel"].by_unit[town.team.pk].values()) == 14
    assert counted(town, FEBRUARY)["requests_by_channel"].by_unit[town.team.pk]["web"] == 1


def test_first_contact_is_within_the_units_days_or_late(town):
    assert counted(town)["first_contact_deadline"].by_unit[town.team.pk] == {
        "within": 11,
        # Two contacted after 9 and 8 days, one never contacted and overdue now.
        "late": 3,
    }


def test_a_request_still_inside_its_deadline_is_not_yet_due_while_it_can_be(town):
    records.request(town.team, records.NOW - records.days(2))
    april = month_of(records.NOW.date())
    assert counted(town, april)["first_contact_deadline"].by_unit[town.team.pk] == {
        "within": 0,
        "late": 1,  # 1 April 00:00, never contacted
        "not_yet_due": 1,
    }


def test_waiting_times_are_the_days_of_each_leg(town):
    waits = counted(town)["waiting_times"].by_unit[town.team.pk]
    assert sorted(waits["request_to_contact"]) == [0.5, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 8, 9]
    # The cancelled meeting (day 3 of request 1) and the one still ahead (request 4) count not.
    assert sorted(waits["request_to_meeting"]) == [5, 8, 10, 12, 20]
    assert sorted(waits["contact_to_meeting"]) == [4.5, 7, 8, 9, 11]


def test_new_cases_are_counted_by_how_they_started(town):
    assert counted(town)["cases_by_origin"].by_unit[town.team.pk] == {
        "help_request": 6,
        "staff_concern": 1,
        "parent_concern": 0,
        "referral_in": 0,
    }


def test_open_cases_are_counted_by_the_phase_they_were_in_when_the_period_ended(town):
    result = counted(town)["cases_by_phase"]
    labels = dict(result.parts)
    by_phase = {labels[key]: n for key, n in result.by_unit[town.team.pk].items()}
    # r2 moved to level 2 only in April; r3 closed in April; r7 and r4 closed in March.
    assert by_phase == {
        "Level 0: Wondering and concern": 4,
        "Level 1: Measures in own service": 1,
        "Level 2: Collaboration with one more service": 1,
    }
    february = counted(town, FEBRUARY)["cases_by_phase"]
    assert list(february.by_unit[town.team.pk].values()) == [1]


def test_active_plans_are_counted_with_and_without_a_coordinator(town):
    assert counted(town)["individual_plans"].by_unit[town.team.pk] == {
        "with_coordinator": 1,
        "without_coordinator": 1,
    }
    # February's plan was active at the end of February; its case has no coordinator.
    assert counted(town, FEBRUARY)["individual_plans"].by_unit[town.team.pk] == {
        "with_coordinator": 0,
        "without_coordinator": 1,
    }


def test_an_organisations_figures_are_its_units_summed(town):
    both = frozenset({town.team.pk, town.health_centre.pk})
    result = figures.compute(both, MARCH, records.NOW)
    figure = figures.FIGURES[0]
    assert figures.combined(figure, result[figure.key], both)["web"] == 8


def test_cases_followed_are_counted_with_the_other_services_taking_part(town):
    result = counted(town)["cases_by_services"]
    # Open at some moment of March: r1, r2, r3, r4, r6, r7, the concern and February's.
    assert result.totals[town.team.pk] == 8
    assert result.by_unit[town.team.pk] == {
        "several_services": 2,  # r1 and r6; the team in its own r2 is no other service
        "barnevern": 2,
        "nav": 1,  # r1; NAV left February's case before March
    }
    assert dict(result.parts)["several_services"] == "With other services taking part"
    february = counted(town, FEBRUARY)["cases_by_services"]
    assert february.totals[town.team.pk] == 1
    assert february.by_unit[town.team.pk] == {"several_services": 1, "nav": 1}


def test_closed_cases_are_counted_by_reason(town):
    assert counted(town)["cases_closed"].by_unit[town.team.pk] == {
        "goal_reached": 1,  # r7
        "resolved_first_contact": 1,  # r4
        "referred_on": 0,
        "family_withdrew": 0,  # r3 closed in April
        "moved": 0,
    }


def test_a_case_closed_without_a_reason_counts_on_a_line_of_its_own(town):
    records.case(
        town.team, records.at("2026-01-05"), town.team_leader, closed_at=records.at("2026-03-20")
    )
    result = counted(town)["cases_closed"]
    assert dict(result.parts)["not_given"] == "Not given"
    assert result.by_unit[town.team.pk]["not_given"] == 1
    # The lines still add up to the cases followed less those open at the end.
    followed = counted(town)["cases_by_services"].totals[town.team.pk]
    open_at_end = sum(counted(town)["cases_by_phase"].by_unit[town.team.pk].values())
    assert sum(result.by_unit[town.team.pk].values()) == followed - open_at_end == 3
    # Without such a case there is no such line.
    assert "not_given" not in dict(counted(town, FEBRUARY)["cases_closed"].parts)


def test_every_identity_holds_on_the_known_data_and_each_within_is_one(town):
    # The sub-totals `within` a total (closed in the period + open at its end = followed)
    # are identities for both periods, beside the one across periods; and on real counts
    # every identity adds up, or the suppression would be told something untrue.
    within = {
        identity
        for identity in figures.IDENTITIES
        if identity.parts[0][1] == identity.total[1]
        and {key for key, _when in identity.parts} == {"cases_closed", "cases_by_phase"}
    }
    assert {identity.total for identity in within} == {
        ("cases_by_services", figures.NOW),
        ("cases_by_services", figures.BEFORE),
    }
    unit_ids = frozenset({town.team.pk})
    periods = (counted(town), counted(town, FEBRUARY))
    by_key = {figure.key: figure for figure in figures.FIGURES}

    def total(key: str, when: int) -> int:
        return figures.total(by_key[key], periods[when][key], unit_ids)

    for identity in figures.IDENTITIES:
        assert total(*identity.total) == sum(total(*part) for part in identity.parts)
