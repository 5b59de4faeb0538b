"""A public health nurse's day in a real Chromium, keyboard and mouse as a nurse would use
them: the start page's counts → the inbox, searched → a case, section by section → the
calendar → the meeting planned in the case, one click away."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Meeting
from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def day(transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    starts = timezone.localtime() + datetime.timedelta(hours=2)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Møterom 3",
    )
    HelpRequestFactory(unit=town.health_centre, requester_name="Aud Fjellheim")
    HelpRequestFactory(unit=town.health_centre, requester_name="Per Dalen")
    return town, case, meeting


def tile(page, label: str):
    return page.locator(".fb-tile").filter(has_text=label)


def test_a_nurses_day_from_the_start_page_to_the_meeting(browsing, day):
    town, case, meeting = day
    page = browsing.axe_page(session_key=session_key_for(town.nurse), language="nb")

    page.goto("/ansatt/")
    assert_no_axe_violations(page, path="/ansatt/")
    # Her counts: two new requests, one case of her own, a meeting is not a deadline.
    expect(tile(page, "Nye henvendelser").locator(".fb-tile__count")).to_have_text("2")
    expect(tile(page, "Mine saker").locator(".fb-tile__count")).to_have_text("1")

    # The inbox, from its tile, searched by the asker's name.
    with page.expect_navigation():
        tile(page, "Nye henvendelser").click()
    page.get_by_label("Navn eller referanse").first.fill("Fjellheim")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.locator("main table")
    expect(table).to_contain_text("Aud Fjellheim")
    expect(table).not_to_contain_text("Per Dalen")

    # My cases, from the menu, and the case's sections one after another.
    with page.expect_navigation():
        page.locator(".fb-staff-menu").get_by_role("link", name="Mine saker").click()
    with page.expect_navigation():
        page.get_by_role("link", name=case.reference).first.click()
    assert page.url.endswith(reverse("cases:detail", args=[case.pk]))
    sections = page.locator("nav.fb-case__sections")
    for name in ("Logg", "Mål og tiltak", "Møter"):
        sections.get_by_role("link", name=name).click()
        expect(sections.locator("[aria-current=page]")).to_have_text(name)
        expect(page.locator("#section-heading")).to_have_text(name)
    # Planning the meeting wrote to the shared log, and the meetings section lists it.
    expect(page.locator("main")).to_contain_text("Møterom 3")

    # The calendar, from the menu: the meeting is there, one click from its page.
    with page.expect_navigation():
        page.locator(".fb-staff-menu").get_by_role("link", name="Kalender").click()
    # Late in the evening, two hours on may be the next week.
    week = reverse("calendar:week")
    page.goto(f"{week}?dato={timezone.localtime(meeting.starts_at).date().isoformat()}")
    assert_no_axe_violations(page, path=week, heading="Min kalender")
    with page.expect_navigation():
        page.get_by_role("link", name=case.reference).first.click()
    assert page.url.endswith(reverse("cases:meeting", args=[case.pk, meeting.pk]))
    expect(page.locator("main")).to_contain_text("Møterom 3")
