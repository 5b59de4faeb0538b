"""Consent (samtykke) as data: who agreed, to what exact text, for whom, for how long."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Purposes a family can consent to. Each consent names exactly one."""

    COORDINATION = "coordination", _("Coordination across services")
    SHARED_LOG = "shared_log", _("Shared coordination log")
    REFERRAL = "referral", _("Referral with attachments")
    INFORMATION_SHARING = "information_sharing", _("Information sharing with a named service")
    INTERDISCIPLINARY_MEETING = (
        "interdisciplinary_meeting",
        _("Participation in an interdisciplinary meeting"),
    )


class DataCategory(models.TextChoices):
    """The parts of a family's data a consent can cover (its scope)."""

    LOG_ENTRIES = "log_entries", _("Log entries")
    MEASURES_AND_PLANS = "measures_and_plans", _("Measures and plans")
    MEETING_MINUTES = "meeting_minutes", _("Meeting minutes")
    DOCUMENTS = "documents", _("Documents")
    OUTCOME_SCORES = "outcome_scores", _("Outcome scores")
    CONTACT_DETAILS = "contact_details", _("Contact details")


# Name and birth date: every consent lets its recipients know whom it is about.
IDENTITY_CATEGORY = "identity"


class ConsentText(models.Model):
    """One version of the plain-language text a family agrees to, per purpose and language.

    Texts are never edited once used: a change is a new version, so every consent points at
    exactly the words that were agreed to.
    """

    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version} ({self.language})"


class ConsentRule(models.Model):
    """Who must consent, per organisation and purpose. Without a rule: every guardian with
    parental responsibility (the safe default)."""

    class Givers(models.TextChoices):
        ALL_GUARDIANS = "all_guardians", _("Every guardian with parental responsibility")
        YOUNG_PERSON = "young_person", _("The young person alone, from the age limit")
        YOUNG_PERSON_AND_GUARDIANS = (
            "young_person_and_guardians",
            _("The young person and every guardian with parental responsibility"),
        )

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="consent_rules"
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    givers = models.CharField(_("who consents"), max_length=40, choices=Givers.choices)
    young_person_age = models.PositiveSmallIntegerField(
        _("age from which the young person consents"), default=15
    )

    class Meta:
        verbose_name = _("consent rule")
        verbose_name_plural = _("consent rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose"], name="consent_rule_unique_per_purpose"
            )
        ]


class ConsentQuerySet(models.QuerySet):
    def valid_at(self, moment: datetime.datetime | None = None) -> ConsentQuerySet:
        """Consents in force at `moment`: started, not ended, not withdrawn."""
        moment = moment or timezone.now()
        return self.filter(
            Q(valid_from__lte=moment),
            Q(valid_to__isnull=True) | Q(valid_to__gt=moment),
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment),
        )


class Consent(models.Model):
    """A family's consent for one purpose, to named recipients, covering named categories.

    A consent is never changed after it is given, except to record its withdrawal. What the
    recipients saw before the withdrawal stays with them; from the withdrawal on, they see
    nothing more.
    """

    class Channel(models.TextChoices):
        DIGITAL = "digital", _("Given digitally by the person")
        PAPER = "paper", _("On paper, recorded by staff")
        ORAL = "oral", _("Orally, recorded by staff")

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="consents",
        help_text=_("The data controller that holds the data the consent opens."),
    )
    subject = models.ForeignKey(
        "core.Person",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("child or young person"),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    recipient_organisations = models.ManyToManyField(
        "core.Organisation",
        blank=True,
        related_name="consents_received",
        verbose_name=_("recipient organisations"),
    )
    recipient_units = models.ManyToManyField(
        "core.ServiceUnit",
        blank=True,
        related_name="consents_received",
        verbose_name=_("recipient units"),
    )
    # Space-separated categories with a space at each end (" log_entries documents "), so one
    # LIKE finds a category on both PostgreSQL and SQLite. Use `scope_categories` to read it.
    scope = models.CharField(_("scope"), max_length=200)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, verbose_name=_("text"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    channel = models.CharField(_("how it was given"), max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    attachment = models.FileField(_("scanned form"), upload_to="consents/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "core.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["subject", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.valid_from:%d.%m.%Y})"

    @property
    def scope_categories(self) -> list[str]:
        return self.scope.split()

    @staticmethod
    def encode_scope(categories: list[str]) -> str:
        return " " + " ".join(sorted(set(categories))) + " "

    def state(self, moment: datetime.datetime | None = None) -> str:
        moment = moment or timezone.now()
        if self.withdrawn_at and self.withdrawn_at <= moment:
            return "withdrawn"
        if self.valid_from > moment:
            return "pending"
        if self.valid_to and self.valid_to <= moment:
            return "expired"
        return "valid"


class ConsentGiver(models.Model):
    """One person who gave the consent: a guardian, or the young person."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="givers")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(
        max_length=20,
        choices=[("guardian", _("Guardian")), ("young_person", _("Young person"))],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "person"], name="consent_giver_unique")
        ]
