"""No double booking, ever: many people booking the same slot at the same moment, on
PostgreSQL as in production. Each thread has its own database connection and all start at one
barrier, so the bookings really overlap; exactly one succeeds, and every other is told the time
was just taken and offered the nearest free ones. SQLite serialises writers, so there is
nothing to race there."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from familiebro.core import crypto
from familiebro.groups.appointments import services, slots
from familiebro.groups.models import Booking
from familiebro.portal.session import CITIZEN_KEY
from familiebro.privacy.family import Citizen
from tests.groups.appointments.conftest import couple

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers: a true race of bookings needs PostgreSQL",
    ),
]
PARALLEL = 8


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count, timeout=30)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # reported to the test, which decides
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def number(index: int) -> str:
    return f"0101011{index:04d}"


def test_parallel_bookings_of_one_slot_let_exactly_one_win(tiltak):
    slot = next(iter(slots.free_slots(tiltak.book)))

    def book(index: int) -> Booking:
        if index == 0:
            return services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
        citizen = Citizen(crypto.lookup_hash(number(index)))
        return services.book_as_citizen(citizen, slot.pk, couple(name=f"Forelder {index}"))

    results = at_once(PARALLEL, book)

    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, services.SlotTaken)]
    assert len(won) == 1, results
    assert len(lost) == PARALLEL - 1, results
    assert all(len(r.alternatives) == 3 and slot not in r.alternatives for r in lost)
    assert Booking.objects.filter(slot=slot, cancelled_at__isnull=True).count() == 1


def test_parallel_requests_from_parents_get_one_booking_and_clear_answers(tiltak):
    slot = next(iter(slots.free_slots(tiltak.book)))
    url = reverse("appointments:confirm", args=[tiltak.book.pk, slot.pk])
    clients = []
    for index in range(PARALLEL):
        client = Client(raise_request_exception=False)
        session = client.session
        session[CITIZEN_KEY] = {
            "identity_hash": crypto.lookup_hash(number(index)),
            "id_token": "",
            "acr": "",
        }
        session.save()
        clients.append(client)

    responses = at_once(
        PARALLEL,
        lambda i: clients[i].post(url, {"name": f"Forelder {i}", "email": f"f{i}@example.no"}),
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (PARALLEL - 1), statuses
    refused = next(r for r in responses if r.status_code == 409).content.decode()
    assert "Someone else booked this time" in refused or "Noen andre" in refused
    assert Booking.objects.filter(slot=slot).count() == 1


def test_one_parent_booking_many_times_at_once_gets_no_more_than_the_limit(tiltak):
    free = list(slots.free_slots(tiltak.book))[:PARALLEL]
    citizen = Citizen(crypto.lookup_hash(number(1)))

    results = at_once(
        PARALLEL,
        lambda i: services.book_as_citizen(citizen, free[i].pk, couple(name=f"Oppdiktet {i}")),
    )

    won = [r for r in results if isinstance(r, Booking)]
    assert len(won) == services.MAX_BOOKINGS_IN_FORCE, results
    # Every other is refused for the limit (not a database error, nor a taken time).
    refused = [r for r in results if not isinstance(r, Booking)]
    assert all(
        isinstance(r, ValidationError) and not isinstance(r, services.SlotTaken) for r in refused
    ), results
    held = Booking.objects.filter(identity_hash=citizen.identity_hash, cancelled_at__isnull=True)
    assert held.count() == services.MAX_BOOKINGS_IN_FORCE
