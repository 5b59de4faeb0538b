"""Deadlines: every one a row (what, whose, due when, from which rule), and the reminders
and in-app notifications the worker sends about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Deadline(models.Model):
    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        WORKING = "working", _("Working days")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    unit = models.ForeignKey("core.ServiceUnit", on_delete=models.PROTECT, related_name="+")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    # The rule that made it, e.g. "bti v1: level0_decision (14 calendar days)".
    rule = models.CharField(_("rule"), max_length=200)
    key = models.CharField(max_length=50)
    title = models.CharField(_("what"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    measure = models.ForeignKey(
        "cases.Measure", on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    meeting = models.ForeignKey(
        "cases.Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_open_due",
            ),
            models.Index(fields=["case", "completed_at", "cancelled_at", "due_at"]),
            models.Index(fields=["responsible", "completed_at", "cancelled_at", "due_at"]),
        ]

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None


class Reminder(models.Model):
    """One reminder about one deadline to one person. The unique key is what makes the
    worker send each reminder once, even when it is restarted in the middle of a run."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Due soon")
        DUE = "due", _("Due today")
        ESCALATED = "escalated", _("Overdue, told to the leader")

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    help_request = models.ForeignKey(
        "cases.HelpRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "recipient"],
                condition=Q(deadline__isnull=False),
                name="reminder_once_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["help_request", "kind", "recipient"],
                condition=Q(help_request__isnull=False),
                name="reminder_once_per_help_request",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) ^ Q(help_request__isnull=True),
                name="reminder_is_about_one_thing",
            ),
        ]


class Notification(models.Model):
    """A message in a staff member's own list in Familiebro. It names a reference and links to
    the page; it never carries the family's details."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
