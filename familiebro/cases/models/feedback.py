"""Feedback to the person who raised a concern: given, or withheld and why.

A case's closing records one row for whoever raised it (when someone other than the people
working on the case did). Feedback is given only on a consent in force from the family that
covers it, or, for a case held by child welfare, within barnevernsloven § 13-4; otherwise the
row records that none was given and why. The reporter reads given feedback on a page of its
own after logging in: the e-mail they get says only that there is news.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReporterFeedback(models.Model):
    class Ground(models.TextChoices):
        CONSENT = "consent", _("The family's consent")
        CHILD_WELFARE_ACT = "child_welfare_act", _("The Child Welfare Act § 13-4")

    class Withheld(models.TextChoices):
        NO_CONSENT = "no_consent", _("No consent from the family covers feedback")
        NO_LOGIN = "no_login", _("The person who raised it has no login to Familiebro")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="feedback")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    # Who it is for: set only when the feedback is given, so only a given feedback is theirs
    # to read.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_received",
    )
    ground = models.CharField(_("ground"), max_length=30, choices=Ground.choices, blank=True)
    consent = models.ForeignKey(
        "privacy.Consent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withheld = models.CharField(
        _("why no feedback was given"), max_length=30, choices=Withheld.choices, blank=True
    )
    text = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(_("recorded"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("feedback to the person who raised it")
        verbose_name_plural = _("feedback to the people who raised it")

    @property
    def given(self) -> bool:
        return not self.withheld
