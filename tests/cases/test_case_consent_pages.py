"""Every case page a service under consent may read, it reads; after withdrawal, none."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import LogEntry
from tests.cases import builders
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


def test_a_service_under_consent_reads_every_case_page_and_none_after_withdrawal():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, town.bup)
    bup = participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    today = timezone.localdate()
    measure = measure_services.add_measure(
        town.nurse,
        case,
        measure_services.MeasureFields(
            title="Samtaler",
            responsible_unit=town.health_centre,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
        ),
    )
    entry = case_services.write_log_entry(town.nurse, case, kind=LogEntry.Kind.NOTE, text="Ok.")
    starts = timezone.now() + datetime.timedelta(days=40)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    builders.start_plan(town.nurse, case, [case.participants.get(user=town.nurse).pk, bup.pk])
    pages = [
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:measure", args=[case.pk, measure.pk]),
        reverse("cases:meeting", args=[case.pk, meeting.pk]),
        reverse("cases:plan-pdf", args=[case.pk]),
    ]
    psychiatrist = logged_in(town.psychiatrist)
    for page in pages:
        assert psychiatrist.get(page).status_code == 200, page
    # Correcting is the author's: a reader under consent is sent back with the reason.
    correct = psychiatrist.get(reverse("cases:correct-log", args=[case.pk, entry.pk]))
    assert correct.status_code == 302

    # The forms that change the case (and list its participants to choose from) are not
    # theirs: refused, and the measure page shows no edit form.
    for name in ("offer-handover", "add-participant", "add-measure", "start-plan"):
        assert psychiatrist.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 403, name
    measure_page = psychiatrist.get(pages[1]).content.decode()
    assert 'id="measure-edit"' not in measure_page

    consent.withdrawn_at = timezone.now()
    consent.save()
    for page in pages:
        assert psychiatrist.get(page).status_code == 404, page
