"""The last seat, taken by many parents at the same moment on PostgreSQL: exactly one gets
it; every other is told the course is full (and may join the waiting list).

Each thread has its own database connection and all are released at one barrier, so the
enrolments really overlap. SQLite serialises writers, so there is nothing to test there.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from familiebro.core.models import ServiceUnit
from familiebro.groups.courses import actions
from familiebro.groups.models import Enrolment
from tests.catalogue.factories import PublishedOfferFactory
from tests.privacy import factories as make

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency needs PostgreSQL's row locks"
    ),
]

PARENTS = 8


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


def course_with_one_seat_left():
    unit = make.unit(kind=ServiceUnit.Kind.HEALTH_CENTRE)
    leader = make.member(unit)
    offer = PublishedOfferFactory(unit=unit)
    course = actions.create_course(leader, offer=offer, unit=unit, name="Babysang", capacity=3)
    start = timezone.now() + datetime.timedelta(days=2)
    actions.add_session(
        leader, course, starts_at=start, ends_at=start + datetime.timedelta(hours=1), place="Her"
    )
    actions.enrol(course.pk, name="Ola", role="father", partner_name="Kari",
                  partner_role="mother", phone="91234567", staff=leader)  # fmt: skip
    return course, leader


def test_many_parents_taking_the_last_seat_at_once_exactly_one_gets_it():
    course, leader = course_with_one_seat_left()

    def take_the_seat(index: int) -> Enrolment:
        return actions.enrol(
            course.pk, name=f"Forelder {index}", role="mother", phone="91234567", staff=leader
        )

    results = at_once(PARENTS, take_the_seat)
    won = [r for r in results if isinstance(r, Enrolment)]
    lost = [r for r in results if isinstance(r, actions.CourseFull)]
    assert len(won) == 1, results
    assert len(lost) == PARENTS - 1, results
    assert Enrolment.objects.filter(course=course, status="confirmed").count() == 2


def test_those_who_lose_the_race_and_ask_for_the_waiting_list_get_a_place_on_it():
    course, leader = course_with_one_seat_left()

    def take_or_wait(index: int) -> Enrolment:
        return actions.enrol(course.pk, name=f"Forelder {index}", role="father",
                             phone="91234567", staff=leader, waiting_list=True)  # fmt: skip

    results = at_once(PARENTS, take_or_wait)
    assert all(isinstance(r, Enrolment) for r in results), results
    statuses = sorted(r.status for r in results)
    assert statuses.count("confirmed") == 1
    assert statuses.count("waiting") == PARENTS - 1
