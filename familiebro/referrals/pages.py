"""The read models of the referral pages: the receiving unit's inbox ("waiting for us"), the
sending unit's list ("sent by my unit"), and one referral with its history.

Every list is read through the access policy (the referrals of the reader's own units only)
and audited as one event per page; each page costs the same few queries however many rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from familiebro.privacy import policy

from . import lifecycle, permissions, services
from .fields import FIELDS, as_id, field_key, question_key
from .models import Capacity, Referral, ReferralEvent, Status
from .permissions import sides_of

PAGE_SIZE = 100
# A re-referral: the same child sent to the same unit again within this many days.
RE_REFERRAL_DAYS = 365
# The referrer's list flags what has had no answer after this many days, unless they say.
DEFAULT_NO_ANSWER_DAYS = 14

# The inbox's filters by status, and what each shows.
INBOX_FILTERS: dict[str, tuple[str, ...]] = {
    "waiting": lifecycle.UNANSWERED,
    "accepted": (Status.ACCEPTED,),
    "started": (Status.STARTED,),
    "on_hold": (Status.ON_HOLD,),
    "closed": (Status.RETURNED, Status.COMPLETED, Status.WITHDRAWN),
}


def _re_referral(user: Any) -> Exists:
    """Per row: whether the reader may see an earlier referral of the same child (the same
    registration, or the same identity number) to the same unit, sent within the year before
    this one, in another series than its own versions."""
    earlier = policy.visible(user, Referral, services.PURPOSE).filter(
        Q(person_id=OuterRef("person_id"))
        | Q(person__national_id_hash=OuterRef("person__national_id_hash")),
        to_unit_id=OuterRef("to_unit_id"),
        sent_at__isnull=False,
        sent_at__lt=OuterRef("sent_at"),
        sent_at__gte=OuterRef("sent_at") - datetime.timedelta(days=RE_REFERRAL_DAYS),
    )
    return Exists(earlier.exclude(series=OuterRef("series")))


def _rows(user: Any) -> QuerySet[Referral]:
    return (
        policy.visible(user, Referral, services.PURPOSE)
        .select_related("from_unit__organisation", "to_unit__organisation", "to_kind")
        .annotate(re_referral=_re_referral(user))
    )


@dataclass
class Row:
    referral: Referral
    days_waiting: int | None  # since sent, while it has no answer
    re_referral: bool


def _days(since: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if since is None else (now - since).days


@dataclass
class Inbox:
    rows: list[Row]
    units: list[Any]
    chosen_status: str
    chosen_unit: int | None
    counts_waiting: int


@transaction.atomic
def inbox(user: Any, *, status: str = "waiting", unit_id: Any = None) -> Inbox:
    """The referrals sent to the reader's units, filtered by status and unit, the longest
    waiting first (audited as one list)."""
    scope = policy.scope_of(user)
    from familiebro.core.models import ServiceUnit

    units = list(ServiceUnit.objects.filter(pk__in=scope.unit_ids).order_by("name"))
    chosen_unit = as_id(unit_id)
    unit_ids = [u.pk for u in units if chosen_unit in (None, u.pk)]
    status = status if status in INBOX_FILTERS else "waiting"
    rows = (
        _rows(user)
        .filter(to_unit_id__in=unit_ids, status__in=INBOX_FILTERS[status])
        .order_by("sent_at", "pk")[:PAGE_SIZE]
    )
    page = policy.list_page(user, rows, services.PURPOSE)
    now = timezone.now()
    waiting = (
        policy.visible(user, Referral, services.PURPOSE)
        .filter(to_unit_id__in=scope.unit_ids, status__in=lifecycle.UNANSWERED)
        .count()
    )
    return Inbox(
        [
            Row(
                r,
                _days(r.sent_at, now) if r.status in lifecycle.UNANSWERED else None,
                r.re_referral,
            )
            for r in page
        ],
        units,
        status,
        chosen_unit,
        waiting,
    )


@dataclass
class SentList:
    rows: list[Row]
    days: int
    only_unanswered: bool


@transaction.atomic
def sent(user: Any, *, days: Any = None, only_unanswered: bool = False) -> SentList:
    """The referrals the reader's units have sent (and their drafts), newest first; with
    `only_unanswered`, those with no answer after `days` days, the oldest first."""
    scope = policy.scope_of(user)
    try:
        no_answer_days = max(0, min(int(days), 3650)) if days not in (None, "") else None
    except (TypeError, ValueError):
        no_answer_days = None
    if no_answer_days is None:
        no_answer_days = DEFAULT_NO_ANSWER_DAYS
    rows = _rows(user).filter(from_unit_id__in=scope.unit_ids)
    now = timezone.now()
    if only_unanswered:
        rows = rows.filter(
            status__in=lifecycle.UNANSWERED,
            sent_at__lte=now - datetime.timedelta(days=no_answer_days),
        ).order_by("sent_at", "pk")
    else:
        rows = rows.order_by("-created_at", "-pk")
    page = policy.list_page(user, rows[:PAGE_SIZE], services.PURPOSE)
    return SentList(
        [
            Row(
                r,
                _days(r.sent_at, now) if r.status in lifecycle.UNANSWERED else None,
                r.re_referral,
            )
            for r in page
        ],
        no_answer_days,
        only_unanswered,
    )


@dataclass
class Answered:
    label: str
    answer: str


@dataclass
class Page:
    referral: Referral
    sides: set[str]
    events: list[ReferralEvent]
    transitions: list[lifecycle.Transition]
    answers: list[Answered]
    attachments: list[str]
    re_referral: bool
    capacity: str
    capacity_label: str
    capacity_note: str
    # For a draft, the referrer's side: the marks and what may be attached.
    marks: list[Any] = field(default_factory=list)
    allowed_attachments: list[tuple[str, int]] = field(default_factory=list)
    pruned: int = 0
    needs_ground: bool = False
    has_consent: bool = False
    # Without consent: whether the reader (the sending unit's leader) may send it, and on
    # which grounds.
    may_send_without_consent: bool = False
    grounds: list[tuple[str, str]] = field(default_factory=list)
    next_version: Referral | None = None

    @property
    def is_referrer(self) -> bool:
        return lifecycle.REFERRER in self.sides

    @property
    def is_receiver(self) -> bool:
        return lifecycle.RECEIVER in self.sides

    @property
    def ready(self) -> bool:
        return all(mark.met for mark in self.marks)


def _answers(referral: Referral) -> list[Answered]:
    kind = referral.to_kind
    given = referral.answers or {}
    shown = [
        Answered(str(FIELDS[key]), str(given.get(field_key(key), "")))
        for key in kind.required_fields
        if key in FIELDS
    ]
    shown += [
        Answered(question, str(given.get(question_key(number), "")))
        for number, question in enumerate(kind.question_list(), start=1)
    ]
    return shown


@transaction.atomic
def referral_page(user: Any, referral_id: Any) -> Page:
    """One referral, as its sender or its receiver reads it, with its history (audited)."""
    from familiebro.privacy.models import DataCategory

    referral = policy.get_or_404(user, Referral, referral_id, services.PURPOSE)
    # An annotation, which the type checker does not know as a field.
    flags: Any = _rows(user).filter(pk=referral.pk)
    re_referral = bool(flags.values_list("re_referral", flat=True).first())
    sides = sides_of(user, referral)
    events = list(
        policy.visible(user, ReferralEvent, services.PURPOSE)
        .filter(referral_id=referral.pk)
        .select_related("by")
        .order_by("at", "pk")
    )
    capacity, note = services.capacity_of(referral.to_unit)
    page = Page(
        referral=referral,
        sides=sides,
        events=events,
        transitions=lifecycle.transitions_for(referral.status, sides),
        answers=_answers(referral),
        attachments=[
            str(DataCategory(a["category"]).label)
            for a in referral.attachments
            if a.get("category") in DataCategory.values
        ],
        re_referral=re_referral,
        capacity=capacity,
        capacity_label=str(Capacity(capacity).label),
        capacity_note=note,
    )
    if referral.status == Status.DRAFT and page.is_referrer:
        page.pruned = services.prune_attachments(user, referral)
        page.allowed_attachments = services.allowed_attachments(user, referral)
        from . import marks

        page.marks = marks.marks(referral, referral.to_kind, page.allowed_attachments)
        page.attachments = [str(DataCategory(a["category"]).label) for a in referral.attachments]
        page.needs_ground = services.needs_disclosure_ground(referral)
        page.has_consent = services.has_referral_consent(user, referral)
        page.may_send_without_consent = permissions.may_send_without_consent(user, referral)
        page.grounds = permissions.grounds_for(referral)
    if referral.status == Status.RETURNED:
        page.next_version = (
            policy.visible(user, Referral, services.PURPOSE).filter(previous=referral).first()
        )
    return page
