"""The leader's dashboard: the figures of the known data set as the page shows them, with
small counts suppressed, compared with the period before; who may see which; the reading
audited; and the number of queries flat as the records grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership, OrganisationAdministrator
from familiebro.privacy.models import AuditEvent
from familiebro.reports import pages
from familiebro.reports.periods import month_of
from tests.privacy import factories as make
from tests.privacy.factories import logged_in
from tests.reports import records

pytestmark = pytest.mark.django_db

MARCH = month_of(datetime.date(2026, 3, 1))
URL = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    return records.stange()


def as_user(user):
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def march(scope: str, **more: str) -> dict[str, str]:
    return {"omfang": scope, "periode": "month", "fra": "2026-03-10", **more}


def figure(board, key):
    return next(view for view in board.figures if view.figure.key == key)


def texts(view):
    return {line.key: (line.now.text, line.before.text, line.change) for line in view.lines}


def test_the_teams_leader_sees_the_teams_figures_suppressed_and_compared(town):
    board = pages.dashboard(town.team_leader, f"unit-{town.team.pk}", MARCH, records.NOW)

    channel = figure(board, "requests_by_channel")
    assert (channel.total.now.text, channel.total.before.text, channel.total.change) == (
        "14",
        "<5",
        None,
    )
    assert texts(channel) == {
        "web": ("6", "<5", None),
        "phone": ("5", "<5", None),
        "letter": ("<5", "<5", None),
        "gp": ("<5", "<5", None),
        "other_service": ("<5", "<5", None),
        "in_person": ("<5", "<5", None),
    }
    requester = figure(board, "requests_by_requester")
    assert texts(requester)["parent"] == ("9", "<5", None)
    assert texts(requester)["young_person"][0] == "<5"

    deadline = figure(board, "first_contact_deadline")
    # 11 within and 3 late: the 11 beside the total of 14 would give the 3 away.
    assert texts(deadline) == {"within": ("–", "<5", None), "late": ("<5", "<5", None)}
    assert deadline.share_now is None

    waits = {wait.key: wait for wait in figure(board, "waiting_times").waits}
    # 0.5 1 1 1 1 2 2 2 3 3 4 8 9: the median is the 7th; the 90th percentile lies 0.8 of the
    # way from the 11th (4) to the 12th (8).
    assert (waits["request_to_contact"].median, waits["request_to_contact"].p90) == (2.0, 7.2)
    assert (waits["request_to_meeting"].median, waits["request_to_meeting"].p90) == (10.0, 16.8)
    assert (waits["contact_to_meeting"].median, waits["contact_to_meeting"].p90) == (8.0, 10.2)
    # February had one request: too few waits to show.
    assert waits["request_to_contact"].median_before is None

    # 8 cases followed in March: 6 open at its end and 2 closed in it; 1 open at the end of
    # February and 7 new. Beside the 8 followed, the 6 open would give the 2 closed away and
    # the 7 new the 1 open before (followed = open at the end + closed = open at the end
    # before + new), so the 6 and the 7 are hidden too.
    followed = figure(board, "cases_by_services")
    assert (followed.total.now.text, followed.total.before.text) == ("8", "<5")
    assert figure(board, "cases_closed").total.now.text == "<5"
    origin = figure(board, "cases_by_origin")
    assert (origin.total.now.text, texts(origin)["help_request"][0]) == ("–", "6")
    assert texts(origin)["staff_concern"][0] == "<5"

    phase = figure(board, "cases_by_phase")
    assert (phase.total.now.text, phase.total.before.text) == ("–", "<5")
    assert [line.now.text for line in phase.lines] == ["<5", "<5", "<5"]

    plans = figure(board, "individual_plans")
    assert (plans.total.now.text, plans.share_now) == ("<5", None)


def test_a_hidden_count_that_a_total_would_reveal_is_hidden_too(town):
    # February: one request, by web. Every other channel is nought, so the total (shown as
    # <5 here) would pin them; and with a total of 7 all by web, the web count is hidden.
    for _ in range(6):
        records.request(town.team, records.at("2026-02-11"), contact_after=1)
    board = pages.dashboard(town.team_leader, f"unit-{town.team.pk}", MARCH, records.NOW)
    channel = figure(board, "requests_by_channel")
    assert channel.total.before.text == "7"
    assert texts(channel)["web"] == ("6", "–", None)
    assert channel.total.change == 7


def test_breakdowns_of_one_total_are_suppressed_together(town):
    # May at the health centre: 8 requests from parents, 4 by web and 4 by phone, 4 answered
    # within the deadline and 4 late. "4 within and 4 late" pins the total to 8, so the total
    # hides; then the parents' 8 by who asked would give it back, so that hides too, and the
    # total is hidden alike in every breakdown of it.
    for n, channel in enumerate(["web"] * 4 + ["phone"] * 4):
        records.request(
            town.health_centre,
            records.at("2026-05-04"),
            channel=channel,
            contact_after=1 if n % 2 else 9,
        )
    may = month_of(datetime.date(2026, 5, 1))
    board = pages.dashboard(
        town.nurse_leader, f"unit-{town.health_centre.pk}", may, records.at("2026-06-15")
    )
    by_channel = figure(board, "requests_by_channel")
    by_requester = figure(board, "requests_by_requester")
    deadline = figure(board, "first_contact_deadline")
    assert [view.total.now.text for view in (by_channel, by_requester, deadline)] == ["–"] * 3
    assert texts(deadline) == {"within": ("<5", "<5", None), "late": ("<5", "<5", None)}
    assert texts(by_requester)["parent"][0] == "–"
    assert texts(by_channel)["web"][0] == "<5"


def test_a_share_is_shown_when_every_count_in_it_is(town):
    for _ in range(5):
        records.request(
            town.team,
            records.at("2026-03-19"),
            channel="phone",
            contact_after=9,  # late
        )
    board = pages.dashboard(town.team_leader, f"unit-{town.team.pk}", MARCH, records.NOW)
    deadline = figure(board, "first_contact_deadline")
    assert (texts(deadline)["within"][0], texts(deadline)["late"][0]) == ("11", "8")
    assert deadline.share_now == 57.9  # 11 of 19


def test_the_organisations_figures_hide_what_a_leader_could_subtract_their_own_unit_from(town):
    scope = f"organisation-{town.organisation.pk}"
    board = pages.dashboard(town.team_leader, scope, MARCH, records.NOW)
    channel = figure(board, "requests_by_channel")
    # The organisation's 16 requests less the team's 14 are the health centre's 2: every
    # count the health centre has fewer than 5 of is hidden in the sum.
    assert channel.total.now.text == "–"
    assert texts(channel)["web"][0] == "–"


def test_the_organisations_figures_show_what_no_leader_can_subtract(town):
    # With no leader of the health centre, and the team's leader leading it too, no leader
    # reads one unit apart from the other.
    Membership.objects.create(
        user=town.team_leader, unit=town.health_centre, role=Membership.Role.LEADER
    )
    Membership.objects.filter(user=town.nurse_leader).delete()
    board = pages.dashboard(
        town.team_leader, f"organisation-{town.organisation.pk}", MARCH, records.NOW
    )
    channel = figure(board, "requests_by_channel")
    assert (channel.total.now.text, texts(channel)["web"][0]) == ("16", "8")


def test_the_page_shows_the_figures_with_a_chart_and_a_table(town):
    client = as_user(town.team_leader)
    response = client.get(URL, march(f"unit-{town.team.pk}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Figures for Familiehjelpa" in page
    assert "From 1. March 2026 to 31. March 2026" in page
    assert "Requests for help, by how they came" in page
    assert '<svg class="fb-chart"' in page
    assert "<td>14</td>" in page
    assert "&lt;5" in page
    # The person behind a count is never on the page.
    assert "Forelder Testesen" not in page


@pytest.mark.parametrize(
    "period, first, last",
    [
        ({"periode": "quarter", "fra": "2026-02-14"}, "1. January 2026", "31. March 2026"),
        ({"periode": "year", "fra": "2026-02-14"}, "1. January 2026", "31. December 2026"),
        (
            {"periode": "custom", "fra": "2026-03-05", "til": "2026-03-18"},
            "5. March 2026",
            "18. March 2026",
        ),
    ],
)
def test_the_period_can_be_a_quarter_a_year_or_chosen_dates(town, period, first, last):
    client = as_user(town.team_leader)
    response = client.get(URL, {"omfang": f"unit-{town.team.pk}", **period})
    assert response.status_code == 200
    assert f"From {first} to {last}" in response.content.decode()


def test_chosen_dates_are_compared_with_as_many_days_before(town):
    period = {"omfang": f"unit-{town.team.pk}", "periode": "custom"}
    client = as_user(town.team_leader)
    page = client.get(URL, {**period, "fra": "2026-03-05", "til": "2026-03-18"}).content
    assert "Compared with the period before: 19. February 2026 to 4. March 2026." in page.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"fra": "i går"}, "Write the date as 31.12.2026 or choose it in the calendar."),
        ({"periode": "custom", "fra": "2026-03-05"}, "Choose the last day of the period."),
        (
            {"periode": "custom", "fra": "2026-03-05", "til": "2026-03-01"},
            "The last day must be on or after the first day.",
        ),
        (
            {"periode": "custom", "fra": "2001-01-01", "til": "2026-03-01"},
            "Choose a period of at most five years.",
        ),
        ({"fra": "1066-10-14"}, "Choose a date in 2000 or later."),
        ({"periode": "year", "fra": "9999-12-31"}, "Choose a date before 2100."),
        ({"periode": "month", "fra": "9999-12-31"}, "Choose a date before 2100."),
        (
            {"periode": "custom", "fra": "2026-03-05", "til": "9999-12-31"},
            "Choose a date before 2100.",
        ),
        ({"fra": "2026-02-30"}, "Write the date as 31.12.2026 or choose it in the calendar."),
        ({"omfang": "x" * 500}, "Ensure this value has at most 40 characters"),
        ({"periode": "week"}, "Select a valid choice."),
    ],
)
def test_a_period_that_cannot_be_read_says_what_to_do(town, query, message):
    client = as_user(town.team_leader)
    response = client.get(URL, {"omfang": f"unit-{town.team.pk}", **query})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(reverse("reports:export-csv"), query).status_code == 400


def test_a_worker_sees_no_figures(town):
    client = as_user(town.therapist)
    assert client.get(URL).status_code == 403
    assert client.get(URL, march(f"unit-{town.team.pk}")).status_code == 403
    assert (
        client.get(reverse("reports:export-csv"), march(f"unit-{town.team.pk}")).status_code == 403
    )


def test_a_leader_sees_their_own_unit_and_organisation_and_no_other_unit(town):
    client = as_user(town.nurse_leader)
    assert client.get(URL, march(f"unit-{town.health_centre.pk}")).status_code == 200
    assert client.get(URL, march(f"organisation-{town.organisation.pk}")).status_code == 200
    refused = client.get(URL, march(f"unit-{town.team.pk}"))
    assert refused.status_code == 403
    assert "You can see the figures of the units you lead" in refused.content.decode()
    for export in ("reports:export-csv", "reports:export-xlsx"):
        assert client.get(reverse(export), march(f"unit-{town.team.pk}")).status_code == 403


def test_another_organisations_leader_and_administrator_see_none_of_its_figures(town):
    other = make.unit(make.organisation(name="Hamar kommune"), name="Helsestasjonen i Hamar")
    leader = make.member(other, Membership.Role.LEADER)
    client = as_user(leader)
    assert client.get(URL, march(f"unit-{other.pk}")).status_code == 200
    assert client.get(URL, march(f"unit-{town.team.pk}")).status_code == 403
    assert client.get(URL, march(f"organisation-{town.organisation.pk}")).status_code == 403
    assert client.get(URL, march("unit-999999")).status_code == 403

    administrator = make.user()
    OrganisationAdministrator.objects.create(user=administrator, organisation=town.organisation)
    assert as_user(administrator).get(URL).status_code == 403


def test_a_visitor_is_sent_to_log_in(client, town):
    response = client.get(URL, march(f"unit-{town.team.pk}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_menu_offers_the_figures_to_leaders_only(town):
    assert URL in as_user(town.team_leader).get(reverse("staff-home")).content.decode()
    assert URL not in as_user(town.therapist).get(reverse("staff-home")).content.decode()


def test_reading_the_figures_is_audited_as_reading_aggregates_of_no_person(town):
    as_user(town.team_leader).get(URL, march(f"unit-{town.team.pk}"))
    event = AuditEvent.objects.get(object_type="reports.figures")
    assert event.actor_id == town.team_leader.pk
    assert event.purpose == "statistics"
    assert event.object_ids == [str(town.team.pk)]
    assert event.subject_ids == []
    assert event.organisation_id == town.organisation.pk
    assert event.detail == {"scope": "unit", "first_day": "2026-03-01", "last_day": "2026-03-31"}


def _grow(town, n: int) -> None:
    day = records.at("2026-03-03")
    for _ in range(n):
        made = records.request(town.team, day, channel="phone", contact_after=1)
        case = records.case(town.team, day, town.therapist, help_request=made)
        records.meeting(case, records.later(day, 4), town.therapist)
        records.decision(case, day, "level0", "level1", town.therapist)
        records.plan(case, day, town.therapist)


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    return len(captured)


def test_the_number_of_queries_stays_the_same_as_the_records_grow(town):
    client = as_user(town.team_leader)
    query = march(f"organisation-{town.organisation.pk}")
    client.get(URL, query)
    before = _queries(client, query)
    _grow(town, 25)
    assert _queries(client, query) == before
    assert before <= 30


def test_a_period_not_yet_over_is_counted_up_to_now(town):
    now = timezone.now()
    records.request(town.team, now - datetime.timedelta(minutes=5))
    board = pages.dashboard(
        town.team_leader, f"unit-{town.team.pk}", month_of(timezone.localdate())
    )
    assert figure(board, "requests_by_channel").total.now.text == "<5"


def test_the_table_of_roles_says_leaders_see_the_figures(db):
    from familiebro.administration import role_table

    table = role_table.role_table("health")
    roles = [str(role) for role in table.roles]
    label = "Sees the figures of their unit and of their organisation as a whole"
    (row,) = [row for group in table.groups for row in group.rows if row.label == label]
    allowed = {role for role, may in zip(roles, row.allowed, strict=True) if may}
    assert allowed == {"Leader"}
