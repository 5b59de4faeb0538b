import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from familiebro.core.models import Person
from familiebro.privacy import audit, retention
from familiebro.privacy.models import (
    AnonymousConsultation,
    Assignment,
    AuditEvent,
    Consent,
    ConsentGiver,
    ExceptionalAccess,
    RetentionRule,
)
from familiebro.privacy.tasks import apply_retention_task
from tests.privacy import factories_retention as make
from tests.privacy.factories_retention import years_ago

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "consultations": AnonymousConsultation.objects.count(),
        "consents": Consent.objects.count(),
        "accesses": ExceptionalAccess.objects.count(),
        "assignments": Assignment.objects.count(),
        "anonymised": Person.objects.filter(given_name=retention.ANONYMISED_GIVEN_NAME).count(),
    }


def result_for(report, category):
    return next(r for r in report.results if r.category == category)


def gone_quiet(person: Person, *, years: float) -> None:
    """Nobody has worked with the person for `years`: registered then, assignment ended."""
    Assignment.objects.filter(person=person).update(ended_at=years_ago(years))
    make.backdate(person, created_at=years_ago(years), updated_at=years_ago(years))


def test_the_default_rules_are_seeded_with_legal_references():
    rules = {r.category: r for r in RetentionRule.objects.all()}
    assert set(rules) == set(retention.CATEGORIES)
    assert all(rule.legal_reference for rule in rules.values())
    # Pseudonymous for the unit that brought it: kept a year after the consultation.
    assert (
        rules["anonymous_consultation"].period_days,
        rules["anonymous_consultation"].outcome,
    ) == (
        365,
        "delete",
    )
    assert (rules["inactive_person"].period_days, rules["inactive_person"].outcome) == (
        2 * 365,
        "anonymise",
    )
    for category in ("ended_consent", "ended_exceptional_access", "ended_assignment"):
        assert (rules[category].period_days, rules[category].outcome) == (10 * 365, "delete")


def test_consultations_older_than_a_year_are_deleted_and_newer_ones_stay(staff, unit):
    today = timezone.localdate()
    old = make.consultation(unit, staff, today - datetime.timedelta(days=365 + 10))
    recent = make.consultation(unit, staff, today - datetime.timedelta(days=300))
    report = retention.apply_retention()
    assert result_for(report, "anonymous_consultation").affected_ids == [old.pk]
    assert list(AnonymousConsultation.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_controller_sets_how_long_consultations_are_kept(staff, unit):
    RetentionRule.objects.filter(category="anonymous_consultation").update(period_days=90)
    today = timezone.localdate()
    old = make.consultation(unit, staff, today - datetime.timedelta(days=100))
    recent = make.consultation(unit, staff, today - datetime.timedelta(days=80))
    report = retention.apply_retention()
    assert result_for(report, "anonymous_consultation").affected_ids == [old.pk]
    assert list(AnonymousConsultation.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_person_nobody_has_worked_with_for_two_years_is_anonymised(staff):
    quiet = make.person(
        staff,
        "Emma",
        "Berg",
        birth_date=datetime.date(2012, 6, 15),
        with_identity_number=True,
        phone="912 34 567",
        email="emma@example.no",
    )
    followed = make.person(staff, "Sofie", "Lunde", with_identity_number=True)
    gone_quiet(quiet, years=3)
    retention.apply_retention()
    quiet.refresh_from_db()
    followed.refresh_from_db()
    assert str(quiet) == "Anonymisert person"
    assert quiet.national_id is None
    assert quiet.national_id_hash is None
    assert (quiet.phone, quiet.email) == ("", "")
    assert quiet.birth_date == datetime.date(2012, 1, 1)
    assert str(followed) == "Sofie Lunde"
    assert followed.national_id is not None


def test_a_person_quiet_for_less_than_two_years_is_kept(staff):
    person = make.person(staff, "Emma", "Berg")
    gone_quiet(person, years=1.5)
    retention.apply_retention()
    person.refresh_from_db()
    assert str(person) == "Emma Berg"


def test_a_guardian_of_a_child_still_followed_up_is_kept(staff):
    child = make.person(staff, "Emma", "Berg")
    mother = make.person(staff, "Ingrid", "Berg", kind=Person.Kind.GUARDIAN)
    make.guardian_of(staff, child, mother)
    gone_quiet(mother, years=3)
    retention.apply_retention()
    mother.refresh_from_db()
    assert str(mother) == "Ingrid Berg"


def test_a_person_with_a_consent_in_force_is_kept(staff):
    child = make.person(staff, "Emma", "Berg")
    mother = make.person(staff, "Ingrid", "Berg", kind=Person.Kind.GUARDIAN)
    make.consent(child, [mother], valid_from=years_ago(4))
    for person in (child, mother):
        gone_quiet(person, years=3)
    retention.apply_retention()
    assert not Person.objects.filter(given_name=retention.ANONYMISED_GIVEN_NAME).exists()


def test_consents_are_deleted_ten_years_after_they_ended_and_kept_before(staff):
    child = make.person(staff, "Emma", "Berg")
    mother = make.person(staff, "Ingrid", "Berg", kind=Person.Kind.GUARDIAN)
    withdrawn_long_ago = make.consent(
        child, [mother], valid_from=years_ago(13), withdrawn_at=years_ago(11)
    )
    expired_long_ago = make.consent(
        child, [mother], valid_from=years_ago(13), valid_to=years_ago(10.5)
    )
    withdrawn_recently = make.consent(
        child, [mother], valid_from=years_ago(13), withdrawn_at=years_ago(9)
    )
    running = make.consent(child, [mother], valid_from=years_ago(12))
    report = retention.apply_retention()
    assert sorted(result_for(report, "ended_consent").affected_ids) == sorted(
        [withdrawn_long_ago.pk, expired_long_ago.pk]
    )
    assert set(Consent.objects.values_list("pk", flat=True)) == {
        withdrawn_recently.pk,
        running.pk,
    }
    assert not ConsentGiver.objects.filter(
        consent_id__in=[withdrawn_long_ago.pk, expired_long_ago.pk]
    ).exists()


def test_the_scanned_form_of_a_deleted_consent_is_deleted_too(
    staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    child = make.person(staff, "Emma", "Berg")
    mother = make.person(staff, "Ingrid", "Berg", kind=Person.Kind.GUARDIAN)
    old = make.consent(child, [mother], valid_from=years_ago(13), withdrawn_at=years_ago(11))
    old.attachment.save("skjema.pdf", ContentFile(b"%PDF signert skjema"))
    stored = tmp_path / old.attachment.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        retention.apply_retention()
    assert not Consent.objects.filter(pk=old.pk).exists()
    assert not stored.exists()


def test_ended_exceptional_accesses_and_assignments_are_deleted_after_ten_years(staff):
    child = make.person(staff, "Emma", "Berg")
    old_access = make.exceptional_access(
        staff, child, starts_at=years_ago(11), expires_at=years_ago(10.9)
    )
    newer_access = make.exceptional_access(
        staff, child, starts_at=years_ago(3), expires_at=years_ago(2.9)
    )
    old_assignment = Assignment.objects.create(
        organisation=child.organisation, person=child, user=staff, domain="health", reason="case"
    )
    make.backdate(old_assignment, ended_at=years_ago(10.5))
    open_assignment = Assignment.objects.get(person=child, reason="registered")
    retention.apply_retention()
    assert list(ExceptionalAccess.objects.values_list("pk", flat=True)) == [newer_access.pk]
    assert list(Assignment.objects.values_list("pk", flat=True)) == [open_assignment.pk]
    assert not ExceptionalAccess.objects.filter(pk=old_access.pk).exists()


@pytest.fixture
def expired_everything(staff, unit):
    child = make.person(staff, "Emma", "Berg", with_identity_number=True)
    mother = make.person(staff, "Ingrid", "Berg", kind=Person.Kind.GUARDIAN)
    make.consultation(unit, staff, timezone.localdate() - datetime.timedelta(days=6 * 365))
    make.consent(child, [mother], valid_from=years_ago(13), withdrawn_at=years_ago(11))
    make.exceptional_access(staff, child, starts_at=years_ago(11), expires_at=years_ago(10.9))
    for person in (child, mother):
        gone_quiet(person, years=11)
    return child


def test_a_dry_run_reports_what_would_go_and_changes_nothing(expired_everything):
    before = counts()
    events_before = AuditEvent.objects.count()
    report = retention.apply_retention(dry_run=True)
    assert report.dry_run
    assert {r.category: r.count for r in report.results} == {
        "anonymous_consultation": 1,
        "inactive_person": 2,
        "ended_consent": 1,
        "ended_exceptional_access": 1,
        "ended_assignment": 2,
        "closed_help_request": 0,
        "closed_case": 0,
    }
    assert counts() == before
    assert AuditEvent.objects.count() == events_before
    expired_everything.refresh_from_db()
    assert str(expired_everything) == "Emma Berg"


def test_each_category_writes_one_audit_event_with_ids_and_no_names(expired_everything):
    report = retention.apply_retention()
    events = AuditEvent.objects.filter(purpose="retention").order_by("id")
    assert len(events) == len(retention.CATEGORIES)
    by_type = {e.object_type: e for e in events}
    consultation_event = by_type["privacy.anonymousconsultation"]
    assert consultation_event.action == "delete"
    assert consultation_event.object_ids == [
        str(i) for i in result_for(report, "anonymous_consultation").affected_ids
    ]
    person_event = by_type["core.person"]
    assert person_event.action == "change"
    assert str(expired_everything.pk) in person_event.subject_ids
    assert person_event.detail["count"] == 2
    for event in events:
        text = json.dumps([event.detail, event.object_ids, event.subject_ids])
        assert "Emma" not in text and "Berg" not in text


def test_the_audit_trail_is_untouched_and_still_verifies(expired_everything):
    events_before = list(AuditEvent.objects.values_list("pk", "hash"))
    retention.apply_retention()
    assert list(AuditEvent.objects.values_list("pk", "hash"))[: len(events_before)] == (
        events_before
    )
    assert audit.verify_chain().ok


def test_running_twice_changes_nothing_more(expired_everything):
    retention.apply_retention()
    after_first = counts()
    person_after_first = Person.objects.values().get(pk=expired_everything.pk)
    second = retention.apply_retention()
    assert all(r.count == 0 for r in second.results)
    assert counts() == after_first
    assert Person.objects.values().get(pk=expired_everything.pk) == person_after_first
    assert audit.verify_chain().ok


def test_a_category_without_a_rule_is_reported_and_the_others_still_run(staff, unit):
    make.consultation(unit, staff, timezone.localdate() - datetime.timedelta(days=6 * 365))
    RetentionRule.objects.filter(category="ended_consent").delete()
    report = retention.apply_retention()
    assert "no retention rule" in result_for(report, "ended_consent").error
    assert AnonymousConsultation.objects.count() == 0
    with pytest.raises(retention.RetentionError, match="ended_consent"):
        report.raise_for_errors()


def test_the_command_prints_the_report(expired_everything, capsys):
    call_command("apply-retention", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run: nothing was changed" in out
    assert "anonymous_consultation" in out
    assert "1 would be deleted" in out
    assert "2 would be anonymised" in out
    assert AnonymousConsultation.objects.count() == 1
    call_command("apply-retention")
    out = capsys.readouterr().out
    assert "1 deleted" in out
    assert AnonymousConsultation.objects.count() == 0


def test_the_command_fails_when_a_rule_is_missing(capsys):
    RetentionRule.objects.filter(category="inactive_person").delete()
    with pytest.raises(CommandError, match="inactive_person"):
        call_command("apply-retention")
    assert "ERROR" in capsys.readouterr().out


def test_the_background_task_applies_the_rules(expired_everything):
    result = apply_retention_task.call()
    categories = {c["category"]: c["count"] for c in result["categories"]}
    assert categories["anonymous_consultation"] == 1
    assert result["dry_run"] is False
    assert AnonymousConsultation.objects.count() == 0
