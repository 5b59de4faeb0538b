"""Instance health: instance administrators see whether the worker runs, what waits and what
failed, whether reminders are swept and the audit trail verified, and what to do; a monitoring
system reads the same as JSON. The states are made with real rows and their times."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from familiebro.administration import health
from familiebro.administration.models import WorkerHeartbeat
from familiebro.cases.management.commands import worker as worker_command
from familiebro.cases.tasks import send_email
from familiebro.core import mail
from familiebro.core.models import Membership, OrganisationAdministrator
from familiebro.privacy.models import AuditVerification
from tests.conftest import free_port
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

PAGE = reverse("administration:health")
JSON = reverse("administration:health-json")
TOKEN = "a-long-random-token-for-the-monitoring-system-0123456789"


@pytest.fixture(autouse=True)
def _english_pages(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.HEALTH_TOKEN = TOKEN
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    settings.AUDIT_CHECKPOINT_EMAIL = []


@pytest.fixture
def admin():
    return logged_in(make.user(is_instance_admin=True))


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def beat(*, beat_at, swept_at=None, checkpoint_at=None, **fields) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        pk=1,
        beat_at=beat_at,
        started_at=beat_at,
        sweep_interval_seconds=300,
        swept_at=swept_at,
        checkpoint_at=checkpoint_at,
        **fields,
    )


def a_healthy_instance() -> None:
    beat(beat_at=ago(seconds=20), swept_at=ago(minutes=3), checkpoint_at=ago(minutes=5))
    AuditVerification.objects.create(
        verified_at=ago(hours=8),
        intact=True,
        events_checked=120,
        checkpoints_checked=30,
        problems=0,
        checkpoint_event_id=118,
        checkpoint_written_at=ago(hours=8, minutes=5),
    )


def failed_task(exception_class_path: str, finished_at: datetime.datetime) -> None:
    DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="familiebro.cases.tasks.send_email",
        backend_name="default",
        run_after=finished_at,
        started_at=finished_at,
        finished_at=finished_at,
        exception_class_path=exception_class_path,
        traceback="Traceback (most recent call last): ...",
    )


def checks_of(client) -> dict:
    response = client.get(JSON)
    return json.loads(response.content)["checks"]


def test_a_healthy_instance_is_green_everywhere(admin):
    a_healthy_instance()
    page = admin.get(PAGE).content.decode()
    assert "Everything is in order." in page
    assert "The background worker is running: last sign of life" in page
    assert "Verified intact" in page
    assert "What to do:" not in page
    response = admin.get(JSON)
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["status"] == "green"
    assert {c["status"] for c in report["checks"].values()} == {"green"}


def test_a_worker_that_never_ran_is_red_and_says_how_to_start_it(admin):
    page = admin.get(PAGE).content.decode()
    assert "The background worker has never run on this instance" in page
    assert "<code>familiebro worker</code>" in page
    response = admin.get(JSON)
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "red"


def test_a_worker_a_few_minutes_late_is_amber_and_ten_minutes_late_is_red(admin):
    a_healthy_instance()
    WorkerHeartbeat.objects.filter(pk=1).update(beat_at=ago(minutes=4))
    assert checks_of(admin)["worker"]["status"] == "amber"
    page = admin.get(PAGE).content.decode()
    assert "The background worker last showed a sign of life" in page
    assert "If it shows no sign of life within a few minutes, start it again" in page

    WorkerHeartbeat.objects.filter(pk=1).update(beat_at=ago(minutes=25))
    worker = checks_of(admin)["worker"]
    assert worker["status"] == "red"
    assert worker["seconds_since_beat"] >= 25 * 60
    assert "Start the background worker again" in admin.get(PAGE).content.decode()


def test_the_worker_writes_its_heartbeat_and_sweep_and_the_page_turns_green(
    admin, settings, monkeypatch
):
    settings.AUDIT_CHECKPOINT_FILE = ""
    # The worker drops stale connections between tasks; inside the test's transaction that
    # would drop the test's own connection.
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)
    assert checks_of(admin)["worker"]["status"] == "red"

    call_command("worker", "--once", stdout=StringIO())

    checks = checks_of(admin)
    assert checks["worker"]["status"] == "green"
    assert checks["reminder_sweep"]["status"] == "green"
    assert checks["reminder_sweep"]["interval_seconds"] == 300
    # No place for checkpoints is set: said, not hidden.
    assert checks["audit_checkpoints"]["status"] == "amber"


def test_e_mails_the_mail_server_refused_are_counted_apart_from_other_failed_tasks(
    admin, settings, monkeypatch
):
    a_healthy_instance()
    # A mail server that does not answer: nothing listens on the port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)
    send_email.enqueue(["helsesykepleier@kommune.example"], "Ny forespørsel", "Logg inn.")

    call_command("worker", "--once", stdout=StringIO())

    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.exception_class_path == mail.email_not_sent_path()
    # A task that failed otherwise, and one failed more than a day ago.
    failed_task("builtins.ValueError", ago(hours=2))
    failed_task(mail.email_not_sent_path(), ago(hours=30))

    checks = checks_of(admin)
    assert checks["failed_emails"]["status"] == "amber"
    assert checks["failed_emails"]["failed"] == 1
    assert checks["failed_tasks"]["failed"] == 1
    page = admin.get(PAGE).content.decode()
    assert "1 e-mail could not be sent in the last 24 hours." in page
    assert "1 task other than an e-mail failed in the last 24 hours." in page
    assert "Check the mail server settings" in page


def test_ten_failed_e_mails_in_a_day_are_red(admin):
    a_healthy_instance()
    for hours in range(health.FAILURES_RED):
        failed_task(mail.email_not_sent_path(), ago(hours=hours, minutes=1))
    checks = checks_of(admin)
    assert checks["failed_emails"]["status"] == "red"
    assert checks["failed_tasks"]["status"] == "green"


def test_tasks_waiting_long_show_the_queue_behind(admin):
    a_healthy_instance()
    for _ in range(3):
        send_email.enqueue(["leder@kommune.example"], "Påminnelse", "Logg inn.")
    assert checks_of(admin)["queue"]["status"] == "green"
    DBTaskResult.objects.update(enqueued_at=ago(minutes=12))
    queue = checks_of(admin)["queue"]
    assert (queue["status"], queue["waiting"]) == ("amber", 3)
    DBTaskResult.objects.update(enqueued_at=ago(minutes=45))
    assert checks_of(admin)["queue"]["status"] == "red"
    page = admin.get(PAGE).content.decode()
    assert "3 tasks (e-mails among them) are waiting; the oldest has waited 45" in page


def test_a_sweep_that_has_not_finished_in_an_hour_is_red(admin):
    a_healthy_instance()
    WorkerHeartbeat.objects.filter(pk=1).update(swept_at=ago(minutes=20))
    assert checks_of(admin)["reminder_sweep"]["status"] == "amber"
    WorkerHeartbeat.objects.filter(pk=1).update(swept_at=ago(minutes=90))
    assert checks_of(admin)["reminder_sweep"]["status"] == "red"
    assert "Reminders are late." in admin.get(PAGE).content.decode()


def test_a_verification_overdue_is_amber_then_red_and_a_broken_trail_is_red(admin):
    a_healthy_instance()
    AuditVerification.objects.update(verified_at=ago(days=2))
    assert checks_of(admin)["audit_verification"]["status"] == "amber"
    assert "A verification is overdue" in admin.get(PAGE).content.decode()
    AuditVerification.objects.update(verified_at=ago(days=8))
    assert checks_of(admin)["audit_verification"]["status"] == "red"

    AuditVerification.objects.create(
        verified_at=ago(minutes=1),
        intact=False,
        events_checked=120,
        checkpoints_checked=30,
        problems=2,
    )
    page = admin.get(PAGE).content.decode()
    assert "found the audit trail NOT intact: 2 problems" in page
    assert "Change nothing." in page


def test_verify_audit_records_its_run_and_the_checkpoint_it_reached(admin):
    a_healthy_instance()
    AuditVerification.objects.all().delete()
    call_command("audit-checkpoint", stdout=StringIO())
    call_command("verify-audit", stdout=StringIO())
    verification = checks_of(admin)["audit_verification"]
    assert verification["status"] == "green"
    assert verification["intact"] is True
    assert verification["checkpoints_compared"] == 1
    assert verification["checkpoint_written_at"] is not None


def test_a_checkpoint_that_could_not_be_written_is_red(admin):
    a_healthy_instance()
    WorkerHeartbeat.objects.filter(pk=1).update(checkpoint_failed_at=ago(minutes=1))
    assert checks_of(admin)["audit_checkpoints"]["status"] == "red"
    assert "The last checkpoint could not be written" in admin.get(PAGE).content.decode()


def test_the_checks_cost_the_same_queries_however_much_failed_or_waits(
    admin, django_assert_num_queries
):
    a_healthy_instance()
    with django_assert_num_queries(6):
        health.instance_health()
    with CaptureQueriesContext(connection) as few:
        admin.get(PAGE)
    for hours in range(15):
        failed_task("builtins.ValueError", ago(hours=hours))
        send_email.enqueue(["leder@kommune.example"], "Påminnelse", "Logg inn.")
    with django_assert_num_queries(6):
        health.instance_health()
    with CaptureQueriesContext(connection) as many:
        admin.get(PAGE)
    assert len(many) == len(few)


def test_only_instance_administrators_see_the_instance_health(client):
    unit = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    organisation_admin = make.user()
    OrganisationAdministrator.objects.create(
        user=organisation_admin, organisation=unit.organisation
    )
    for user in (organisation_admin, make.member(unit, role=Membership.Role.UNIT_ADMIN)):
        staff = logged_in(user)
        response = staff.get(PAGE)
        assert response.status_code == 403
        assert "administrators see how the instance runs" in (response.content.decode())
        assert staff.get(JSON).status_code == 403
        assert PAGE not in staff.get(reverse("administration:home")).content.decode()
    assert (
        PAGE
        in logged_in(make.user(is_instance_admin=True))
        .get(reverse("administration:home"))
        .content.decode()
    )


def test_a_monitoring_system_reads_the_json_with_the_token_and_nothing_else(client, settings):
    a_healthy_instance()
    assert client.get(JSON).status_code == 401
    assert client.get(JSON, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get(JSON, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "green"
    # Without a token set, no token opens it.
    settings.HEALTH_TOKEN = ""
    assert client.get(JSON, HTTP_AUTHORIZATION="Bearer ").status_code == 401
