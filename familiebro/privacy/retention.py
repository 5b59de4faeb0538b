"""Retention: deleting or anonymising data when its retention period has run out.

The periods live in one place, the RetentionRule table (seeded by migrations 0005 and 0007 and
explained in docs/data-protection.md); this module only knows, per category, which rows have
passed their period and what deleting or anonymising them means. Apps whose records are
personal data register their own categories here (the cases app: requests for help and closed
cases), as they register their access rules with the policy. `apply_retention` handles
each category in its own transaction and writes one audit event per category saying what
was done to which rows (ids only, never names), so the trail proves that deletion happened.
The audit trail itself is never deleted or changed by retention: it is the evidence.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from familiebro.core.models import GuardianRelation, Person

from . import audit, policy
from .models import (
    AnonymousConsultation,
    Assignment,
    AuditEvent,
    Consent,
    ConsentGiver,
    ExceptionalAccess,
    RetentionRule,
)

# What an anonymised person is called. Identity number, contact details and the day and
# month of birth are removed; the year of birth stays for statistics by age.
ANONYMISED_GIVEN_NAME = "Anonymisert"
ANONYMISED_FAMILY_NAME = "person"


class RetentionError(Exception):
    """One or more categories could not be handled; the others were."""


@dataclass(frozen=True)
class Category:
    """How one retention category finds its expired rows and gets rid of them."""

    name: str
    model: type[models.Model]
    expired: Callable[[datetime.datetime], models.QuerySet]
    organisation_field: str
    subject_field: str | None  # the person a row is about, for their access log
    # Deletes the rows with everything that belongs to them, when a plain delete would not
    # (parts protected against deletion one by one); returns ids and counts for the audit
    # event's detail, never names.
    delete: Callable[[list[int], datetime.datetime], dict[str, Any]] | None = None


@dataclass
class CategoryResult:
    category: str
    outcome: str
    period_days: int
    cutoff: datetime.datetime | None
    affected_ids: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def count(self) -> int:
        return len(self.affected_ids)


@dataclass
class RetentionReport:
    ran_at: datetime.datetime
    dry_run: bool
    results: list[CategoryResult]

    @property
    def errors(self) -> list[CategoryResult]:
        return [r for r in self.results if r.error]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ran_at": self.ran_at.isoformat(),
            "dry_run": self.dry_run,
            "categories": [
                {
                    "category": r.category,
                    "outcome": r.outcome,
                    "period_days": r.period_days,
                    "cutoff": r.cutoff.isoformat() if r.cutoff else None,
                    "count": r.count,
                    "error": r.error,
                }
                for r in self.results
            ],
        }

    def raise_for_errors(self) -> None:
        if self.errors:
            raise RetentionError(
                "; ".join(f"{r.category}: {r.error}" for r in self.errors)
                + ". The other categories were handled."
            )


def _consultations_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return AnonymousConsultation.objects.filter(held_on__lt=timezone.localdate(cutoff))


def _ended_before(cutoff: datetime.datetime, *end_fields: str) -> Q:
    """Rows whose earliest end (whichever of `end_fields` is set first) is before cutoff."""
    ended = Q()
    for name in end_fields:
        ended |= Q(**{f"{name}__lt": cutoff})
    return ended


def _consents_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return Consent.objects.filter(_ended_before(cutoff, "withdrawn_at", "valid_to"))


def _accesses_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return ExceptionalAccess.objects.filter(_ended_before(cutoff, "revoked_at", "expires_at"))


def _assignments_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return Assignment.objects.filter(ended_at__lt=cutoff)


def _inactive_persons(cutoff: datetime.datetime) -> models.QuerySet:
    """Persons nobody has worked with, and who have had no consent, since `cutoff`.

    A person counts as active while they were registered or changed after the cutoff, have
    an assignment that is open or whose work ended after it (for one a case gave, the work
    ended when the case closed, though the need to know to read the kept case lasted until
    its deletion), are the subject or a giver of a consent that had not ended by then, or
    had an exceptional access that had not ended by then.
    A family stays together: a guardian of an active child (and a child of an active
    guardian) is kept too, so consents and relations never point at a blanked-out parent.
    """
    person = OuterRef("pk")
    consent_running = ~_ended_before(cutoff, "withdrawn_at", "valid_to")
    directly_active = (
        Q(created_at__gte=cutoff)
        | Q(updated_at__gte=cutoff)
        | Exists(
            Assignment.objects.filter(
                Q(ended_at__isnull=True)
                | Q(work_ended_at__gte=cutoff)
                | Q(work_ended_at__isnull=True, ended_at__gte=cutoff),
                person=person,
            )
        )
        | Exists(Consent.objects.filter(consent_running, subject=person))
        | Exists(
            ConsentGiver.objects.filter(
                person=person,
                consent__in=Consent.objects.filter(consent_running).values("pk"),
            )
        )
        | Exists(
            ExceptionalAccess.objects.filter(
                ~_ended_before(cutoff, "revoked_at", "expires_at"), person=person
            )
        )
    )
    active = Person.objects.filter(directly_active).values("pk")
    family_active = Exists(
        GuardianRelation.objects.filter(
            Q(guardian=person, child__in=active) | Q(child=person, guardian__in=active)
        )
    )
    return (
        Person.objects.exclude(directly_active)
        .exclude(family_active)
        .exclude(given_name=ANONYMISED_GIVEN_NAME, family_name=ANONYMISED_FAMILY_NAME)
    )


CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        Category(
            "anonymous_consultation",
            AnonymousConsultation,
            _consultations_expired,
            "unit__organisation_id",
            None,
        ),
        Category("inactive_person", Person, _inactive_persons, "organisation_id", "id"),
        Category("ended_consent", Consent, _consents_expired, "organisation_id", "subject_id"),
        Category(
            "ended_exceptional_access",
            ExceptionalAccess,
            _accesses_expired,
            "organisation_id",
            "person_id",
        ),
        Category(
            "ended_assignment", Assignment, _assignments_expired, "organisation_id", "person_id"
        ),
    )
}


def register(category: Category) -> None:
    """Add an app's retention category; its rule must be seeded by a migration too.

    An app's categories run before the privacy layer's own: its records may refer to the
    consents and assignments those delete, and must be gone first."""
    if category.name in CATEGORIES:
        raise ValueError(f"The retention category {category.name} is registered twice.")
    own = dict(CATEGORIES)
    CATEGORIES.clear()
    CATEGORIES[category.name] = category
    CATEGORIES.update(own)


def _anonymise_persons(ids: list[int], now: datetime.datetime) -> None:
    persons = list(Person.objects.filter(pk__in=ids))
    for person in persons:
        person.given_name = ANONYMISED_GIVEN_NAME
        person.family_name = ANONYMISED_FAMILY_NAME
        person.set_national_id(None)
        person.phone = ""
        person.email = ""
        if person.birth_date is not None:
            person.birth_date = datetime.date(person.birth_date.year, 1, 1)
        person.updated_at = now
    Person.objects.bulk_update(
        persons,
        [
            "given_name",
            "family_name",
            "national_id_encrypted",
            "national_id_hash",
            "phone",
            "email",
            "birth_date",
            "updated_at",
        ],
        batch_size=500,
    )


def _stored_files(model: type[models.Model], ids: list[int]) -> list[tuple[Any, str]]:
    """(storage, name) of every uploaded file the rows hold."""
    files = []
    for file_field in model._meta.get_fields():
        if isinstance(file_field, models.FileField):
            names = (
                model._default_manager.filter(pk__in=ids)
                .exclude(**{file_field.name: ""})
                .values_list(file_field.name, flat=True)
            )
            files += [(file_field.storage, name) for name in names if name]
    return files


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _apply_category(
    category: Category, rule: RetentionRule, now: datetime.datetime, dry_run: bool
) -> CategoryResult:
    cutoff = now - datetime.timedelta(days=rule.period_days)
    result = CategoryResult(category.name, rule.outcome, rule.period_days, cutoff)
    expired = category.expired(cutoff)
    if dry_run:
        result.affected_ids = sorted(expired.values_list("pk", flat=True))
        return result
    detail: dict[str, Any] = {}
    with transaction.atomic():
        # Lock the rows first, so a row changed meanwhile by someone else is not half-handled.
        rows = list(
            expired.select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", category.organisation_field, category.subject_field or "pk")
        )
        result.affected_ids = [pk for pk, _org, _subject in rows]
        if rows:
            if rule.outcome == RetentionRule.Outcome.ANONYMISE:
                if category.model is not Person:
                    raise ValueError(f"{category.name} cannot be anonymised, only deleted.")
                _anonymise_persons(result.affected_ids, now)
            elif category.delete is not None:
                detail = category.delete(result.affected_ids, now)
            else:
                files = _stored_files(category.model, result.affected_ids)
                category.model._default_manager.filter(pk__in=result.affected_ids).delete()
                # Deleting a row leaves its uploaded file (a scanned consent form) in storage;
                # remove it too, once the deletion is committed.
                transaction.on_commit(lambda: _delete_files(files))
        per_organisation: dict[str, int] = {}
        for _pk, organisation_id, _subject in rows:
            per_organisation[str(organisation_id)] = (
                per_organisation.get(str(organisation_id), 0) + 1
            )
        audit.record(
            AuditEvent.Action.CHANGE
            if rule.outcome == RetentionRule.Outcome.ANONYMISE
            else AuditEvent.Action.DELETE,
            object_type=category.model._meta.label_lower,
            object_ids=result.affected_ids,
            subject_ids=sorted({subject for _pk, _org, subject in rows})
            if category.subject_field
            else [],
            purpose=policy.Purpose.RETENTION,
            legal_basis="retention_rule",
            detail={
                "retention_category": category.name,
                "outcome": rule.outcome,
                "period_days": rule.period_days,
                "cutoff": cutoff.isoformat(),
                "count": len(rows),
                "per_organisation": per_organisation,
                **detail,
            },
        )
    return result


def apply_retention(now: datetime.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete or anonymise what has passed its retention period, category by category.

    A category that fails (for example because a newer kind of record still refers to a row)
    is rolled back and reported; the others go ahead. Running it again changes nothing more.
    """
    now = now or timezone.now()
    rules = {r.category: r for r in RetentionRule.objects.all()}
    results = []
    # Persons last: a record deleted tonight may be the last thing that kept its person active.
    for category in sorted(CATEGORIES.values(), key=lambda c: c.model is Person):
        name = category.name
        rule = rules.get(name)
        if rule is None:
            results.append(
                CategoryResult(
                    name,
                    "",
                    0,
                    None,
                    error=(
                        "there is no retention rule for this category, so nothing was deleted. "
                        "Add the rule in the administration (privacy › retention rules)"
                    ),
                )
            )
            continue
        try:
            results.append(_apply_category(category, rule, now, dry_run))
        except (DatabaseError, models.ProtectedError, models.RestrictedError, ValueError) as exc:
            results.append(
                CategoryResult(name, rule.outcome, rule.period_days, None, error=str(exc))
            )
    for name in sorted(set(rules) - set(CATEGORIES)):
        rule = rules[name]
        results.append(
            CategoryResult(
                name,
                rule.outcome,
                rule.period_days,
                None,
                error=(
                    "Familiebro does not know this category, so the rule was not applied. "
                    "Check the spelling of the category against docs/data-protection.md"
                ),
            )
        )
    return RetentionReport(ran_at=now, dry_run=dry_run, results=results)
