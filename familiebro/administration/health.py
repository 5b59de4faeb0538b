"""Instance health: is the instance doing its background work, and what to do when it is not.

Read by the instance administrators' page and, as JSON, by a monitoring system. Each check is
green (nothing to do), amber (look at it soon) or red (act now), by the thresholds below; each
says in plain words what it found and what to do. Reading them costs the same few queries
however much is queued or has failed.

The database and migrations check is the load balancer's /healthz check
(familiebro.core.health), read here too so the page shows everything in one place.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from familiebro.core import mail
from familiebro.core.health import missing_migrations
from familiebro.privacy.checkpoints import destinations
from familiebro.privacy.models import AuditVerification

from .models import WorkerHeartbeat

# The worker writes its heartbeat every 15 seconds (BEAT_SECONDS in the worker), also between
# the parts of a long reminder sweep; one e-mail holds it up to the mail timeout (30 seconds).
# Two minutes without a beat is more than any of these: the worker has stopped or hangs.
WORKER_LATE = datetime.timedelta(minutes=2)
# Under systemd with Restart=always a stopped worker is back within seconds: ten minutes
# without a beat means it is not coming back by itself.
WORKER_DOWN = datetime.timedelta(minutes=10)

# A queued e-mail leaves within seconds when the worker runs; one waiting five minutes means
# the worker is behind or stopped.
QUEUE_SLOW = datetime.timedelta(minutes=5)
# Half an hour: a unit hears of a new request for help, or a person of a deadline, too late
# to be of use that day.
QUEUE_STUCK = datetime.timedelta(minutes=30)

# Failed tasks and e-mails are counted over the last day: long enough to be seen the morning
# after a night's failure, short enough that an old, fixed fault turns green again.
FAILURE_WINDOW = datetime.timedelta(hours=24)
# One failure can be a passing fault of the mail server (amber); this many in a day is a
# lasting one, such as wrong mail settings (red).
FAILURES_RED = 10

# A reminder sweep runs every --interval seconds (default 300). It is late when none has
# finished in two intervals: one sweep may take a while, or the worker may just have started.
SWEEP_LATE_INTERVALS = 2
# An hour late: "due today" reminders reach people hours into their day, or not at all.
SWEEP_LAG_RED = datetime.timedelta(hours=1)

# `familiebro verify-audit` runs every night (docs/operations.md): 36 hours leaves a night's
# run room to be a few hours late before a verification counts as overdue.
VERIFY_OVERDUE = datetime.timedelta(hours=36)
# A week unverified: a rewritten or shortened trail would go unnoticed for that long.
VERIFY_LONG_OVERDUE = datetime.timedelta(days=7)

# The worker writes an audit checkpoint every FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES; one missing
# is late after two intervals (the worker may just have restarted).
CHECKPOINT_LATE_INTERVALS = 2


class Level(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


ORDER = {Level.GREEN: 0, Level.AMBER: 1, Level.RED: 2}


@dataclass(frozen=True)
class Check:
    key: str  # the check's name in the JSON
    level: Level
    label: str
    found: str  # what the check found, in plain words
    todo: str = ""  # what to do; empty when green
    command: str = ""  # the command to run, shown as code beside `todo`
    figures: dict[str, Any] = field(default_factory=dict)  # for monitoring

    @property
    def level_label(self) -> str:
        return {
            Level.GREEN: _("In order"),
            Level.AMBER: _("Look at it soon"),
            Level.RED: _("Act now"),
        }[self.level]


@dataclass(frozen=True)
class InstanceHealth:
    checked_at: datetime.datetime
    checks: list[Check]

    @property
    def level(self) -> Level:
        return max((c.level for c in self.checks), key=ORDER.__getitem__, default=Level.GREEN)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.level.value,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "checks": {
                check.key: {
                    "status": check.level.value,
                    "found": check.found,
                    "todo": check.todo,
                    **check.figures,
                }
                for check in self.checks
            },
        }


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    return timesince(moment, now, depth=1)


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _seconds(span: datetime.timedelta | None) -> int | None:
    return round(span.total_seconds()) if span is not None else None


def _level(value: Any, amber: Any, red: Any) -> Level:
    if value > red:
        return Level.RED
    if value > amber:
        return Level.AMBER
    return Level.GREEN


START_WORKER = "familiebro worker"


def worker_check(beat: WorkerHeartbeat | None, now: datetime.datetime) -> Check:
    label = _("Background worker")
    thresholds = {
        "late_after_seconds": _seconds(WORKER_LATE),
        "down_after_seconds": _seconds(WORKER_DOWN),
    }
    if beat is None:
        return Check(
            "worker",
            Level.RED,
            label,
            _("The background worker has never run on this instance, so no e-mails are sent."),
            _("Start the background worker, and have the server start it again by itself."),
            START_WORKER,
            {"last_beat_at": None, "seconds_since_beat": None, **thresholds},
        )
    since = now - beat.beat_at
    level = _level(since, WORKER_LATE, WORKER_DOWN)
    figures = {
        "last_beat_at": _iso(beat.beat_at),
        "seconds_since_beat": _seconds(since),
        **thresholds,
    }
    if level is Level.GREEN:
        found = _("The background worker is running: last sign of life %(ago)s ago.") % {
            "ago": _ago(beat.beat_at, now)
        }
        return Check("worker", level, label, found, figures=figures)
    found = _(
        "The background worker last showed a sign of life %(when)s, %(ago)s ago: it has "
        "stopped or hangs, and sends no e-mails and no reminders meanwhile."
    ) % {"when": _when(beat.beat_at), "ago": _ago(beat.beat_at, now)}
    todo = (
        _("Start the background worker again, and look in its log for why it stopped.")
        if level is Level.RED
        else _(
            "If it shows no sign of life within a few minutes, start it again and look in its "
            "log for why it stopped."
        )
    )
    return Check("worker", level, label, found, todo, START_WORKER, figures)


def queue_check(waiting: int, oldest: datetime.datetime | None, now: datetime.datetime) -> Check:
    label = _("Tasks waiting")
    wait = now - oldest if oldest is not None else None
    figures = {
        "waiting": waiting,
        "oldest_wait_seconds": _seconds(wait),
        "slow_after_seconds": _seconds(QUEUE_SLOW),
        "stuck_after_seconds": _seconds(QUEUE_STUCK),
    }
    if not waiting or oldest is None or wait is None:
        return Check("queue", Level.GREEN, label, _("No task is waiting."), figures=figures)
    level = _level(wait, QUEUE_SLOW, QUEUE_STUCK)
    found = ngettext(
        "%(count)s task (e-mails among them) is waiting; it has waited %(ago)s.",
        "%(count)s tasks (e-mails among them) are waiting; the oldest has waited %(ago)s.",
        waiting,
    ) % {"count": waiting, "ago": _ago(oldest, now)}
    if level is Level.GREEN:
        return Check("queue", level, label, found, figures=figures)
    todo = _(
        "Check that the background worker runs (see above). If it runs, it is behind: the "
        "mail server may be slow to answer; its log says."
    )
    return Check("queue", level, label, found, todo, figures=figures)


def failed_tasks_check(count: int) -> Check:
    label = _("Failed tasks")
    figures = {"failed": count, "window_hours": 24, "red_from": FAILURES_RED}
    if not count:
        return Check(
            "failed_tasks",
            Level.GREEN,
            label,
            _("No task failed in the last 24 hours, e-mails apart."),
            figures=figures,
        )
    found = ngettext(
        "%(count)s task other than an e-mail failed in the last 24 hours.",
        "%(count)s tasks other than e-mails failed in the last 24 hours.",
        count,
    ) % {"count": count}
    todo = _(
        "Look in the background worker's log for the error: each failure is logged with it. "
        "A failed task is not tried again by itself."
    )
    level = Level.RED if count >= FAILURES_RED else Level.AMBER
    return Check("failed_tasks", level, label, found, todo, figures=figures)


def failed_emails_check(count: int) -> Check:
    label = _("E-mails not sent")
    figures = {"failed": count, "window_hours": 24, "red_from": FAILURES_RED}
    if not count:
        return Check(
            "failed_emails",
            Level.GREEN,
            label,
            _("Every e-mail of the last 24 hours was taken by the mail server."),
            figures=figures,
        )
    found = ngettext(
        "%(count)s e-mail could not be sent in the last 24 hours.",
        "%(count)s e-mails could not be sent in the last 24 hours.",
        count,
    ) % {"count": count}
    todo = _(
        "Check the mail server settings in the server's configuration, and that the mail "
        "server answers; the background worker's log names the error. An e-mail that failed "
        "is not sent again, but what it told of is in Familiebro."
    )
    level = Level.RED if count >= FAILURES_RED else Level.AMBER
    return Check("failed_emails", level, label, found, todo, figures=figures)


def sweep_check(beat: WorkerHeartbeat | None, now: datetime.datetime) -> Check:
    label = _("Deadline reminders")
    interval = datetime.timedelta(seconds=beat.sweep_interval_seconds if beat else 300)
    late = max(interval * SWEEP_LATE_INTERVALS, WORKER_LATE)
    swept_at = beat.swept_at if beat is not None else None
    lag = now - swept_at if swept_at is not None else None
    figures = {
        "last_swept_at": _iso(swept_at),
        "lag_seconds": _seconds(lag),
        "interval_seconds": _seconds(interval),
        "late_after_seconds": _seconds(late),
        "red_after_seconds": _seconds(SWEEP_LAG_RED),
    }
    if swept_at is None or lag is None:
        return Check(
            "reminder_sweep",
            Level.RED,
            label,
            _("No search for deadlines to remind of has finished yet: nobody is reminded."),
            _("Start the background worker: it searches for them regularly."),
            START_WORKER,
            figures,
        )
    level = _level(lag, late, SWEEP_LAG_RED)
    failed_at = beat.sweep_failed_at if beat is not None else None
    if failed_at is not None and failed_at > swept_at:
        level = max(level, Level.AMBER, key=ORDER.__getitem__)
        found = _(
            "The last search for deadlines to remind of failed, %(when)s; the last one that "
            "finished was %(ago)s ago."
        ) % {"when": _when(failed_at), "ago": _ago(swept_at, now)}
        todo = _("Look in the background worker's log for the error; it tries again by itself.")
        return Check("reminder_sweep", level, label, found, todo, figures=figures)
    found = _("Deadlines to remind of were last searched for %(ago)s ago (every %(interval)s).") % {
        "ago": _ago(swept_at, now),
        "interval": timesince(now - interval, now, depth=1),
    }
    if level is Level.GREEN:
        return Check("reminder_sweep", level, label, found, figures=figures)
    todo = _(
        "Reminders are late. Check that the background worker runs (see above); if it runs, "
        "look in its log for why the search does not finish."
    )
    return Check("reminder_sweep", level, label, found, todo, START_WORKER, figures)


VERIFY = "familiebro verify-audit"


def verification_check(last: AuditVerification | None, now: datetime.datetime) -> Check:
    label = _("Audit trail verified")
    thresholds = {
        "overdue_after_seconds": _seconds(VERIFY_OVERDUE),
        "red_after_seconds": _seconds(VERIFY_LONG_OVERDUE),
    }
    if last is None:
        return Check(
            "audit_verification",
            Level.AMBER,
            label,
            _("The audit trail has never been verified on this instance."),
            _("Have the audit trail verified every night, as the operations guide says."),
            VERIFY,
            {"verified_at": None, "intact": None, **thresholds},
        )
    age = now - last.verified_at
    figures = {
        "verified_at": _iso(last.verified_at),
        "intact": last.intact,
        "age_seconds": _seconds(age),
        "events_verified": last.events_checked,
        "checkpoints_compared": last.checkpoints_checked,
        "checkpoint_event_id": last.checkpoint_event_id,
        "checkpoint_written_at": _iso(last.checkpoint_written_at),
        **thresholds,
    }
    values = {"when": _when(last.verified_at), "ago": _ago(last.verified_at, now)}
    if not last.intact:
        found = ngettext(
            "The last verification, %(when)s, found the audit trail NOT intact: %(count)s problem.",
            "The last verification, %(when)s, found the audit trail NOT intact: %(count)s "
            "problems.",
            last.problems,
        ) % {**values, "count": last.problems}
        todo = _(
            "Change nothing. Keep a copy of the database and of the checkpoint file, and tell "
            "the data protection officer (the operations guide says how, under the audit trail)."
        )
        return Check("audit_verification", Level.RED, label, found, todo, VERIFY, figures)
    level = _level(age, VERIFY_OVERDUE, VERIFY_LONG_OVERDUE)
    if last.checkpoint_written_at is not None:
        found = _(
            "Verified intact %(when)s (%(ago)s ago), up to the checkpoint written %(checkpoint)s."
        ) % {**values, "checkpoint": _when(last.checkpoint_written_at)}
    else:
        found = (
            _(
                "Verified intact %(when)s (%(ago)s ago), but against no checkpoint: removing the "
                "newest events would go unnoticed."
            )
            % values
        )
        level = max(level, Level.AMBER, key=ORDER.__getitem__)
    if level is Level.GREEN:
        return Check("audit_verification", level, label, found, figures=figures)
    if age > VERIFY_OVERDUE:
        todo = _(
            "A verification is overdue: check that the nightly verification runs, and run it now."
        )
    else:
        todo = _(
            "Have the checkpoints written to a file the verification reads (the operations "
            "guide says how)."
        )
    return Check("audit_verification", level, label, found, todo, VERIFY, figures)


def checkpoint_check(beat: WorkerHeartbeat | None, now: datetime.datetime) -> Check:
    label = _("Audit checkpoints")
    interval = datetime.timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES)
    written_at = beat.checkpoint_at if beat is not None else None
    failed_at = beat.checkpoint_failed_at if beat is not None else None
    figures = {
        "last_written_at": _iso(written_at),
        "last_failed_at": _iso(failed_at),
        "interval_seconds": _seconds(interval),
        "late_after_seconds": _seconds(interval * CHECKPOINT_LATE_INTERVALS),
    }
    if not destinations():
        return Check(
            "audit_checkpoints",
            Level.AMBER,
            label,
            _(
                "No checkpoints of the audit trail are written: no place for them is set, so "
                "removing the newest events would go unnoticed."
            ),
            _(
                "Set a file and/or the data protection officer's e-mail address for the "
                "checkpoints, as the operations guide says."
            ),
            figures=figures,
        )
    if failed_at is not None and (written_at is None or failed_at > written_at):
        found = _("The last checkpoint could not be written, %(when)s.") % {
            "when": _when(failed_at)
        }
        todo = _(
            "Look in the background worker's log: it names the place that failed and what to "
            "change. The worker tries again by itself."
        )
        return Check("audit_checkpoints", Level.RED, label, found, todo, figures=figures)
    if written_at is None:
        return Check(
            "audit_checkpoints",
            Level.AMBER,
            label,
            _("No checkpoint has been written yet."),
            _("Start the background worker: it writes them regularly."),
            START_WORKER,
            figures,
        )
    late = now - written_at > interval * CHECKPOINT_LATE_INTERVALS
    found = _("The last checkpoint was written %(ago)s ago (every %(minutes)s minutes).") % {
        "ago": _ago(written_at, now),
        "minutes": settings.AUDIT_CHECKPOINT_MINUTES,
    }
    if not late:
        return Check("audit_checkpoints", Level.GREEN, label, found, figures=figures)
    return Check(
        "audit_checkpoints",
        Level.AMBER,
        label,
        found,
        _("Check that the background worker runs (see above)."),
        figures=figures,
    )


def database_check(missing: int) -> Check:
    label = _("Database")
    figures = {"migrations_not_applied": missing}
    if not missing:
        return Check(
            "database",
            Level.GREEN,
            label,
            _("The database answers and is up to date with this version."),
            figures=figures,
        )
    found = ngettext(
        "%(count)s change to the database of this version is not applied.",
        "%(count)s changes to the database of this version are not applied.",
        missing,
    ) % {"count": missing}
    todo = _("Apply them, as the upgrade steps of the operations guide say.")
    return Check("database", Level.RED, label, found, todo, "familiebro migrate", figures)


def instance_health(now: datetime.datetime | None = None) -> InstanceHealth:
    """Every check, in six queries (the migrations check asks for the table first)."""
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.filter(pk=1).first()
    queue = DBTaskResult.objects.ready().aggregate(waiting=Count("pk"), oldest=Min("enqueued_at"))
    failures = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=now - FAILURE_WINDOW
    ).aggregate(
        emails=Count("pk", filter=Q(exception_class_path=mail.email_not_sent_path())),
        all=Count("pk"),
    )
    verification = AuditVerification.objects.order_by("-verified_at", "-pk").first()
    return InstanceHealth(
        checked_at=now,
        checks=[
            worker_check(beat, now),
            queue_check(queue["waiting"], queue["oldest"], now),
            failed_emails_check(failures["emails"]),
            failed_tasks_check(failures["all"] - failures["emails"]),
            sweep_check(beat, now),
            checkpoint_check(beat, now),
            verification_check(verification, now),
            database_check(missing_migrations()),
        ],
    )
