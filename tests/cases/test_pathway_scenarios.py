"""The shipped pathways walked end to end, as the sources describe them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.measure_services import MeasureFields
from familiebro.cases.models import Case, Deadline, HelpRequest, LogEntry, MeasureEvaluation
from familiebro.privacy import policy
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory

pytestmark = pytest.mark.django_db


def open_deadlines(case: Case) -> dict[str, Deadline]:
    return {
        d.key: d
        for d in Deadline.objects.filter(
            case=case, completed_at__isnull=True, cancelled_at__isnull=True
        )
    }


def test_a_kindergarten_concern_goes_from_level_0_to_level_2_with_a_new_coordinator():
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)

    # Level 0: the decision is due 14 days after the concern, the teacher holds the baton.
    assert case.phase == "level0"
    assert case.coordinator == town.teacher
    level0 = open_deadlines(case)["level0_decision"]
    assert level0.due_at == timezone.localtime(case.received_at) + datetime.timedelta(days=14)
    assert level0.responsible == town.teacher

    case_services.decide(
        town.teacher,
        case,
        option="one_more_service",
        reason="Foreldrene ønsker at helsestasjonen er med.",
    )
    case.refresh_from_db()
    assert case.phase == "level2"
    assert "level0_decision" not in open_deadlines(case)
    assert case.decisions.get().option == "one_more_service"

    # The health centre joins under the family's consent: it keeps its own duty of
    # confidentiality, so it reads the case, and the baton stays in the kindergarten.
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    assert policy.visible(town.nurse, Case, case_services.READ).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError, match="same duty of confidentiality"):
        participant_services.offer_handover(town.teacher, case, town.nurse, "Du kjenner familien.")

    # The baton goes to the kindergarten's special educator, who keeps nothing until she
    # accepts.
    educator = town.educator
    handover = participant_services.offer_handover(
        town.teacher, case, educator, "Du kjenner familien."
    )
    case.refresh_from_db()
    assert case.coordinator == town.teacher
    participant_services.accept_handover(educator, handover.pk)
    case.refresh_from_db()
    assert case.coordinator == educator
    assert case.log_entries.filter(kind=LogEntry.Kind.COORDINATOR).exists()

    # A goal in the family's words and a measure with an evaluation date, which the nurse,
    # taking part, is responsible for.
    goal = measure_services.add_goal(educator, case, "Emma skal trives i barnehagen igjen.")
    measure = measure_services.add_measure(
        educator,
        case,
        MeasureFields(
            title="Samtaler med helsesykepleier",
            responsible_unit=town.health_centre,
            responsible_user=town.nurse,
            start_date=timezone.localdate(),
            evaluation_date=timezone.localdate() + datetime.timedelta(days=42),
            goal=goal,
        ),
    )
    assert open_deadlines(case)["measure_evaluation"].responsible == town.nurse

    # Closing is refused while the measure is active, then allowed once it is stopped.
    with pytest.raises(ValidationError, match="still active"):
        case_services.decide(
            educator,
            case,
            option="close",
            reason="Bedre nå.",
            close_reason="goal_reached",
            summary="Emma trives.",
        )
    measure_services.evaluate_measure(
        educator,
        measure,
        what_worked="Samtalene hjalp.",
        decision=MeasureEvaluation.Decision.STOP,
    )
    case_services.decide(
        educator,
        case,
        option="close",
        reason="Målet er nådd.",
        close_reason="goal_reached",
        summary="Emma trives i barnehagen igjen.",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert not open_deadlines(case)
    # The teacher who raised the concern is told it is closed, and whom to contact.
    note = town.teacher.notifications.get(text__contains=case.reference)
    assert "avsluttet" in note.text  # in the instance's language, bokmål


def test_a_familiehjelpa_request_is_closed_after_one_phone_call():
    town = builders.municipality()
    request = HelpRequestFactory(unit=town.team, email="mor@example.no")
    child = builders.child_of(town.therapist)
    from familiebro.cases.help_requests import services as inbox

    inbox.mark_contacted(town.therapist, request)
    case = case_services.open_case(
        town.therapist,
        child=child,
        unit=town.team,
        origin=Case.Origin.HELP_REQUEST,
        help_request=request,
    )
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONVERTED
    assert case.pathway_version.definition.key == "familiehjelpa"
    # The first contact was made before the case was opened: that deadline is already met.
    first_contact = Deadline.objects.get(case=case, key="first_contact")
    assert first_contact.completed_at is not None
    assert first_contact.due_at == timezone.localtime(request.received_at) + datetime.timedelta(
        days=7
    )

    case_services.decide(
        town.therapist,
        case,
        option="close",
        reason="Fikk råd om søvn.",
        close_reason="resolved_first_contact",
        summary="Vi snakket om leggerutiner. Ta kontakt igjen om det trengs.",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    # The mother who asked has no login to Familiebro, and an e-mail must not tell about the
    # case: she reads the closing summary on Min side, and no feedback is sent.
    assert case.feedback_sent_at is None
    assert case.feedback.get().withheld == "no_login"


def test_a_service_of_another_organisation_takes_part_only_under_consent():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    with pytest.raises(ValidationError, match="no consent in force"):
        participant_services.add_participant(town.nurse, case, unit=town.bup)
    assert not policy.visible(town.psychiatrist, Case, case_services.READ).filter(pk=case.pk)

    consent = builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    assert policy.visible(town.psychiatrist, Case, case_services.READ).filter(pk=case.pk)
    # Consent opens for reading; changing stays with the owning organisation.
    with pytest.raises(PermissionDenied):
        measure_services.add_goal(town.psychiatrist, case, "Et mål")

    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not policy.visible(town.psychiatrist, Case, case_services.READ).filter(pk=case.pk)


def test_a_referral_to_bup_ends_with_a_summary_meeting_and_a_discharge_summary_in_7_days():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre, pathway="kvalitet-i-alle-ledd")
    assert case.phase == "concern"

    # Phase 1: screening starts the 8-week clock for offering help; offering help stops it.
    screened = timezone.now() - datetime.timedelta(days=3)
    case_services.record_milestone(town.nurse, case, "screening_done", screened)
    help_offered = open_deadlines(case)["help_offered"]
    assert help_offered.due_at == timezone.localtime(screened) + datetime.timedelta(days=56)
    case_services.record_milestone(town.nurse, case, "help_offered")
    assert "help_offered" not in open_deadlines(case)

    # Phase 2: referral to BUP, which takes part under the family's consent.
    case_services.decide(town.nurse, case, option="assess", reason="Trenger utredning i BUP.")
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    case_services.decide(town.nurse, case, option="accepted", reason="BUP tok imot henvisningen.")
    case_services.decide(town.nurse, case, option="treat", reason="Behandling i BUP.")
    case.refresh_from_db()
    assert case.phase == "treatment"
    assert policy.visible(town.psychiatrist, Case, case_services.READ).filter(pk=case.pk)

    # Phase 4: the summary meeting before the specialist closes starts the 7-day clock for
    # the discharge summary; sending it stops the clock.
    held = timezone.now() - datetime.timedelta(days=1)
    case_services.record_milestone(town.nurse, case, "summary_meeting_held", held)
    discharge = open_deadlines(case)["discharge_summary"]
    assert discharge.due_at == timezone.localtime(held) + datetime.timedelta(days=7)
    case_services.record_milestone(town.nurse, case, "discharge_summary_sent")
    assert "discharge_summary" not in open_deadlines(case)
    assert Deadline.objects.get(pk=discharge.pk).completed_at is not None

    # Phase 5: follow-up in the municipality, then closing.
    case_services.decide(
        town.nurse, case, option="specialist_closed", reason="BUP avslutter, kommunen følger opp."
    )
    case.refresh_from_db()
    assert case.phase == "follow_up"
    case_services.decide(
        town.nurse,
        case,
        option="close",
        reason="Tiltakene virker.",
        close_reason="goal_reached",
        summary="Åse har det bedre. Ta kontakt med helsestasjonen om noe endrer seg.",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert [d.option for d in case.decisions.all()] == [
        "assess",
        "accepted",
        "treat",
        "specialist_closed",
        "close",
    ]
