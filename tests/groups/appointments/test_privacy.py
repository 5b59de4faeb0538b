"""Bookings are personal data. The provider sees the appointments booked with them and what
the parents agreed to share, and nothing else of the health centre's records; the office's
leader sees its books' bookings; the booking nurse's unit sees the bookings it made; a parent
only their own; a colleague at the office, another unit or organisation, nothing."""

from __future__ import annotations

import pytest

from familiebro.core import crypto
from familiebro.groups.appointments import pages, permissions, services, slots
from familiebro.groups.models import Booking
from familiebro.privacy import policy
from familiebro.privacy.family import Citizen
from familiebro.privacy.models import AuditEvent
from tests.groups.appointments.conftest import PARENT_NUMBER, couple
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings(tiltak):
    free = list(slots.free_slots(tiltak.book))
    by_nurse = services.book_for_family(tiltak.nurse, free[0].pk, couple(), agreed=True)
    by_parent = services.book_as_citizen(
        Citizen(crypto.lookup_hash(PARENT_NUMBER)), free[1].pk, couple(name="Per Olsen")
    )
    return by_nurse, by_parent


def seen_by(user) -> set[int]:
    return set(permissions.visible_bookings(user).values_list("pk", flat=True))


def test_each_role_sees_exactly_the_bookings_it_may(tiltak, bookings):
    by_nurse, by_parent = bookings
    both = {by_nurse.pk, by_parent.pk}
    assert seen_by(tiltak.therapist) == both
    assert seen_by(tiltak.office_leader) == both
    assert seen_by(tiltak.nurse) == {by_nurse.pk}
    assert seen_by(make.member(tiltak.health_centre)) == {by_nurse.pk}
    assert seen_by(tiltak.colleague) == set()
    assert seen_by(tiltak.school_staff) == set()
    assert seen_by(tiltak.elsewhere) == set()


def test_a_parent_sees_only_their_own(tiltak, bookings):
    _by_nurse, by_parent = bookings
    mine = Citizen(crypto.lookup_hash(PARENT_NUMBER))
    assert [b.pk for b in pages.my_appointments(mine)] == [by_parent.pk]
    stranger = Citizen(crypto.lookup_hash("01010112345"))
    assert pages.my_appointments(stranger) == []


def test_a_nurse_who_enters_the_parents_number_lets_them_see_it_on_min_side(tiltak):
    free = list(slots.free_slots(tiltak.book))
    booking = services.book_for_family(
        tiltak.nurse, free[0].pk, couple(identity_number=PARENT_NUMBER), agreed=True
    )
    mine = Citizen(crypto.lookup_hash(PARENT_NUMBER))
    assert [b.pk for b in pages.my_appointments(mine)] == [booking.pk]


def test_the_provider_reads_what_the_parents_shared_and_nothing_of_the_health_centres_records(
    tiltak, bookings
):
    by_nurse, _ = bookings
    child = make.factories.PersonFactory(organisation=tiltak.health_centre.organisation)
    make.assign(child, unit=tiltak.health_centre)
    assert policy.visible(tiltak.nurse, type(child), policy.Purpose.CASEWORK).exists()
    booking = pages.booking_page(tiltak.therapist, by_nurse.pk).booking
    assert booking.shared_with_provider == "Vi krangler mye etter at babyen kom."
    assert not policy.visible(tiltak.therapist, type(child), policy.Purpose.CASEWORK).exists()


def test_every_read_is_audited_with_its_basis(tiltak, bookings):
    by_nurse, _ = bookings
    before = AuditEvent.objects.count()
    pages.booking_page(tiltak.nurse, by_nurse.pk)
    pages.booking_page(tiltak.therapist, by_nurse.pk)
    nurse_read, provider_read = AuditEvent.objects.order_by("pk")[before:]
    assert nurse_read.legal_basis == permissions.BOOKED_BY_UNIT
    assert provider_read.legal_basis == "own_organisation"
    assert nurse_read.object_ids == [str(by_nurse.pk)]


def test_a_booking_is_registered_with_the_access_policy(tiltak):
    assert Booking in policy.registered_models()
