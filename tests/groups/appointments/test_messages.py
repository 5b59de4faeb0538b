"""Messages to families and providers: confirmation, reminder before the time (24 hours by
default), cancellation, and the provider's go/no-go notice. Each is sent once, even when its
task runs again after a worker restart, and says no more than the discreet label, the time
and the place."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from familiebro.groups.appointments import services, slots, sweep
from familiebro.groups.appointments.tasks import send_reminder
from familiebro.groups.models import Booking, DayNotice, Slot
from tests.groups.appointments.conftest import IMMEDIATE_TASKS, couple

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def booked(tiltak, **changes) -> Booking:
    slot = next(iter(slots.free_slots(tiltak.book)))
    return services.book_for_family(tiltak.nurse, slot.pk, couple(**changes), agreed=True)


def assert_discreet(text: str, tiltak) -> None:
    for secret in (
        tiltak.office.name,
        tiltak.office.organisation.name,
        tiltak.health_centre.name,
        "familievern",
        "Familievern",
        "krangler",  # what the family told the provider
        "Marte",
    ):
        assert secret not in text, secret


def test_every_message_carries_the_discreet_label_time_and_place_only(
    tiltak, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = booked(tiltak)
    sweep.sweep(booking.slot.starts_at - datetime.timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_by_staff(tiltak.therapist, booking.pk)
    confirmation, reminder, cancellation = mail.outbox
    for message in (confirmation, reminder, cancellation):
        assert "Samtale på helsestasjonen" in message.subject
        assert "Samtale på helsestasjonen" in message.body
        assert_discreet(message.subject + message.body, tiltak)
    start = timezone.localtime(booking.slot.starts_at)
    assert f"kl. {start:%H:%M}" in confirmation.body
    # In Norwegian, as the family reads it, with the weekday in lower case.
    assert "onsdag" in confirmation.body and "Onsdag" not in confirmation.body
    assert "Helsestasjonen, Storgata 5, 2. etasje" in confirmation.body
    assert "https://video.example.no/rom/42" in confirmation.body
    assert reminder.subject.startswith("Påminnelse")
    assert "/timebestilling/" in cancellation.body


def test_an_sms_goes_to_a_mobile_number_and_is_as_discreet(
    tiltak, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.FAMILIEBRO_SMS_BACKEND = "file"
    settings.FAMILIEBRO_SMS_FILE = str(tmp_path / "sms.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        booked(tiltak, email="", phone="+4791234567")
    [line] = (tmp_path / "sms.jsonl").read_text().splitlines()
    sms = json.loads(line)
    assert sms["to"] == "+4791234567"
    assert "Samtale på helsestasjonen" in sms["message"]
    assert_discreet(sms["message"], tiltak)
    assert mail.outbox == []


def test_the_reminder_is_due_24_hours_before_by_default_and_the_book_may_change_it(tiltak):
    booking = booked(tiltak)
    starts = booking.slot.starts_at
    assert sweep.sweep(starts - datetime.timedelta(hours=25)).reminders == 0
    assert sweep.sweep(starts - datetime.timedelta(hours=23)).reminders == 1
    assert len(mail.outbox) == 1
    tiltak.book.reminder_hours = 48
    tiltak.book.save()
    other = booked(tiltak)
    assert sweep.sweep(other.slot.starts_at - datetime.timedelta(hours=47)).reminders == 1


def test_a_reminder_is_sent_once_even_when_its_task_runs_again_after_a_restart(tiltak, settings):
    booking = booked(tiltak)
    settings.TASKS = DATABASE_TASKS
    now = booking.slot.starts_at - datetime.timedelta(hours=20)
    # Two sweeps before the worker got to the queue: two tasks for one reminder.
    sweep.sweep(now)
    sweep.sweep(now)
    tasks = list(DBTaskResult.objects.filter(task_path__endswith="send_reminder"))
    assert len(tasks) == 2
    settings.TASKS = IMMEDIATE_TASKS
    for task in tasks:  # the worker, restarted, runs every queued task
        send_reminder.enqueue(*task.args_kwargs["args"])
    assert len(mail.outbox) == 1
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
    # And the next sweep owes nothing.
    assert sweep.sweep(now).reminders == 0


def test_a_failed_send_marks_nothing_so_it_is_tried_again(tiltak, monkeypatch):
    from familiebro.groups.appointments import tasks

    booking = booked(tiltak)

    def refuse(*args):
        raise RuntimeError("gateway down")

    monkeypatch.setattr(tasks, "send", refuse)
    with pytest.raises(RuntimeError):
        send_reminder.call(booking.pk)
    booking.refresh_from_db()
    assert booking.reminder_sent_at is None


def test_no_reminder_for_a_time_booked_within_the_lead_nor_for_a_cancelled_one(tiltak):
    booking = booked(tiltak)
    Booking.objects.filter(pk=booking.pk).update(
        created_at=booking.slot.starts_at - datetime.timedelta(hours=2)
    )
    assert sweep.sweep(booking.slot.starts_at - datetime.timedelta(hours=1)).reminders == 0
    other = booked(tiltak)
    services.cancel_by_staff(tiltak.nurse, other.pk)
    assert sweep.sweep(other.slot.starts_at - datetime.timedelta(hours=1)).reminders == 0


def test_the_provider_hears_once_whether_a_day_goes_ahead(
    tiltak, django_capture_on_commit_callbacks
):
    first = Slot.objects.filter(book=tiltak.book).order_by("starts_at").first()
    cutoff = first.starts_at - datetime.timedelta(hours=tiltak.book.go_no_go_hours)
    mail.outbox.clear()
    assert sweep.sweep(cutoff - datetime.timedelta(hours=1)).day_notices == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(cutoff + datetime.timedelta(minutes=5)).day_notices == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(cutoff + datetime.timedelta(minutes=10)).day_notices == 0
    [notice] = mail.outbox
    assert notice.to == ["tone@fv.no"]
    assert "nobody has booked" in notice.body or "ingen har bestilt" in notice.body.lower()
    assert DayNotice.objects.get().booked == 0


def test_a_booked_day_is_reported_as_going_ahead(tiltak, django_capture_on_commit_callbacks):
    booking = booked(tiltak)
    first = Slot.objects.filter(book=tiltak.book).order_by("starts_at").first()
    assert booking.slot == first
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.sweep(first.starts_at - datetime.timedelta(hours=1))
    assert DayNotice.objects.get().booked == 1
    assert any("goes ahead" in m.subject or "blir noe av" in m.subject for m in mail.outbox)


def test_the_sweep_command_reports_what_it_queued(tiltak, capsys):
    from django.core.management import call_command

    call_command("appointment-sweep")
    assert "Appointment reminders queued: 0" in capsys.readouterr().out


def test_the_worker_sweeps_and_sends_a_due_reminder(tiltak, settings, monkeypatch):
    from django.core.management import call_command

    from familiebro.cases.management.commands import worker as worker_command

    booking = booked(tiltak)
    Slot.objects.filter(pk=booking.slot_id).update(
        starts_at=timezone.now() + datetime.timedelta(hours=10),
        ends_at=timezone.now() + datetime.timedelta(hours=11),
    )
    Booking.objects.filter(pk=booking.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    mail.outbox.clear()
    settings.TASKS = DATABASE_TASKS
    # The worker drops stale connections between tasks; inside the test's transaction it
    # must keep this one.
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)
    call_command("worker", "--once")
    [reminder] = mail.outbox
    assert reminder.subject == "Påminnelse: Samtale på helsestasjonen"
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
