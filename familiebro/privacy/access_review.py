"""The data controller's periodic review of the access log (docs/data-protection.md, §10).

Logging every read helps only if someone looks. A leader reviews, for the data controller, the
reads their staff (the members of the units they lead) made of the organisation's data in a
period: who read the data of many persons, who read persons neither they nor their unit work
with, who read persons with their own family name (a colleague's relative, by a name match),
and a fixed random sample of reads to check one by one. The review is recorded: who reviewed,
when, which period, what the page found, and the reviewer's notes.

The page names staff by name and persons by number only: the reviewer need not be someone who
may see the persons, and follows a finding up with the staff member. The family names are
compared in the database and never shown. Reading the page is audited, about the persons it
names, so the families see in their access log that the controller checked it.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, Organisation, Person, ServiceUnit, User

from . import access_log, audit, policy
from .models import AccessLogReview, Assignment, AuditEvent, ExceptionalAccess

REVIEW_PURPOSE = access_log.REVIEW_PURPOSE
REVIEW_BASIS = access_log.REVIEW_BASIS
# The reads the review looks at: the staff's own reading, not what they changed.
READS = (
    AuditEvent.Action.VIEW,
    AuditEvent.Action.LIST,
    AuditEvent.Action.SEARCH,
    AuditEvent.Action.EXPORT,
)
DEFAULT_PERIOD = datetime.timedelta(days=30)
MAX_PERIOD = datetime.timedelta(days=92)
# One staff member reading this many different persons' data in the period is shown. A
# health nurse with a full caseload reads fewer in a month; a pattern above it is worth a
# question, not a conclusion.
MANY_PERSONS = 40
SAMPLE_SIZE = 10
# At most this many rows of each finding are shown (the counts are always whole).
SHOWN = 50
MIN_NOTES = 10


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        return start, end.replace(tzinfo=zone)


def period_from(start: str | None, end: str | None) -> Period:
    """The period asked for (dates as yyyy-mm-dd or dd.mm.yyyy); the last 30 days when none.
    ValidationError naming the field when a date is not one or the period is not a period."""
    today = timezone.localdate()

    def parse(value: str | None, name: str, default: datetime.date) -> datetime.date:
        if not value:
            return default
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
        raise ValidationError({name: [_("Write the date as dd.mm.yyyy, for example 31.03.2027.")]})

    last = parse(end, "til", today)
    first = parse(start, "fra", last - DEFAULT_PERIOD + datetime.timedelta(days=1))
    if first > last:
        raise ValidationError({"fra": [_("The period must start before it ends.")]})
    if last > today:
        raise ValidationError({"til": [_("The period cannot end after today.")]})
    if last - first >= MAX_PERIOD:
        raise ValidationError(
            {"fra": [_("Review at most %(days)s days at a time.") % {"days": MAX_PERIOD.days}]}
        )
    return Period(first, last)


@dataclass(frozen=True)
class StaffReads:
    name: str
    persons: int
    reads: int


@dataclass(frozen=True)
class PersonReads:
    staff_name: str
    person_id: int
    reads: int


@dataclass(frozen=True)
class SampleRead:
    occurred_at: datetime.datetime
    staff_name: str
    action: str
    record_type: str
    person_ids: list[str]
    basis: str


@dataclass(frozen=True)
class PastReview:
    reviewed_at: datetime.datetime
    reviewed_by: str
    period_start: datetime.date
    period_end: datetime.date
    notes: str


@dataclass
class ReviewPage:
    organisation: Organisation
    organisations: list[Organisation]
    period: Period
    units: list[str]
    reads: int
    many_reads: list[StaffReads]
    outside_unit: list[PersonReads]
    outside_unit_total: int
    name_match: list[PersonReads]
    name_match_total: int
    sample: list[SampleRead]
    hidden_from_family: int
    past: list[PastReview] = field(default_factory=list)
    sample_event_ids: list[int] = field(default_factory=list)
    many_persons: int = MANY_PERSONS

    def findings(self) -> dict[str, Any]:
        """What the recorded review keeps of the page: counts and the sample's event ids."""
        return {
            "reads": self.reads,
            "many_reads": len(self.many_reads),
            "outside_unit": self.outside_unit_total,
            "name_match": self.name_match_total,
            "hidden_from_family": self.hidden_from_family,
            "sample": list(self.sample_event_ids),
        }


def reviewable_organisations(actor: Any) -> list[Organisation]:
    """The organisations in which the actor leads a unit: the data controllers whose review
    they may make. PermissionDenied with what to do for anyone else."""
    scope = policy.scope_of(actor)
    if not scope.leader_unit_ids:
        raise PermissionDenied(
            _(
                "Only unit leaders review the access log for their organisation. Ask your "
                "leader if you have seen something that should be looked into."
            )
        )
    return list(
        Organisation.objects.filter(units__in=scope.leader_unit_ids).distinct().order_by("name")
    )


def _chosen(actor: Any, organisation_id: Any) -> tuple[Organisation, list[Organisation]]:
    organisations = reviewable_organisations(actor)
    chosen = next((o for o in organisations if str(o.pk) == str(organisation_id)), None)
    return chosen or organisations[0], organisations


def _family_name_parts(name: str) -> set[str]:
    """The parts of a family name ("Hansen-Berg" has two), in lower case."""
    return {part for part in name.lower().replace("-", " ").split() if len(part) > 1}


@transaction.atomic
def review_page(
    actor: Any, *, organisation_id: Any = None, start: str | None = None, end: str | None = None
) -> ReviewPage:
    """What the review of one period shows the leader, for one organisation they lead in.
    Reading it is audited, about the persons it names."""
    organisation, organisations = _chosen(actor, organisation_id)
    period = period_from(start, end)
    scope = policy.scope_of(actor)
    led = list(
        ServiceUnit.objects.filter(pk__in=scope.leader_unit_ids, organisation=organisation)
        .order_by("name")
        .values_list("pk", "name")
    )
    led_ids = [pk for pk, _name in led]
    # The staff of the led units, with every unit each works in here. Not the reviewer: nobody
    # reviews their own reads (another leader of their unit, or their own leader, does).
    staff_units: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in (
        Membership.objects.filter(
            user__memberships__unit_id__in=led_ids, unit__organisation=organisation
        )
        .exclude(user_id=actor.pk)
        .values_list("user_id", "unit_id")
    ):
        staff_units[user_id].add(unit_id)
    staff = {user.pk: user for user in User.objects.filter(pk__in=staff_units)}
    first, after = period.bounds()
    events = list(
        AuditEvent.objects.filter(
            organisation_id=organisation.pk,
            actor_id__in=staff,
            action__in=READS,
            occurred_at__gte=first,
            occurred_at__lt=after,
        )
        .exclude(purpose=REVIEW_PURPOSE)
        .order_by("pk")
        .only(
            "pk", "occurred_at", "actor_id", "action", "object_type", "subject_ids", "legal_basis"
        )
    )
    pairs: Counter[tuple[int, int]] = Counter()
    for event in events:
        for subject in event.subject_ids:
            pairs[(int(event.actor_id or 0), int(subject))] += 1
    persons = {person for _actor, person in pairs}

    def name(user_id: int) -> str:
        user = staff.get(user_id)
        return user.display_name() if user else str(user_id)

    per_staff: dict[int, set[int]] = defaultdict(set)
    reads_by_staff: Counter[int] = Counter()
    for event in events:
        reads_by_staff[int(event.actor_id or 0)] += 1
    for user_id, person in pairs:
        per_staff[user_id].add(person)
    many = sorted(
        (
            StaffReads(name(user_id), len(read), reads_by_staff[user_id])
            for user_id, read in per_staff.items()
            if len(read) >= MANY_PERSONS
        ),
        key=lambda row: (-row.persons, row.name),
    )

    # Who works with each person, ever in the organisation: the staff member or their unit.
    worked_with: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for person_id, user_id, unit_id in Assignment.objects.filter(
        organisation=organisation, person_id__in=persons
    ).values_list("person_id", "user_id", "unit_id"):
        if user_id is not None:
            worked_with[person_id].add(("user", user_id))
        if unit_id is not None:
            worked_with[person_id].add(("unit", unit_id))

    def works_with(user_id: int, person: int) -> bool:
        known = worked_with.get(person, set())
        return ("user", user_id) in known or any(
            ("unit", unit) in known for unit in staff_units.get(user_id, ())
        )

    outside = sorted(
        (
            PersonReads(name(user_id), person, count)
            for (user_id, person), count in pairs.items()
            if not works_with(user_id, person)
        ),
        key=lambda row: (-row.reads, row.staff_name, row.person_id),
    )
    # The family names are compared here and shown nowhere: a match is a question for the
    # reviewer to ask, not a finding about the family.
    family_names = dict(
        Person.objects.filter(organisation=organisation, pk__in=persons).values_list(
            "pk", "family_name"
        )
    )
    staff_names = {pk: _family_name_parts(user.last_name) for pk, user in staff.items()}
    matches = sorted(
        (
            PersonReads(name(user_id), person, count)
            for (user_id, person), count in pairs.items()
            if staff_names.get(user_id, set()) & _family_name_parts(family_names.get(person, ""))
        ),
        key=lambda row: (row.staff_name, row.person_id),
    )

    # The same sample for the same organisation and period, however often the page is read.
    # Not for secrecy: a fixed seed keeps the sample the same when the reviewer comes back.
    chooser = random.Random(f"{organisation.pk}:{period.start}:{period.end}")  # noqa: S311
    sampled = sorted(
        chooser.sample(events, min(SAMPLE_SIZE, len(events))), key=lambda e: e.occurred_at
    )
    basis_words = access_log.basis_words()

    def record_type(label: str) -> str:
        try:
            return str(capfirst(apps.get_model(label)._meta.verbose_name))
        except (LookupError, ValueError):
            return label

    sample = [
        SampleRead(
            occurred_at=event.occurred_at,
            staff_name=name(int(event.actor_id or 0)),
            action=str(AuditEvent.Action(event.action).label),
            record_type=record_type(event.object_type),
            person_ids=list(event.subject_ids),
            basis="; ".join(
                basis_words.get(kind, kind) for kind in (event.legal_basis or "").split(",")
            ),
        )
        for event in sampled
    ]
    hidden = (
        ExceptionalAccess.objects.hidden_from_family_now()
        .filter(organisation=organisation, user_id__in=staff)
        .count()
    )
    past = [
        PastReview(
            r.reviewed_at, r.reviewed_by.display_name(), r.period_start, r.period_end, r.notes
        )
        for r in AccessLogReview.objects.filter(organisation=organisation).select_related(
            "reviewed_by"
        )[:10]
    ]
    page = ReviewPage(
        organisation=organisation,
        organisations=organisations,
        period=period,
        units=[unit_name for _pk, unit_name in led],
        reads=len(events),
        many_reads=many,
        outside_unit=outside[:SHOWN],
        outside_unit_total=len(outside),
        name_match=matches[:SHOWN],
        name_match_total=len(matches),
        sample=sample,
        hidden_from_family=hidden,
        past=past,
        sample_event_ids=[e.pk for e in sampled],
    )
    named = sorted(
        {row.person_id for row in page.outside_unit + page.name_match}
        | {int(p) for row in sample for p in row.person_ids}
    )
    audit.record(
        AuditEvent.Action.LIST,
        actor=actor,
        object_type=AuditEvent._meta.label_lower,
        object_ids=page.sample_event_ids,
        subject_ids=named,
        organisation_id=organisation.pk,
        purpose=REVIEW_PURPOSE,
        legal_basis=REVIEW_BASIS,
        detail={"period": [period.start.isoformat(), period.end.isoformat()]},
    )
    return page


@transaction.atomic
def record_review(
    actor: Any,
    *,
    organisation_id: Any,
    start: str | None,
    end: str | None,
    notes: str,
) -> AccessLogReview:
    """Record that the actor has reviewed the period for the organisation, with their notes
    (what they followed up, or that nothing needed it) and what the page found. Audited."""
    notes = notes.strip()
    if len(notes) < MIN_NOTES:
        raise ValidationError(
            {
                "notes": [
                    _(
                        "Write what you checked and what you will follow up, or that nothing "
                        "needs it (at least %(n)s characters). Do not write identity numbers."
                    )
                    % {"n": MIN_NOTES}
                ]
            }
        )
    page = review_page(actor, organisation_id=organisation_id, start=start, end=end)
    review = AccessLogReview.objects.create(
        organisation=page.organisation,
        period_start=page.period.start,
        period_end=page.period.end,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        findings=page.findings(),
        notes=notes,
    )
    audit.record(
        AuditEvent.Action.CREATE,
        actor=actor,
        objects=[review],
        organisation_id=page.organisation.pk,
        purpose=REVIEW_PURPOSE,
        legal_basis=REVIEW_BASIS,
        detail={"findings": {k: v for k, v in page.findings().items() if k != "sample"}},
    )
    return review
