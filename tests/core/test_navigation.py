"""Finding one's way: the staff menu follows the roles, every staff page has breadcrumbs back
to its area and home, the start page counts the user's own work, and the inbox and My cases
search by name or reference, all at a constant number of queries as the data grows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.models import Case, Notification
from familiebro.core.models import ConfidentialityDomain, Membership, ServiceUnit
from familiebro.privacy import menu
from tests import factories
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

HOME = "/ansatt/"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def menu_of(html: str) -> list[str]:
    """The addresses the staff menu links to."""
    found = re.search(r'<nav class="fb-staff-menu"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "no staff menu"
    return re.findall(r'href="([^"]+)"', found.group(1))


def crumbs_of(html: str) -> list[str]:
    found = re.search(r'<nav class="fb-breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', found.group(1)) if found else []


def tiles_of(html: str) -> dict[str, int]:
    """Each start page tile's link and count."""
    return {
        url: int(count)
        for url, count in re.findall(
            r'<a class="ds-card fb-tile" href="([^"]+)">\s*<span class="fb-tile__count">(\d+)',
            html,
        )
    }


CASEWORK = {
    "/ansatt/henvendelser/",
    "/ansatt/saker/",
    "/ansatt/kalender/",
    "/ansatt/timebok/",
    "/ansatt/kurs/",
    "/ansatt/frister/",
    "/ansatt/fordeling/",
    "/ansatt/evalueringer/",
    "/ansatt/personer/",
    "/ansatt/drofting/",
    "/ansatt/utleveringer/",
    "/ansatt/henvisninger/",
}
LEADING = {
    "/ansatt/individuelle-planer/",
    "/ansatt/tall/",
    "/ansatt/tilgangsvarsler/",
    "/ansatt/tilgangskontroll/",
}
UNIT_WORK = {"/ansatt/tilbud/", "/ansatt/forlop/"}
REGISTERS = {"/ansatt/program/", "/ansatt/krisenummer/", "/ansatt/skjema/"}
BREAK_GLASS = {"/ansatt/unntakstilgang/"}
ADMINISTRATION = {"/ansatt/administrasjon/"}


# The menu follows the roles ---------------------------------------------------------------------


def test_a_nurse_sees_casework_and_break_glass_but_no_leader_or_register_areas():
    town = builders.municipality()
    links = set(menu_of(page(logged_in(town.nurse), HOME)))
    assert links == {HOME} | CASEWORK | BREAK_GLASS | UNIT_WORK


def test_a_leader_sees_their_leader_areas_too():
    town = builders.municipality()
    links = set(menu_of(page(logged_in(town.nurse_leader), HOME)))
    assert links == {HOME} | CASEWORK | BREAK_GLASS | UNIT_WORK | LEADING


def test_a_family_therapist_outside_health_and_child_welfare_cannot_break_the_glass():
    office = factories.ServiceUnitFactory(
        name="Familievernkontoret", kind=ServiceUnit.Kind.FAMILY_COUNSELLING
    )
    assert office.domain == ConfidentialityDomain.FAMILY_COUNSELLING
    therapist = make.member(office, professional_title="familieterapeut")
    links = set(menu_of(page(logged_in(therapist), HOME)))
    assert links == {HOME} | CASEWORK | UNIT_WORK


def test_a_unit_administrator_sees_no_area_with_personal_data():
    # A kindergarten's: in a health unit the policy lets any member break the glass.
    unit = factories.ServiceUnitFactory(kind=ServiceUnit.Kind.KINDERGARTEN)
    admin = make.member(unit, Membership.Role.UNIT_ADMIN)
    links = set(menu_of(page(logged_in(admin), HOME)))
    assert links == {HOME} | UNIT_WORK | ADMINISTRATION


def test_an_instance_administrator_sees_the_registers_and_no_casework():
    admin = make.user(is_instance_admin=True)
    links = set(menu_of(page(logged_in(admin), HOME)))
    assert links == {HOME} | UNIT_WORK | REGISTERS | ADMINISTRATION


def test_every_area_in_the_menu_opens_for_the_roles_it_is_shown_to():
    town = builders.municipality()
    for user in (town.nurse, town.nurse_leader, town.teacher):
        client = logged_in(user)
        for url in menu_of(page(client, HOME)):
            assert client.get(url).status_code == 200, (user, url)


def test_the_menu_is_one_declarative_list_with_a_rule_per_area():
    assert all(callable(area.who) for area in menu.MENU)
    assert len({area.url_name for area in menu.MENU}) == len(menu.MENU)


def test_public_pages_and_min_side_have_no_staff_menu(client):
    html = page(client, "/")
    assert "fb-staff-menu" not in html
    assert 'href="/finn-hjelp/"' in html and 'href="/ta-kontakt/"' in html


# Breadcrumbs -----------------------------------------------------------------------------------


def test_a_case_page_leads_back_to_my_cases_and_home_and_the_home_page_has_no_crumbs():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    client = logged_in(town.nurse)
    assert crumbs_of(page(client, reverse("cases:detail", args=[case.pk]))) == [
        HOME,
        "/ansatt/saker/",
    ]
    assert crumbs_of(page(client, "/ansatt/saker/")) == [HOME]
    assert crumbs_of(page(client, HOME)) == []
    html = page(client, "/ansatt/saker/")
    assert '<a class="ds-link" href="/ansatt/saker/" aria-current="page">' in html


def test_a_page_under_an_area_names_its_area_current_in_the_menu():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    html = page(logged_in(town.nurse), reverse("cases:detail", args=[case.pk]))
    assert '<a class="ds-link" href="/ansatt/saker/" aria-current="true">' in html


# The start page counts the user's own work -----------------------------------------------------


def test_the_start_page_is_no_longer_called_min_side(settings):
    settings.LANGUAGE_CODE = "nb"
    town = builders.municipality()
    html = page(logged_in(town.nurse), HOME)
    assert "Min side" not in html
    assert "<title>Startside" in html


def test_a_nurse_sees_her_cases_deadlines_new_requests_and_unread_notifications():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    HelpRequestFactory(unit=town.health_centre)
    HelpRequestFactory(unit=town.health_centre)
    HelpRequestFactory(unit=town.team)  # another unit's: not hers
    Notification.objects.create(
        user=town.nurse, text="Ny frist", link="/", created_at=timezone.now()
    )
    deadline = case.deadlines.filter(completed_at__isnull=True).first()
    tiles = tiles_of(page(logged_in(town.nurse), HOME))
    assert tiles["/ansatt/henvendelser/"] == 2
    assert tiles["/ansatt/saker/"] == 1
    assert tiles["/ansatt/varsler/"] == 1
    week_end = timezone.localdate() + datetime.timedelta(days=6 - timezone.localdate().weekday())
    due = int(
        deadline is not None
        and deadline.responsible_id == town.nurse.pk
        and timezone.localdate(deadline.due_at) <= week_end
    )
    assert tiles["/ansatt/frister/"] == due
    # Her own cases come first; a leader's units' waiting requests are not her tile.
    assert next(iter(tiles)) == "/ansatt/saker/"
    assert "/ansatt/fordeling/" not in tiles


def test_a_leader_sees_the_requests_waiting_in_their_units_first():
    town = builders.municipality()
    HelpRequestFactory(unit=town.health_centre)
    tiles = tiles_of(page(logged_in(town.nurse_leader), HOME))
    assert list(tiles)[:2] == ["/ansatt/henvendelser/", "/ansatt/fordeling/"]
    assert tiles["/ansatt/fordeling/"] == 1


def test_another_nurses_cases_are_not_counted_as_mine():
    town = builders.municipality()
    colleague = make.member(town.health_centre)
    builders.open_concern(colleague, town.health_centre)
    assert tiles_of(page(logged_in(town.nurse), HOME))["/ansatt/saker/"] == 0


def test_a_unit_administrator_has_no_counts_of_casework():
    admin = make.member(factories.ServiceUnitFactory(), Membership.Role.UNIT_ADMIN)
    assert tiles_of(page(logged_in(admin), HOME)) == {}


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def grow(town, n: int) -> None:
    for _ in range(n):
        builders.open_concern(town.nurse, town.health_centre)
        HelpRequestFactory(unit=town.health_centre)
        Notification.objects.create(
            user=town.nurse, text="Ny frist", link="/", created_at=timezone.now()
        )


@pytest.mark.parametrize(
    "url", [HOME, "/ansatt/saker/?q=a", "/ansatt/henvendelser/?q=Forelder", "/ansatt/saker/"]
)
def test_the_start_page_and_the_searchable_lists_cost_the_same_queries_with_more_rows(url):
    town = builders.municipality()
    Membership.objects.create(user=town.nurse, unit=town.team, role=Membership.Role.WORKER)
    client = logged_in(town.nurse)
    grow(town, 1)
    client.get(url)  # the session and the first request's one-off reads
    few = queries(client, url)
    grow(town, 5)
    assert queries(client, url) == few


# Searching the lists ---------------------------------------------------------------------------


def test_the_inbox_finds_a_request_by_the_askers_name_or_by_its_reference():
    town = builders.municipality()
    wanted = HelpRequestFactory(unit=town.health_centre, requester_name="Aud Fjellheim")
    HelpRequestFactory(unit=town.health_centre, requester_name="Per Dalen")
    client = logged_in(town.nurse)
    by_name = page(client, "/ansatt/henvendelser/?q=fjellheim")
    assert wanted.reference in by_name and "Per Dalen" not in by_name
    by_reference = page(client, f"/ansatt/henvendelser/?q={wanted.reference}")
    assert "Aud Fjellheim" in by_reference and "Per Dalen" not in by_reference
    # The search stays when the user changes status.
    assert "q=fjellheim&amp;status=kontaktet" in by_name


def test_the_inbox_search_finds_nothing_in_another_units_requests():
    town = builders.municipality()
    HelpRequestFactory(unit=town.team, requester_name="Aud Fjellheim")
    assert "Aud Fjellheim" not in page(logged_in(town.nurse), "/ansatt/henvendelser/?q=Aud")


def test_my_cases_are_searched_by_child_name_or_reference_and_narrowed_by_unit_and_role():
    town = builders.municipality()
    mine = builders.open_concern(town.nurse, town.health_centre)
    other = builders.open_concern(town.nurse, town.health_centre)
    client = logged_in(town.nurse)
    html = page(client, f"/ansatt/saker/?q={mine.reference}")
    assert mine.reference in html and other.reference not in html
    family_name = mine.child.family_name
    html = page(client, f"/ansatt/saker/?q={family_name}")
    assert mine.reference in html
    coordinated = Case.objects.filter(coordinator=town.nurse).count()
    html = page(client, "/ansatt/saker/?rolle=koordinator")
    assert len(re.findall(r'href="/ansatt/saker/\d+/"', html)) == coordinated
    html = page(client, f"/ansatt/saker/?enhet={town.team.pk}")
    assert mine.reference not in html
    assert "None of your open cases matches the search." in html


def test_a_bad_filter_is_an_empty_list_not_an_error():
    town = builders.municipality()
    client = logged_in(town.nurse)
    assert client.get("/ansatt/saker/?enhet=x&rolle=nobody").status_code == 200
    assert client.get("/ansatt/henvendelser/?q=" + "a" * 500).status_code == 200
