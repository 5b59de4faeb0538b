"""Background work of courses, run by the django-tasks worker: confirmations, seat offers,
session reminders and the lapse of holds.

Each message task locks the enrolment (or session), sends, and marks that it sent in the
same transaction, so a task run again after a worker restart finds the mark and sends
nothing. A message carries only what may leave Familiebro: the course's name as families see
it, the time, the place (or that it is on video) and a link.

A link that acts (cancel, take a seat) holds a fresh random token made here, when the message
is sent: only its hash is stored, and the link itself is nowhere but in the message.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from familiebro.interop.messages import Recipient, send

from ..models import Course, CourseSession, Enrolment
from . import seats

# Messages to families are written in bokmål, the instance's first language.
MESSAGE_LANGUAGE = "nb"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A single-use token for a link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'H:i')}"


def where(session: CourseSession) -> str:
    return session.place or _("on video")


def next_session(course: Course) -> CourseSession | None:
    return course.sessions.filter(starts_at__gte=timezone.now()).first()


def _recipient(enrolment: Enrolment) -> Recipient:
    return Recipient(email=enrolment.email, phone=enrolment.phone)


def _first_session_line(course: Course) -> str:
    session = next_session(course)
    if session is None:
        return ""
    return _("First time: %(when)s, %(where)s.") % {
        "when": when(session.starts_at),
        "where": where(session),
    }


def _locked_enrolment(enrolment_id: str) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update()
        .select_related("course")
        .filter(pk=enrolment_id)
        .first()
    )


@task()
def send_enrolment_message(enrolment_id: str) -> str:
    """Tell the parent they have a seat, or that they are on the waiting list, with a link to
    cancel. Returns the channel used, or "" when nothing was (or needed to be) sent."""
    with transaction.atomic(), translation.override(MESSAGE_LANGUAGE):
        enrolment = _locked_enrolment(enrolment_id)
        if enrolment is None or enrolment.confirmation_sent_at is not None:
            return ""
        course = enrolment.course
        token, hashed = new_token()
        link = absolute(reverse("courses:cancel", args=[token]))
        if enrolment.status == Enrolment.Status.CONFIRMED:
            subject = _("You have a seat: %(course)s") % {"course": course.name}
            lines = [
                _("You have a seat on %(course)s.") % {"course": course.name},
                _first_session_line(course),
                _("Cannot come after all? Cancel here, so someone else gets the seat: %(link)s")
                % {"link": link},
            ]
        elif enrolment.status == Enrolment.Status.WAITING:
            subject = _("Waiting list: %(course)s") % {"course": course.name}
            lines = [
                _("You are on the waiting list for %(course)s. We will tell you if a seat is free.")
                % {"course": course.name},
                _("Leave the waiting list here: %(link)s") % {"link": link},
            ]
        else:
            return ""
        channel = send(_recipient(enrolment), subject, "\n".join(line for line in lines if line))
        Enrolment.objects.filter(pk=enrolment.pk).update(
            cancel_token_hash=hashed, confirmation_sent_at=timezone.now()
        )
    return channel


@task()
def send_seat_offer(enrolment_id: str) -> str:
    """Offer a held seat to the next in line, with a link to take it before the hold lapses."""
    with transaction.atomic(), translation.override(MESSAGE_LANGUAGE):
        enrolment = _locked_enrolment(enrolment_id)
        if (
            enrolment is None
            or enrolment.status != Enrolment.Status.OFFERED
            or enrolment.offer_sent_at is not None
            or enrolment.hold_expires_at is None
        ):
            return ""
        course = enrolment.course
        token, hashed = new_token()
        link = absolute(reverse("courses:claim", args=[token]))
        text = "\n".join(
            line
            for line in [
                _("A seat is free for you on %(course)s.") % {"course": course.name},
                _first_session_line(course),
                _("Take the seat by %(deadline)s here: %(link)s")
                % {"deadline": when(enrolment.hold_expires_at), "link": link},
            ]
            if line
        )
        channel = send(
            _recipient(enrolment), _("A seat for you: %(course)s") % {"course": course.name}, text
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(
            claim_token_hash=hashed, offer_sent_at=timezone.now()
        )
    return channel


@task()
def lapse_holds(course_id: str) -> int:
    """Let the course's lapsed holds go and offer the seats to the next in line; run when a
    hold lapses (and harmless at any other time). Returns how many holds lapsed."""
    with transaction.atomic():
        try:
            course = seats.locked_course(course_id)
        except Course.DoesNotExist:
            return 0
        lapsed, offered = seats.expire_holds(course, timezone.now())
        transaction.on_commit(lambda: announce_offers(offered))
    return lapsed


def announce_offers(offered: list[Enrolment]) -> None:
    """Send the offers of held seats, and have each hold looked at again when it lapses."""
    for enrolment in offered:
        send_seat_offer.enqueue(str(enrolment.pk))
        assert enrolment.hold_expires_at is not None  # an offered seat is held until then
        lapse_holds.using(run_after=enrolment.hold_expires_at).enqueue(str(enrolment.course_id))


@task()
def remind_of_session(session_id: int) -> int:
    """Remind everyone with a seat of a session the day before; once, however often the task
    runs. Returns how many were reminded."""
    with transaction.atomic(), translation.override(MESSAGE_LANGUAGE):
        session = (
            CourseSession.objects.select_for_update()
            .select_related("course")
            .filter(pk=session_id, reminded_at__isnull=True, starts_at__gt=timezone.now())
            .first()
        )
        if session is None:
            return 0
        course = session.course
        text = _("Reminder: %(course)s, %(when)s, %(where)s.") % {
            "course": course.name,
            "when": when(session.starts_at),
            "where": where(session),
        }
        if session.video_url:
            text += " " + session.video_url
        sent = 0
        for enrolment in course.enrolments.filter(status=Enrolment.Status.CONFIRMED):
            if send(
                _recipient(enrolment), _("Reminder: %(course)s") % {"course": course.name}, text
            ):
                sent += 1
        CourseSession.objects.filter(pk=session.pk).update(reminded_at=timezone.now())
    return sent


# How long before a session its reminders go.
REMINDER_LEAD = datetime.timedelta(hours=24)


def schedule_reminder(session: CourseSession) -> None:
    moment = session.starts_at - REMINDER_LEAD
    if moment <= timezone.now():
        return
    remind_of_session.using(run_after=moment).enqueue(session.pk)
