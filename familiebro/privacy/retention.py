"""Retention: deleting, anonymising or preserving data when its retention period has run out.

The periods live in one place, the RetentionRule table (seeded by migrations 0005, 0007 and
0015 and explained in docs/data-protection.md, section 6). A rule is for one category and may
be narrowed to one data controller and one kind of unit; each row follows the rule that fits
it best (`governed`). The outcome is delete, anonymise, or preserve and deposit: rows an
archive rule keeps stay in the live system until they are in a deposit package
(familiebro.privacy.deposit) that the archive has taken over, and only then are deleted. A
legal hold keeps a person's or a record's rows whatever the rule says. Each part of the
product may also say that a row it holds must be preserved (`register_preservation_check`).

This module only knows, per category, which rows have passed their period and what deleting
or anonymising them means. Apps whose records are personal data register their own
categories here (the cases app: requests for help and closed cases), as they register their
access rules with the policy. `apply_retention` handles each category in its own transaction
and writes one audit event per category and outcome saying what was done to which rows (ids
only, never names), so the trail proves that deletion happened. The audit trail itself is
never deleted or changed by retention: it is the evidence.
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
    Deposit,
    ExceptionalAccess,
    LegalHold,
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
    # The kind of unit a row belongs to ("unit__kind"), for rules per kind of unit; None
    # when the rows belong to no unit (rules per kind of unit then do not apply to them).
    unit_kind_field: str | None = None
    # What an archive deposit holds of each row (familiebro.privacy.deposit), for rows a
    # rule preserves; None when no archive rule can keep this category.
    archive: Callable[[list[int]], list[Any]] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


@dataclass
class RuleResult:
    """What one rule (for a controller and a kind of unit, or the default) found."""

    organisation_id: int | None
    unit_kind: str
    outcome: str
    period_days: int
    cutoff: datetime.datetime
    removed_ids: list[int] = field(default_factory=list)
    awaiting_deposit_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)


@dataclass
class CategoryResult:
    """What retention did to one category. `outcome`, `period_days` and `cutoff` are the
    instance default rule's; `rules` has each rule's share. `affected_ids` are the rows
    deleted or anonymised; `awaiting_deposit_ids` the rows an archive rule keeps that are
    past their period but not yet taken over by the archive; `held_ids` the rows a legal
    hold kept."""

    category: str
    outcome: str
    period_days: int
    cutoff: datetime.datetime | None
    affected_ids: list[int] = field(default_factory=list)
    error: str = ""
    awaiting_deposit_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)
    rules: list[RuleResult] = field(default_factory=list)

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
                    "awaiting_deposit": len(r.awaiting_deposit_ids),
                    "held": len(r.held_ids),
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


# Rules per controller and kind of unit --------------------------------------------------


def _precedence(rule: RetentionRule) -> tuple[int, int]:
    """Which rule governs a row when several match: a rule for the row's kind of unit comes
    before one for every kind (so the archive rule for health centres is not undone by a
    controller's general period), and the controller's own rule before the instance's default
    (which retention_rules.rule_problems keeps from shortening an archive rule)."""
    return (0 if rule.unit_kind else 1, 0 if rule.organisation_id else 1)


def _matches(category: Category, rule: RetentionRule) -> Q:
    condition = Q()
    if rule.organisation_id:
        condition &= Q(**{category.organisation_field: rule.organisation_id})
    if rule.unit_kind:
        assert category.unit_kind_field is not None
        condition &= Q(**{category.unit_kind_field: rule.unit_kind})
    return condition


def governed(category: Category, rules: list[RetentionRule]) -> list[tuple[RetentionRule, Q]]:
    """Each rule with the condition of the rows it governs: the rows it matches that no rule
    before it (in precedence) matches."""
    ordered = sorted(rules, key=_precedence)
    result = []
    earlier = Q(pk__in=[])
    for rule in ordered:
        result.append((rule, _matches(category, rule) & ~earlier))
        earlier |= _matches(category, rule)
    return result


def rules_for(category: Category, all_rules: list[RetentionRule]) -> list[RetentionRule]:
    return [
        rule
        for rule in all_rules
        if rule.category == category.name
        and (not rule.unit_kind or category.unit_kind_field is not None)
    ]


# Legal holds ------------------------------------------------------------------------------


def held(category: Category) -> Q:
    """The rows of `category` a legal hold that stands keeps: held themselves, or about a
    held person."""
    holds = LegalHold.objects.filter(lifted_at__isnull=True)
    condition = Q(
        pk__in=holds.filter(object_type=category.label).values("object_id"),
    )
    if category.subject_field:
        condition |= Q(
            **{f"{category.subject_field}__in": holds.exclude(person=None).values("person_id")}
        )
    return condition


# Preservation asked for by a part ---------------------------------------------------------

# category -> checks; each gets ids the rules would delete and returns the ids it must
# keep for an archive (an individual plan in a case, say), which then go the preserve way:
# into a deposit before they leave the live system.
_preservation_checks: dict[str, list[Callable[[list[int]], set[int]]]] = {}


def register_preservation_check(category: str, check: Callable[[list[int]], set[int]]) -> None:
    """Let a part of the product say which rows it holds something in that an archive rule
    keeps. Retention asks every check before it deletes rows of `category`."""
    _preservation_checks.setdefault(category, []).append(check)


def must_preserve(category: Category, ids: list[int]) -> set[int]:
    keep: set[int] = set()
    if not ids:
        return keep
    for check in _preservation_checks.get(category.name, []):
        keep |= set(check(ids)) & set(ids)
    return keep


def transferred_ids(category: Category) -> set[int]:
    """Rows of `category` in a deposit the archive has taken over."""
    ids: set[int] = set()
    for object_ids in Deposit.objects.filter(
        object_type=category.label, transferred_at__isnull=False
    ).values_list("object_ids", flat=True):
        ids |= set(object_ids)
    return ids


def deposited_ids(category: Category) -> set[int]:
    """Rows of `category` in any deposit package made, taken over or not."""
    ids: set[int] = set()
    for object_ids in Deposit.objects.filter(object_type=category.label).values_list(
        "object_ids", flat=True
    ):
        ids |= set(object_ids)
    return ids


@dataclass
class Due:
    """A category's expired rows, sorted by what retention does with them."""

    remove: dict[str, list[int]]  # outcome (delete / anonymise) -> ids
    preserve: list[int]  # past their period under an archive rule (or a part's check)
    held: list[int]
    rules: list[RuleResult]


def due(category: Category, rules: list[RetentionRule], now: datetime.datetime) -> Due:
    """Which rows of `category` have passed their period, under which rule, and what then."""
    remove: dict[str, list[int]] = {}
    preserve: list[int] = []
    held_rows: list[int] = []
    results: list[RuleResult] = []
    hold = held(category)
    for rule, condition in governed(category, rules):
        cutoff = now - datetime.timedelta(days=rule.period_days)
        expired = category.expired(cutoff).filter(condition)
        ids = sorted(expired.exclude(hold).values_list("pk", flat=True))
        kept = sorted(expired.filter(hold).values_list("pk", flat=True))
        result = RuleResult(
            rule.organisation_id, rule.unit_kind, rule.outcome, rule.period_days, cutoff
        )
        result.held_ids = kept
        held_rows += kept
        if rule.outcome == RetentionRule.Outcome.PRESERVE:
            to_preserve = ids
        else:
            asked = must_preserve(category, ids)
            to_preserve = sorted(asked)
            result.removed_ids = [pk for pk in ids if pk not in asked]
            remove.setdefault(rule.outcome, []).extend(result.removed_ids)
        if to_preserve:
            taken_over = transferred_ids(category)
            gone = [pk for pk in to_preserve if pk in taken_over]
            result.removed_ids += gone
            result.awaiting_deposit_ids = [pk for pk in to_preserve if pk not in taken_over]
            # The archive has its copy: the live one is deleted.
            remove.setdefault(RetentionRule.Outcome.DELETE, []).extend(gone)
            preserve += to_preserve
        results.append(result)
    return Due(
        {outcome: sorted(ids) for outcome, ids in remove.items() if ids},
        sorted(preserve),
        sorted(held_rows),
        results,
    )


def _remove(
    category: Category, outcome: str, ids: list[int], now: datetime.datetime
) -> dict[str, Any]:
    if outcome == RetentionRule.Outcome.ANONYMISE:
        if category.model is not Person:
            raise ValueError(f"{category.name} cannot be anonymised, only deleted.")
        _anonymise_persons(ids, now)
        return {}
    if category.model is Person:
        raise ValueError("Persons are anonymised, never deleted: set the rule to anonymise.")
    if category.delete is not None:
        return category.delete(ids, now)
    files = _stored_files(category.model, ids)
    category.model._default_manager.filter(pk__in=ids).delete()
    # Deleting a row leaves its uploaded file (a scanned consent form) in storage;
    # remove it too, once the deletion is committed.
    transaction.on_commit(lambda: _delete_files(files))
    return {}


def _apply_category(
    category: Category, rules: list[RetentionRule], now: datetime.datetime, dry_run: bool
) -> CategoryResult:
    default = next(r for r in rules if not r.organisation_id and not r.unit_kind)
    cutoff = now - datetime.timedelta(days=default.period_days)
    result = CategoryResult(category.name, default.outcome, default.period_days, cutoff)
    if any(r.outcome == RetentionRule.Outcome.PRESERVE for r in rules) and not category.archive:
        raise ValueError(
            f"{category.name} cannot be preserved and deposited: Familiebro has no archive "
            "format for it. Set the rule to delete or anonymise"
        )
    with transaction.atomic():
        found = due(category, rules, now)
        result.rules = found.rules
        result.awaiting_deposit_ids = sorted(
            pk for rule in found.rules for pk in rule.awaiting_deposit_ids
        )
        result.held_ids = found.held
        result.affected_ids = sorted(pk for ids in found.remove.values() for pk in ids)
        if dry_run:
            return result
        # One event per outcome, and one also when nothing was due: the trail shows that
        # each category was handled in each run.
        plain = (
            RetentionRule.Outcome.DELETE
            if default.outcome == RetentionRule.Outcome.PRESERVE
            else default.outcome
        )
        for outcome, ids in (found.remove or {plain: []}).items():
            # Lock the rows first, so a row changed meanwhile by someone else is not
            # half-handled.
            rows = list(
                category.model._default_manager.filter(pk__in=ids)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", category.organisation_field, category.subject_field or "pk")
            )
            ids = [pk for pk, _org, _subject in rows]
            detail = _remove(category, outcome, ids, now) if ids else {}
            per_organisation: dict[str, int] = {}
            for _pk, organisation_id, _subject in rows:
                per_organisation[str(organisation_id)] = (
                    per_organisation.get(str(organisation_id), 0) + 1
                )
            deposited = sorted(set(ids) & set(found.preserve))
            audit.record(
                AuditEvent.Action.CHANGE
                if outcome == RetentionRule.Outcome.ANONYMISE
                else AuditEvent.Action.DELETE,
                object_type=category.label,
                object_ids=ids,
                subject_ids=sorted({subject for _pk, _org, subject in rows})
                if category.subject_field
                else [],
                purpose=policy.Purpose.RETENTION,
                legal_basis="retention_rule",
                detail={
                    "retention_category": category.name,
                    "outcome": outcome,
                    "period_days": default.period_days,
                    "cutoff": cutoff.isoformat(),
                    "count": len(rows),
                    "per_organisation": per_organisation,
                    "rules": [
                        {
                            "organisation_id": r.organisation_id,
                            "unit_kind": r.unit_kind,
                            "outcome": r.outcome,
                            "period_days": r.period_days,
                            "count": len(set(r.removed_ids) & set(ids)),
                        }
                        for r in found.rules
                        if set(r.removed_ids) & set(ids)
                    ],
                    # Deleted because the archive has taken over its deposit.
                    "deposited_ids": deposited,
                    "held_count": len(found.held),
                    **detail,
                },
            )
    return result


def apply_retention(now: datetime.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete or anonymise what has passed its retention period, category by category, under
    the rule for each row's controller and kind of unit; leave what a legal hold keeps, and
    what an archive rule keeps until the archive has taken over its deposit.

    A category that fails (for example because a newer kind of record still refers to a row)
    is rolled back and reported; the others go ahead. Running it again changes nothing more.
    """
    now = now or timezone.now()
    all_rules = list(RetentionRule.objects.all())
    results = []
    # Persons last: a record deleted tonight may be the last thing that kept its person active.
    for category in sorted(CATEGORIES.values(), key=lambda c: c.model is Person):
        name = category.name
        rules = rules_for(category, all_rules)
        default = next((r for r in rules if not r.organisation_id and not r.unit_kind), None)
        if default is None:
            results.append(
                CategoryResult(
                    name,
                    "",
                    0,
                    None,
                    error=(
                        "there is no retention rule for this category that applies to every "
                        "controller and kind of unit, so nothing was deleted. Add the rule "
                        "with `familiebro retention-rule set`"
                    ),
                )
            )
            continue
        try:
            results.append(_apply_category(category, rules, now, dry_run))
        except (DatabaseError, models.ProtectedError, models.RestrictedError, ValueError) as exc:
            results.append(
                CategoryResult(name, default.outcome, default.period_days, None, error=str(exc))
            )
    known = {c.name: c for c in CATEGORIES.values()}
    for rule in all_rules:
        of_rule = known.get(rule.category)
        if of_rule is None or (rule.unit_kind and of_rule.unit_kind_field is None):
            results.append(
                CategoryResult(
                    rule.category,
                    rule.outcome,
                    rule.period_days,
                    None,
                    error=(
                        "Familiebro does not know this category, so the rule was not applied. "
                        "Check the spelling of the category against docs/data-protection.md"
                        if of_rule is None
                        else "the records of this category belong to no unit, so a rule for "
                        "one kind of unit does not apply to them. Remove the rule or make it "
                        "for every kind"
                    ),
                )
            )
    return RetentionReport(ran_at=now, dry_run=dry_run, results=results)
