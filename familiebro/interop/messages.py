"""Telling a person something outside Familiebro: by e-mail or by SMS, through one interface.

Courses, appointment books and other parts send confirmations and reminders with `send`, which
chooses the channel the person gave (SMS when they gave a phone number and an SMS gateway is
configured, else e-mail). What a message says is the sender's business, and senders keep it to
what may leave Familiebro: a discreet label, a time, a place and a link, never a service's
records.

SMS goes through a backend named by the FAMILIEBRO_SMS_BACKEND setting:
- "console" (the default): the message is written to the log, for development and the demo;
- "file": one line of JSON per message appended to FAMILIEBRO_SMS_FILE, for tests and for
  instances that hand messages on by file;
- "http": a JSON POST of {"to", "from", "message"} to FAMILIEBRO_SMS_URL, with the header
  `Authorization: Bearer FAMILIEBRO_SMS_TOKEN` when a token is set; any 2xx answer is success.
  Most Norwegian SMS gateways take such a request directly or through a small adapter.
A message that cannot be sent raises MessageNotSent, so the background task that sends it
fails and is recorded, as e-mails are (core.mail).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.mail import EmailMessage

from familiebro.core import mail

logger = logging.getLogger(__name__)

# A gateway that does not answer must not hold the worker forever.
SMS_TIMEOUT_SECONDS = 15
# Longer texts cost several SMS parts; senders keep theirs short, and this caps a mistake.
SMS_MAX_CHARACTERS = 480


class MessageNotSent(Exception):
    """The SMS gateway refused the message or could not be reached."""


@dataclass(frozen=True)
class Recipient:
    """How a person asked to be told: an e-mail address, a mobile number, or both."""

    email: str = ""
    phone: str = ""

    @property
    def reachable(self) -> bool:
        return bool(self.email or self.phone)


def normalised_phone(number: str) -> str:
    """A phone number in E.164 form (+4791234567), Norwegian when no country code is given;
    raises ValueError for a number that cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(number, "NO")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(number) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def send(recipient: Recipient, subject: str, text: str) -> str:
    """Send `text` to `recipient` by SMS or e-mail; the channel used ("sms", "email"), or ""
    when the recipient gave neither. `subject` is the e-mail's subject line."""
    if recipient.phone:
        send_sms(recipient.phone, text)
        return "sms"
    if recipient.email:
        mail.send(EmailMessage(subject, text, to=[recipient.email]))
        return "email"
    return ""


def send_sms(phone: str, text: str) -> None:
    to = normalised_phone(phone)
    text = text[:SMS_MAX_CHARACTERS]
    backend = getattr(settings, "FAMILIEBRO_SMS_BACKEND", "console")
    if backend == "console":
        # The number's last digits only: the log is not a register of who was told what.
        logger.info("SMS to …%s: %s", to[-3:], text)
    elif backend == "file":
        with Path(settings.FAMILIEBRO_SMS_FILE).open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": to, "message": text}, ensure_ascii=False) + "\n")
    elif backend == "http":
        _post_to_gateway(to, text)
    else:
        raise MessageNotSent(
            f"Unknown SMS backend {backend!r}: set FAMILIEBRO_SMS_BACKEND to console, file or http."
        )


def _post_to_gateway(to: str, text: str) -> None:
    body = json.dumps(
        {"to": to, "from": settings.FAMILIEBRO_SMS_SENDER, "message": text}, ensure_ascii=False
    ).encode()
    # The address is the operator's setting, which settings.py checks is http(s).
    request = urllib.request.Request(  # noqa: S310
        settings.FAMILIEBRO_SMS_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    if settings.FAMILIEBRO_SMS_TOKEN:
        request.add_header("Authorization", f"Bearer {settings.FAMILIEBRO_SMS_TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as answer:  # noqa: S310
            answer.read()
    except (urllib.error.URLError, OSError) as exc:
        # The error's name only: its text may hold the number.
        raise MessageNotSent(
            f"The SMS gateway did not take the message ({type(exc).__name__}): check "
            "FAMILIEBRO_SMS_URL and FAMILIEBRO_SMS_TOKEN and that the gateway answers."
        ) from exc
