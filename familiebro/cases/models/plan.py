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
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
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
        verbose_name = _("evaluation of a measure")
        verbose_name_plural = _("evaluations of measures")
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
    # The family's consent that the plan is made and that the responsibility group shares
    # what it needs (forskrift om habilitering og rehabilitering, individuell plan og
    # koordinator § 19 and § 22). Required for every plan started since plans have recorded
    # it (familiebro.cases.plans.services.start_plan). Protected: retention keeps the consent
    # as long as the plan (familiebro.cases.retention).
    consent = models.ForeignKey(
        "privacy.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the family's consent to the plan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_active_plan_per_case"
            )
        ]


class PlanDecision(models.Model):
    """A decision on the family's right to an individual plan, a coordinator or a child
    coordinator (helse- og omsorgstjenesteloven §§ 7-1, 7-2 and 7-2 a): when it was asked
    for or considered, granted or refused, by whom, why, and how to appeal. Never changed: a
    new decision (after an appeal, say) is a new row. The rules are in
    familiebro.cases.plans.decisions."""

    class Right(models.TextChoices):
        INDIVIDUAL_PLAN = "individual_plan", _("Individual plan")
        COORDINATOR = "coordinator", _("Coordinator")
        CHILD_COORDINATOR = "child_coordinator", _("Child coordinator")

    class Origin(models.TextChoices):
        APPLIED = "applied", _("The family asked for it")
        CONSIDERED = "considered", _("The service considered it on its own initiative")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="plan_decisions")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    right = models.CharField(_("the right"), max_length=20, choices=Right.choices)
    origin = models.CharField(_("how it came up"), max_length=20, choices=Origin.choices)
    requested_on = models.DateField(_("asked for or considered on"))
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    appeal_information = models.TextField(_("how to appeal"), blank=True)
    # Who is appointed, when a coordinator or child coordinator is granted.
    appointed = models.CharField(_("appointed"), max_length=200, blank=True)
    # What § 7-2 a asks of a child coordinator, as the decision-maker found it.
    serious_condition = models.BooleanField(
        _("the child has a serious illness, injury or disability"), default=False
    )
    long_term_needs = models.BooleanField(
        _(
            "the child will need long-term, coordinated health and care services and other "
            "welfare services"
        ),
        default=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("decision on a plan or coordinator")
        verbose_name_plural = _("decisions on plans and coordinators")


class PlanSettings(models.Model):
    """An organisation's settings for individual plans and coordinators, each the data
    controller's decision: the municipality's coordinating unit (koordinerende enhet,
    helse- og omsorgstjenesteloven § 7-3), which holds the overall responsibility for
    individual plans and appoints coordinators and child coordinators; and where the plans
    are archived. One row per organisation; set with `familiebro plan-settings`."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="plan_settings"
    )
    coordinating_unit = models.ForeignKey(
        "core.ServiceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating unit"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reference = models.CharField(
        _("the municipality's decision"), max_length=200, blank=True
    )
    # False (the safe default): a closed case with an individual plan or a decision on the
    # rights to one or to a coordinator is preserved and deposited from Familiebro. True: the
    # controller keeps them in its own record system (the journal), which is archived, so
    # Familiebro deletes them with the case under the case's rule.
    plans_archived_elsewhere = models.BooleanField(
        _("plans are archived from the organisation's own record system"), default=False
    )
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("settings for individual plans")
        verbose_name_plural = _("settings for individual plans")
