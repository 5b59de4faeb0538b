"""What the provider records stays with the service that holds the booking; follow-up times
are one family's; one parent cannot take every time; a past time cannot be cancelled; the
cancellation link's page is recorded as a read."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.core import crypto
from familiebro.groups.appointments import pages, services, slots
from familiebro.groups.models import Booking, Slot
from familiebro.portal.session import CITIZEN_KEY
from familiebro.privacy.family import Citizen
from familiebro.privacy.models import AuditEvent
from tests.groups.appointments.conftest import PARENT_NUMBER, couple, set_up
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


def staff(user) -> Client:
    return make.logged_in(user, Client(raise_request_exception=False))


def parent(number: str = PARENT_NUMBER) -> Client:
    client = Client(raise_request_exception=False)
    session = client.session
    session[CITIZEN_KEY] = {"identity_hash": crypto.lookup_hash(number), "id_token": "", "acr": ""}
    session.save()
    return client


def citizen(number: str = PARENT_NUMBER) -> Citizen:
    return Citizen(identity_hash=crypto.lookup_hash(number))


def free(book, n: int = 0) -> Slot:
    return list(slots.free_slots(book))[n]


def move_to_past(booking: Booking, hours: int = 1) -> None:
    started = timezone.now() - datetime.timedelta(hours=hours)
    Slot.objects.filter(pk=booking.slot_id).update(
        starts_at=started, ends_at=started + datetime.timedelta(hours=1)
    )


# What the provider records ------------------------------------------------------------------


def test_only_the_holding_unit_learns_that_the_family_did_not_come(tiltak):
    booking = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    move_to_past(booking, hours=0)
    services.record_no_show(tiltak.therapist, booking.pk)
    day = timezone.localtime(Slot.objects.get(pk=booking.slot_id).starts_at).date()
    for reader in (tiltak.therapist, tiltak.office_leader):
        assert pages.booking_page(reader, booking.pk).status == pages.Status.DID_NOT_COME
        row = next(r for r in pages.day_page(reader, tiltak.book.pk, day).rows if r.booking)
        assert row.no_show
    for reader in (tiltak.nurse, make.member(tiltak.health_centre)):
        page = pages.booking_page(reader, booking.pk)
        assert page.status == pages.Status.BOOKED and not page.as_holder
        row = next(r for r in pages.day_page(reader, tiltak.book.pk, day).rows if r.booking)
        assert not row.no_show
        url = reverse("appointments:book", args=[tiltak.book.pk]) + f"?dato={day}"
        assert "kom ikke" not in staff(reader).get(url).content.decode()
    provider_page = staff(tiltak.therapist).get(reverse("appointments:booking", args=[booking.pk]))
    assert "kom ikke" in provider_page.content.decode()


def test_the_booking_unit_does_not_see_which_booking_a_follow_up_follows(tiltak):
    booking = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    when = timezone.now() + datetime.timedelta(days=20)
    follow_up = services.book_follow_up(tiltak.therapist, booking.pk, when)
    assert pages.booking_page(tiltak.therapist, follow_up.pk).follow_up_of == booking
    # The office's leader reads it as the holder too; the health centre not at all.
    assert pages.booking_page(tiltak.office_leader, follow_up.pk).follow_up_of == booking
    assert staff(tiltak.nurse).get(
        reverse("appointments:booking", args=[follow_up.pk])
    ).status_code == 404  # fmt: skip


# Where a follow-up is -----------------------------------------------------------------------


def test_a_follow_up_never_names_the_service_as_its_place(tiltak):
    tiltak.office.address = ""
    tiltak.office.save()
    book = set_up(tiltak.therapist, tiltak.office, tiltak.health_centre, office_place="")
    booking = services.book_for_family(tiltak.nurse, free(book).pk, couple(), agreed=True)
    when = timezone.now() + datetime.timedelta(days=20)
    follow_up = services.book_follow_up(tiltak.therapist, booking.pk, when)
    # No office address anywhere: the book's own place, which the provider sees beforehand.
    assert follow_up.slot.where == book.place
    assert pages.booking_page(tiltak.therapist, booking.pk).follow_up_place == book.place
    page = staff(tiltak.therapist).get(reverse("appointments:booking", args=[booking.pk]))
    assert book.place in page.content.decode()
    # With a visiting address of the office, that address.
    tiltak.office.address = "Kirkegata 1, 8622 Mo i Rana"
    tiltak.office.save()
    book.refresh_from_db()
    later = services.book_follow_up(tiltak.therapist, booking.pk, when + datetime.timedelta(days=7))
    assert later.slot.where == "Kirkegata 1, 8622 Mo i Rana"
    assert tiltak.office.name not in later.slot.where


# A follow-up time is one family's -----------------------------------------------------------


def test_a_cancelled_follow_up_time_is_open_to_no_one(tiltak):
    booking = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    when = timezone.now() + datetime.timedelta(days=20)
    follow_up = services.book_follow_up(tiltak.therapist, booking.pk, when)
    services.cancel_by_staff(tiltak.therapist, follow_up.pk)
    slot_id = follow_up.slot_id
    assert slot_id not in {s.pk for s in slots.free_slots(tiltak.book)}
    with pytest.raises(ValidationError, match="does not exist"):
        services.book_as_citizen(citizen(), slot_id, couple())
    with pytest.raises(ValidationError, match="does not exist"):
        services.book_for_family(tiltak.nurse, slot_id, couple(), agreed=True)
    confirm = reverse("appointments:confirm", args=[tiltak.book.pk, slot_id])
    assert parent().get(confirm).status_code == 404
    assert parent().post(confirm, {"name": "Fremmed", "phone": "91234567"}).status_code == 404
    book_slot = reverse("appointments:book-slot", args=[tiltak.book.pk, slot_id])
    assert staff(tiltak.nurse).get(book_slot).status_code == 404
    day = timezone.localtime(when).date()
    day_page = staff(tiltak.nurse).get(
        reverse("appointments:book", args=[tiltak.book.pk]) + f"?dato={day}"
    )
    assert book_slot not in day_page.content.decode()
    assert not Booking.objects.filter(slot_id=slot_id, cancelled_at__isnull=True).exists()


# One parent, a few times --------------------------------------------------------------------


def test_a_parent_holds_at_most_two_times_in_a_book(tiltak):
    first = services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    services.book_as_citizen(citizen(), free(tiltak.book).pk, couple(name="Oppdiktet"))
    assert services.MAX_BOOKINGS_IN_FORCE == 2
    with pytest.raises(ValidationError, match="as many as one person can have"):
        services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    # Another parent still books; the first frees a place by cancelling one.
    services.book_as_citizen(citizen("01010112345"), free(tiltak.book).pk, couple())
    services.cancel_as_citizen(citizen(), first.pk)
    services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    held = Booking.objects.filter(
        identity_hash=citizen().identity_hash, cancelled_at__isnull=True
    ).count()
    assert held == 2


def test_a_parent_over_the_limit_is_told_in_norwegian_what_to_do(tiltak):
    client = parent()
    for n in range(3):
        slot = free(tiltak.book)
        response = client.post(
            reverse("appointments:confirm", args=[tiltak.book.pk, slot.pk]),
            {"name": f"Navn {n}", "phone": "91234567"},
        )
    assert response.status_code == 400
    assert "Avbestill" in response.content.decode() or "avbestill" in response.content.decode()
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 2


# A past time is over ------------------------------------------------------------------------


def test_a_past_time_cannot_be_cancelled(tiltak, django_capture_on_commit_callbacks):
    booking = services.book_for_family(tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True)
    mine = services.book_as_citizen(citizen(), free(tiltak.book).pk, couple())
    move_to_past(booking)
    move_to_past(mine, hours=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for user in (tiltak.nurse, tiltak.therapist):
            with pytest.raises(ValidationError, match="has passed"):
                services.cancel_by_staff(user, booking.pk)
        with pytest.raises(ValidationError, match="has passed"):
            services.cancel_as_citizen(citizen(), mine.pk)
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 2
    assert not mail.outbox
    # On the page: no cancel button, and a post says why in Norwegian.
    url = reverse("appointments:booking", args=[booking.pk])
    client = staff(tiltak.therapist)
    assert reverse("appointments:cancel", args=[booking.pk]) not in client.get(url).content.decode()
    response = client.post(reverse("appointments:cancel", args=[booking.pk]), follow=True)
    assert "passert" in response.content.decode()


# The cancellation link's page ---------------------------------------------------------------


def test_opening_the_cancellation_link_is_recorded(tiltak, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book_for_family(
            tiltak.nurse, free(tiltak.book).pk, couple(), agreed=True
        )
    link = mail.outbox[0].body.split("http://127.0.0.1:8000")[-1].split()[0].rstrip(".")
    before = AuditEvent.objects.count()
    assert Client().get(link).status_code == 200
    event = AuditEvent.objects.order_by("pk")[before:].get()
    assert event.actor_id is None
    assert event.legal_basis == "cancellation_link"
    assert event.object_ids == [str(booking.pk)]
    # A wrong link reads nothing and records nothing.
    assert Client().get(link[:-2] + "x/").status_code == 404
    assert AuditEvent.objects.count() == before + 1
