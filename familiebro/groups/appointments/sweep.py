"""The sweep that queues what appointment books owe: reminders to families before their time
(each book's `reminder_hours`, 24 by default) and the provider's go/no-go notice for a coming
day at the place (`go_no_go_hours` before it starts).

The sweep is the system, not a user: it reads bookings without the access policy and writes
nothing but the queue and the notice rows; the tasks send (tasks.py). A reminder is marked
sent by its task, in the transaction that sends it; a day's notice is one row per book and
day, made before its task is queued, so a second sweep (or a restarted worker) sends neither
again. Run by `familiebro appointment-sweep`, from cron or beside the worker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from ..models import AppointmentBook, Booking, DayNotice, Slot
from .tasks import send_day_notice, send_reminder

# The longest lead a book may set (a week): how far ahead the sweep looks.
LONGEST_LEAD_HOURS = 24 * 7


@dataclass
class SweepReport:
    reminders: int = 0
    day_notices: int = 0

    def describe(self) -> str:
        return (
            f"Appointment reminders queued: {self.reminders}; "
            f"go/no-go notices queued: {self.day_notices}."
        )


def sweep(now: datetime.datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    horizon = now + datetime.timedelta(hours=LONGEST_LEAD_HOURS)
    owed = (
        Booking.objects.filter(
            cancelled_at__isnull=True,
            reminder_sent_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=horizon,
        )
        .select_related("slot__book")
        .only("pk", "created_at", "phone", "email", "slot__starts_at", "slot__book__reminder_hours")
    )
    for booking in owed.iterator(chunk_size=500):
        lead = datetime.timedelta(hours=booking.slot.book.reminder_hours)
        due = booking.slot.starts_at - lead
        # Booked within the lead time: the confirmation was the reminder.
        if due <= now and booking.created_at <= due and (booking.phone or booking.email):
            send_reminder.enqueue(booking.pk)
            report.reminders += 1
    report.day_notices = _day_notices(now, horizon)
    return report


def run() -> str:
    """One sweep now, as the worker runs it after its deadline sweep: what it queued."""
    return sweep().describe()


def _day_notices(now: datetime.datetime, horizon: datetime.datetime) -> int:
    queued = 0
    days: list[dict[str, Any]] = list(
        Slot.objects.filter(kind=Slot.Kind.BOOK_DAY, starts_at__gt=now, starts_at__lte=horizon)
        .values("book_id", "starts_at__date")
        .annotate(
            first=Min("starts_at"),
            booked=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True)),
        )
        .order_by()
    )
    leads = dict(
        AppointmentBook.objects.filter(pk__in={d["book_id"] for d in days}).values_list(
            "pk", "go_no_go_hours"
        )
    )
    for day in days:
        cutoff = day["first"] - datetime.timedelta(hours=leads[day["book_id"]])
        if cutoff > now:
            continue
        try:
            with transaction.atomic():
                notice = DayNotice.objects.create(
                    book_id=day["book_id"],
                    day=day["starts_at__date"],
                    booked=day["booked"],
                    sent_at=now,
                )
                transaction.on_commit(partial(send_day_notice.enqueue, notice.pk))
        except IntegrityError:
            continue
        queued += 1
    return queued
