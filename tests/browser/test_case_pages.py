"""Zero axe-core violations on the case pages, with their forms and their error states."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders

pytestmark = pytest.mark.browser


@pytest.fixture
def town(transactional_db) -> builders.Municipality:
    install_shipped()  # the live server's database is flushed between tests
    return builders.municipality()


@pytest.fixture
def case(town):
    """A case at level 2 with a service taking part, a goal, a measure, a log entry and a
    coordinator handover waiting for the teacher's colleague."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    case_services.decide(town.teacher, case, option="one_more_service", reason="Foreldrene vil.")
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    goal = measure_services.add_goal(town.teacher, case, "Åse trives i barnehagen.")
    today = timezone.localdate()
    measure_services.add_measure(
        town.teacher,
        case,
        measure_services.MeasureFields(
            title="Samtaler med helsesykepleier",
            responsible_unit=town.health_centre,
            responsible_user=town.nurse,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=42),
            goal=goal,
        ),
    )
    case_services.write_log_entry(town.teacher, case, kind="agreement", text="Vi møtes igjen.")
    participant_services.offer_handover(town.teacher, case, town.educator, "Du kjenner familien.")
    case.refresh_from_db()
    return case


def page_as(browsing, user, language: str = "nb"):
    return browsing.axe_page(session_key=session_key_for(user), language=language)


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").click()


SECTIONS = ("detail", "write-log", "goals", "meetings", "participants", "decisions")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_section_of_the_case_page_has_no_axe_violations(browsing, town, case, language):
    page = page_as(browsing, town.teacher, language)
    for name in SECTIONS:
        page.goto(reverse(f"cases:{name}", args=[case.pk]))
        assert page.locator("nav.fb-case__sections [aria-current=page]").count() == 1
        assert_no_axe_violations(page, path=reverse(f"cases:{name}", args=[case.pk]))


def test_every_section_fits_a_phone_and_has_no_axe_violations(browsing, town, case):
    page = browsing.axe_page(
        session_key=session_key_for(town.teacher), viewport={"width": 390, "height": 844}
    )
    for name in SECTIONS:
        page.goto(reverse(f"cases:{name}", args=[case.pk]))
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        assert_no_axe_violations(page)


def test_the_case_page_with_a_refused_decision_has_no_axe_violations(browsing, town, case):
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:detail", args=[case.pk]))
    page.locator("#decision summary").click()
    # htmx sends the form and swaps the section with the form open and what to fix.
    with page.expect_response(lambda r: r.url.endswith("/beslutning/")):
        page.locator("#decision button[type=submit]").click()
    page.locator("#decision [data-field=validation]").first.wait_for()
    assert page.locator("#decision[open]").count() == 1
    assert_no_axe_violations(page)


def test_the_case_page_of_the_colleague_offered_the_role_has_no_axe_violations(
    browsing, town, case
):
    page = page_as(browsing, town.educator)
    page.goto(reverse("cases:detail", args=[case.pk]))
    assert page.get_by_role("button", name="Godta koordinatorrollen").count() == 1
    assert_no_axe_violations(page)


def test_my_cases_and_opening_a_case_have_no_axe_violations(browsing, town, case):
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:mine"))
    assert page.locator("main table tbody tr").count() == 1
    assert_no_axe_violations(page)
    page.goto(reverse("cases:open"))
    assert_no_axe_violations(page)
    submit(page, "main form")
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)


def test_the_measure_page_with_a_conflict_has_no_axe_violations(browsing, town, case):
    measure = case.measures.get()
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:measure", args=[case.pk, measure.pk]))
    assert_no_axe_violations(page)

    # A colleague saves first; this page's save then shows both versions to merge.
    fields = measure_services.MeasureFields(
        title="Samtaler hver uke",
        responsible_unit=town.kindergarten,
        responsible_user=town.educator,
        start_date=measure.start_date,
        evaluation_date=measure.evaluation_date,
        goal=measure.goal,
    )
    measure_services.change_measure(town.educator, measure, fields, based_on=measure.version)
    page.get_by_label("Tiltak", exact=True).fill("Samtaler annenhver uke")
    submit(page, "#measure-edit")
    assert page.get_by_role("table").filter(has_text="Samtaler hver uke").count() == 1
    assert_no_axe_violations(page)


def test_the_correction_page_has_no_axe_violations(browsing, town, case):
    entry = case.log_entries.get(kind="agreement")
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:correct-log", args=[case.pk, entry.pk]))
    assert_no_axe_violations(page)


def test_the_allocation_view_and_the_plan_register_have_no_axe_violations(browsing, town, case):
    from tests.cases.factories import HelpRequestFactory

    HelpRequestFactory(unit=town.kindergarten)
    builders.start_plan(town.teacher, case, [case.participants.get(user=town.teacher).pk])
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:allocation"))
    assert page.locator("main table tbody tr").count() == 1  # the new request
    assert_no_axe_violations(page)
    page.goto(reverse("cases:plan-register"))
    assert page.locator("main table").count() == 2
    assert_no_axe_violations(page)


def tab_to(page, element_id: str, limit: int = 300) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} was not reached with Tab")


def test_a_log_entry_is_written_with_the_keyboard_alone(browsing, town, case):
    page = page_as(browsing, town.teacher, "en")
    page.goto(reverse("cases:write-log", args=[case.pk]))
    # The form is closed until opened: its summary is reached with Tab and opened with Enter.
    page.locator("#log summary").focus()
    page.keyboard.press("Enter")
    tab_to(page, "id_log-text")
    page.keyboard.type("Far ringte og ba om et møte.")
    tab_to(page, "log-submit")
    with page.expect_response(lambda r: r.url.endswith("/logg/") and r.request.method == "GET"):
        page.keyboard.press("Enter")
    log = page.locator(".fb-log")
    log.get_by_text("Far ringte og ba om et møte.").wait_for()
    assert "The entry is in the shared log." in page.locator("#case-section").inner_text()
    assert case.log_entries.filter(text="Far ringte og ba om et møte.").exists()


@pytest.mark.parametrize("name", ["offer-handover", "add-participant", "add-measure", "start-plan"])
def test_the_action_pages_have_no_axe_violations_also_with_errors(browsing, town, case, name):
    if name == "offer-handover":
        case.handovers.update(withdrawn_at=timezone.now())
    page = page_as(browsing, town.teacher)
    page.goto(reverse(f"cases:{name}", args=[case.pk]))
    assert_no_axe_violations(page)
    submit(page, "main form")
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)


def test_a_decision_on_a_plan_is_recorded_with_the_keyboard_and_has_no_axe_violations(
    browsing, town, case
):
    """The decision page, its refusal without a reason, and the case page showing the
    decision: zero violations, and the whole form done by keyboard."""
    page = page_as(browsing, town.teacher, "en")
    page.goto(reverse("cases:record-plan-decision", args=[case.pk]))
    assert_no_axe_violations(page)
    page.get_by_label("Child coordinator").check()
    page.get_by_label("The family asked for it").check()
    page.get_by_label("Refused").check()
    page.get_by_label("Asked for or considered on").fill("2026-01-05")
    page.get_by_label("Decided by").fill("Kari Koordinerende, leder")
    submit(page, "main form")
    assert page.locator(".ds-error-summary").count() == 1
    assert "Write the reason for the refusal" in page.content()
    assert_no_axe_violations(page)

    tab_to(page, "id_rights-reason")
    page.keyboard.type("Barnet trenger ikke andre velferdstjenester nå.")
    tab_to(page, "action-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Child coordinator: Refused" in page.content()
    assert_no_axe_violations(page)


def test_the_case_page_with_a_plan_under_consent_has_no_axe_violations(browsing, town, case):
    builders.start_plan(
        town.teacher,
        case,
        [p.pk for p in case.participants.all()],
        town.kindergarten,
        town.health_centre,
    )
    page = page_as(browsing, town.teacher)
    page.goto(reverse("cases:decisions", args=[case.pk]))
    assert page.get_by_text("etter samtykket til planen").count() >= 1
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_axe_violations(page)
