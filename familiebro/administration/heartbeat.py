"""What the background worker records of itself, for the instance health page. The worker
(`familiebro worker`) calls these; each is one UPDATE (an INSERT the first time), so a beat
costs the worker almost nothing."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import WorkerHeartbeat

ROW = 1


def _write(**fields: object) -> None:
    if WorkerHeartbeat.objects.filter(pk=ROW).update(**fields):
        return
    now = timezone.now()
    defaults: dict[str, object] = {"beat_at": now, "started_at": now, "sweep_interval_seconds": 0}
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(pk=ROW, **{**defaults, **fields})
    except IntegrityError:
        # Another worker wrote the first row at the same moment.
        WorkerHeartbeat.objects.filter(pk=ROW).update(**fields)


def started(*, sweep_interval: float) -> None:
    now = timezone.now()
    _write(beat_at=now, started_at=now, sweep_interval_seconds=round(sweep_interval))


def beat(now: datetime.datetime | None = None) -> None:
    _write(beat_at=now or timezone.now())


def swept() -> None:
    now = timezone.now()
    _write(beat_at=now, swept_at=now)


def sweep_failed() -> None:
    now = timezone.now()
    _write(beat_at=now, sweep_failed_at=now)


def checkpoint_written() -> None:
    now = timezone.now()
    _write(beat_at=now, checkpoint_at=now)


def checkpoint_failed() -> None:
    now = timezone.now()
    _write(beat_at=now, checkpoint_failed_at=now)
