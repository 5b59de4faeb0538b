"""An outside reviewer's attacks on the leaders' figures: counts below 5 worked out from
other figures on the same page, single families' waits read off an organisation's figures,
and who may read which figures. Each test says what the attacker does and what must hold."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from familiebro.core.models import Membership
from familiebro.reports import pages
from familiebro.reports.periods import month_of
from tests import factories
from tests.privacy import factories as make
from tests.privacy.factories import logged_in
from tests.reports import records
from tests.reports.records import at

pytestmark = pytest.mark.django_db

MARCH = month_of(datetime.date(2026, 3, 1))
URL = reverse("reports:dashboard")


def figure(board, key):
    return next(view for view in board.figures if view.figure.key == key)


def _unit_with_leader():
    organisation = factories.OrganisationFactory(name="Løten kommune")
    unit = factories.ServiceUnitFactory(organisation=organisation, name="Familieteamet")
    leader = make.member(unit, Membership.Role.LEADER, first_name="Lea")
    worker = make.member(unit, first_name="Wenche")
    return organisation, unit, leader, worker


def test_closed_cases_below_five_follow_from_cases_followed_less_cases_open_at_the_end():
    """Attacker: a unit's leader reads one month's dashboard. "Closed cases" shows "<5",
    but "Cases followed" (open at some moment of the month) and "Open cases, by phase"
    (open at the end of it) are both shown, and every case followed in the month that is
    not open at its end closed in it: followed − open at the end = closed. With 12 followed
    and 9 open at the end, the hidden 3 is read off the page. What must hold: a hidden
    count cannot be worked out from the totals of other figures on the same page."""
    _organisation, unit, leader, worker = _unit_with_leader()
    for n in range(9):
        records.case(unit, at("2026-01-05") + datetime.timedelta(hours=n), worker)
    for n in range(3):
        records.case(
            unit,
            at("2026-01-06") + datetime.timedelta(hours=n),
            worker,
            closed_at=at("2026-03-10") + datetime.timedelta(hours=n),
        )

    board = pages.dashboard(leader, f"unit-{unit.pk}", MARCH, records.NOW)

    closed = figure(board, "cases_closed").total.now
    followed = figure(board, "cases_by_services").total.now
    open_at_end = figure(board, "cases_by_phase").total.now
    assert closed.text == "<5"
    worked_out = (
        followed.value - open_at_end.value if followed.is_shown and open_at_end.is_shown else None
    )
    assert worked_out is None, f"closed cases worked out as {worked_out}"


def test_cases_opened_below_five_follow_from_followed_now_less_open_at_the_end_before():
    """Attacker: the same leader compares the two columns of the page. Cases followed in
    March are those open at the end of February plus those opened in March, so "Cases
    followed" (this period) − "Open cases, by phase" (the period before) = "New cases" of
    the month, which the page hides as "<5". What must hold: the new cases' small count
    cannot be read off the totals beside it."""
    _organisation, unit, leader, worker = _unit_with_leader()
    for n in range(10):
        records.case(unit, at("2026-01-05") + datetime.timedelta(hours=n), worker)
    for n in range(2):
        records.case(unit, at("2026-03-12") + datetime.timedelta(hours=n), worker)

    board = pages.dashboard(leader, f"unit-{unit.pk}", MARCH, records.NOW)

    opened = figure(board, "cases_by_origin").total.now
    followed_now = figure(board, "cases_by_services").total.now
    open_at_end_before = figure(board, "cases_by_phase").total.before
    assert opened.text == "<5"
    worked_out = (
        followed_now.value - open_at_end_before.value
        if followed_now.is_shown and open_at_end_before.is_shown
        else None
    )
    assert worked_out is None, f"new cases worked out as {worked_out}"


def test_a_leader_reads_another_units_single_wait_off_the_organisations_waiting_times():
    """Attacker: the leader of unit A, who knows their own four families' waits (they lead
    the casework), opens the organisation's figures. Unit B had one request in March. The
    organisation's waits are shown because 5 lie behind them, but 4 of the 5 are the
    leader's own: the 90th percentile interpolates between the two longest, so B's family's
    single wait is worked out to the day. The counts of an organisation are hidden where
    the leader's own units less would leave fewer than 5 (reports.pages._suppressed); what
    must hold is the same for the waits: no single family's wait can be read off them."""
    organisation, unit_a, leader, _worker = _unit_with_leader()
    unit_b = factories.ServiceUnitFactory(organisation=organisation, name="Helsestasjonen")
    make.member(unit_b, Membership.Role.LEADER, first_name="Berit")
    own_waits = [1, 2, 3, 4]
    for n, wait in enumerate(own_waits):
        records.request(unit_a, at(f"2026-03-0{n + 2}"), contact_after=wait)
    records.request(unit_b, at("2026-03-10"), contact_after=20)

    board = pages.dashboard(leader, f"organisation-{organisation.pk}", MARCH, records.NOW)

    waits = figure(board, "waiting_times").waits
    contact = waits[0]
    assert contact.p90 is None, (
        "the organisation's 90th percentile is shown: with the leader's own waits "
        f"{own_waits}, the other unit's single wait is {4 + (contact.p90 - 4) / 0.6:.1f} days"
    )


def test_a_worker_and_a_unit_administrator_read_no_figures():
    """Attacker: a caseworker and the unit's administrator ask for the unit's figures and
    its CSV, naming the unit in the query. What must hold (and does): both are refused."""
    _organisation, unit, _leader, worker = _unit_with_leader()
    admin = make.member(unit, Membership.Role.UNIT_ADMIN, first_name="Ada")
    for user in (worker, admin):
        client = logged_in(user)
        for url in (URL, reverse("reports:export-csv")):
            response = client.get(url, {"omfang": f"unit-{unit.pk}", "periode": "month"})
            assert response.status_code == 403, (user, url)


def test_a_leader_cannot_name_another_unit_or_organisation():
    """Attacker: a leader edits the query to another unit of their municipality, another
    organisation, and nonsense. What must hold (and does): the same refusal each time."""
    organisation, _unit, leader, _worker = _unit_with_leader()
    other_unit = factories.ServiceUnitFactory(organisation=organisation, name="PPT")
    other_org = factories.OrganisationFactory(name="Hamar kommune")
    client = logged_in(leader)
    for scope in (
        f"unit-{other_unit.pk}",
        f"organisation-{other_org.pk}",
        "unit-x",
        "unit-99999999999999999999",
    ):
        for url in (URL, reverse("reports:export-csv"), reverse("reports:export-xlsx")):
            response = client.get(url, {"omfang": scope, "periode": "month"})
            assert response.status_code == 403, (scope, url)
