"""The slots of an appointment book: the provider's day, every week or every other week,
split into appointments; holidays closed unless the book opens them; made once however often
the coming weeks are made."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from familiebro.groups.appointments import services, slots
from familiebro.groups.models import AppointmentBook, Slot
from tests.groups.appointments.conftest import set_up

pytestmark = pytest.mark.django_db


def local_days(book: AppointmentBook) -> list[datetime.date]:
    return sorted({timezone.localtime(s.starts_at).date() for s in Slot.objects.filter(book=book)})


def test_a_book_is_set_up_with_the_coming_weeks_of_its_day_split_into_appointments(tiltak):
    book = tiltak.book
    days = local_days(book)
    assert days and all(day.weekday() == book.weekday for day in days)
    assert [b - a for a, b in itertools.pairwise(days)] == [datetime.timedelta(days=7)] * (
        len(days) - 1
    )
    first = Slot.objects.filter(book=book).order_by("starts_at")[:4]
    times = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in first]
    # 09:00 to 12:00 in hours: three appointments a day.
    assert times == ["09:00", "10:00", "11:00", "09:00"]


def test_making_the_weeks_again_makes_nothing_twice(tiltak):
    before = Slot.objects.filter(book=tiltak.book).count()
    assert services.make_slots(tiltak.therapist, tiltak.book) == 0
    assert slots.generate(tiltak.book) == 0
    assert Slot.objects.filter(book=tiltak.book).count() == before
    assert services.make_slots(tiltak.therapist, tiltak.book, weeks=12) > 0


def test_every_other_week_skips_a_week(tiltak):
    book = set_up(tiltak.therapist, tiltak.office, tiltak.health_centre, every=2)
    days = local_days(book)
    assert len(days) >= 3
    assert {(b - a).days for a, b in itertools.pairwise(days)} == {14}


def test_public_holidays_have_no_slots_unless_the_book_opens_them(tiltak):
    # Christmas Day 2026 is a Friday.
    christmas = datetime.date(2026, 12, 25)
    closed = set_up(
        tiltak.therapist,
        tiltak.office,
        tiltak.health_centre,
        weekday=christmas.weekday(),
        starts_on=christmas - datetime.timedelta(days=7),
    )
    slots.generate(closed, today=christmas - datetime.timedelta(days=7))
    assert christmas not in local_days(closed)
    open_book = set_up(
        tiltak.therapist,
        tiltak.office,
        tiltak.health_centre,
        weekday=christmas.weekday(),
        starts_on=christmas - datetime.timedelta(days=7),
        on_holidays=True,
        day_starts=datetime.time(17, 0),
        day_ends=datetime.time(20, 0),
    )
    slots.generate(open_book, today=christmas - datetime.timedelta(days=7))
    assert christmas in local_days(open_book)


def test_an_evening_slot_can_be_added_but_not_twice_nor_in_the_past(tiltak):
    evening = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=3), datetime.time(19, 0)
        )
    )
    slot = services.add_extra_slot(tiltak.therapist, tiltak.book, evening)
    assert slot.kind == Slot.Kind.EXTRA
    with pytest.raises(ValidationError, match="already has a time"):
        services.add_extra_slot(tiltak.therapist, tiltak.book, evening)
    with pytest.raises(ValidationError, match="not passed"):
        services.add_extra_slot(
            tiltak.therapist, tiltak.book, timezone.now() - datetime.timedelta(hours=1)
        )


def test_only_the_provider_and_their_unit_add_time(tiltak):
    with pytest.raises(PermissionDenied):
        services.make_slots(tiltak.nurse, tiltak.book)
    with pytest.raises(PermissionDenied):
        services.set_up_book(
            tiltak.nurse,
            services.BookFields(
                **{
                    **{
                        f: getattr(tiltak.book, f) for f in services.BookFields.__dataclass_fields__
                    },
                }
            ),
        )


def test_the_provider_must_work_in_the_unit_offering_the_time(tiltak):
    with pytest.raises(ValidationError, match="must work in the unit"):
        set_up(tiltak.therapist, tiltak.office, tiltak.health_centre, provider=tiltak.nurse)
