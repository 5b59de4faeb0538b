"""A consent covering log entries only does not open what a log entry repeats of measures and
plans (a decision's reason) or of meetings (a cancellation), nor a correction of an entry about
a measure kept internal."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.models import Decision, LogEntry, Measure
from familiebro.privacy import policy
from tests.cases import builders

pytestmark = pytest.mark.django_db

READ = case_services.READ
SECRET = "Grunnen-9Z: mor er innlagt på psykiatrisk"
TITLE = "Tiltaket-9Z: samtaler om rus i familien"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def texts(user, model=LogEntry) -> str:
    user._familiebro_scope = None
    field = "text" if model is LogEntry else ("reason" if model is Decision else "title")
    listed = list(policy.visible(user, model, READ).values_list(field, flat=True))
    probed = list(policy.visible(user, model, READ, few_rows=True).values_list(field, flat=True))
    return "\n".join(listed + probed)


def test_a_decisions_reason_is_not_opened_by_a_consent_for_log_entries_only(town):
    """decide() writes the decision's reason into the shared log as kind DECISION, which
    also_category does not list: a log-entries-only consent opens the reason of a Decision
    (category measures_and_plans) that the same consent keeps closed."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.bup, scope=("log_entries",))
    participant_services.add_participant(town.teacher, case, unit=town.bup, role="BUP")
    case_services.decide(town.teacher, case, option="one_more_service", reason=SECRET)

    assert SECRET not in texts(town.psychiatrist, Decision)  # the Decision itself is closed
    assert SECRET not in texts(town.psychiatrist)  # ... and so must its copy in the log be


def test_the_correction_of_a_measures_log_entry_stays_internal_with_the_measure(town):
    """A measure marked internal keeps its log entry internal through the entry's link to
    it (LogEntry.measure). correct_log_entry() copies kind, text and internal_reason but not
    the link, so the correction of that entry is open to the consent's recipients."""
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup)  # every category
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    today = timezone.localdate()
    fields = measure_services.MeasureFields(
        title=TITLE,
        responsible_unit=town.health_centre,
        start_date=today,
        evaluation_date=today + datetime.timedelta(days=30),
    )
    measure = measure_services.add_measure(town.nurse, case, fields)
    fields.internal_reason = "Rusproblematikk: ikke for andre tjenester."
    measure_services.change_measure(town.nurse, measure, fields, based_on=measure.version)
    assert TITLE not in texts(town.psychiatrist, Measure)
    assert TITLE not in texts(town.psychiatrist)  # the entry is internal with the measure

    entry = LogEntry.objects.get(case=case, kind=LogEntry.Kind.MEASURE)
    case_services.correct_log_entry(town.nurse, entry.pk, entry.text + " (rettet dato)")

    assert TITLE not in texts(town.psychiatrist)


def test_a_meetings_cancellation_reason_is_not_opened_by_a_consent_for_log_entries_only(town):
    """cancel_meeting() writes the meeting's kind, time and the cancellation reason (the
    Meeting's own cancellation_reason, category meeting_minutes) into the log as kind MEETING,
    which also_category does not list; move_meeting() likewise writes the new time and place."""
    from familiebro.cases.meetings import services as meeting_services
    from familiebro.cases.models import Meeting

    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup, scope=("log_entries",))
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    starts = timezone.now() + datetime.timedelta(days=40)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    meeting_services.cancel_meeting(
        town.nurse, meeting, reason=SECRET, based_on_sequence=meeting.calendar_sequence
    )
    town.psychiatrist._familiebro_scope = None
    assert not policy.visible(town.psychiatrist, Meeting, READ).exists()  # closed to BUP

    assert SECRET not in texts(town.psychiatrist)
