"""What people do with appointment books: set one up, add time, book a slot, cancel, rebook,
record a no-show, book a follow-up. One function per thing a person does; each asks the
rules in permissions.py first and writes in one transaction with its audit event.

No double booking, ever: the database holds at most one booking in force per slot (a unique
index on the slot where not cancelled). Two people booking the same slot at the same moment
both get past the first check; the second insert waits for the first to commit and then
fails on the index, and that person is told so with the nearest free times.

No one takes every time: a parent booking for themselves holds at most
MAX_BOOKINGS_IN_FORCE times still to come in one book (the provider's day at a place is
scarce, and one identity must not empty it for every other family).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import crypto
from familiebro.core.identifiers import normalise_identity_number
from familiebro.core.models import ServiceUnit
from familiebro.privacy import audit, policy
from familiebro.privacy.family import Citizen

from ..models import AppointmentBook, Booking, Slot
from . import permissions, slots
from .tasks import send_cancellation, send_confirmation
from .tokens import token_hash

# The times still to come one identity may hold in one book when booking for themselves. Two:
# a conversation and the next one, or a second time for a partner's sake; a family needing
# more is booked by the nurse or the provider.
MAX_BOOKINGS_IN_FORCE = 2


class SlotTaken(ValidationError):
    """The slot was booked by someone else first; `alternatives` are the nearest free ones."""

    def __init__(self, alternatives: list[Slot]) -> None:
        super().__init__(
            _("Someone else booked this time just before you. Choose one of the free times below.")
        )
        self.alternatives = alternatives


@dataclass(frozen=True)
class BookFields:
    unit: ServiceUnit
    provider: Any
    place_unit: ServiceUnit
    place: str
    label: str
    weekday: int
    every: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    day_starts: datetime.time
    day_ends: datetime.time
    slot_minutes: int
    on_holidays: bool = False
    video_link: str = ""
    reminder_hours: int = 24
    go_no_go_hours: int = 48
    office_place: str = ""


def set_up_book(actor: Any, fields: BookFields) -> AppointmentBook:
    """A unit offers a provider's recurring time at a place; its first weeks of slots are made."""
    if not permissions.may_set_up_in(actor, fields.unit):
        raise PermissionDenied(_("You can set up appointment books only for your own units."))
    if not fields.unit.memberships.filter(user=fields.provider).exists():
        raise ValidationError(
            {"provider": _("The provider must work in the unit offering the time.")}
        )
    if fields.day_ends <= fields.day_starts:
        raise ValidationError({"day_ends": _("The day must end after it starts.")})
    with transaction.atomic():
        book = AppointmentBook.objects.create(
            organisation=fields.unit.organisation,
            created_by=actor,
            **{name: getattr(fields, name) for name in BookFields.__dataclass_fields__},
        )
        slots.generate(book)
    return book


def make_slots(actor: Any, book: AppointmentBook, weeks: int = slots.WEEKS_AHEAD) -> int:
    """Make the book's slots for the coming weeks (idempotent); how many were new."""
    if not permissions.may_manage(actor, book):
        raise PermissionDenied(_("Only the provider and their unit can add time to this book."))
    with transaction.atomic():
        return slots.generate(book, weeks)


def add_extra_slot(
    actor: Any, book: AppointmentBook, starts_at: datetime.datetime, *, follow_up: bool = False
) -> Slot:
    """One slot outside the book's day: an evening or a holiday, or a follow-up at the
    provider's own office."""
    if not permissions.may_manage(actor, book):
        raise PermissionDenied(_("Only the provider and their unit can add time to this book."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time that has not passed.")})
    kind = Slot.Kind.FOLLOW_UP if follow_up else Slot.Kind.EXTRA
    place = slots.follow_up_place(book) if follow_up else ""
    try:
        with transaction.atomic():
            return Slot.objects.create(
                book=book,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=book.slot_minutes),
                kind=kind,
                place=place,
            )
    except IntegrityError:
        raise ValidationError(
            {"starts_at": _("The book already has a time starting then.")}
        ) from None


@dataclass(frozen=True)
class Family:
    """Who the appointment is for, and how to reach them."""

    kind: str
    name: str = ""
    partner_name: str = ""
    phone: str = ""
    email: str = ""
    identity_number: str = ""
    shared_with_provider: str = ""


def _insert(slot_id: int, *, follow_up: bool = False, **values: Any) -> Booking:
    """Book the slot, or raise SlotTaken with the nearest free times. A follow-up time is
    booked only as the follow-up it was made for."""
    now = timezone.now()
    slot = Slot.objects.select_related("book").filter(pk=slot_id).first()
    if slot is None or (not follow_up and not slots.open_to_booking(slot)):
        raise ValidationError(_("That time does not exist. Choose one of the free times."))
    if slot.starts_at <= now:
        raise ValidationError(_("That time has passed. Choose one of the free times."))
    book = slot.book
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=slot,
                organisation_id=book.organisation_id,
                unit_id=book.unit_id,
                provider_id=book.provider_id,
                **values,
            )
    except IntegrityError:
        raise SlotTaken(slots.nearest_free(slot, now)) from None
    return booking


def book_for_family(actor: Any, slot_id: int, family: Family, *, agreed: bool) -> Booking:
    """A nurse books a slot for a couple or a parent, who agreed to it (recorded), or for a
    case discussion of their own with the provider (no family named)."""
    slot = Slot.objects.select_related("book").filter(pk=slot_id).first()
    if slot is None:
        raise ValidationError(_("That time does not exist. Choose one of the free times."))
    unit = permissions.booking_unit_for(actor, slot.book)
    if family.kind not in Booking.Kind.values:
        raise ValidationError({"kind": _("Choose who the time is for.")})
    discussion = family.kind == Booking.Kind.CASE_DISCUSSION
    if not discussion:
        if not agreed:
            raise ValidationError(
                {"agreed": _("Book only when the family has agreed, and tick the box to say so.")}
            )
        if not family.name.strip():
            raise ValidationError({"name": _("Write the name of the parent the time is for.")})
        if not (family.phone or family.email):
            raise ValidationError(
                {
                    "phone": _(
                        "Give a mobile number or an e-mail address, so the family hears of "
                        "the time."
                    )
                }
            )
    identity_hash = ""
    if family.identity_number and not discussion:
        identity_hash = crypto.lookup_hash(normalise_identity_number(family.identity_number))
    values = {
        "kind": family.kind,
        "booked_by": actor,
        "booked_by_unit": unit,
        "identity_hash": identity_hash,
        # A case discussion names no family: the nurse brings the case without names.
        "name": "" if discussion else family.name.strip(),
        "partner_name": "" if discussion else family.partner_name.strip(),
        "phone": "" if discussion else family.phone,
        "email": "" if discussion else family.email,
        "agreement_recorded_at": None if discussion else timezone.now(),
        "shared_with_provider": family.shared_with_provider.strip(),
    }
    with transaction.atomic():
        booking = _insert(slot_id, **values)
        policy.record_access(
            actor,
            policy.Action.CREATE,
            [booking],
            permissions.PURPOSE,
            bases=[permissions.basis_of(actor, booking)],
        )
        if not discussion:
            transaction.on_commit(lambda: send_confirmation.enqueue(booking.pk))
    return booking


def book_as_citizen(citizen: Citizen, slot_id: int, family: Family) -> Booking:
    """A parent logged in with ID-porten books a free slot for themselves (and a partner)."""
    if not (family.phone or family.email):
        raise ValidationError(
            {"phone": _("Give a mobile number or an e-mail address, so we can confirm the time.")}
        )
    if not family.name.strip():
        raise ValidationError({"name": _("Write your name.")})
    kind = Booking.Kind.COUPLE if family.partner_name.strip() else Booking.Kind.PARENT
    book_id = Slot.objects.filter(pk=slot_id).values_list("book_id", flat=True).first()
    if book_id is None:
        raise ValidationError(_("That time does not exist. Choose one of the free times."))
    with transaction.atomic():
        # One parent's bookings in a book are counted one at a time (the book's row is the
        # lock), so two tabs at once cannot both pass the limit.
        list(AppointmentBook.objects.select_for_update().filter(pk=book_id))
        held = (
            permissions.citizen_bookings(citizen)
            .filter(slot__book_id=book_id, cancelled_at__isnull=True)
            .filter(slot__starts_at__gt=timezone.now())
            .count()
        )
        if held >= MAX_BOOKINGS_IN_FORCE:
            raise ValidationError(
                _(
                    "You already have %(count)s times booked here, which is as many as one "
                    "person can have. Cancel one on Min side before you book a new one, or ask "
                    "the service to book more for you."
                )
                % {"count": held}
            )
        booking = _insert(
            slot_id,
            kind=kind,
            identity_hash=citizen.identity_hash,
            name=family.name.strip(),
            partner_name=family.partner_name.strip(),
            phone=family.phone,
            email=family.email,
            shared_with_provider=family.shared_with_provider.strip(),
        )
        permissions.audit_citizen_read(citizen, policy.Action.CREATE, [booking])
        transaction.on_commit(lambda: send_confirmation.enqueue(booking.pk))
    return booking


def _cancel(booking: Booking) -> None:
    # A time that has passed was held or missed: cancelling it would send the family a
    # cancellation of something already over, and hide a no-show.
    if Slot.objects.filter(pk=booking.slot_id, starts_at__lte=timezone.now()).exists():
        raise ValidationError(
            _(
                "The time has passed and can no longer be cancelled. The provider can record "
                "whether the family came."
            )
        )
    booking.cancelled_at = timezone.now()
    booking.cancel_token_hash = None
    booking.save(update_fields=["cancelled_at", "cancel_token_hash"])
    if booking.phone or booking.email:
        transaction.on_commit(lambda: send_cancellation.enqueue(booking.pk))


def cancel_by_staff(actor: Any, booking_id: int) -> Booking:
    with transaction.atomic():
        booking = (
            permissions.visible_bookings(actor).select_for_update().filter(pk=booking_id).first()
        )
        if booking is None:
            raise Http404(_("The appointment was not found, or you do not have access."))
        if booking.cancelled_at is not None:
            raise ValidationError(_("The appointment is already cancelled."))
        _cancel(booking)
        policy.record_access(
            actor,
            policy.Action.CHANGE,
            [booking],
            permissions.PURPOSE,
            bases=[permissions.basis_of(actor, booking)],
        )
    return booking


def cancel_as_citizen(citizen: Citizen, booking_id: int) -> Booking:
    with transaction.atomic():
        booking = (
            permissions.citizen_bookings(citizen).select_for_update().filter(pk=booking_id).first()
        )
        if booking is None:
            raise ValidationError(_("The appointment was not found."))
        if booking.cancelled_at is not None:
            raise ValidationError(_("The appointment is already cancelled."))
        _cancel(booking)
        permissions.audit_citizen_read(citizen, policy.Action.CHANGE, [booking])
    return booking


def booking_for_link(token: str) -> Booking | None:
    """The booking a cancellation link is for, while the link is unused and the time to come."""
    if not token or len(token) > 100:
        return None
    with transaction.atomic():
        booking = permissions.by_link(token_hash(token))
        if booking is None or booking.slot.starts_at <= timezone.now():
            return None
        # The page shows the booking's time and place to whoever holds the link: a read of
        # the booking, recorded as the cancellation through the link is.
        audit.record(
            policy.Action.VIEW,
            actor=None,
            objects=[booking],
            organisation_id=booking.organisation_id,
            purpose=policy.Purpose.FAMILY_PORTAL,
            legal_basis="cancellation_link",
        )
    return booking


def cancel_by_link(token: str) -> Booking:
    """Whoever holds the link (sent to the family only) cancels; the link then stops working."""
    with transaction.atomic():
        booking = permissions.by_link(token_hash(token), lock=True) if token else None
        if booking is None or booking.slot.starts_at <= timezone.now():
            raise ValidationError(
                _("The link has been used or the time has passed. Ask the service for a new time.")
            )
        _cancel(booking)
        audit.record(
            policy.Action.CHANGE,
            actor=None,
            objects=[booking],
            organisation_id=booking.organisation_id,
            purpose=policy.Purpose.FAMILY_PORTAL,
            legal_basis="cancellation_link",
        )
    return booking


def record_no_show(actor: Any, booking_id: int, *, came: bool = False) -> Booking:
    """The provider records that the family did not come (or, undoing it, that they did)."""
    with transaction.atomic():
        booking = (
            permissions.visible_bookings(actor)
            .select_for_update()
            .select_related("slot")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None:
            raise Http404(_("The appointment was not found, or you do not have access."))
        permissions.require_provider(actor, booking)
        if booking.cancelled_at is not None:
            raise ValidationError(_("A cancelled appointment has no attendance to record."))
        if booking.slot.starts_at > timezone.now():
            raise ValidationError(
                _("You can record that the family did not come once the time has started.")
            )
        booking.no_show_at = None if came else timezone.now()
        booking.save(update_fields=["no_show_at"])
        policy.record_access(
            actor,
            policy.Action.CHANGE,
            [booking],
            permissions.PURPOSE,
            bases=[permissions.basis_of(actor, booking)],
        )
    return booking


def book_follow_up(actor: Any, booking_id: int, starts_at: datetime.datetime) -> Booking:
    """The provider books the family's next conversation at their own office."""
    booking = (
        permissions.visible_bookings(actor)
        .select_related("slot__book__unit")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404(_("The appointment was not found, or you do not have access."))
    permissions.require_provider(actor, booking)
    if booking.kind == Booking.Kind.CASE_DISCUSSION:
        raise ValidationError(_("A case discussion has no follow-up conversation."))
    with transaction.atomic():
        slot = add_extra_slot(actor, booking.slot.book, starts_at, follow_up=True)
        follow_up = _insert(
            slot.pk,
            follow_up=True,
            kind=booking.kind,
            booked_by=actor,
            identity_hash=booking.identity_hash,
            name=booking.name,
            partner_name=booking.partner_name,
            phone=booking.phone,
            email=booking.email,
            agreement_recorded_at=booking.agreement_recorded_at,
            shared_with_provider=booking.shared_with_provider,
            follow_up_of=booking,
        )
        policy.record_access(
            actor,
            policy.Action.CREATE,
            [follow_up],
            permissions.PURPOSE,
            bases=[permissions.basis_of(actor, follow_up)],
        )
        transaction.on_commit(lambda: send_confirmation.enqueue(follow_up.pk))
    return follow_up
