"""Enrolment without login: the parent gives their details and a mobile number or e-mail
address, gets a one-time code there, and is enrolled once they type it in.

The code proves the contact details are theirs, so confirmations and cancel links reach the
right person. Until then nothing is written to the database: the details wait in the
visitor's own session (server-side), with only a keyed hash of the code, for
CODE_MINUTES at most. The code (six digits) allows MAX_TRIES guesses, and a session gets
MAX_CODES codes per course, so neither guessing a code nor sending SMS to strangers scales.

Those limits must hold against a script too, one that drops its session cookie or sends its
guesses in parallel, so they are counted in the database (the rate limit windows the public
request form uses, under a key of their own; never the number or address itself), where every
web process counts together and a row is locked while it is counted:
- codes per mobile number or e-mail address: MAX_CODES per course and MAX_CODES_PER_CONTACT
  over all courses within CODE_WINDOW, whichever session asks;
- guesses per code sent: MAX_TRIES, however many requests arrive at once.
(The request form deletes windows older than its own, one hour by default, as CODE_WINDOW
is: a shorter HELP_REQUEST_RATE_WINDOW_SECONDS would shorten these windows too.)
The session keeps its own count of codes per course as well, apart from the pending entry
(which a wrong code too many or another course replaces), so it is never reset.

The code is sent while the visitor waits (not by the worker): it is useless minutes later,
and it never sits in the task queue's table.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from familiebro.cases.models import RateLimitWindow
from familiebro.interop.messages import MessageNotSent, Recipient, send

from ..models import Course, Enrolment
from . import actions

SESSION_KEY = "familiebro_course_verification"
# Codes sent from this session, per course: kept apart from the pending entry, never cleared.
CODES_KEY = "familiebro_course_codes"
CODE_MINUTES = 15
MAX_TRIES = 5
MAX_CODES = 3
MAX_CODES_PER_CONTACT = 6
CODE_WINDOW = datetime.timedelta(hours=1)
_SALT = "familiebro.groups.courses.verification"


def _hash(course_id: str, code: str) -> str:
    return salted_hmac(_SALT, f"{course_id}:{code}", algorithm="sha256").hexdigest()


def _window_key(kind: str, value: str) -> str:
    """The stored key of a count: a keyed hash, so the table never holds a number in clear."""
    return salted_hmac(_SALT, f"{kind}:{value}", algorithm="sha256").hexdigest()


def _count(key: str, allowed: int, span: datetime.timedelta) -> bool:
    """Count one against `key`'s window; False (nothing counted) when the window is full.

    Commits at once, apart from the request: a refused or failed request counts all the
    same. The row is locked while counted, so parallel requests count one after the other."""
    now = timezone.now()
    with transaction.atomic():
        RateLimitWindow.objects.filter(key=key, window_started_at__lte=now - span).delete()
        row, _created = RateLimitWindow.objects.select_for_update().get_or_create(
            key=key, defaults={"window_started_at": now, "count": 0}
        )
        if row.count >= allowed:
            return False
        row.count += 1
        row.save(update_fields=["count"])
    return True


def pending_for(session: Any, course: Course) -> dict[str, Any] | None:
    pending = session.get(SESSION_KEY)
    if not pending or pending.get("course") != str(course.pk):
        return None
    return pending


def start(session: Any, course: Course, details: dict[str, Any]) -> str:
    """Check the details, send a code to the contact given, and keep the details in the
    session until the code comes back. Returns where the code went ("sms" or "email")."""
    actions.check_details(
        name=details["name"],
        role=details["role"],
        partner_name=details["partner_name"],
        partner_role=details["partner_role"],
    )
    # Nothing can come of a code for a course that takes no enrolments: send none.
    if not course.open_for_enrolment or course.mode != Course.Mode.ENROLMENT:
        raise ValidationError(_("This course does not take enrolments."))
    email, phone = actions.contact(details["email"], details["phone"])
    sent = dict(session.get(CODES_KEY) or {})
    sent_before = int(sent.get(str(course.pk), 0))
    too_many = ValidationError(
        _(
            "We have sent you several codes already. Use the last one, or log in on Min "
            "side to enrol."
        )
    )
    if sent_before >= MAX_CODES:
        raise too_many
    to = phone or email.lower()
    if not _count(_window_key("course", f"{course.pk}:{to}"), MAX_CODES, CODE_WINDOW) or not (
        _count(_window_key("contact", to), MAX_CODES_PER_CONTACT, CODE_WINDOW)
    ):
        raise too_many
    sent[str(course.pk)] = sent_before + 1
    session[CODES_KEY] = sent
    code = f"{secrets.randbelow(1_000_000):06d}"
    with translation.override("nb"):
        text = _(
            "Your code to enrol on %(course)s: %(code)s. It works for %(minutes)s minutes."
        ) % {"course": course.name, "code": code, "minutes": CODE_MINUTES}
        subject = _("Your code: %(course)s") % {"course": course.name}
    try:
        channel = send(Recipient(email=email, phone=phone), subject, text)
    except (MessageNotSent, OSError):
        raise ValidationError(
            _("We could not send the code just now. Try again in a little while.")
        ) from None
    session[SESSION_KEY] = {
        "course": str(course.pk),
        "details": details | {"email": email, "phone": phone},
        "code": _hash(str(course.pk), code),
        "expires": (timezone.now() + datetime.timedelta(minutes=CODE_MINUTES)).isoformat(),
        # Guesses are counted in the database under this key (see confirm).
        "attempt": secrets.token_hex(16),
        "verified": False,
    }
    return channel


def confirm(session: Any, course: Course, code: str, *, waiting_list: bool = False) -> Enrolment:
    """Enrol with the details kept in the session once the code is right (or was right a
    moment ago and the course filled meanwhile: then `waiting_list` may be asked for)."""
    pending = pending_for(session, course)
    if pending is None or timezone.now() > datetime.datetime.fromisoformat(pending["expires"]):
        session.pop(SESSION_KEY, None)
        raise actions.LinkNotValid(
            _("The code has run out. Fill in the form again to get a new one.")
        )
    if not pending["verified"]:
        # Counted in the database first, so guesses sent at once are each counted.
        tries_key = _window_key("tries", pending.get("attempt", ""))
        if not pending.get("attempt") or not _count(tries_key, MAX_TRIES, CODE_WINDOW):
            session.pop(SESSION_KEY, None)
            raise actions.LinkNotValid(
                _("The code was wrong too many times. Fill in the form again to get a new one.")
            )
        if not constant_time_compare(_hash(str(course.pk), code.strip()), pending["code"]):
            session[SESSION_KEY] = pending
            raise ValidationError(_("The code is not right. Check the message and try again."))
        pending["verified"] = True
        session[SESSION_KEY] = pending
    details = pending["details"]
    enrolment = actions.enrol(
        course.pk,
        name=details["name"],
        role=details["role"],
        partner_name=details["partner_name"],
        partner_role=details["partner_role"],
        email=details["email"],
        phone=details["phone"],
        verified_contact=True,
        waiting_list=waiting_list,
    )
    session.pop(SESSION_KEY, None)
    return enrolment
