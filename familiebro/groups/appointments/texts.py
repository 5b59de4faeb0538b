"""What the messages to families and providers say: the book's discreet label, the time and
the place (and the video link, and a link to cancel), never the service's name nor anything
of the family's records. The texts are in the instance's language, as the family reads them
outside Familiebro."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ..models import Booking, Slot


def when(slot: Slot) -> str:
    starts = timezone.localtime(slot.starts_at)
    day = formats.date_format(starts, "l j. F Y")
    if translation.get_language() in ("nb", "nn"):
        # Norwegian writes the day of the week in lower case inside a sentence.
        day = day[:1].lower() + day[1:]
    return f"{day} kl. {starts:%H:%M}"


def _where(slot: Slot) -> str:
    if slot.book.video_link and slot.kind != Slot.Kind.FOLLOW_UP:
        return _("%(place)s, or by video: %(link)s") % {
            "place": slot.where,
            "link": slot.book.video_link,
        }
    return slot.where


def link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirmation(booking: Booking, token: str) -> tuple[str, str]:
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your appointment: %(label)s") % {"label": slot.book.label}
        text = _(
            "%(label)s %(when)s. Place: %(where)s. To cancel or choose another time: %(link)s"
        ) % {
            "label": slot.book.label,
            "when": when(slot),
            "where": _where(slot),
            "link": link(reverse("appointments:cancel-link", args=[token])),
        }
    return subject, text


def reminder(booking: Booking) -> tuple[str, str]:
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: %(label)s") % {"label": slot.book.label}
        text = _(
            "Reminder: %(label)s %(when)s. Place: %(where)s. To cancel, use the link in the "
            "confirmation or Min side."
        ) % {"label": slot.book.label, "when": when(slot), "where": _where(slot)}
    return subject, text


def cancellation(booking: Booking) -> tuple[str, str]:
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Cancelled: %(label)s") % {"label": slot.book.label}
        text = _("%(label)s %(when)s is cancelled. To choose a new time: %(link)s") % {
            "label": slot.book.label,
            "when": when(slot),
            "link": link(reverse("appointments:choose", args=[slot.book_id])),
        }
    return subject, text


def go_no_go(slot: Slot, booked: int) -> tuple[str, str]:
    """To the provider: whether anyone booked their coming day at the place."""
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localtime(slot.starts_at), "l j. F")
        if booked:
            subject = _("Your day at %(place)s goes ahead") % {"place": slot.book.place}
            text = _("%(day)s at %(place)s: %(count)s appointments are booked. %(link)s")
        else:
            subject = _("Nobody has booked your day at %(place)s") % {"place": slot.book.place}
            text = _(
                "%(day)s at %(place)s: nobody has booked a time yet. You may use the day "
                "otherwise. %(link)s"
            )
        text = text % {
            "day": day,
            "place": slot.book.place,
            "count": booked,
            "link": link(reverse("appointments:book", args=[slot.book_id])),
        }
    return subject, text
