"""What appointment books register with the layers below at start-up (GroupsConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from familiebro.privacy import family, policy

    from ..models import Booking
    from . import calendar

    # A booking is held by the book's unit: the access policy opens it to that unit's
    # staff, and permissions.visible_bookings narrows it to the provider and the unit's
    # leaders, and adds the unit of the nurse who booked it.
    policy.register(Booking, organisation_field="organisation_id", unit_field="unit_id")
    # A parent reads on Min side the bookings made with their identity.
    family.open_to_sender(Booking, "identity_hash")
    calendar.register()
