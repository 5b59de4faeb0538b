"""Decisions on the rights to an individual plan, a coordinator and a child coordinator
(helse- og omsorgstjenesteloven §§ 7-1, 7-2, 7-2 a), the consent a plan is made under, the
coordinating unit, and retention that keeps plans for the archive."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import participant_services
from familiebro.cases.models import Case, IndividualPlan, LogEntry, PlanDecision
from familiebro.cases.plans import decisions
from familiebro.cases.plans import services as plan_services
from familiebro.privacy import export, retention
from familiebro.privacy.models import Consent, RetentionRule
from tests.cases import builders
from tests.privacy.factories import logged_in
from tests.privacy.factories_retention import years_ago
from tests.privacy.test_consent_pages import flat

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def as_user(user):
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def fields(**changes) -> decisions.DecisionFields:
    values = {
        "right": PlanDecision.Right.INDIVIDUAL_PLAN,
        "origin": PlanDecision.Origin.APPLIED,
        "requested_on": TODAY() - datetime.timedelta(days=14),
        "outcome": PlanDecision.Outcome.GRANTED,
        "decided_on": TODAY(),
        "decided_by": "Kari Koordinerende, leder for koordinerende enhet",
    }
    values.update(changes)
    return decisions.DecisionFields(**values)


def posted(**changes) -> dict[str, str]:
    data = {
        "rights-right": "coordinator",
        "rights-origin": "applied",
        "rights-requested_on": (TODAY() - datetime.timedelta(days=10)).isoformat(),
        "rights-outcome": "refused",
        "rights-decided_on": TODAY().isoformat(),
        "rights-decided_by": "Kari Koordinerende, leder",
        "rights-reason": "Familien trenger ikke langvarige, koordinerte tjenester nå.",
        "rights-appeal_information": "Du kan klage til Statsforvalteren innen fire uker.",
    }
    data.update(changes)
    return data


def test_decisions_are_recorded_on_the_case_page_and_the_shared_log_says_so(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    nurse = as_user(town.nurse)
    url = reverse("cases:record-plan-decision", args=[case.pk])
    form = nurse.get(url)
    assert form.status_code == 200
    # The starting text tells the family where and how to appeal.
    assert "county governor (Statsforvalteren)" in form.content.decode()

    granted = nurse.post(
        url,
        posted(
            **{
                "rights-right": "individual_plan",
                "rights-outcome": "granted",
                "rights-reason": "",
            }
        ),
    )
    assert granted.status_code == 302
    refused = nurse.post(url, posted())
    assert refused.status_code == 302

    page = flat(nurse.get(reverse("cases:decisions", args=[case.pk])).content.decode())
    assert "The decision is recorded. The family can read it." in page
    assert "Individual plan: Granted" in page
    assert "Coordinator: Refused" in page
    assert "Reason: Familien trenger ikke langvarige, koordinerte tjenester nå." in page
    assert "How to appeal: Du kan klage til Statsforvalteren innen fire uker." in page
    [plan, coordinator] = PlanDecision.objects.filter(case=case).order_by("pk")
    assert (plan.right, plan.outcome, plan.decided_by) == (
        "individual_plan",
        "granted",
        "Kari Koordinerende, leder",
    )
    assert plan.requested_on == TODAY() - datetime.timedelta(days=10)
    assert plan.recorded_by == town.nurse
    assert coordinator.outcome == "refused"
    # The shared log, which the family reads, says each decision was made.
    logged = list(
        LogEntry.objects.filter(case=case, kind=LogEntry.Kind.DECISION).values_list(
            "text", flat=True
        )
    )
    assert any(t.startswith("Coordinator: refused on") and "Reason:" in t for t in logged)
    assert any(t.startswith("Individual plan: granted on") for t in logged)


def test_a_refusal_needs_its_reason_and_how_to_appeal(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    nurse = as_user(town.nurse)
    url = reverse("cases:record-plan-decision", args=[case.pk])
    response = nurse.post(url, posted(**{"rights-reason": "  "}))
    assert response.status_code == 400
    assert "Write the reason for the refusal" in response.content.decode()
    response = nurse.post(url, posted(**{"rights-appeal_information": ""}))
    assert response.status_code == 400
    assert "Tell the family how to appeal the refusal." in response.content.decode()
    assert not PlanDecision.objects.exists()
    assert not LogEntry.objects.filter(case=case, kind=LogEntry.Kind.DECISION).exists()
    # A grant needs no reason.
    decisions.record_decision(town.nurse, case, fields())
    assert PlanDecision.objects.count() == 1


def test_the_dates_must_make_sense(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        decisions.record_decision(town.nurse, case, fields(decided_on=tomorrow))
    with pytest.raises(ValidationError, match="cannot be after the decision"):
        decisions.record_decision(
            town.nurse,
            case,
            fields(requested_on=TODAY(), decided_on=TODAY() - datetime.timedelta(days=1)),
        )
    with pytest.raises(ValidationError, match="only when a coordinator or child coordinator"):
        decisions.record_decision(town.nurse, case, fields(appointed="Kari"))
    assert not PlanDecision.objects.exists()


def test_a_child_coordinator_only_for_the_families_the_law_names(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    child = PlanDecision.Right.CHILD_COORDINATOR
    with pytest.raises(ValidationError, match="§ 7-2 a"):
        decisions.record_decision(town.nurse, case, fields(right=child))
    with pytest.raises(ValidationError, match="§ 7-2 a"):
        decisions.record_decision(town.nurse, case, fields(right=child, serious_condition=True))
    assert not PlanDecision.objects.exists()
    # Refused when the conditions are not met: with the reason, no conditions needed.
    decisions.record_decision(
        town.nurse,
        case,
        fields(
            right=child,
            outcome="refused",
            reason="Barnet trenger ikke andre velferdstjenester.",
            appeal_information="Du kan klage til Statsforvalteren.",
        ),
    )
    granted = decisions.record_decision(
        town.nurse,
        case,
        fields(
            right=child,
            serious_condition=True,
            long_term_needs=True,
            appointed="Kari Koordinerende, koordinerende enhet",
        ),
    )
    assert (granted.serious_condition, granted.long_term_needs) == (True, True)
    # Only for a child under 18.
    case.child.birth_date = TODAY().replace(year=TODAY().year - 18) - datetime.timedelta(days=1)
    case.child.save()
    with pytest.raises(ValidationError, match="child under 18"):
        decisions.record_decision(
            town.nurse,
            case,
            fields(right=child, serious_condition=True, long_term_needs=True),
        )
    # The conditions of § 7-2 a are not recorded on a decision about another right.
    plain = decisions.record_decision(
        town.nurse, case, fields(right="coordinator", serious_condition=True)
    )
    assert plain.serious_condition is False


def test_a_service_under_consent_reads_decisions_but_cannot_record_them(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    decisions.record_decision(town.nurse, case, fields())
    psychiatrist = as_user(town.psychiatrist)
    page = flat(psychiatrist.get(reverse("cases:decisions", args=[case.pk])).content.decode())
    assert "Individual plan: Granted" in page
    assert "Record a decision" not in page
    url = reverse("cases:record-plan-decision", args=[case.pk])
    assert psychiatrist.post(url, posted()).status_code in (403, 404)
    assert PlanDecision.objects.count() == 1


def test_the_decisions_are_in_the_right_of_access_export(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    decisions.record_decision(
        town.nurse,
        case,
        fields(
            right="child_coordinator",
            outcome="refused",
            reason="Barnet trenger ikke andre velferdstjenester.",
            appeal_information="Du kan klage til Statsforvalteren.",
        ),
    )
    data = export.export_person(town.nurse, case.child)
    [row] = data["plan_decisions"]
    assert row["right"] == "child_coordinator"
    assert row["outcome"] == "refused"
    assert row["reason"] == "Barnet trenger ikke andre velferdstjenester."
    assert row["appeal_information"] == "Du kan klage til Statsforvalteren."


# The consent to the plan ---------------------------------------------------------------------


def test_a_plan_is_started_only_under_the_familys_consent(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    own = case.participants.get(user=town.nurse)
    with pytest.raises(ValidationError, match="consent to the plan"):
        plan_services.start_plan(town.nurse, case, [own.pk], None)
    # A consent that does not cover measures and plans will not do.
    narrow = builders.coordination_consent(case, town.health_centre, scope=("log_entries",))
    with pytest.raises(ValidationError, match="covers measures and plans"):
        plan_services.start_plan(town.nurse, case, [own.pk], narrow.pk)
    # Nor one of another child.
    other = builders.open_concern(town.nurse, town.health_centre)
    theirs = builders.plan_consent(other)
    with pytest.raises(ValidationError, match="consent to the plan"):
        plan_services.start_plan(town.nurse, case, [own.pk], theirs.pk)
    assert not IndividualPlan.objects.exists()

    consent = builders.plan_consent(case)
    plan = plan_services.start_plan(town.nurse, case, [own.pk], consent.pk)
    assert plan.consent == consent


def test_every_member_of_the_group_is_covered_by_a_consent(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    own = case.participants.get(user=town.nurse)
    bup_consent = builders.coordination_consent(case, town.bup)
    bup = participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    # BUP's own consent has ended: nothing lets BUP take part in the plan.
    Consent.objects.filter(pk=bup_consent.pk).update(withdrawn_at=timezone.now())
    only_us = builders.plan_consent(case)
    with pytest.raises(ValidationError, match="No consent in force lets BUP Hamar take part"):
        plan_services.start_plan(town.nurse, case, [own.pk, bup.pk], only_us.pk)
    assert not IndividualPlan.objects.exists()

    # The consent to the plan names BUP.
    both = builders.plan_consent(case, town.health_centre, town.bup)
    plan_services.start_plan(town.nurse, case, [own.pk, bup.pk], both.pk)
    page = flat(
        as_user(town.nurse).get(reverse("cases:decisions", args=[case.pk])).content.decode()
    )
    assert "Made with the family's consent, given" in page
    assert "Helsestasjonen i Stange (Coordinator) – holds the case" in page
    assert "BUP Hamar (BUP) – under the consent to the plan" in page

    # When the consent to the plan ends, the case page says the plan needs a new one.
    Consent.objects.filter(pk=both.pk).update(withdrawn_at=timezone.now())
    page = flat(
        as_user(town.nurse).get(reverse("cases:decisions", args=[case.pk])).content.decode()
    )
    assert "The consent the plan was made under is no longer in force." in page
    assert "no consent in force covers this member" in page


def test_the_start_form_offers_the_consents_that_cover_the_plan(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    nurse = as_user(town.nurse)
    own = case.participants.get(user=town.nurse)
    refused = nurse.post(reverse("cases:start-plan", args=[case.pk]), {"plan-members": [own.pk]})
    assert refused.status_code == 400
    assert "Choose the family&#x27;s consent to the plan." in refused.content.decode()
    consent = builders.plan_consent(case)
    form = nurse.get(reverse("cases:start-plan", args=[case.pk])).content.decode()
    assert f'value="{consent.pk}"' in form
    started = nurse.post(
        reverse("cases:start-plan", args=[case.pk]),
        {"plan-members": [own.pk], "plan-consent": consent.pk},
    )
    assert started.status_code == 302
    assert IndividualPlan.objects.get(case=case).consent == consent


# The coordinating unit ----------------------------------------------------------------------


def test_the_coordinating_unit_is_recorded_and_shown(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    out = io.StringIO()
    number = town.organisation.org_number
    call_command(
        "plan-settings",
        "coordinating-unit",
        organisation=number,
        unit=town.team.pk,
        decided_on="2026-01-15",
        reference="Kommunedirektørens vedtak 2026/12",
        stdout=out,
    )
    assert "Coordinating unit: Familiehjelpa, decided 15.01.2026" in out.getvalue()
    nurse = as_user(town.nurse)
    page = flat(nurse.get(reverse("cases:decisions", args=[case.pk])).content.decode())
    assert "Familiehjelpa is the coordinating unit" in page
    form = flat(nurse.get(reverse("cases:record-plan-decision", args=[case.pk])).content.decode())
    assert "Familiehjelpa is the coordinating unit" in form
    # A unit of another organisation cannot be it.
    with pytest.raises(Exception, match="one of the organisation's units"):
        call_command(
            "plan-settings",
            "coordinating-unit",
            organisation=number,
            unit=town.bup.pk,
            decided_on="2026-01-15",
            reference="x",
            stdout=io.StringIO(),
        )


# Retention keeps plans ----------------------------------------------------------------------


def closed_long_ago(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=years_ago(6), close_reason="goal_reached"
    )
    return case


@pytest.fixture
def cases_are_deleted(db):
    """The health centre's rule deletes closed cases after their period (a controller's
    choice): what keeps a case here is the plan."""
    RetentionRule.objects.filter(unit_kind="helsestasjon").update(outcome="delete")


def closed_result(report):
    return next(r for r in report.results if r.category == "closed_case")


def test_retention_keeps_a_case_with_a_plan_or_a_decision_for_the_archive(town, cases_are_deleted):
    with_plan = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.plan_consent(with_plan)
    plan_services.start_plan(
        town.nurse, with_plan, [with_plan.participants.get(user=town.nurse).pk], consent.pk
    )
    with_decision = builders.open_concern(town.nurse, town.health_centre)
    decisions.record_decision(town.nurse, with_decision, fields())
    plain = builders.open_concern(town.nurse, town.health_centre)
    for case in (with_plan, with_decision, plain):
        closed_long_ago(case)
    # The consent the plan was made under ended long ago too.
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=years_ago(11))

    report = retention.apply_retention()
    assert report.errors == []
    result = closed_result(report)
    assert result.affected_ids == [plain.pk]
    assert result.awaiting_deposit_ids == sorted([with_plan.pk, with_decision.pk])
    assert set(Case.objects.values_list("pk", flat=True)) == {with_plan.pk, with_decision.pk}
    assert IndividualPlan.objects.filter(case=with_plan).exists()
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_a_controller_that_archives_plans_from_its_own_system_lets_them_go(town, cases_are_deleted):
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.start_plan(town.nurse, case, [case.participants.get(user=town.nurse).pk])
    closed_long_ago(case)
    out = io.StringIO()
    call_command(
        "plan-settings",
        "archive",
        organisation=town.organisation.org_number,
        archived_from="own-system",
        stdout=out,
    )
    assert "the organisation's own record system" in out.getvalue()
    report = retention.apply_retention()
    assert report.errors == []
    assert closed_result(report).affected_ids == [case.pk]
    assert not Case.objects.filter(pk=case.pk).exists()
