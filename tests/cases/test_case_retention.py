"""Retention of requests for help and closed cases: what is deleted when, and what stays."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import participant_services
from familiebro.cases.models import (
    Case,
    Deadline,
    Decision,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    Invitation,
    LogEntry,
    Measure,
    MeasureEvaluation,
    Meeting,
    Milestone,
    Participant,
    PlanDecision,
    Reminder,
)
from familiebro.cases.plans import decisions as plan_decisions
from familiebro.core.models import GuardianRelation, Organisation, Person
from familiebro.privacy import access_log, audit, export, family, retention
from familiebro.privacy.models import Assignment, AuditEvent, RetentionRule
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.privacy import factories as make
from tests.privacy import factories_retention as retention_factories
from tests.privacy.factories import logged_in
from tests.privacy.factories_retention import years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> builders.Municipality:
    town = builders.municipality()
    # These tests are about deletion: the controllers archive individual plans from their own
    # record system, so a case with a plan goes with its rule (test_plans_are_preserved...).
    for organisation in Organisation.objects.all():
        plan_decisions.set_plans_archived_elsewhere(organisation, True)
    return town


@pytest.fixture(autouse=True)
def health_centres_delete(db):
    """These tests are about deletion. By default an archive rule preserves a health
    centre's cases and requests (tests/privacy/test_retention_archive.py); here the rules for
    health centres are set to delete after the same periods, as an installation whose
    controllers keep the record in their own journal may decide."""
    RetentionRule.objects.filter(unit_kind="helsestasjon").update(outcome="delete")


def result_for(report, category):
    return next(r for r in report.results if r.category == category)


def closed_request(unit, *, years: float, **fields) -> HelpRequest:
    return HelpRequestFactory(
        unit=unit,
        status=HelpRequest.Status.CLOSED,
        close_reason=HelpRequest.CloseReason.RESOLVED_FIRST_CONVERSATION,
        received_at=years_ago(years + 0.1),
        closed_at=years_ago(years),
        **fields,
    )


def case_with_every_part(town: builders.Municipality, child: Person | None = None) -> Case:
    """A case opened by the nurse, from a request, with one row of every kind a case holds."""
    nurse = town.nurse
    case = builders.open_concern(nurse, town.health_centre, child=child)
    request = HelpRequestFactory(
        unit=town.health_centre,
        status=HelpRequest.Status.CONVERTED,
        received_at=case.received_at,
        converted_at=case.opened_at,
    )
    Case.objects.filter(pk=case.pk).update(help_request=request)
    now = timezone.now()
    part = {"case": case, "organisation_id": case.organisation_id}
    Decision.objects.create(
        **part,
        phase="level0",
        option="help",
        reason="Trenger hjelp",
        decided_by=nurse,
        decided_at=now,
    )
    Handover.objects.create(
        **part,
        from_user=nurse,
        to_user=town.nurse_leader,
        offered_by=nurse,
        offered_at=now,
        declined_at=now,
    )
    Milestone.objects.create(**part, key="first_contact", recorded_by=nurse, occurred_at=now)
    goal = Goal.objects.create(**part, text="Sove hele natten", created_by=nurse, created_at=now)
    Goal.objects.create(
        **part, parent=goal, text="Legge seg kl. 20", created_by=nurse, created_at=now
    )
    meeting = Meeting.objects.create(
        **part,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=now,
        ends_at=now,
        place="Helsestasjonen",
        minutes="Vi ble enige om kveldsrutiner.",
        created_by=nurse,
        created_at=now,
    )
    Invitation.objects.create(
        meeting=meeting,
        organisation_id=case.organisation_id,
        name="Fastlege Fjell",
        email="fastlege@example.no",
        is_gp=True,
    )
    measure = Measure.objects.create(
        **part,
        goal=goal,
        title="Foreldreveiledning",
        responsible_unit=town.health_centre,
        start_date=now.date(),
        evaluation_date=now.date(),
        status=Measure.Status.STOPPED,
        meeting=meeting,
        created_by=nurse,
        created_at=now,
    )
    MeasureEvaluation.objects.create(
        measure=measure,
        organisation_id=case.organisation_id,
        what_worked="Faste rutiner",
        decision=MeasureEvaluation.Decision.STOP,
        evaluated_by=nurse,
        evaluated_at=now,
    )
    deadline = Deadline.objects.create(
        **part,
        unit=town.health_centre,
        responsible=nurse,
        rule="test",
        key="evaluation",
        title="Evaluering",
        due_at=now,
        measure=measure,
        meeting=meeting,
        created_at=now,
    )
    Reminder.objects.create(
        deadline=deadline, kind=Reminder.Kind.DUE, recipient=nurse, created_at=now
    )
    plan = IndividualPlan.objects.create(
        **part, unit=town.health_centre, created_by=nurse, created_at=now
    )
    plan.responsibility_group.set(Participant.objects.filter(case=case))
    PlanDecision.objects.create(
        **part,
        right=PlanDecision.Right.CHILD_COORDINATOR,
        origin=PlanDecision.Origin.APPLIED,
        requested_on=now.date(),
        outcome=PlanDecision.Outcome.REFUSED,
        decided_on=now.date(),
        decided_by="Leder for koordinerende enhet",
        reason="Behovet er ikke langvarig",
        appeal_information="Du kan klage til Statsforvalteren.",
        recorded_by=nurse,
        recorded_at=now,
    )
    minutes = LogEntry.objects.create(
        **part,
        kind=LogEntry.Kind.MINUTES,
        text="Referat",
        author=nurse,
        created_at=now,
        meeting=meeting,
    )
    LogEntry.objects.filter(pk=minutes.pk).update(current=False)
    LogEntry.objects.create(
        **part,
        kind=LogEntry.Kind.MINUTES,
        text="Referat, rettet",
        author=nurse,
        created_at=now,
        replaces=minutes,
        meeting=meeting,
    )
    case.refresh_from_db()
    return case


def closed(case: Case, *, years: float) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        closed_at=years_ago(years),
        close_reason=Case.CloseReason.GOAL_REACHED,
    )
    case.refresh_from_db()
    return case


def family_of(case: Case) -> list[int]:
    guardians = GuardianRelation.objects.filter(child_id=case.child_id)
    return [case.child_id, *guardians.values_list("guardian_id", flat=True)]


def quiet_outside_the_case(case: Case, *, years: float) -> None:
    """Nobody registered or changed the family, or worked with them outside the case, since."""
    family = family_of(case)
    Assignment.objects.filter(person_id__in=family, reason="registered").update(
        ended_at=years_ago(years)
    )
    Person.objects.filter(pk__in=family).update(
        created_at=years_ago(years), updated_at=years_ago(years)
    )


def cases_of_each_part() -> dict[str, set[int]]:
    """For every kind of row a case holds, the ids of the cases its rows belong to."""
    through = IndividualPlan.responsibility_group.through
    paths = {
        Case: "pk",
        Decision: "case_id",
        Handover: "case_id",
        Participant: "case_id",
        Milestone: "case_id",
        Goal: "case_id",
        Measure: "case_id",
        MeasureEvaluation: "measure__case_id",
        IndividualPlan: "case_id",
        PlanDecision: "case_id",
        through: "individualplan__case_id",
        Meeting: "case_id",
        Invitation: "meeting__case_id",
        Deadline: "case_id",
        Reminder: "deadline__case_id",
        LogEntry: "case_id",
    }
    return {
        model._meta.label: set(model.objects.values_list(path, flat=True))
        for model, path in paths.items()
    }


# Requests for help -----------------------------------------------------------------------


def test_the_rules_for_requests_and_closed_cases_are_seeded_with_legal_references():
    rules = {r.category: r for r in RetentionRule.objects.filter(organisation=None, unit_kind="")}
    assert (rules["closed_help_request"].period_days, rules["closed_help_request"].outcome) == (
        365,
        "delete",
    )
    assert (rules["closed_case"].period_days, rules["closed_case"].outcome) == (5 * 365, "delete")
    assert rules["closed_help_request"].legal_reference
    assert "5(1)(e)" in rules["closed_case"].legal_reference


def test_a_request_closed_over_a_year_ago_is_deleted_and_a_recent_one_is_kept(unit):
    old = closed_request(unit, years=1.2, requester_name="Kari Nordmann", message="Sover dårlig")
    recent = closed_request(unit, years=0.5)
    report = retention.apply_retention()
    assert result_for(report, "closed_help_request").affected_ids == [old.pk]
    assert list(HelpRequest.objects.values_list("pk", flat=True)) == [recent.pk]


def test_an_open_request_is_never_deleted_however_old(unit):
    waiting = HelpRequestFactory(unit=unit, received_at=years_ago(6))
    contacted = HelpRequestFactory(
        unit=unit,
        status=HelpRequest.Status.CONTACTED,
        received_at=years_ago(6),
        first_contacted_at=years_ago(5.9),
    )
    retention.apply_retention()
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {waiting.pk, contacted.pk}


def test_deleting_requests_writes_one_event_with_ids_and_no_names(unit):
    old = closed_request(unit, years=2, requester_name="Kari Nordmann", message="Sover dårlig")
    retention.apply_retention()
    event = AuditEvent.objects.get(purpose="retention", object_type="cases.helprequest")
    assert event.action == "delete"
    assert event.object_ids == [str(old.pk)]
    assert event.detail["count"] == 1
    assert event.detail["per_organisation"] == {str(unit.organisation_id): 1}
    text = json.dumps([event.detail, event.object_ids, event.subject_ids])
    assert "Kari" not in text and "Sover" not in text
    assert audit.verify_chain().ok


def test_a_request_that_became_a_case_stays_while_the_case_is_kept(town):
    case = closed(case_with_every_part(town), years=2)
    HelpRequest.objects.filter(pk=case.help_request_id).update(closed_at=years_ago(2))
    retention.apply_retention()
    assert HelpRequest.objects.filter(pk=case.help_request_id).exists()


# Closed cases ----------------------------------------------------------------------------


def test_a_case_closed_over_five_years_ago_is_deleted_with_every_part(town):
    old = closed(case_with_every_part(town), years=5.2)
    young = closed(case_with_every_part(town, child=old.child), years=4.5)
    assert all(ids == {old.pk, young.pk} for ids in cases_of_each_part().values())
    report = retention.apply_retention()
    assert result_for(report, "closed_case").affected_ids == [old.pk]
    assert cases_of_each_part() == {label: {young.pk} for label in cases_of_each_part()}
    assert not HelpRequest.objects.filter(pk=old.help_request_id).exists()
    assert HelpRequest.objects.filter(pk=young.help_request_id).exists()


def test_an_open_case_is_never_deleted_however_old(town):
    case = case_with_every_part(town)
    Case.objects.filter(pk=case.pk).update(opened_at=years_ago(9), received_at=years_ago(9))
    retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    assert LogEntry.objects.filter(case=case).count() == 3


def test_deleting_cases_writes_one_event_naming_the_cases_and_the_children(town):
    first = closed(case_with_every_part(town), years=6)
    second = closed(case_with_every_part(town), years=7)
    events_before = list(AuditEvent.objects.values_list("pk", "hash"))
    # The need to know the cases gave (their links go with them).
    from_the_cases = sorted(
        Assignment.objects.filter(given_by_case__in=[first, second]).values_list("pk", flat=True)
    )
    retention.apply_retention()
    event = AuditEvent.objects.get(purpose="retention", object_type="cases.case")
    assert event.action == "delete"
    assert event.legal_basis == "retention_rule"
    assert sorted(event.object_ids) == sorted([str(first.pk), str(second.pk)])
    assert sorted(event.subject_ids) == sorted([str(first.child_id), str(second.child_id)])
    assert event.detail["help_request_ids"] == sorted(
        [first.help_request_id, second.help_request_id]
    )
    assert event.detail["deleted_rows"]["cases.LogEntry"] == 6
    assert event.detail["ended_assignment_ids"] == from_the_cases
    text = json.dumps([event.detail, event.object_ids, event.subject_ids])
    assert "Sæther" not in text and "Referat" not in text
    assert list(AuditEvent.objects.values_list("pk", "hash"))[: len(events_before)] == (
        events_before
    )
    assert audit.verify_chain().ok


def test_the_family_access_log_shows_that_the_case_was_deleted(town):
    case = closed(case_with_every_part(town), years=6)
    retention.apply_retention()
    event = AuditEvent.objects.get(purpose="retention", object_type="cases.case")
    member = family.FamilyMember(case.child, family.Relation.PARENT)
    entries = access_log.family_access_log(family.Citizen(identity_hash="a parent"), member)
    deletion = next(e for e in entries if e.event_id == event.pk)
    assert deletion.actor_name == "Familiebro (automatic)"
    assert deletion.record_type == "Case"


def test_a_dry_run_lists_the_expired_cases_and_deletes_nothing(town):
    case = closed(case_with_every_part(town), years=6)
    report = retention.apply_retention(dry_run=True)
    assert result_for(report, "closed_case").affected_ids == [case.pk]
    assert Case.objects.filter(pk=case.pk).exists()
    assert not AuditEvent.objects.filter(purpose="retention").exists()


# Need to know after closing --------------------------------------------------------------


def test_the_coordinator_still_reads_a_closed_case_while_it_is_kept(town):
    case = closed(case_with_every_part(town), years=4)
    retention.apply_retention()
    response = logged_in(town.nurse).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_a_child_with_a_kept_closed_case_is_not_anonymised(town):
    case = closed(case_with_every_part(town), years=4)
    quiet_outside_the_case(case, years=4)
    retention.apply_retention()
    case.child.refresh_from_db()
    assert str(case.child) == "Åse Sæther"


def test_a_child_whose_only_case_was_deleted_becomes_an_inactive_person(town):
    case = closed(case_with_every_part(town), years=6)
    quiet_outside_the_case(case, years=6)
    given = list(Assignment.objects.filter(given_by_case=case).values_list("pk", flat=True))
    retention.apply_retention()
    anonymised = Person.objects.filter(pk__in=family_of(case))
    assert {str(p) for p in anonymised} == {"Anonymisert person"}
    # The need to know the case gave is ended and kept as evidence of who had it, and when.
    from_the_case = Assignment.objects.filter(pk__in=given)
    assert from_the_case.count() == 6  # owning unit and coordinator, for child and guardians
    assert not from_the_case.filter(ended_at__isnull=True).exists()
    assert set(from_the_case.values_list("work_ended_at", flat=True)) == {case.closed_at}
    assert audit.verify_chain().ok


def test_the_inactive_period_counts_from_the_closing_of_the_case_not_its_deletion(town):
    RetentionRule.objects.filter(category="closed_case").update(period_days=365)
    recently = closed(case_with_every_part(town), years=1.5)
    long_ago = closed(case_with_every_part(town), years=2.5)
    for case in (recently, long_ago):
        quiet_outside_the_case(case, years=3)
    report = retention.apply_retention()
    assert sorted(result_for(report, "closed_case").affected_ids) == sorted(
        [recently.pk, long_ago.pk]
    )
    recently.child.refresh_from_db()
    long_ago.child.refresh_from_db()
    assert str(recently.child) == "Åse Sæther"
    assert str(long_ago.child) == "Anonymisert person"


def test_a_child_with_another_case_still_open_is_kept(town):
    old = closed(case_with_every_part(town), years=6)
    builders.open_concern(town.nurse, town.health_centre, child=old.child)
    quiet_outside_the_case(old, years=6)
    retention.apply_retention()
    assert not Case.objects.filter(pk=old.pk).exists()
    old.child.refresh_from_db()
    assert str(old.child) == "Åse Sæther"


def test_running_twice_deletes_nothing_more(town):
    closed(case_with_every_part(town), years=6)
    closed_request(town.health_centre, years=2)
    retention.apply_retention()
    second = retention.apply_retention()
    assert result_for(second, "closed_case").count == 0
    assert result_for(second, "closed_help_request").count == 0
    assert audit.verify_chain().ok


def test_the_export_shows_when_the_work_of_a_deleted_case_ended(town):
    case = closed(case_with_every_part(town), years=6)
    retention.apply_retention()
    rows = export.export_person(town.nurse, case.child)["assignments"]
    from_the_case = [a for a in rows if a["reason"].startswith("case:")]
    assert len(from_the_case) == 2
    assert {a["work_ended_at"] for a in from_the_case} == {
        timezone.localtime(case.closed_at).isoformat(timespec="seconds")
    }
    registered = next(a for a in rows if a["reason"] == "registered")
    assert (registered["ended_at"], registered["work_ended_at"]) == (None, None)


def test_a_case_goes_in_the_same_run_as_the_ended_consent_and_assignment_it_refers_to(town):
    case = closed(case_with_every_part(town), years=6)
    mother = GuardianRelation.objects.filter(child=case.child).first().guardian
    consent = retention_factories.consent(
        case.child, [mother], valid_from=years_ago(13), withdrawn_at=years_ago(11)
    )
    left = Assignment.objects.create(
        organisation_id=case.organisation_id,
        person=case.child,
        user=town.therapist,
        domain=case.unit.domain,
        reason="case:participant",
        ended_at=years_ago(11),
    )
    case.need_to_know_given.add(left)
    for unit, fields in ((town.bup, {"consent": consent}), (town.team, {"assignment": left})):
        Participant.objects.create(
            case=case,
            organisation_id=case.organisation_id,
            unit=unit,
            added_by=town.nurse,
            added_at=years_ago(12),
            ended_at=years_ago(11),
            **fields,
        )
    report = retention.apply_retention()
    assert report.errors == []
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Assignment.objects.filter(pk=left.pk).exists()
    assert not type(consent).objects.filter(pk=consent.pk).exists()


def test_the_need_to_know_of_someone_offered_the_coordinator_role_ends_with_the_case(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    colleague = make.member(town.kindergarten, first_name="Kari", last_name="Kollega")
    participant_services.offer_handover(town.teacher, case, colleague)
    offered = Assignment.objects.get(user=colleague, person=case.child)
    given = list(Assignment.objects.filter(given_by_case=case).values_list("pk", flat=True))
    closed(case, years=6)
    retention.apply_retention()
    offered.refresh_from_db()
    assert offered.ended_at is not None
    assert not Assignment.objects.filter(pk__in=given, ended_at=None).exists()
