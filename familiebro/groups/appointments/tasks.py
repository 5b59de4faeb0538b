"""Background tasks of appointment books, run by the django-tasks worker: the messages to
families (confirmation, reminder, cancellation) and the provider's go/no-go notice.

Each task takes an id only, so the queue holds no personal data, and marks its message sent in
the same transaction as it sends it, on the row it locked: a task run twice (the worker was
restarted after sending, or the sweep queued it twice) finds it marked and sends nothing.
A message that cannot be sent fails the task, which the worker records; nothing is marked.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from familiebro.interop.messages import Recipient, send

from ..models import Booking, DayNotice, Slot
from . import texts
from .tokens import new_token


def _locked(booking_id: int, unsent: str) -> Booking | None:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__book")
        .filter(pk=booking_id, **{f"{unsent}__isnull": True})
        .first()
    )


def _recipient(booking: Booking) -> Recipient:
    return Recipient(email=booking.email, phone=booking.phone)


@task()
def send_confirmation(booking_id: int) -> str:
    """Confirm a booking, with a fresh single-use link to cancel or rebook: the link exists
    only in the message, the database keeps its hash."""
    with transaction.atomic():
        booking = _locked(booking_id, "confirmation_sent_at")
        if booking is None or booking.cancelled_at is not None:
            return ""
        token, hashed = new_token()
        subject, text = texts.confirmation(booking, token)
        channel = send(_recipient(booking), subject, text)
        booking.cancel_token_hash = hashed
        booking.confirmation_sent_at = timezone.now()
        booking.save(update_fields=["cancel_token_hash", "confirmation_sent_at"])
    return channel


@task()
def send_reminder(booking_id: int) -> str:
    with transaction.atomic():
        booking = _locked(booking_id, "reminder_sent_at")
        if booking is None or booking.cancelled_at is not None:
            return ""
        subject, text = texts.reminder(booking)
        channel = send(_recipient(booking), subject, text)
        booking.reminder_sent_at = timezone.now()
        booking.save(update_fields=["reminder_sent_at"])
    return channel


@task()
def send_cancellation(booking_id: int) -> str:
    with transaction.atomic():
        booking = _locked(booking_id, "cancellation_sent_at")
        if booking is None or booking.cancelled_at is None:
            return ""
        subject, text = texts.cancellation(booking)
        channel = send(_recipient(booking), subject, text)
        booking.cancellation_sent_at = timezone.now()
        booking.save(update_fields=["cancellation_sent_at"])
    return channel


@task()
def send_day_notice(notice_id: int) -> str:
    """Tell the provider whether their coming day at the place goes ahead. The notice row was
    made once by the sweep (its unique day is the guard); this sends it."""
    notice = DayNotice.objects.select_related("book__provider").filter(pk=notice_id).first()
    if notice is None:
        return ""
    first = Slot.objects.filter(book=notice.book, starts_at__date=notice.day).order_by("starts_at")
    slot = first.select_related("book").first()
    if slot is None or not notice.book.provider.email:
        return ""
    subject, text = texts.go_no_go(slot, notice.booked)
    return send(Recipient(email=notice.book.provider.email), subject, text)
