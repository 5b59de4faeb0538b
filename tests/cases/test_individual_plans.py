"""Individual plans: started on the case page, printed for the family, counted in the register."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.models import Case, IndividualPlan
from familiebro.cases.plans import pages as plan_pages
from familiebro.cases.plans import services as plan_services
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.privacy.factories import logged_in
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def as_user(user):
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def measure(town, case, title: str, internal_reason: str = ""):
    today = timezone.localdate()
    return measure_services.add_measure(
        town.nurse,
        case,
        measure_services.MeasureFields(
            title=title,
            responsible_unit=town.health_centre,
            responsible_user=town.nurse,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=60),
            internal_reason=internal_reason,
        ),
    )


def test_a_plan_is_started_with_its_responsibility_group_and_printed_for_the_family():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, town.kindergarten)
    kindergarten = participant_services.add_participant(
        town.nurse, case, unit=town.kindergarten, role="Barnehage"
    )
    measure_services.add_goal(town.nurse, case, "Åse sover hele natten.")
    measure(town, case, "Søvnveiledning hjemme")
    measure(town, case, "Drøfting med barnevernet", internal_reason="Ikke avklart med mor ennå")
    nurse = as_user(town.nurse)
    coordinator = case.participants.get(user=town.nurse)

    refused = nurse.post(reverse("cases:start-plan", args=[case.pk]), {})
    assert refused.status_code == 400
    assert (
        "Choose at least one participant for the responsibility group." in refused.content.decode()
    )

    response = nurse.post(
        reverse("cases:start-plan", args=[case.pk]),
        {"plan-members": [coordinator.pk, kindergarten.pk], "plan-consent": consent.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:decisions", args=[case.pk])
    page = nurse.get(response["Location"]).content.decode()
    assert "The individual plan is started." in page
    assert "Tangen barnehage (Barnehage)" in page
    plan = IndividualPlan.objects.get(case=case)
    assert set(plan.responsibility_group.all()) == {coordinator, kindergarten}

    pdf = nurse.get(reverse("cases:plan-pdf", args=[case.pk]), {"språk": "en"})
    assert pdf["Content-Type"] == "application/pdf"
    text = flat(pdf_text(pdf.content))
    assert "Individual plan for Sæther, Åse" in text or "Individual plan for Åse Sæther" in text
    assert "Hanne Helsesykepleier" in text
    assert "Åse sover hele natten." in text
    assert "Søvnveiledning hjemme" in text
    assert "Drøfting med barnevernet" not in text  # internal measures are not the family's
    export = AuditEvent.objects.filter(action="export", object_type="cases.individualplan").get()
    assert export.subject_ids == [str(case.child_id)]

    # One active plan per case.
    again = nurse.post(
        reverse("cases:start-plan", args=[case.pk]),
        {"plan-members": [coordinator.pk], "plan-consent": consent.pk},
    )
    assert again.status_code == 302
    page = nurse.get(again["Location"]).content.decode()
    assert "The case already has an individual plan." in page
    assert IndividualPlan.objects.filter(case=case).count() == 1


def test_a_participant_from_another_case_cannot_join_the_group():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    other = builders.open_concern(town.nurse, town.health_centre)
    stranger = other.participants.first()
    with pytest.raises(Exception, match="among the case's participants"):
        builders.start_plan(town.nurse, case, [stranger.pk])
    assert not IndividualPlan.objects.exists()


def start(town, staff, unit) -> Case:
    case = builders.open_concern(staff, unit)
    builders.start_plan(staff, case, [case.participants.get(user=staff).pk])
    return case


def test_the_register_counts_active_plans_and_those_without_a_coordinator():
    town = builders.municipality()
    start(town, town.nurse, town.health_centre)
    orphan = start(town, town.nurse, town.health_centre)
    Case.objects.filter(pk=orphan.pk).update(coordinator=None)  # the coordinator left
    ended = start(town, town.teacher, town.kindergarten)
    plan_services.end_plan(town.teacher, ended.individual_plans.get())
    start(town, town.teacher, town.kindergarten)
    start(town, town.psychiatrist, town.bup)  # another organisation: not in the register

    register = plan_pages.register(town.nurse_leader)
    rows = {row.unit: (row.active, row.without_coordinator) for row in register.rows}
    assert rows == {"Helsestasjonen i Stange": (2, 1), "Tangen barnehage": (1, 0)}
    assert [(m.active, m.without_coordinator) for m in register.municipalities] == [(3, 1)]

    page = as_user(town.nurse_leader).get(reverse("cases:plan-register")).content.decode()
    assert "Helsestasjonen i Stange" in page
    assert "BUP Hamar" not in page


def test_closing_the_case_ends_its_plan_and_the_register_no_longer_counts_it():
    town = builders.municipality()
    case = start(town, town.nurse, town.health_centre)
    start(town, town.nurse, town.health_centre)
    case_services.decide(
        town.nurse,
        case,
        option="close",
        reason="Målet er nådd.",
        close_reason="goal_reached",
        summary="Familien klarer seg godt nå.",
    )
    assert case.individual_plans.get().ended_at is not None
    [row] = plan_pages.register(town.nurse_leader).rows
    assert (row.unit, row.active) == ("Helsestasjonen i Stange", 1)


def test_the_register_takes_one_query_whatever_the_number_of_plans():
    town = builders.municipality()
    start(town, town.nurse, town.health_centre)
    with CaptureQueriesContext(connection) as few:
        plan_pages.register(town.nurse)
    for _ in range(3):
        start(town, town.teacher, town.kindergarten)
    with CaptureQueriesContext(connection) as more:
        plan_pages.register(town.nurse)
    assert len(more) == len(few)
