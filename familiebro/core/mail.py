"""Sending an e-mail from a background task, and recording that it was not sent.

Every e-mail task sends through `send`: a mail server that refuses the message, or does not
answer within the timeout, fails the task with EmailNotSent, and django-tasks records the
failed task with that exception's name. So the instance health page counts the failed e-mails
(tasks failed with EmailNotSent) apart from other failed tasks, without a list of which tasks
send e-mail.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

# A mail server that does not answer must not hold the worker forever.
SMTP_TIMEOUT_SECONDS = 30


class EmailNotSent(Exception):
    """The mail server refused the e-mail or could not be reached."""


def send(message: EmailMessage) -> int:
    """Send `message` with the timeout; the number of messages sent (0 or 1)."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    message.connection = get_connection(timeout=timeout)
    try:
        return message.send()
    except (smtplib.SMTPException, OSError) as exc:
        # The error's name only: its text may hold the recipients' addresses.
        raise EmailNotSent(
            f"The mail server did not take the e-mail ({type(exc).__name__}): check the "
            "EMAIL_* settings and that the mail server answers."
        ) from exc


def email_not_sent_path() -> str:
    """How django-tasks names EmailNotSent on a failed task."""
    return f"{EmailNotSent.__module__}.{EmailNotSent.__qualname__}"
