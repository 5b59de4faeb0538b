"""How long each category of personal data is kept, and what happens after."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    class Outcome(models.TextChoices):
        DELETE = "delete", _("Delete")
        ANONYMISE = "anonymise", _("Anonymise")

    category = models.CharField(_("data category"), max_length=50, unique=True)
    period_days = models.PositiveIntegerField(_("kept for (days)"))
    outcome = models.CharField(_("then"), max_length=10, choices=Outcome.choices)
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.category}: {self.period_days} d → {self.get_outcome_display()}"
