"""How long each category of personal data is kept, what happens after, and what stops it.

A rule is for one category, and may be narrowed to one data controller (organisation) and
one kind of service unit: a health centre's closed cases are preserved and deposited under
the archive rules, while the same controller's requests that never became a case are
deleted. A legal hold stops the deletion of one person's or one record's data, whatever the
rule says. A deposit is the archive package made before preserved records leave the live
system (docs/data-protection.md, section 6).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    class Outcome(models.TextChoices):
        DELETE = "delete", _("Delete")
        ANONYMISE = "anonymise", _("Anonymise")
        # Kept under an archive rule: after the period the records go into a deposit
        # package, and leave the live system only when the archive has taken it over.
        PRESERVE = "preserve", _("Preserve and deposit")

    category = models.CharField(_("data category"), max_length=50)
    # Empty: the instance's default for every controller without a rule of its own.
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("data controller"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_rules",
    )
    # Empty: every kind of unit (and records that belong to no unit).
    unit_kind = models.CharField(_("kind of unit"), max_length=30, blank=True)
    period_days = models.PositiveIntegerField(_("kept for (days)"))
    outcome = models.CharField(_("then"), max_length=10, choices=Outcome.choices)
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["category", "organisation_id", "unit_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "organisation", "unit_kind"],
                name="retention_rule_unique_per_controller_and_kind",
            ),
            # NULL is never equal to NULL in a unique constraint: the instance's defaults
            # need one of their own.
            models.UniqueConstraint(
                fields=["category", "unit_kind"],
                condition=Q(organisation__isnull=True),
                name="retention_rule_unique_default_per_kind",
            ),
        ]

    def __str__(self) -> str:
        scope = [str(self.organisation_id or "*"), self.unit_kind or "*"]
        return (
            f"{self.category} [{'/'.join(scope)}]: {self.period_days} d → "
            f"{self.get_outcome_display()}"
        )


class LegalHold(models.Model):
    """Stops retention from deleting or anonymising a person's data, or one record.

    Placed by the data controller when the data may be needed as evidence (a complaint, a
    supervision case, a claim, a court case), with the reason; lifted the same way. While a
    hold stands, retention leaves the rows alone and says so in its report.
    """

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("data controller"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    # A hold on a person keeps everything retention would remove about them.
    person = models.ForeignKey(
        "core.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    # A hold on one record: its model's label ("cases.case") and id.
    object_type = models.CharField(_("kind of record"), max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        constraints = [
            # A hold is on a person or on one record, never on nothing.
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | (Q(object_id__isnull=False) & ~Q(object_type="")),
                name="legal_hold_names_what_it_holds",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="legal_hold_has_a_reason"),
        ]

    def __str__(self) -> str:
        what = (
            f"person {self.person_id}" if self.person_id else f"{self.object_type} {self.object_id}"
        )
        return f"hold on {what}" + (" (lifted)" if self.lifted_at else "")


class Deposit(models.Model):
    """An archive package of preserved records, made before they leave the live system.

    Records are removed from Familiebro only when the deposit that holds them is marked as
    taken over by the archive (`transferred_at`), so nothing leaves before a copy is safe.
    """

    package_id = models.UUIDField(_("package"), unique=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("data controller"),
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    category = models.CharField(_("data category"), max_length=50)
    object_type = models.CharField(_("kind of record"), max_length=100)
    object_ids = models.JSONField(_("records"), default=list)
    manifest_sha256 = models.CharField(_("checksum of the manifest"), max_length=64)
    created_at = models.DateTimeField(_("made"))
    created_by = models.CharField(_("made by"), max_length=200)
    transferred_at = models.DateTimeField(_("taken over by the archive"), null=True, blank=True)
    transferred_note = models.CharField(_("archive's receipt"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.package_id} ({self.category}, {len(self.object_ids)})"
