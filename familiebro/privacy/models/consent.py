"""Consent (samtykke) as data: who agreed, to what exact text, for whom, for how long."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import ConfidentialityDomain


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
    exactly the words that were agreed to. A text belongs to one data controller
    (organisation), or to none: the instance's text, used by every organisation that has
    published none of its own for the purpose and language (consent_reads.current_text).
    Versions are counted per organisation, and for the instance's texts on their own.
    """

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("data controller"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_texts",
    )
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
                fields=["organisation", "purpose", "language", "version"],
                name="consent_text_version_unique_per_organisation",
            ),
            # NULL is never equal to NULL in a unique constraint: the instance's texts need
            # one of their own.
            models.UniqueConstraint(
                fields=["purpose", "language", "version"],
                condition=Q(organisation__isnull=True),
                name="consent_text_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version} ({self.language})"


class ConsentRule(models.Model):
    """Who must consent, per organisation, service (confidentiality domain) and purpose.

    The rule for a domain comes first, then the organisation's rule for every domain, then the
    law's default for the domain (privacy.consent_reads.STATUTORY_RULES): health matters from
    16 the young person alone (pasient- og brukerrettighetsloven § 4-3), child welfare from 15
    the young person as a party with the guardians (barnevernsloven § 12-3), elsewhere every
    guardian with parental responsibility (the safe default). Below the age limit the
    guardians with parental responsibility consent."""

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
    # Empty: the rule for every service of the organisation that has no rule of its own.
    domain = models.CharField(
        _("service"), max_length=30, choices=ConfidentialityDomain.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    givers = models.CharField(_("who consents"), max_length=40, choices=Givers.choices)
    young_person_age = models.PositiveSmallIntegerField(
        _("age from which the young person consents"), default=15
    )
    # From this age the child's own view is asked for and recorded with the guardians'
    # consent (barnevernsloven § 1-4, pasient- og brukerrettighetsloven § 4-4); None: not asked.
    child_heard_from_age = models.PositiveSmallIntegerField(
        _("age from which the child's view is recorded"), null=True, blank=True, default=7
    )

    class Meta:
        verbose_name = _("consent rule")
        verbose_name_plural = _("consent rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "domain", "purpose"],
                name="consent_rule_unique_per_domain_and_purpose",
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
            Q(lapses_at__isnull=True) | Q(lapses_at__gt=moment),
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
    # The service whose data the consent opens: only rows held in this confidentiality domain
    # (and whom it is about). Empty: every service of the data controller.
    domain = models.CharField(
        _("whose information"), max_length=30, choices=ConfidentialityDomain.choices, blank=True
    )
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
    # When a consent given without the young person (by the guardians, or in their place)
    # stops because the child comes of age: for the health service's information the 16th
    # birthday, for every other service the 18th, when it is asked again of the young person
    # (consent_services.lapses_at). Empty: the young person gave it, or no birth date.
    lapses_at = models.DateTimeField(_("lapses when the child comes of age"), null=True, blank=True)
    # The child's own view, asked for when the child is to be heard (ConsentRule).
    child_view = models.TextField(_("the child's own view"), blank=True)
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
        if self.lapses_at and self.lapses_at <= moment:
            return "lapsed"
        return "valid"


class Capacity(models.TextChoices):
    """In which capacity someone gave a consent: what entitled them to give it."""

    PARENTAL_RESPONSIBILITY = (
        "parental_responsibility",
        _("Guardian with parental responsibility"),
    )
    YOUNG_PERSON = "young_person", _("The young person themselves")
    CHILD_WELFARE_CARE_ORDER = (
        "child_welfare_care_order",
        _("Child welfare service, after a care order"),
    )
    REPRESENTATIVE = "representative", _("Representative for an unaccompanied minor")


# The capacities in which someone consents in the place of the guardians.
IN_PLACE_OF_GUARDIANS = (Capacity.CHILD_WELFARE_CARE_ORDER, Capacity.REPRESENTATIVE)


class ConsentGiver(models.Model):
    """One who gave the consent, in which capacity: a guardian, the young person, or in the
    guardians' place the child welfare service after a care order or a representative for an
    unaccompanied minor (recorded by name, as they are not the child's registered family)."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="givers")
    person = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The service or representative consenting in the guardians' place.
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(
        max_length=30,
        choices=[
            ("guardian", _("Guardian")),
            ("young_person", _("Young person")),
            ("in_place_of_guardians", _("In the guardians' place")),
        ],
    )
    capacity = models.CharField(
        _("capacity"),
        max_length=30,
        choices=Capacity.choices,
        default=Capacity.PARENTAL_RESPONSIBILITY,
    )

    class Meta:
        verbose_name = _("consent giver")
        verbose_name_plural = _("consent givers")
        constraints = [
            models.UniqueConstraint(fields=["consent", "person"], name="consent_giver_unique")
        ]

    def __str__(self) -> str:
        return str(self.person) if self.person_id else self.name
