"""The data controller's own checks: its periodic review of the access log, and its
authorisation of every role the instance's administrators give in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogReview(models.Model):
    """A review of one period of the access log by the data controller (a leader of one of its
    units): who reviewed, when, what the review page showed, and their notes (GDPR art. 5(2)
    and art. 32(1)(d): the controller checks that its measures work, and can show it)."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="access_log_reviews"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    # What was found, in counts by kind ("many_reads", "outside_unit", "name_match",
    # "hidden_from_family", "sample"): no names, so the record holds nobody's personal data
    # beyond the reviewer's.
    findings = models.JSONField(default=dict)
    notes = models.TextField(_("notes"))

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = _("access log review")
        verbose_name_plural = _("access log reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="access_log_review_period_in_order",
            )
        ]


class RoleAuthorisation(models.Model):
    """The data controller's authorisation of a role an instance administrator gives a staff
    member in one of its units. An instance administrator runs the installation for every
    controller on it, and must not open one controller's data to anyone on their own say-so
    (GDPR art. 28(3)(a): the processor acts only on the controller's documented instructions);
    the membership is made only with this record (privacy.grants.grant_role)."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("core.ServiceUnit", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20)
    # Who at the controller authorised it (name and position), and the reference of the
    # controller's written authorisation (its case or document number).
    authorised_by = models.CharField(_("authorised by"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("role authorisation")
        verbose_name_plural = _("role authorisations")
