"""What must hold when things happen at once, on PostgreSQL as in production: two reminder
sweeps send each reminder once, and the public form's rate limit admits exactly its limit
when a client's requests arrive together.

Each test starts its threads at one barrier, each thread with its own database connection,
so the work really overlaps. SQLite serialises writers, so there is nothing to test there.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from familiebro.cases.deadlines import reminders
from familiebro.cases.help_requests import rate_limit
from familiebro.cases.models import Notification, RateLimitWindow, Reminder
from tests.cases import builders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency needs PostgreSQL's row locks"
    ),
]

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads released together; each result, or the
    exception it raised."""
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


def test_two_sweeps_at_once_send_each_reminder_once(settings):
    settings.TASKS = IMMEDIATE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_LEAD_DAYS = 2
    town = builders.municipality()
    for user in (town.nurse, town.nurse_leader):
        user.email = f"{user.username}@stange.example"
        user.save(update_fields=["email"])
    received = timezone.now() - datetime.timedelta(days=30)
    for _ in range(3):
        builders.open_concern(town.nurse, town.health_centre, received_at=received)
    now = timezone.now()  # every case's first deadline is overdue: each owes reminders
    mail.outbox = []

    reports = at_once(2, lambda _index: reminders.sweep(now))

    assert not [r for r in reports if isinstance(r, Exception)], reports
    sent = Reminder.objects.count()
    assert sent > 0
    # Together the sweeps sent each reminder once; one of them found the rest already sent.
    assert sum(report.total for report in reports) == sent
    keys = list(Reminder.objects.values_list("deadline_id", "kind", "recipient_id"))
    assert len(keys) == len(set(keys))
    assert Notification.objects.count() == sent
    assert len(mail.outbox) == sent
    # A third sweep finds nothing left to send.
    assert reminders.sweep(now).total == 0


@pytest.mark.parametrize("window_exists", [False, True], ids=["new client", "known client"])
def test_the_rate_limit_admits_exactly_its_limit_when_requests_arrive_together(
    settings, window_exists
):
    settings.HELP_REQUEST_RATE_LIMIT = 3
    address = "203.0.113.7"
    if window_exists:
        rate_limit.count_request(address)  # one request earlier in the window

    def one_request(_index: int) -> str:
        try:
            with transaction.atomic():
                rate_limit.count_request(address)
        except rate_limit.RateLimited:
            return "refused"
        return "admitted"

    results = at_once(8, one_request)

    assert not [r for r in results if isinstance(r, Exception)], results
    earlier = 1 if window_exists else 0
    assert results.count("admitted") == 3 - earlier
    assert results.count("refused") == 8 - (3 - earlier)
    assert RateLimitWindow.objects.get(key=rate_limit.client_key(address)).count == 3
