"""Deadline reminders: the right people hear of a deadline before it, on the day and, once it
is overdue, the unit's leaders; by e-mail and in Familiebro; and nobody hears twice, even
when the worker crashes or is stopped in the middle of a sweep."""

from __future__ import annotations

import datetime
import signal
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from familiebro.cases import case_services
from familiebro.cases.deadlines import reminders
from familiebro.cases.management.commands import worker as worker_command
from familiebro.cases.management.commands.worker import SweepingWorker
from familiebro.cases.models import Case, Deadline, HelpRequest, Notification, Reminder
from familiebro.cases.tasks import email_reminder
from familiebro.core.models import Membership, User
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
Kind = Reminder.Kind


@pytest.fixture(autouse=True)
def _mail_stays_here(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = IMMEDIATE_TASKS
    settings.REMINDER_LEAD_DAYS = 2
    settings.SITE_URL = "https://familiebro.stange.example"


def local(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.fixture
def town():
    town = builders.municipality()
    for user in (town.teacher, town.therapist, town.team_leader, town.nurse_leader):
        user.email = f"{user.username}@stange.example"
        user.save(update_fields=["email"])
    town.kindergarten_leader = make.member(
        town.kindergarten,
        Membership.Role.LEADER,
        first_name="Kjell",
        last_name="Styrer",
        email="styrer@stange.example",
    )
    town.deputy_leader = make.member(
        town.kindergarten,
        Membership.Role.LEADER,
        first_name="Vera",
        last_name="Nestleder",
        email="nestleder@stange.example",
    )
    return town


@pytest.fixture
def case(town) -> Case:
    """A kindergarten concern received on Monday 2 November 2026 at 10:00: the level-0
    decision is the teacher's, due 14 days later, on Monday 16 November at 10:00."""
    return builders.open_concern(
        town.teacher, town.kindergarten, received_at=local("2026-11-02T10:00")
    )


def level0(case: Case) -> Deadline:
    return case.deadlines.get(key="level0_decision")


def received(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient's username, kind) of every reminder sent, in order."""
    rows = Reminder.objects.order_by("pk").select_related("recipient")
    if kind:
        rows = rows.filter(kind=kind)
    return [(r.recipient.username, r.kind) for r in rows]


def mail_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_the_responsible_person_hears_before_and_on_the_day_and_the_leaders_once_overdue(
    town, case
):
    deadline = level0(case)
    assert deadline.responsible == town.teacher
    assert deadline.due_at == local("2026-11-16T10:00")

    # Three days ahead is outside the lead time of two days: nothing yet.
    assert reminders.sweep(local("2026-11-13T12:00")).total == 0
    report = reminders.sweep(local("2026-11-14T08:00"))
    assert report.sent == {Kind.BEFORE: 1}
    assert received() == [(town.teacher.username, Kind.BEFORE)]

    reminders.sweep(local("2026-11-16T07:00"))
    assert received(Kind.DUE) == [(town.teacher.username, Kind.DUE)]

    reminders.sweep(local("2026-11-16T10:05"))
    escalated = {user for user, _ in received(Kind.ESCALATED)}
    assert escalated == {town.kindergarten_leader.username, town.deputy_leader.username}

    # In Familiebro: a notification each, naming the case and the deadline, linking to it.
    teacher_notes = list(Notification.objects.filter(user=town.teacher).order_by("pk"))
    assert len(teacher_notes) == 2
    assert all(case.reference in n.text and deadline.title in n.text for n in teacher_notes)
    assert {n.link for n in teacher_notes} == {f"/ansatt/saker/{case.pk}/"}
    leader_note = Notification.objects.get(user=town.kindergarten_leader)
    assert "Fristen gikk ut" in leader_note.text and case.reference in leader_note.text

    # By e-mail: the same, with the link, and nothing about the family.
    assert len(mail_to(town.teacher)) == 2
    assert len(mail_to(town.kindergarten_leader)) == 1
    assert len(mail_to(town.deputy_leader)) == 1
    child = case.child
    for message in mail.outbox:
        assert case.reference in message.subject
        assert f"https://familiebro.stange.example/ansatt/saker/{case.pk}/" in message.body
        for detail in (child.given_name, child.family_name, "Trekker seg unna"):
            assert detail not in message.subject and detail not in message.body
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_second_sweep_sends_nothing_again(town, case):
    first = reminders.sweep(local("2026-11-16T10:05"))
    assert first.sent == {Kind.DUE: 1, Kind.ESCALATED: 2}
    outbox = len(mail.outbox)
    notes = Notification.objects.count()

    second = reminders.sweep(local("2026-11-16T10:10"))
    assert second.total == 0
    assert second.already_sent == 3
    assert len(mail.outbox) == outbox
    assert Notification.objects.count() == notes


def test_a_deadline_nobody_holds_goes_to_the_units_leaders(town):
    case = builders.open_concern(
        town.therapist, town.team, pathway="familiehjelpa", received_at=local("2026-11-02T10:00")
    )
    first_contact = case.deadlines.get(key="first_contact")
    assert first_contact.responsible is None
    assert first_contact.due_at == local("2026-11-09T10:00")

    reminders.sweep(local("2026-11-08T09:00"))
    reminders.sweep(local("2026-11-09T09:00"))
    assert received() == [
        (town.team_leader.username, Kind.BEFORE),
        (town.team_leader.username, Kind.DUE),
    ]
    assert len(mail_to(town.team_leader)) == 2
    assert mail_to(town.therapist) == []


def test_closed_cases_and_completed_deadlines_get_no_reminders(town, case):
    other = builders.open_concern(
        town.teacher, town.kindergarten, received_at=local("2026-11-02T10:00")
    )
    # The level-0 decision is taken on one case (the deadline is met), the other is closed.
    case_services.decide(
        town.teacher, case, option="one_more_service", reason="Helsestasjonen skal være med."
    )
    case_services.decide(
        town.teacher,
        other,
        option="close",
        reason="Bekymringen er avklart.",
        close_reason=Case.CloseReason.RESOLVED_AT_FIRST_CONTACT,
        summary="Avklart i samtale med foreldrene.",
    )
    assert level0(case).completed_at is not None

    report = reminders.sweep(local("2026-11-20T12:00"))

    assert report.total == 0
    assert not Reminder.objects.exists()
    assert not Notification.objects.filter(text__contains="Overdue").exists()


def test_a_sweep_that_crashes_midway_and_runs_again_sends_each_reminder_exactly_once(
    town, case, monkeypatch
):
    builders.open_concern(town.teacher, town.kindergarten, received_at=local("2026-11-02T10:00"))
    # Two overdue cases: each owes the teacher "due today" and each leader "overdue".
    real_body = reminders.email_body
    calls = Counter()

    def crash_on_the_second(text: str, link: str) -> str:
        calls["body"] += 1
        if calls["body"] == 2:
            raise ConnectionError("the database went away")
        return real_body(text, link)

    monkeypatch.setattr(reminders, "email_body", crash_on_the_second)
    with pytest.raises(ConnectionError):
        reminders.sweep(local("2026-11-16T10:05"))
    # The first reminder is whole; the second left nothing behind, not even its notification.
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1

    monkeypatch.setattr(reminders, "email_body", real_body)
    report = reminders.sweep(local("2026-11-16T10:06"))
    assert report.already_sent == 1
    assert report.total == 5

    expected = Counter(
        {
            (town.teacher.username, Kind.DUE): 2,
            (town.kindergarten_leader.username, Kind.ESCALATED): 2,
            (town.deputy_leader.username, Kind.ESCALATED): 2,
        }
    )
    assert Counter(received()) == expected
    assert Counter(tuple(m.to) for m in mail.outbox) == Counter(
        {
            (town.teacher.email,): 2,
            (town.kindergarten_leader.email,): 2,
            (town.deputy_leader.email,): 2,
        }
    )
    assert Notification.objects.count() == 6
    per_reminder = Counter((n.user_id, n.link, n.text) for n in Notification.objects.all())
    assert set(per_reminder.values()) == {1}


def test_a_reminder_e_mail_task_run_twice_sends_once(town, case, settings):
    settings.TASKS = DATABASE_TASKS
    reminders.sweep(local("2026-11-14T08:00"))
    reminder = Reminder.objects.get()
    task = DBTaskResult.objects.get()
    assert task.task_path == "familiebro.cases.tasks.email_reminder"
    assert mail.outbox == []

    args = task.args_kwargs["args"]
    settings.TASKS = IMMEDIATE_TASKS
    email_reminder.enqueue(*args)
    email_reminder.enqueue(*args)

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.emailed_at is not None


def test_requests_for_help_waiting_for_first_contact_remind_the_unit_then_its_leaders(town):
    request = HelpRequestFactory(
        unit=town.team,
        reference="FB-2026-ABCD",
        received_at=local("2026-11-02T10:00"),
        first_contact_due_at=local("2026-11-09T10:00"),
    )
    contacted = HelpRequestFactory(
        unit=town.team,
        received_at=local("2026-11-02T10:00"),
        first_contact_due_at=local("2026-11-09T10:00"),
        status=HelpRequest.Status.CONTACTED,
    )

    reminders.sweep(local("2026-11-07T09:00"))
    assert set(received(Kind.BEFORE)) == {
        (town.therapist.username, Kind.BEFORE),
        (town.team_leader.username, Kind.BEFORE),
    }
    reminders.sweep(local("2026-11-10T09:00"))
    assert received(Kind.ESCALATED) == [(town.team_leader.username, Kind.ESCALATED)]
    # The day itself was missed (no sweep ran), so nobody is told "due today" afterwards.
    assert received(Kind.DUE) == []

    assert not Reminder.objects.filter(help_request=contacted).exists()
    note = Notification.objects.get(user=town.therapist)
    assert note.link == f"/ansatt/henvendelser/{request.pk}/"
    assert "FB-2026-ABCD" in note.text
    for message in mail.outbox:
        assert "FB-2026-ABCD" in message.subject
        assert request.requester_name not in message.body
        assert request.phone not in message.body


def test_send_reminders_prints_what_it_sent(town, case, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: local("2026-11-14T08:00"))
    out = call_command_output("send-reminders")
    assert "Reminders sent: 1 (before 1, due 0, escalated 0)" in out
    assert received() == [(town.teacher.username, Kind.BEFORE)]
    assert "Reminders sent: 0" in call_command_output("send-reminders")


def call_command_output(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_worker_sweeps_and_sends_the_queued_e_mails_in_one_iteration(
    town, case, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(timezone, "now", lambda: local("2026-11-16T10:05"))
    # The worker drops stale database connections between tasks; inside the test's
    # transaction that would drop the test's own connection (PostgreSQL).
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)

    out = call_command_output("worker", "--once")

    assert "Reminders sent: 3 (before 0, due 1, escalated 2)" in out
    assert len(mail.outbox) == 3
    assert not DBTaskResult.objects.ready().exists()
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0
    # Signal handlers are given back when the worker stops.
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_worker_told_to_stop_mid_sweep_finishes_its_chunk_and_leaves_the_rest(
    town, case, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    builders.open_concern(town.teacher, town.kindergarten, received_at=local("2026-11-02T10:00"))
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 1)
    worker = SweepingWorker(
        sweep_interval=300,
        once=True,
        queue_names=["default"],
        interval=1,
        backend_name="default",
        worker_id="test-worker",
    )
    real_send = reminders._send

    def stop_during_the_first(*args, **kwargs):
        if worker.running:
            worker.shutdown(signal.SIGTERM, None)  # as if systemd stopped the service
        return real_send(*args, **kwargs)

    monkeypatch.setattr(reminders, "_send", stop_during_the_first)
    now = local("2026-11-16T10:05")
    monkeypatch.setattr(timezone, "now", lambda: now)

    worker.run()

    assert worker.reports[0].stopped
    # The first case's three reminders went out whole; the second case's wait.
    assert worker.reports[0].total == 3
    assert Reminder.objects.count() == 3
    monkeypatch.setattr(reminders, "_send", real_send)
    assert reminders.sweep(now).total == 3
    assert Reminder.objects.count() == 6


def test_a_sweep_costs_queries_per_chunk_and_per_reminder_sent_not_per_deadline(town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def open_cases(count: int) -> None:
        for _ in range(count):
            builders.open_concern(
                town.teacher, town.kindergarten, received_at=local("2026-11-02T10:00")
            )

    now = local("2026-11-20T12:00")  # all overdue
    open_cases(3)
    reminders.sweep(now)
    with CaptureQueriesContext(connection) as few:
        assert reminders.sweep(now).already_sent == 6
    open_cases(27)
    reminders.sweep(now)
    with CaptureQueriesContext(connection) as many:
        assert reminders.sweep(now).already_sent == 60
    assert len(many) == len(few)


def test_the_units_leaders_hear_of_its_overdue_deadlines_even_without_oversight_of_its_persons(
    town, case
):
    """Reminders go only to whoever may read the deadline, but the unit's leaders answer for
    its deadlines: with leaders' oversight of persons turned off, the overdue reminder still
    reaches them (the case is their own unit's)."""
    from familiebro.privacy.models import OversightRule

    OversightRule.objects.create(
        organisation=town.kindergarten.organisation, leaders_see_unit_persons=False
    )

    reminders.sweep(local("2026-11-16T10:05"))

    escalated = {user for user, _ in received(Kind.ESCALATED)}
    assert escalated == {town.kindergarten_leader.username, town.deputy_leader.username}


def test_a_sweep_counts_the_reminders_kept_from_whoever_may_not_read_the_deadline(town, case):
    """The teacher leaves the kindergarten: she holds the deadline but may no longer read the
    case, so she is not told of it; the worker's log line counts that, naming nobody."""
    Membership.objects.filter(user=town.teacher, unit=town.kindergarten).delete()

    report = reminders.sweep(local("2026-11-16T07:00"))

    assert received() == []
    assert report.kept_from_recipient == 1
    assert "kept from recipients who may not read the deadline: 1." in report.describe()
    assert town.teacher.username not in report.describe()
