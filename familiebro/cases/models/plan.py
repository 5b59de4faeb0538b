"""Goals in the family's own words, measures (tiltak) with their evaluations, and the
individual plan (individuell plan)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Goal(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="goals")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sub_goals"
    )
    text = models.TextField(_("goal, in the family's own words"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    achieved_at = models.DateTimeField(null=True, blank=True)
    # When the holding service released it to the parents of a young person (12–17) whose
    # records it keeps from them by default (familiebro.privacy.family); None: not released.
    released_to_family_at = models.DateTimeField(_("released to the family"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Measure(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOPPED = "stopped", _("Stopped")
        COMPLETED = "completed", _("Completed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="measures")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("what is done"), blank=True)
    responsible_unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="+"
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    evaluation_date = models.DateField(_("evaluation date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # Visible to the family unless marked internal, with the reason.
    internal_reason = models.CharField(_("why it is internal"), max_length=300, blank=True)
    # When the holding service released it to the parents of a young person (12–17) whose
    # records it keeps from them by default (familiebro.privacy.family); None: not released.
    released_to_family_at = models.DateTimeField(_("released to the family"), null=True, blank=True)
    meeting = models.ForeignKey(
        "cases.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    # Optimistic concurrency: every change raises it; a change based on an older version is
    # refused with both versions shown.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["evaluation_date", "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    @property
    def is_internal(self) -> bool:
        return bool(self.internal_reason)


class MeasureEvaluation(models.Model):
    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        CHANGE = "change", _("Change")
        STOP = "stop", _("Stop")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evaluations")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    what_worked = models.TextField(_("what worked"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    next_evaluation_date = models.DateField(_("next evaluation"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["evaluated_at", "pk"]


class IndividualPlan(models.Model):
    """An individual plan, for a family that needs long-term coordinated services. It names
    the coordinator (the case's) and the responsibility group (participants)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="individual_plans"
    )
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    unit = models.ForeignKey("core.ServiceUnit", on_delete=models.PROTECT, related_name="+")
    responsibility_group = models.ManyToManyField(
        "cases.Participant", blank=True, related_name="individual_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_active_plan_per_case"
            )
        ]
