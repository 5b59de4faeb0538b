"""The demo's appointment book: the family therapist from the family counselling office in Mo i
Rana spends every other Thursday at the health centre in Rana (Tiltak 26), with a couple the
midwife booked, a father who booked himself and the midwife's own case discussion.

Rows are written as they would stand after the fact, with their confirmations marked as sent,
so loading the demo sends nothing; a second load writes nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from familiebro.core.models import ServiceUnit, User

from ..models import AppointmentBook, Booking, Slot
from . import slots

PLACE = "Helsestasjonen i Rana, 2. etasje"
OFFICE = "Fridtjof Nansens gate 12, Mo i Rana"


def load_demo_appointments() -> int:
    """Create the demo book when it is missing; returns how many bookings were made."""
    if AppointmentBook.objects.filter(
        unit__name="Familievernkontoret Mo i Rana", place_unit__name="Helsestasjonen i Rana"
    ).exists():
        return 0
    office = ServiceUnit.objects.filter(name="Familievernkontoret Mo i Rana").first()
    health_centre = ServiceUnit.objects.filter(name="Helsestasjonen i Rana").first()
    therapist = User.objects.filter(username="familieterapeut").first()
    midwife = User.objects.filter(username="jordmor").first()
    if None in (office, health_centre, therapist, midwife):
        return 0
    assert office and health_centre and therapist and midwife  # for the type checker
    today = timezone.localdate()
    # The Thursday of this week, so the book has a day this week or the next.
    thursday = today + datetime.timedelta(days=(3 - today.weekday()) % 7)
    book = AppointmentBook.objects.create(
        organisation=office.organisation,
        unit=office,
        provider=therapist,
        place_unit=health_centre,
        place=PLACE,
        weekday=AppointmentBook.Weekday.THURSDAY,
        every=AppointmentBook.Every.FORTNIGHT,
        starts_on=thursday,
        day_starts=datetime.time(9),
        day_ends=datetime.time(15),
        slot_minutes=60,
        office_place=OFFICE,
        created_by=therapist,
    )
    slots.generate(book)
    first_day = list(Slot.objects.filter(book=book).order_by("starts_at")[:6])
    now = timezone.now()
    common = {
        "organisation_id": book.organisation_id,
        "unit_id": book.unit_id,
        "provider": therapist,
        "confirmation_sent_at": now,
    }
    bookings = [
        Booking(
            slot=first_day[0],
            kind=Booking.Kind.COUPLE,
            booked_by=midwife,
            booked_by_unit=health_centre,
            name="Line Eriksen",
            partner_name="Ole Eriksen",
            phone="+4791234501",
            agreement_recorded_at=now,
            shared_with_provider="Første barn, fire måneder. Mye krangling om søvn og ansvar.",
            **common,
        ),
        Booking(
            slot=first_day[2],
            kind=Booking.Kind.PARENT,
            name="Anders Strand",
            email="anders.strand@example.no",
            **common,
        ),
        Booking(
            slot=first_day[4],
            kind=Booking.Kind.CASE_DISCUSSION,
            booked_by=midwife,
            booked_by_unit=health_centre,
            **(common | {"confirmation_sent_at": None}),
        ),
    ]
    Booking.objects.bulk_create(bookings)
    return len(bookings)
