"""Anonymous consultation (anonym drøfting): a case discussed without identity.

The model has no field that can point to a person: no foreign key to persons or cases, no
name, no birth date, only an age band. Free text is checked for anything that looks like an
identity number or a full name before it is saved (see privacy.consultation). A
real case later starts fresh, with consent; it is never linked back to this record.

The unit that brought the case knows who the family is, so for that unit the record is
pseudonymous personal data (GDPR recital 26, art. 4(5)): it is read through the access policy,
by the unit's members only, and kept for a short time (docs/data-protection.md, section 11).
When child welfare advised that the duty to report applies, the record says so, and says when
the unit made the report and who recorded it; the report itself, with the child's identity,
is made to child welfare outside this record.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    PREGNANCY = "pregnancy", _("Pregnancy")
    AGE_0_1 = "0-1", _("0–1 years")
    AGE_1_5 = "1-5", _("1–5 years")
    AGE_6_12 = "6-12", _("6–12 years")
    AGE_13_17 = "13-17", _("13–17 years")
    AGE_18_23 = "18-23", _("18–23 years")


class AnonymousConsultation(models.Model):
    unit = models.ForeignKey(
        "core.ServiceUnit",
        on_delete=models.PROTECT,
        related_name="anonymous_consultations",
        verbose_name=_("unit that brought the case"),
    )
    held_on = models.DateField(_("date"))
    services_present = models.ManyToManyField(
        "core.ServiceUnit", related_name="+", verbose_name=_("services present")
    )
    age_band = models.CharField(_("child's age band"), max_length=10, choices=AgeBand.choices)
    topics = models.CharField(_("topics"), max_length=300)
    advice = models.TextField(_("advice given"))
    follow_up = models.TextField(_("follow-up agreed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Child welfare's advice in the forum was that the duty to report (barnevernsloven
    # § 13-2) applies: the unit must make a report, with the child's identity, to child
    # welfare. Until a member records that it was made, the unit's members are prompted.
    child_welfare_advised_report = models.BooleanField(
        _("child welfare advised that the duty to report applies"), default=False
    )
    report_made_on = models.DateField(_("report made on"), null=True, blank=True)
    report_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("report recorded by"),
    )
    report_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("anonymous consultation")
        verbose_name_plural = _("anonymous consultations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} ({self.get_age_band_display()})"

    @property
    def report_due(self) -> bool:
        """Child welfare advised a report and nobody has recorded that it was made."""
        return self.child_welfare_advised_report and self.report_made_on is None
