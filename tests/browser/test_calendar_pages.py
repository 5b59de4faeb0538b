"""The calendar in a real browser: the week and the month with zero axe-core violations, on
a wide screen and on a 390-pixel phone, without JavaScript, and one click from a meeting in
the calendar to its page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Meeting
from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def town(transactional_db) -> builders.Municipality:
    install_shipped()  # the live server's database is flushed between tests
    return builders.municipality()


@pytest.fixture
def meeting(town) -> Meeting:
    """A family meeting next Tuesday evening that ends after midnight, and a cancelled one."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=8 - today.weekday())
    starts = timezone.make_aware(datetime.datetime.combine(tuesday, datetime.time(22, 0)))
    meeting = meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place="Møterom 2",
    )
    other = meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.EVALUATION,
        starts_at=starts - datetime.timedelta(hours=12),
        ends_at=starts - datetime.timedelta(hours=11),
        place="Møterom 1",
    )
    meeting_services.cancel_meeting(
        town.teacher, other, reason="Sykdom", based_on_sequence=other.calendar_sequence
    )
    return meeting


@pytest.mark.parametrize("viewport", [None, NARROW], ids=["wide", "phone"])
def test_the_week_and_the_month_lead_to_the_meeting(browsing, town, meeting, viewport):
    page = browsing.axe_page(
        session_key=session_key_for(town.teacher), language="nb", viewport=viewport
    )
    week_url = reverse("calendar:week")
    page.goto(f"{week_url}?dato={timezone.localtime(meeting.starts_at).date().isoformat()}")
    assert_no_axe_violations(page, path=week_url, heading="Min kalender")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    assert page.get_by_text("Avlyst:").count() == 1

    page.get_by_role("link", name="Måned").click()
    assert_no_axe_violations(page, path=reverse("calendar:month"), heading="Min kalender")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    page.get_by_role("link", name="Neste måned").click()
    page.get_by_role("link", name="Forrige måned").click()
    page.get_by_role("link", name="I dag").click()

    page.goto(f"{week_url}?dato={timezone.localtime(meeting.starts_at).date().isoformat()}")
    page.get_by_role("link", name=meeting.case.reference).filter(
        has_not_text="Avlyst"
    ).first.click()
    assert page.url.endswith(reverse("cases:meeting", args=[meeting.case_id, meeting.pk]))


def test_the_calendar_and_its_subscription_work_without_javascript(browsing, town, meeting):
    page = browsing.new_page(
        session_key=session_key_for(town.teacher), language="nb", java_script_enabled=False
    )
    page.goto(reverse("calendar:week"))
    page.get_by_role("button", name="Lag en kalenderadresse").click()
    address = page.get_by_label("Kalenderadressen din (vises bare nå)").input_value()
    assert "/kalender/" in address and address.endswith(".ics")
    page.get_by_role("button", name="Stopp adressen").click()
    assert page.get_by_text("Kalenderadressen er stoppet.").count() == 1


def test_the_units_calendar_has_no_axe_violations(browsing, town, meeting):
    page = browsing.axe_page(session_key=session_key_for(town.nurse), language="nn")
    url = reverse("calendar:week")
    page.goto(
        f"{url}?dato={timezone.localtime(meeting.starts_at).date().isoformat()}"
        f"&enhet={town.health_centre.pk}"
    )
    assert_no_axe_violations(page, path=url, heading="Kalender: Helsestasjonen i Stange")
    assert page.get_by_role("link", name=meeting.case.reference).count() >= 1
