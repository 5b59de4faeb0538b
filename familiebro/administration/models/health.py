"""The background worker's heartbeat: what the instance health page reads of the worker."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row (pk 1), updated by every running worker on each turn of its loop, after each
    reminder sweep and after each audit checkpoint. Several workers write the same row: the
    page asks whether any worker is alive, not which."""

    beat_at = models.DateTimeField(_("last sign of life"))
    started_at = models.DateTimeField(_("started"))
    # The worker's --interval: how often it sweeps, so the page knows when a sweep is late.
    sweep_interval_seconds = models.PositiveIntegerField(_("seconds between sweeps"))
    swept_at = models.DateTimeField(_("last reminder sweep finished"), null=True, blank=True)
    sweep_failed_at = models.DateTimeField(_("last reminder sweep failed"), null=True, blank=True)
    checkpoint_at = models.DateTimeField(_("last audit checkpoint written"), null=True, blank=True)
    checkpoint_failed_at = models.DateTimeField(
        _("last audit checkpoint failed"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"worker alive at {self.beat_at:%Y-%m-%d %H:%M:%S}"
