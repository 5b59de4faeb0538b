"""Who may do what with appointment books and read which bookings.

A book is no personal data: its provider, the staff of its unit and of the place's unit see it.
A booking is personal data, held by the book's unit (the service that has the conversation),
registered with the access policy through that unit (see apps.py). Within that unit, only the
provider the booking is with and the unit's leaders read it: a colleague's appointments are not
the whole office's business. The unit of the nurse who booked for the family reads the
bookings it made, and nothing else of the book. A parent reads their own on Min side, matched
by the identity they logged in with. Nobody else reads any.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy import family, policy
from familiebro.privacy.basis import Basis
from familiebro.privacy.family import Citizen

from ..models import AppointmentBook, Booking

PURPOSE = policy.Purpose.CASEWORK
# The basis the audit trail records when the booking nurse's unit reads a booking it made.
BOOKED_BY_UNIT = "booked_by_unit"
CASEWORK_ROLES = (Membership.Role.WORKER, Membership.Role.COORDINATOR, Membership.Role.LEADER)


def casework_units(user: Any) -> frozenset[int]:
    return policy.scope_of(user).unit_ids


def may_set_up_in(user: Any, unit: ServiceUnit) -> bool:
    """Staff who work with families in the unit that offers the time."""
    return unit.pk in casework_units(user)


def books_for(user: Any) -> QuerySet[AppointmentBook]:
    """The books a staff member works with: those of their units, those at their units'
    places, and those where they are the provider."""
    units = casework_units(user)
    if not units:
        return AppointmentBook.objects.none()
    return AppointmentBook.objects.filter(
        Q(unit_id__in=units) | Q(place_unit_id__in=units) | Q(provider_id=user.pk)
    )


def require_book(user: Any, book_id: Any) -> AppointmentBook:
    book = (
        books_for(user)
        .select_related("unit", "place_unit", "provider", "organisation")
        .filter(pk=book_id)
        .first()
    )
    if book is None:
        from django.http import Http404

        raise Http404(_("Not found, or you do not have access."))
    return book


def may_book_in(user: Any, book: AppointmentBook) -> bool:
    """The place's staff book for the families they know; the book's own unit books too."""
    units = casework_units(user)
    return book.place_unit_id in units or book.unit_id in units


def booking_unit_for(user: Any, book: AppointmentBook) -> ServiceUnit:
    """The unit a staff member books in the name of: the place's unit when they work there."""
    if not may_book_in(user, book):
        raise PermissionDenied(
            _("Only the staff of the place and of the service offering the time can book here.")
        )
    units = casework_units(user)
    return book.place_unit if book.place_unit_id in units else book.unit


def may_manage(user: Any, book: AppointmentBook) -> bool:
    """The provider and the staff of the unit offering the time: generate slots, add time."""
    return book.provider_id == user.pk or book.unit_id in casework_units(user)


def visible_bookings(user: Any) -> QuerySet[Booking]:
    """The bookings a staff member may read (one query): of the book's unit as the policy
    opens it, those with them as provider or in a unit they lead; and those their own unit
    booked."""
    scope = policy.scope_of(user)
    if not scope.unit_ids:
        return Booking.objects.none()
    held = policy.visible(user, Booking, PURPOSE).filter(
        Q(provider_id=user.pk) | Q(unit_id__in=scope.leader_unit_ids)
    )
    booked_here = Booking.objects.filter(booked_by_unit_id__in=scope.unit_ids)
    return held | booked_here


def basis_of(user: Any, booking: Booking) -> Basis:
    scope = policy.scope_of(user)
    if booking.unit_id in scope.unit_ids and (
        booking.provider_id == user.pk or booking.unit_id in scope.leader_unit_ids
    ):
        return Basis(Basis.OWN_ORGANISATION)
    return Basis(BOOKED_BY_UNIT)


def reads_as_holder(user: Any, booking: Booking) -> bool:
    """Whether the user reads the booking on the holding unit's basis (the provider, or a
    leader of the unit that holds it). Only they learn what the provider recorded of the
    conversation: whether the family came and the follow-ups. The unit that booked reads on
    its own basis (BOOKED_BY_UNIT) what it booked, and no more: that the family did not come
    to family counselling is family counselling's knowledge, not the health centre's."""
    return basis_of(user, booking).kind == Basis.OWN_ORGANISATION


def audit_read(user: Any, action: str, bookings: list[Booking]) -> list[Booking]:
    """Record what a staff page showed of bookings, with the basis of each."""
    policy.record_access(
        user, action, bookings, PURPOSE, bases=[basis_of(user, b) for b in bookings]
    )
    return bookings


def require_provider(user: Any, booking: Booking) -> None:
    if booking.provider_id != user.pk:
        raise PermissionDenied(
            _("Only the provider the appointment is with can record whether the family came.")
        )


def citizen_bookings(citizen: Citizen) -> QuerySet[Booking]:
    """A parent's own bookings: those made while logged in with their identity, or for which
    the nurse entered their identity number."""
    return family.sent_by(citizen, Booking)


def audit_citizen_read(citizen: Citizen, action: str, bookings: list[Booking]) -> None:
    family.record_sent_read(citizen, action, bookings, policy.Purpose.FAMILY_PORTAL)


def by_link(hashed_token: str, *, lock: bool = False) -> Booking | None:
    """The booking in force whose single-use cancellation link hashes to `hashed_token`: the
    link, sent to the family only, is what lets its holder cancel."""
    rows = Booking.objects.filter(cancel_token_hash=hashed_token, cancelled_at__isnull=True)
    if lock:
        rows = rows.select_for_update()
    return rows.select_related("slot__book").first()
