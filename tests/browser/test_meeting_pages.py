"""The meeting pages in a real browser: zero axe-core violations (the plan form with its
errors, the meeting page, the merge view, moving and cancelling, a cancelled meeting and one
that is over), and meeting mode saving the minutes as they are
typed, under the strict CSP."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.cases import measure_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Meeting
from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders

pytestmark = pytest.mark.browser


@pytest.fixture
def town(transactional_db, settings) -> builders.Municipality:
    install_shipped()  # the live server's database is flushed between tests
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return builders.municipality()


@pytest.fixture
def meeting(town) -> Meeting:
    """A family meeting in three weeks with the nurse and the GP invited (short notice), draft
    minutes and a decision made a measure."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    # At ten in the morning: a meeting is one date with a start and an end time, whenever the
    # tests run.
    starts = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=21), datetime.time(10, 0)
        )
    )
    meeting = meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Møterom 2",
        agenda="1. Søvn\n2. Barnehagen",
    )
    meeting_services.invite(town.teacher, meeting, user=town.nurse)
    meeting_services.invite(
        town.teacher, meeting, name="Gro Fastlege", email="gro@legekontor.no", is_gp=True
    )
    meeting = meeting_services.save_minutes(town.teacher, meeting, "Mor forteller om søvn.", 0)
    today = timezone.localdate()
    meeting_services.measure_from_decision(
        town.teacher,
        meeting,
        measure_services.MeasureFields(
            title="Samtaler med helsesykepleier",
            responsible_unit=town.health_centre,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=42),
        ),
    )
    return meeting


def page_as(browsing, user, *, axe: bool = True, language: str = "en"):
    opener = browsing.axe_page if axe else browsing.new_page
    return opener(session_key=session_key_for(user), language=language)


def meeting_url(meeting: Meeting) -> str:
    return reverse("cases:meeting", args=[meeting.case_id, meeting.pk])


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_meeting_page_has_no_axe_violations(browsing, town, meeting, language):
    page = page_as(browsing, town.teacher, language=language)
    page.goto(meeting_url(meeting))
    assert page.locator("main table tbody tr").count() == 2  # the two invitations
    assert page.locator("main textarea").count() >= 1
    assert_no_axe_violations(page)


def test_the_plan_form_with_errors_has_no_axe_violations(browsing, town, meeting):
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:plan-meeting", args=[meeting.case_id]))
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Plan the meeting").click()
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)


def test_the_merge_view_has_no_axe_violations(browsing, town, meeting):
    page = page_as(browsing, town.teacher)
    page.goto(meeting_url(meeting))
    # A colleague saves first; this page's save then shows both versions side by side.
    meeting_services.save_minutes(town.teacher, meeting, "Mor og far forteller om søvn.", 1)
    page.get_by_label("Minutes", exact=True).fill("Mor forteller om søvn og mat.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the minutes").click()
    assert page.get_by_role("region", name=re.compile("Saved version")).count() == 1
    assert "Mor og far forteller om søvn." in page.locator("main").inner_text()
    assert page.get_by_label("Minutes", exact=True).input_value() == "Mor forteller om søvn og mat."
    assert_no_axe_violations(page)


def test_typing_the_minutes_saves_them_without_pressing_save(browsing, town, meeting):
    page = page_as(browsing, town.teacher, axe=False)  # under the real CSP
    page.goto(meeting_url(meeting))
    status = page.locator("#minutes-status")
    box = page.get_by_label("Minutes", exact=True)
    box.fill("Mor forteller om søvn. Far er enig.")
    status.filter(has_text=re.compile(r"^Saved \d\d:\d\d$")).wait_for()
    meeting.refresh_from_db()
    assert meeting.minutes == "Mor forteller om søvn. Far er enig."
    assert meeting.minutes_version == 2
    # The page took the new version: the next save is not taken for a conflict.
    box.fill("Mor forteller om søvn. Far er enig. Neste møte i januar.")
    expect(page.locator("input[name='minutes-version']")).to_have_value("3")
    status.filter(has_text=re.compile(r"^Saved \d\d:\d\d$")).wait_for()
    meeting.refresh_from_db()
    assert meeting.minutes == "Mor forteller om søvn. Far er enig. Neste møte i januar."


def test_an_autosave_after_someone_else_saved_shows_the_merge_message(browsing, town, meeting):
    page = page_as(browsing, town.teacher, axe=False)
    page.goto(meeting_url(meeting))
    meeting_services.save_minutes(town.teacher, meeting, "Skrevet i en annen fane.", 1)
    page.get_by_label("Minutes", exact=True).fill("Mor forteller om søvn. Mitt tillegg.")
    page.locator("#minutes-status").filter(
        has_text="Someone else saved the minutes while you were writing."
    ).wait_for()
    meeting.refresh_from_db()
    assert meeting.minutes == "Skrevet i en annen fane."  # nothing overwritten
    assert (
        page.get_by_label("Minutes", exact=True).input_value()
        == "Mor forteller om søvn. Mitt tillegg."
    )


def test_minutes_typed_while_the_connection_is_down_are_saved_when_it_is_back(
    browsing, town, meeting
):
    page = page_as(browsing, town.teacher, axe=False)
    page.goto(meeting_url(meeting))
    status = page.locator("#minutes-status")
    page.context.set_offline(True)
    page.get_by_label("Minutes", exact=True).fill("Mor forteller om søvn. Skrevet uten nett.")
    status.filter(has_text="Familiebro cannot be reached").wait_for()
    meeting.refresh_from_db()
    assert meeting.minutes == "Mor forteller om søvn."

    page.context.set_offline(False)
    status.filter(has_text=re.compile(r"^Saved \d\d:\d\d$")).wait_for()
    meeting.refresh_from_db()
    assert meeting.minutes == "Mor forteller om søvn. Skrevet uten nett."


def test_the_move_form_with_errors_and_after_a_move_has_no_axe_violations(browsing, town, meeting):
    page = page_as(browsing, town.teacher)
    page.goto(meeting_url(meeting))
    with page.expect_navigation():
        page.get_by_role("link", name="Move the meeting (new time or place)").click()
    assert_no_axe_violations(page)
    page.get_by_label("Place").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Move the meeting").click()
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)

    page.get_by_label("Place").fill("Møterom 3")
    with page.expect_navigation():
        page.get_by_role("button", name="Move the meeting").click()
    assert "Møterom 3" in page.locator("main").inner_text()
    assert_no_axe_violations(page)  # with the warning that the GP gets short notice


def test_a_move_after_someone_else_moved_the_meeting_has_no_axe_violations(browsing, town, meeting):
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:move-meeting", args=[meeting.case_id, meeting.pk]))
    meeting_services.move_meeting(
        town.teacher,
        meeting,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
        ends_at=meeting.ends_at + datetime.timedelta(days=1),
        place=meeting.place,
        based_on_sequence=0,
    )
    page.get_by_label("Place").fill("Gymsalen")
    with page.expect_navigation():
        page.get_by_role("button", name="Move the meeting").click()
    assert page.get_by_role("alert").filter(has_text="Someone else moved this meeting").count() == 1
    assert_no_axe_violations(page)


def test_the_cancel_form_and_the_cancelled_meeting_have_no_axe_violations(browsing, town, meeting):
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:cancel-meeting", args=[meeting.case_id, meeting.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel the meeting").click()
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)

    page.get_by_label("Why is the meeting cancelled?").fill("Helsesykepleier er syk.")
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel the meeting").click()
    main = page.locator("main")
    assert "This meeting is cancelled" in main.inner_text()
    assert main.locator("form").count() == 0
    assert_no_axe_violations(page)


def test_a_meeting_that_is_over_has_no_axe_violations(browsing, town, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page = page_as(browsing, town.teacher)
    page.goto(meeting_url(meeting))
    assert "The meeting is over: nobody more can be invited." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Send the invitation").count() == 0
    assert_no_axe_violations(page)
