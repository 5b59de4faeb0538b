"""Reminders about deadlines and about requests for help waiting for first contact.

A sweep looks at every open deadline of an open case, and every request for help still new,
whose due time is near or past, and sends what is owed:

- "due soon" (BEFORE) within the lead time (setting REMINDER_LEAD_DAYS) before the due day,
- "due today" (DUE) on the due day,
- "overdue" (ESCALATED) to the unit's leaders once the due time has passed.

A deadline's reminders go to its responsible person, or to the unit's leaders when nobody in
particular holds it; a request's go to everyone in the receiving unit. Each reminder is a
Reminder row, an in-app Notification and an e-mail task, written in one transaction. The
Reminder's unique key is the guard against sending anything twice: a sweep that is stopped or
crashes halfway, or two workers sweeping at once, still send each reminder exactly once.

The worker is the system, not a user, so it finds what is owed without the access policy; what
it writes names only a reference and a deadline's title, never the family's details. A
reminder still tells its recipient of a deadline, so it goes only to someone the policy lets
read the deadline (a consent reader never hears of an internal measure's evaluation, nor of a
category the consent leaves out). The leaders of the unit that holds the case still hear of
its overdue deadlines: the unit works with the child, so the policy opens the case to its
members, leaders included, whether or not the organisation lets leaders oversee other units.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.models import Membership
from familiebro.privacy import policy

from ..case_services import READ
from ..models import Case, Deadline, HelpRequest, Notification, Reminder

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
# Rows read per query: enough to keep the number of queries small on a large instance, few
# enough that a chunk and its reminders fit comfortably in memory.
CHUNK_SIZE = 500

# The sweeps of the parts above cases (appointment reminders), which cases may not import:
# they add themselves from their AppConfig.ready(), and the worker runs them after this one.
OTHER_SWEEPS: list[Callable[[], Any]] = []


def add_sweep(sweep: Callable[[], Any]) -> None:
    """Have the worker run `sweep` (returning what to log) after the deadline sweep."""
    if sweep not in OTHER_SWEEPS:
        OTHER_SWEEPS.append(sweep)


@dataclass
class SweepReport:
    sent: Counter = field(default_factory=Counter)  # reminders sent now, by kind
    already_sent: int = 0  # owed, but an earlier sweep sent them
    without_recipient: int = 0  # owed, but the unit has nobody to tell (no leader)
    kept_from_recipient: int = 0  # owed, but the policy keeps the deadline from the recipient
    stopped: bool = False  # the sweep was asked to stop before it finished

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def describe(self) -> str:
        parts = [f"{kind.value} {self.sent.get(kind.value, 0)}" for kind in Kind]
        text = (
            f"Reminders sent: {self.total} ({', '.join(parts)}); "
            f"already sent earlier: {self.already_sent}; "
            f"with nobody to tell: {self.without_recipient}; "
            f"kept from recipients who may not read the deadline: {self.kept_from_recipient}."
        )
        return text + (" Stopped before the end." if self.stopped else "")


def kinds_owed(due_at: datetime.datetime, now: datetime.datetime, lead_days: int) -> list[str]:
    """Which reminders a deadline due at `due_at` is owed at `now` (by local calendar days)."""
    today = timezone.localtime(now).date()
    due_day = timezone.localtime(due_at).date()
    kinds: list[str] = []
    if today < due_day <= today + datetime.timedelta(days=lead_days):
        kinds.append(Kind.BEFORE)
    if due_day == today:
        kinds.append(Kind.DUE)
    if due_at < now:
        kinds.append(Kind.ESCALATED)
    return kinds


def _horizon(now: datetime.datetime, lead_days: int) -> datetime.datetime:
    """The start of the first local day too far ahead to remind about yet."""
    last_day = timezone.localtime(now).date() + datetime.timedelta(days=lead_days + 1)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.min))


def _chunks(queryset: QuerySet, size: int) -> Iterator[list[Any]]:
    """Rows by primary key, `size` at a time (keyset paging: no offset that grows)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


class _People:
    """Each unit's leaders and members, read once per sweep for all the units in a chunk."""

    def __init__(self) -> None:
        self.leaders: dict[int, list[Any]] = {}
        self.members: dict[int, list[Any]] = {}

    def load(self, unit_ids: set[int], *, members: bool = False) -> None:
        cache = self.members if members else self.leaders
        missing = unit_ids - cache.keys()
        if not missing:
            return
        rows = Membership.objects.filter(unit_id__in=missing, user__is_active=True)
        if not members:
            rows = rows.filter(role=Membership.Role.LEADER)
        for unit_id in missing:
            cache[unit_id] = []
        for membership in rows.select_related("user").order_by("user_id"):
            people = cache[membership.unit_id]
            if all(p.pk != membership.user_id for p in people):
                people.append(membership.user)


def _absolute(link: str) -> str | None:
    site = getattr(settings, "SITE_URL", "")
    return site.rstrip("/") + link if site else None


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def deadline_text(kind: str, deadline: Deadline) -> str:
    values = {
        "title": deadline.title,
        "reference": deadline.case.reference,
        "date": _when(deadline.due_at),
    }
    if kind == Kind.BEFORE:
        return _("Due soon, by %(date)s: %(title)s in case %(reference)s.") % values
    if kind == Kind.DUE:
        return _("Due today: %(title)s in case %(reference)s.") % values
    return _("Overdue since %(date)s: %(title)s in case %(reference)s.") % values


def help_request_text(kind: str, help_request: HelpRequest) -> str:
    values = {"reference": help_request.reference, "date": _when(help_request.first_contact_due_at)}
    if kind == Kind.BEFORE:
        return _("First contact is due by %(date)s for the request for help %(reference)s.") % (
            values
        )
    if kind == Kind.DUE:
        return _("First contact is due today for the request for help %(reference)s.") % values
    return (
        _("Overdue since %(date)s: first contact for the request for help %(reference)s.") % values
    )


def email_body(text: str, link: str) -> str:
    url = _absolute(link)
    read = _("Open it in Familiebro:") + f"\n{url}" if url else _("Log in to Familiebro to see it.")
    return "\n\n".join(
        [
            text,
            read,
            _(
                "This e-mail says nothing about the family: that stays in Familiebro. "
                "Do not forward it with personal details added."
            ),
        ]
    )


def _send(
    report: SweepReport,
    *,
    kind: str,
    recipient: Any,
    text: str,
    link: str,
    now: datetime.datetime,
    deadline: Deadline | None = None,
    help_request: HelpRequest | None = None,
) -> None:
    """One reminder: its row, the notification and the e-mail task commit together or not
    at all, and a reminder someone else already sent is skipped."""
    from ..tasks import email_reminder

    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                deadline=deadline,
                help_request=help_request,
                kind=kind,
                recipient=recipient,
                created_at=now,
            )
            Notification.objects.create(user=recipient, text=text[:300], link=link, created_at=now)
            if recipient.email:
                email_reminder.enqueue(reminder.pk, text[:200], email_body(text, link))
    except IntegrityError:
        report.already_sent += 1
    else:
        report.sent[kind] += 1


def _owed_to(kind: str, unit_people: list[Any], responsible: Any) -> list[Any]:
    if kind != Kind.ESCALATED and responsible is not None and responsible.is_active:
        return [responsible]
    return unit_people


def _readable(pending: list[tuple[Deadline, str, Any]]) -> set[tuple[int, int]]:
    """The (deadline, recipient) pairs among the reminders about to be sent where the access
    policy lets the recipient read the deadline: one query per recipient, not per deadline."""
    readable: set[tuple[int, int]] = set()
    asked: dict[int, tuple[Any, set[int]]] = {}
    for deadline, _kind, recipient in pending:
        asked.setdefault(recipient.pk, (recipient, set()))[1].add(deadline.pk)
    for recipient, deadline_ids in asked.values():
        visible = policy.visible(recipient, Deadline, READ, few_rows=True)
        for deadline_id in visible.filter(pk__in=deadline_ids).values_list("pk", flat=True):
            readable.add((deadline_id, recipient.pk))
    return readable


def _remind_of_deadlines(
    report: SweepReport,
    now: datetime.datetime,
    lead_days: int,
    people: _People,
    should_stop: Callable[[], bool],
) -> None:
    deadlines = Deadline.objects.filter(
        completed_at__isnull=True,
        cancelled_at__isnull=True,
        case__status=Case.Status.OPEN,
        due_at__lt=_horizon(now, lead_days),
    ).select_related("case", "responsible")
    for chunk in _chunks(deadlines, CHUNK_SIZE):
        people.load({d.unit_id for d in chunk})
        sent = set(
            Reminder.objects.filter(deadline__in=chunk).values_list(
                "deadline_id", "kind", "recipient_id"
            )
        )
        pending: list[tuple[Deadline, str, Any]] = []
        for deadline in chunk:
            for kind in kinds_owed(deadline.due_at, now, lead_days):
                recipients = _owed_to(kind, people.leaders[deadline.unit_id], deadline.responsible)
                if not recipients:
                    report.without_recipient += 1
                for recipient in recipients:
                    if (deadline.pk, kind, recipient.pk) in sent:
                        report.already_sent += 1
                    else:
                        pending.append((deadline, kind, recipient))
        readable = _readable(pending)
        for deadline, kind, recipient in pending:
            if (deadline.pk, recipient.pk) not in readable:
                report.kept_from_recipient += 1
                continue
            _send(
                report,
                kind=kind,
                recipient=recipient,
                text=deadline_text(kind, deadline),
                link=reverse("cases:detail", args=[deadline.case_id]),
                now=now,
                deadline=deadline,
            )
        if should_stop():
            report.stopped = True
            return


def _remind_of_help_requests(
    report: SweepReport,
    now: datetime.datetime,
    lead_days: int,
    people: _People,
    should_stop: Callable[[], bool],
) -> None:
    waiting = HelpRequest.objects.filter(
        status=HelpRequest.Status.NEW, first_contact_due_at__lt=_horizon(now, lead_days)
    ).only("pk", "reference", "unit_id", "first_contact_due_at")
    for chunk in _chunks(waiting, CHUNK_SIZE):
        unit_ids = {r.unit_id for r in chunk}
        people.load(unit_ids)
        people.load(unit_ids, members=True)
        sent = set(
            Reminder.objects.filter(help_request__in=chunk).values_list(
                "help_request_id", "kind", "recipient_id"
            )
        )
        for help_request in chunk:
            link = reverse("inbox:detail", args=[help_request.pk])
            for kind in kinds_owed(help_request.first_contact_due_at, now, lead_days):
                unit = people.leaders if kind == Kind.ESCALATED else people.members
                recipients = unit[help_request.unit_id]
                if not recipients:
                    report.without_recipient += 1
                for recipient in recipients:
                    if (help_request.pk, kind, recipient.pk) in sent:
                        report.already_sent += 1
                        continue
                    _send(
                        report,
                        kind=kind,
                        recipient=recipient,
                        text=help_request_text(kind, help_request),
                        link=link,
                        now=now,
                        help_request=help_request,
                    )
        if should_stop():
            report.stopped = True
            return


def sweep(
    now: datetime.datetime | None = None, *, should_stop: Callable[[], bool] | None = None
) -> SweepReport:
    """Send every reminder owed at `now` that has not been sent. Safe to run at any time,
    as often as you like, from several processes at once. `should_stop` is asked between
    chunks, so a worker told to stop finishes the chunk it is on and leaves the rest for the
    next sweep."""
    now = now or timezone.now()
    stop = should_stop or (lambda: False)
    lead_days = settings.REMINDER_LEAD_DAYS
    report = SweepReport()
    people = _People()
    # Texts are stored and e-mailed: they speak the instance's language, not the worker's.
    with translation.override(settings.LANGUAGE_CODE):
        _remind_of_deadlines(report, now, lead_days, people, stop)
        if not report.stopped:
            _remind_of_help_requests(report, now, lead_days, people, stop)
    if report.without_recipient:
        logger.warning(
            "%s reminders had nobody to go to: give each unit a leader, so overdue deadlines "
            "and deadlines nobody holds reach someone.",
            report.without_recipient,
        )
    return report
