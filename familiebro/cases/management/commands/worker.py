"""`familiebro worker`: the one background process. It runs the django-tasks database
worker's tasks (e-mails), sweeps for deadline reminders every `--interval` seconds, and writes
a checkpoint of the audit trail every FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES. It records a
heartbeat on each turn of its loop, and when it last swept and wrote a checkpoint, for the
instance health page (familiebro.administration.heartbeat)."""

import logging
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
)
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from familiebro.administration import heartbeat
from familiebro.cases.deadlines import reminders
from familiebro.privacy import checkpoints

logger = logging.getLogger("familiebro.worker")

# How often a running worker writes its heartbeat: often enough that the health page, which
# calls a worker late after familiebro.administration.health.WORKER_LATE, never sees a live
# one as late; seldom enough that an idle worker does not write to the database every second.
BEAT_SECONDS = 15


class SweepingWorker(Worker):
    """django-tasks' database worker with a reminder sweep and audit checkpoints between tasks.

    A sweep counts as a running task for the worker's signal handling: SIGTERM or SIGINT lets
    it finish the chunk it is on (each reminder commits on its own, so nothing is half-sent)
    and then the worker stops. A second signal stops at once, as with `db_worker`.
    """

    def __init__(self, *, sweep_interval: float, once: bool, **options) -> None:
        super().__init__(
            batch=False, startup_delay=False, max_tasks=None, excluded_queue_names=[], **options
        )
        self.sweep_interval = sweep_interval
        self.checkpoint_interval = checkpoints.checkpoint_interval_seconds()
        self.once = once
        self.last_beat = -float("inf")
        self.reports: list[reminders.SweepReport] = []

    def record(self, what: Callable[[], None]) -> None:
        """Write the heartbeat (for the instance health page). A database too busy to take
        it must not stop the worker: the next turn of the loop writes it again."""
        try:
            what()
        except OperationalError:
            logger.warning("The worker's heartbeat was not written; it is written again soon.")

    def beat(self) -> None:
        """A sign of life, at most every BEAT_SECONDS (the loop turns every second when idle)."""
        if time.monotonic() - self.last_beat >= BEAT_SECONDS:
            self.record(heartbeat.beat)
            self.last_beat = time.monotonic()

    def between_chunks(self) -> bool:
        """Asked by the sweep between chunks: a long sweep still beats; stop when told to."""
        self.beat()
        return not self.running

    def sweep(self) -> None:
        self.running_task = True
        try:
            report = reminders.sweep(should_stop=self.between_chunks)
        except Exception:
            # A failed sweep must not stop the e-mails: log it and try again next interval.
            logger.exception("The reminder sweep failed; it runs again in the next interval.")
            self.record(heartbeat.sweep_failed)
        else:
            self.reports.append(report)
            logger.info(report.describe())
            if not report.stopped:
                self.record(heartbeat.swept)
        finally:
            self.running_task = False
        for other in reminders.OTHER_SWEEPS:
            self.running_task = True
            try:
                logger.info("%s", other())
            except Exception:
                logger.exception("A sweep failed; it runs again in the next interval.")
            finally:
                self.running_task = False

    def write_checkpoint(self) -> None:
        self.running_task = True
        try:
            checkpoint = checkpoints.write_checkpoint()
        except Exception:
            # The next interval writes a newer one; the operator must still hear of it.
            logger.exception("The audit checkpoint was not written; the worker tries again.")
            self.record(heartbeat.checkpoint_failed)
        else:
            logger.info("Audit checkpoint written at event %s", checkpoint.event_id)
            self.record(heartbeat.checkpoint_written)
        finally:
            self.running_task = False

    def run_ready_tasks(self) -> None:
        """Run queued tasks until none is ready (or the worker is told to stop)."""
        while self.running:
            close_old_connections()
            tasks = DBTaskResult.objects.ready().filter(
                backend_name=self.backend_name, queue_name__in=self.queue_names
            )
            try:
                with exclusive_transaction(tasks.db):
                    task_result = tasks.get_locked()
                    if task_result is not None:
                        task_result.claim(self.worker_id)
            except OperationalError as exc:
                # SQLite is busy with another writer: try again after the interval.
                if is_locked_database_exception(exc):
                    return
                raise
            if task_result is None:
                return
            self.run_task(task_result)
            self.beat()

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s, reminder sweep every %s s",
            self.worker_id,
            self.sweep_interval,
        )
        if self.checkpoint_interval is None:
            logger.warning(
                "No audit checkpoints are written: set FAMILIEBRO_AUDIT_CHECKPOINT_FILE and/or "
                "FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL."
            )
        self.record(lambda: heartbeat.started(sweep_interval=self.sweep_interval))
        next_sweep = next_checkpoint = 0.0
        while self.running:
            self.beat()
            if time.monotonic() >= next_sweep:
                self.sweep()
                next_sweep = time.monotonic() + self.sweep_interval
            if self.checkpoint_interval is not None and time.monotonic() >= next_checkpoint:
                self.write_checkpoint()
                next_checkpoint = time.monotonic() + self.checkpoint_interval
            self.run_ready_tasks()
            if self.once:
                return
            close_old_connections()
            if self.running:
                time.sleep(self.interval)


class Command(BaseCommand):
    help = (
        "Run the background worker: send queued e-mails, sweep for deadline reminders every "
        "--interval seconds and write a checkpoint of the audit trail every "
        "FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES. Stops cleanly on SIGTERM or SIGINT."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=300,
            help="Seconds between reminder sweeps (default: %(default)s).",
        )
        parser.add_argument(
            "--task-interval",
            type=valid_interval,
            default=1,
            help="Seconds to wait for new tasks when the queue is empty (default: %(default)s).",
        )
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="The task queues to process, separated by commas (default: %(default)s).",
        )
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            type=valid_backend_name,
            dest="backend_name",
            help="The database task backend to take tasks from (default: %(default)s).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help=(
                "Sweep once, write an audit checkpoint (if configured), run the tasks that are "
                "ready, and exit."
            ),
        )

    def handle(self, *args, interval, task_interval, queue_name, backend_name, once, **options):
        worker = SweepingWorker(
            sweep_interval=interval,
            once=once,
            queue_names=queue_name.split(","),
            interval=task_interval,
            backend_name=backend_name,
            worker_id=get_random_string(32),
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            worker.reset_signals()
        if once and worker.reports:
            self.stdout.write(worker.reports[-1].describe())
