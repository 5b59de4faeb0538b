"""The case pages as staff use them: open a case, decide, hand over, plan, log, close."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_pages, case_services, measure_services, participant_services
from familiebro.cases.help_requests import services as inbox
from familiebro.cases.models import Case, HelpRequest, LogEntry, Measure
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def text_of(response) -> str:
    return response.content.decode()


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def url(name: str, case: Case, *args) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def follow(client: Client, response) -> str:
    assert response.status_code == 302, text_of(response)[:2000]
    return text_of(client.get(response["Location"]))


# Opening ------------------------------------------------------------------------------------


def test_a_teacher_opens_a_case_for_a_concern_and_becomes_its_coordinator(town):
    child = builders.child_of(town.teacher)
    teacher = as_user(town.teacher)
    form = text_of(teacher.get(reverse("cases:open")))
    assert "Sæther, Åse" in form

    response = teacher.post(
        reverse("cases:open"),
        {
            "child": child.pk,
            "unit": town.kindergarten.pk,
            "origin": Case.Origin.STAFF_CONCERN,
            "concern": "Åse trekker seg unna i lek.",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    case = Case.objects.get(child=child)
    assert response["Location"] == detail(case)
    page = follow(teacher, response)
    assert f"Case {case.reference} is opened. You are its coordinator." in page
    # The concern opens the shared log.
    assert "Åse trekker seg unna i lek." in text_of(teacher.get(url("write-log", case)))
    assert "Level 0" in page
    due = timezone.localdate() + datetime.timedelta(days=14)
    assert f"{due.day}. {due:%B} {due.year}" in page  # the level-0 decision deadline
    assert case.coordinator == town.teacher
    assert reverse("cases:detail", args=[case.pk]) in text_of(teacher.get(reverse("cases:mine")))


def test_opening_a_case_without_a_child_or_concern_says_what_to_fill_in(town):
    builders.child_of(town.teacher)
    response = as_user(town.teacher).post(
        reverse("cases:open"),
        {"unit": town.kindergarten.pk, "origin": Case.Origin.STAFF_CONCERN, "concern": " "},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose the child. Register the child first if they are not in the list." in page
    assert "This cannot be empty. Write a few words." in page
    assert not Case.objects.exists()


def test_a_case_opened_from_a_request_for_help_keeps_its_deadlines(town):
    request = HelpRequestFactory(unit=town.team)
    child = builders.child_of(town.therapist)
    therapist = as_user(town.therapist)
    request_page = text_of(therapist.get(reverse("inbox:detail", args=[request.pk])))
    open_url = f"{reverse('cases:open')}?henvendelse={request.pk}"
    assert open_url in request_page

    response = therapist.post(open_url, {"child": child.pk, "unit": town.team.pk})
    case = Case.objects.get(child=child)
    follow(therapist, response)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONVERTED
    assert case.help_request == request
    assert case.received_at == request.received_at  # the 7 days count from the request
    assert f"Go to case {case.reference}" in text_of(
        therapist.get(reverse("inbox:detail", args=[request.pk]))
    )


def test_a_request_marked_converted_first_gets_its_case_after_the_allocation_meeting(town):
    request = HelpRequestFactory(unit=town.team)
    inbox.convert_to_case(town.therapist, request, "Til fordelingsmøtet tirsdag.")
    child = builders.child_of(town.therapist)
    therapist = as_user(town.therapist)
    open_url = f"{reverse('cases:open')}?henvendelse={request.pk}"
    assert open_url in text_of(therapist.get(reverse("inbox:detail", args=[request.pk])))

    follow(therapist, therapist.post(open_url, {"child": child.pk, "unit": town.team.pk}))
    case = Case.objects.get(help_request=request)
    # A second case from the same request is refused with a reason.
    again = therapist.post(open_url, {"child": child.pk, "unit": town.team.pk})
    assert again.status_code == 400
    assert "A case is already opened from this request." in text_of(again)
    assert Case.objects.filter(help_request=request).get() == case


# Deciding, handing over, planning, closing ------------------------------------------------------


def test_a_case_walks_from_concern_to_closing_on_the_case_page(town, mailoutbox):
    case = builders.open_concern(town.teacher, town.kindergarten)
    teacher = as_user(town.teacher)

    # A decision without a reason is refused at the field, and nothing changes.
    refused = teacher.post(url("decide", case), {"decision-option": "one_more_service"})
    assert refused.status_code == 400
    assert "This cannot be empty. Write a few words." in text_of(refused)
    case.refresh_from_db()
    assert case.phase == "level0"

    page = follow(
        teacher,
        teacher.post(
            url("decide", case),
            {"decision-option": "one_more_service", "decision-reason": "Foreldrene vil det."},
        ),
    )
    assert "The decision is recorded." in page
    case.refresh_from_db()
    assert case.phase == "level2"

    # The health centre keeps its own duty of confidentiality: it joins under consent.
    builders.coordination_consent(case, town.health_centre)
    follow(
        teacher,
        teacher.post(
            url("add-participant", case),
            {"participant-unit": town.health_centre.pk, "participant-role": "Helsestasjon"},
        ),
    )
    follow(teacher, teacher.post(url("add-goal", case), {"goal-text": "Åse trives igjen."}))
    page = follow(
        teacher,
        teacher.post(
            url("add-measure", case),
            {
                "measure-title": "Samtaler med helsesykepleier",
                "measure-responsible_unit": town.health_centre.pk,
                "measure-responsible_user": town.nurse.pk,
                "measure-start_date": in_days(0),
                "measure-evaluation_date": in_days(42),
            },
        ),
    )
    assert "Samtaler med helsesykepleier" in page
    measure = Measure.objects.get(case=case)

    closing = {
        "decision-option": "close",
        "decision-reason": "Åse trives.",
        "decision-close_reason": Case.CloseReason.GOAL_REACHED,
        "decision-summary": "Åse trives i barnehagen igjen.",
    }
    blocked = teacher.post(url("decide", case), closing)
    assert blocked.status_code == 400
    assert "still active" in text_of(blocked)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN

    follow(
        teacher,
        teacher.post(
            url("evaluate-measure", case, measure.pk),
            {"evaluation-what_worked": "Samtalene hjalp.", "evaluation-decision": "stop"},
        ),
    )
    page = follow(teacher, teacher.post(url("decide", case), closing))
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert "Record the decision" not in page  # a closed case has no actions
    log = text_of(teacher.get(url("write-log", case)))
    assert "Åse trives i barnehagen igjen." in log  # the closing summary is in the log
    assert "Write in the log" not in log


def test_the_coordinator_role_moves_only_when_the_colleague_accepts(town):
    # The family team works under the health centre's duty of confidentiality (both health).
    case = builders.open_concern(town.nurse, town.health_centre)
    participant_services.add_participant(town.nurse, case, unit=town.team)
    nurse, therapist = as_user(town.nurse), as_user(town.therapist)

    page = follow(
        nurse,
        nurse.post(
            url("offer-handover", case),
            {"handover-to_user": town.therapist.pk, "handover-message": "Du kjenner familien."},
        ),
    )
    assert "has offered the coordinator role to Tor Terapeut" in page
    assert "Withdraw the offer" in page
    case.refresh_from_db()
    assert case.coordinator == town.nurse

    handover = case.handovers.get()
    therapist_page = text_of(therapist.get(detail(case)))
    assert url("accept-handover", case, handover.pk) in therapist_page
    # Only the colleague offered the role can accept it.
    nurse.post(url("accept-handover", case, handover.pk))
    case.refresh_from_db()
    assert case.coordinator == town.nurse

    page = follow(therapist, therapist.post(url("accept-handover", case, handover.pk)))
    assert "You are the coordinator now." in page
    case.refresh_from_db()
    assert case.coordinator == town.therapist


def test_the_coordinator_role_stays_under_the_owning_services_duty_of_confidentiality(town):
    """The kindergarten takes part in the health centre's case under the family's consent: it
    reads what the consent covers, but cannot be offered the coordinator role, which changes
    the health centre's records."""
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.kindergarten)
    participant_services.add_participant(town.nurse, case, unit=town.kindergarten)
    nurse = as_user(town.nurse)

    form = text_of(nurse.get(url("offer-handover", case)))
    assert "Siri Barnehagelærer" not in form
    with pytest.raises(ValidationError, match="same duty of confidentiality"):
        participant_services.offer_handover(town.nurse, case, town.teacher)
    assert not case.handovers.exists()


# The shared log and concurrent edits ----------------------------------------------------------


def test_a_corrected_log_entry_keeps_the_earlier_text_for_staff(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    teacher = as_user(town.teacher)
    follow(
        teacher,
        teacher.post(
            url("write-log", case), {"log-kind": "note", "log-text": "Mor ringte tirsdag."}
        ),
    )
    entry = case.log_entries.get(kind=LogEntry.Kind.NOTE)
    correct_url = url("correct-log", case, entry.pk)
    assert correct_url in text_of(teacher.get(url("write-log", case)))

    page = follow(teacher, teacher.post(correct_url, {"correction-text": "Mor ringte onsdag."}))
    assert "The entry is corrected. The earlier text is kept." in page
    assert "Mor ringte onsdag." in page
    assert "Mor ringte tirsdag." in page
    assert "corrected later" in page

    # Someone else's entry cannot be corrected: they write a new one instead.

    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(town.teacher, case, unit=town.health_centre)
    nurse = as_user(town.nurse)
    newest = case.log_entries.get(current=True, kind=LogEntry.Kind.NOTE)
    page = follow(nurse, nurse.post(url("correct-log", case, newest.pk), {"correction-text": "x"}))
    assert "Only the author can correct an entry." in page
    assert case.log_entries.get(current=True, kind=LogEntry.Kind.NOTE).text == "Mor ringte onsdag."


def test_two_staff_editing_one_measure_lose_nothing(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    measure = measure_services.add_measure(
        town.teacher,
        case,
        measure_services.MeasureFields(
            title="Observasjon i lek",
            responsible_unit=town.kindergarten,
            start_date=timezone.localdate(),
            evaluation_date=timezone.localdate() + datetime.timedelta(days=28),
        ),
    )
    # Everyone in the owning unit needs to know the case.
    colleague = make.member(town.kindergarten, first_name="Kari", last_name="Kollega")
    first, second = as_user(town.teacher), as_user(colleague)
    edit_url = url("measure", case, measure.pk)
    assert 'value="Observasjon i lek"' in text_of(first.get(edit_url))
    assert 'value="Observasjon i lek"' in text_of(second.get(edit_url))

    def edit(title: str, version: int) -> dict:
        return {
            "measure-title": title,
            "measure-responsible_unit": town.kindergarten.pk,
            "measure-start_date": in_days(0),
            "measure-evaluation_date": in_days(28),
            "measure-version": version,
        }

    follow(first, first.post(edit_url, edit("Observasjon i lek og samling", 1)))
    conflict = second.post(edit_url, edit("Observasjon ute", 1))
    assert conflict.status_code == 409
    page = text_of(conflict)
    assert "Someone else saved this measure while you were editing" in page
    assert "Observasjon i lek og samling" in page  # the saved version
    assert 'value="Observasjon ute"' in page  # what the second editor typed is still there
    measure.refresh_from_db()
    assert measure.title == "Observasjon i lek og samling"

    # Saving the merged text on the newest version goes through.
    follow(second, second.post(edit_url, edit("Observasjon i lek, samling og ute", 2)))
    measure.refresh_from_db()
    assert measure.title == "Observasjon i lek, samling og ute"
    assert measure.version == 3


# Another organisation -------------------------------------------------------------------------


def test_a_service_under_consent_reads_the_case_and_loses_it_on_withdrawal(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    psychiatrist = as_user(town.psychiatrist)

    nurse_page = text_of(as_user(town.nurse).get(url("participants", case)))
    assert "Consents in force" in nurse_page
    assert reverse("consent-detail", args=[case.child_id, consent.pk]) in nurse_page

    page = text_of(psychiatrist.get(detail(case)))
    assert "You see this case because the family has consented" in page
    assert "Record the decision" not in page
    page = text_of(psychiatrist.get(url("participants", case)))
    assert "Consents in force" not in page  # the privacy records stay with the owner
    page = text_of(psychiatrist.get(url("write-log", case)))
    assert "Trekker seg unna i lek" in page
    assert "Write in the log" not in page
    event = AuditEvent.objects.filter(
        actor_id=town.psychiatrist.pk, object_type="cases.case"
    ).latest("id")
    assert event.consent_id == consent.pk
    # One event for the page view, naming what its section showed of the case.
    assert event.action == "view"
    assert event.detail["shown"]["logentry"]
    # Reading is all a consent opens: a change is refused and nothing is written.
    psychiatrist.post(url("add-goal", case), {"goal-text": "Et mål"})
    assert not case.goals.exists()

    consent.withdrawn_at = timezone.now()
    consent.save()
    assert psychiatrist.get(detail(case)).status_code == 404
    assert case.reference not in text_of(psychiatrist.get(reverse("cases:mine")))


def test_a_sub_goal_is_shown_under_its_main_goal(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    teacher = as_user(town.teacher)
    follow(teacher, teacher.post(url("add-goal", case), {"goal-text": "Åse trives igjen."}))
    main = case.goals.get()
    page = follow(
        teacher,
        teacher.post(
            url("add-goal", case), {"goal-text": "Åse leker med andre.", "goal-parent": main.pk}
        ),
    )
    assert case.goals.get(text="Åse leker med andre.").parent == main
    assert page.index("Åse trives igjen.") < page.index("Åse leker med andre.")
    other = builders.open_concern(town.teacher, town.kindergarten)
    refused = teacher.post(
        url("add-goal", other), {"goal-text": "Feil sak.", "goal-parent": main.pk}
    )
    assert refused.status_code == 400
    assert "Choose one of the case&#x27;s main goals." in text_of(refused)


def test_the_case_page_shows_the_newest_entries_and_links_to_the_whole_log(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    for number in range(case_pages.LOG_ON_CASE_PAGE + 5):
        case_services.write_log_entry(
            town.teacher, case, kind=LogEntry.Kind.NOTE, text=f"Notat nummer {number}."
        )
    teacher = as_user(town.teacher)
    page = text_of(teacher.get(url("write-log", case)))
    newest = case_pages.LOG_ON_CASE_PAGE + 4
    assert f"Notat nummer {newest}." in page
    assert "Notat nummer 0." not in page
    assert reverse("cases:log", args=[case.pk]) in page
    whole = text_of(teacher.get(reverse("cases:log", args=[case.pk])))
    assert "Notat nummer 0." in whole and f"Notat nummer {newest}." in whole
    assert "Trekker seg unna i lek" in whole  # the concern that opened the log
