"""Background tasks of requests for help, cases and deadline reminders, run by the django-tasks
worker (`familiebro worker`, or `familiebro db_worker`)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from familiebro.core import mail
from familiebro.core.models import ServiceUnit

from .help_requests.unit_email import unit_notification

logger = logging.getLogger(__name__)


@task()
def notify_unit_of_help_request(unit_id: int, reference: str, due_at: str, link: str) -> int:
    """E-mail the unit that a request has arrived. Returns the number of messages sent.

    Takes only what the e-mail says (never the request itself), so the worker reads no
    personal data. A failure to send fails the task, and the worker records it; the request
    is in the unit's inbox either way.
    """
    unit = ServiceUnit.objects.get(pk=unit_id)
    message = unit_notification(
        unit, reference=reference, due_at=datetime.datetime.fromisoformat(due_at), link=link
    )
    if message is None:
        logger.warning(
            "No e-mail address for unit %s: set the unit's e-mail or give it a leader with "
            "an address, so it hears of new requests for help (reference %s).",
            unit_id,
            reference,
        )
        return 0
    return mail.send(message)


@task()
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send a plain e-mail whose text the caller wrote without the family's details."""
    from django.core.mail import EmailMessage

    message = EmailMessage(subject=subject, body=body, to=to)
    return mail.send(message)


@task()
def send_email_with_calendar(
    to: list[str], subject: str, body: str, calendar: str, method: str = "REQUEST"
) -> int:
    """Send an e-mail with an iCalendar message attached: a meeting invitation or its update
    (REQUEST), or its cancellation (CANCEL). The caller wrote the text and the calendar
    without the family's details."""
    from email.mime.text import MIMEText

    from django.core.mail import EmailMessage

    message = EmailMessage(subject=subject, body=body, to=to)
    part = MIMEText(calendar, "calendar", "utf-8")
    # Calendar programs read METHOD from the part's type to show it as an invitation.
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    message.attach(part)
    return mail.send(message)


@task()
def email_reminder(reminder_id: int, subject: str, body: str) -> int:
    """E-mail one deadline reminder to its recipient, and record that it went.

    A task run again (the worker was stopped after sending) finds the reminder marked and
    sends nothing. The address is read now, so a changed address is used. The text was
    written by the sweep without the family's details.
    """
    from django.core.mail import EmailMessage

    from .models import Reminder

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=reminder_id, emailed_at__isnull=True)
            .first()
        )
        if reminder is None or not reminder.recipient.email:
            return 0
        message = EmailMessage(subject=subject, body=body, to=[reminder.recipient.email])
        sent = mail.send(message)
        Reminder.objects.filter(pk=reminder.pk).update(emailed_at=timezone.now())
    return sent
