"""Booking: a nurse for a couple with their agreement, a parent themselves, a nurse's case
discussion; never two bookings of one slot; cancelling and rebooking by a single-use link;
no-shows recorded by the provider; follow-ups at the provider's own office."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from familiebro.core import crypto
from familiebro.groups.appointments import services, slots
from familiebro.groups.appointments.tokens import token_hash
from familiebro.groups.models import Booking, Slot
from familiebro.privacy.family import Citizen
from tests.groups.appointments.conftest import PARENT_NUMBER, couple

pytestmark = pytest.mark.django_db


def free(book, n=0) -> Slot:
    return list(slots.free_slots(book))[n]


def citizen() -> Citizen:
    return Citizen(identity_hash=crypto.lookup_hash(PARENT_NUMBER))


def cancel_link_in(text: str) -> str:
    return re.search(r"/timebestilling/avbestill/([\w-]+)/", text).group(1)


def test_a_nurse_books_a_couple_who_agreed_and_they_get_a_confirmation(
    tiltak, django_capture_on_commit_callbacks
):
    slot = free(tiltak.book)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    assert booking.booked_by_unit == tiltak.health_centre
    assert booking.agreement_recorded_at is not None
    assert booking.unit == tiltak.office and booking.provider == tiltak.therapist
    [message] = mail.outbox
    assert message.to == ["marte@example.no"]
    assert "Samtale på helsestasjonen" in message.body
    booking.refresh_from_db()
    # Only the link's hash is kept.
    assert booking.cancel_token_hash == token_hash(cancel_link_in(message.body))
    assert cancel_link_in(message.body) not in str(Booking.objects.values().get())


def test_a_nurse_cannot_book_for_a_family_without_their_agreement(tiltak):
    with pytest.raises(ValidationError, match="agreed"):
        services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=False)
    assert not Booking.objects.exists()


def test_a_case_discussion_names_no_family(tiltak):
    booking = services.book_for_family(
        tiltak.nurse,
        free(tiltak.book).pk,
        couple(kind=Booking.Kind.CASE_DISCUSSION),
        agreed=False,
    )
    assert (booking.name, booking.partner_name, booking.email, booking.identity_hash) == (
        "",
        "",
        "",
        "",
    )


def test_staff_of_other_services_cannot_book(tiltak):
    for outsider in (tiltak.school_staff, tiltak.elsewhere):
        with pytest.raises(PermissionDenied):
            services.book_for_family(outsider, free(tiltak.book).pk, couple(), agreed=True)


def test_a_taken_slot_is_refused_with_the_nearest_free_times(tiltak):
    slot = free(tiltak.book, 1)
    services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    with pytest.raises(services.SlotTaken) as taken:
        services.book_as_citizen(citizen(), slot.pk, couple())
    assert "Someone else booked this time" in str(taken.value.messages)
    alternatives = taken.value.alternatives
    assert len(alternatives) == 3 and slot not in alternatives
    nearest = min(abs(s.starts_at - slot.starts_at) for s in alternatives)
    assert nearest == datetime.timedelta(hours=1)
    assert Booking.objects.filter(slot=slot).count() == 1


def test_a_parent_books_with_their_identity_and_a_partner(tiltak):
    booking = services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    assert booking.kind == Booking.Kind.COUPLE
    assert booking.identity_hash == crypto.lookup_hash(PARENT_NUMBER)
    assert booking.booked_by is None


def test_a_parent_must_give_a_way_to_reach_them(tiltak):
    with pytest.raises(ValidationError, match="mobile number or an e-mail"):
        services.book_as_citizen(citizen(), free(tiltak.book).pk, couple(email=""))


def test_a_past_or_missing_slot_cannot_be_booked(tiltak):
    slot = free(tiltak.book)
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    with pytest.raises(ValidationError, match="passed"):
        services.book_as_citizen(citizen(), slot.pk, couple())
    with pytest.raises(ValidationError, match="does not exist"):
        services.book_as_citizen(citizen(), 999999, couple())


def test_the_cancellation_link_works_once_and_frees_the_slot(
    tiltak, django_capture_on_commit_callbacks
):
    slot = free(tiltak.book)
    with django_capture_on_commit_callbacks(execute=True):
        services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    token = cancel_link_in(mail.outbox[0].body)
    assert services.booking_for_link(token) is not None
    assert services.booking_for_link(token[:-1] + "x") is None
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_by_link(token)
    assert "er avlyst" in mail.outbox[1].body
    with pytest.raises(ValidationError, match="link has been used"):
        services.cancel_by_link(token)
    assert services.booking_for_link(token) is None
    # Rebooking: the slot is free again.
    assert slot in list(slots.free_slots(tiltak.book))
    again = services.book_as_citizen(citizen(), slot.pk, couple())
    assert again.is_active


def test_a_parent_cancels_their_own_time_and_no_one_elses(tiltak):
    mine = services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    other = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    with pytest.raises(ValidationError, match="not found"):
        services.cancel_as_citizen(citizen(), other.pk)
    services.cancel_as_citizen(citizen(), mine.pk)
    mine.refresh_from_db()
    assert mine.cancelled_at is not None
    with pytest.raises(ValidationError, match="already cancelled"):
        services.cancel_as_citizen(citizen(), mine.pk)


def test_only_the_provider_records_a_no_show_once_the_time_has_started(tiltak):
    slot = free(tiltak.book)
    booking = services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    with pytest.raises(ValidationError, match="once the time has started"):
        services.record_no_show(tiltak.therapist, booking.pk)
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        services.record_no_show(tiltak.nurse, booking.pk)
    with pytest.raises(Http404):
        services.record_no_show(tiltak.colleague, booking.pk)
    assert services.record_no_show(tiltak.therapist, booking.pk).no_show_at is not None
    assert services.record_no_show(tiltak.therapist, booking.pk, came=True).no_show_at is None


def test_the_provider_books_a_follow_up_at_their_own_office(tiltak):
    booking = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    when = timezone.now() + datetime.timedelta(days=20)
    follow_up = services.book_follow_up(tiltak.therapist, booking.pk, when)
    assert follow_up.slot.kind == Slot.Kind.FOLLOW_UP
    assert follow_up.slot.where == "Familievernkontoret, Kirkegata 1"
    assert follow_up.follow_up_of == booking and follow_up.name == booking.name
    with pytest.raises(PermissionDenied):
        services.book_follow_up(tiltak.office_leader, booking.pk, when)
