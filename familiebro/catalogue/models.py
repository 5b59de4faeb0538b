"""The catalogue: national programmes, local offers, and the directory published as HSDS 3.0.

The shapes follow Open Referral's HSDS 3.0 so the directory can be exchanged with other
systems: a Provider is an HSDS organization, an Offer an HSDS service, a Location an HSDS
location. Fields HSDS has and Familiebro does not use are kept in `hsds_extra`, so a directory
imported from another system is published again unchanged. The catalogue holds no personal
data about families; contact persons on offers are staff who chose to be shown.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Child age is counted in months; pregnancy is negative (-9 is the start of a pregnancy),
# so one range can say "from pregnancy to 1 year" as -9..12.
PREGNANCY_START_MONTHS = -9

# Languages an offer's own text may be translated into, beyond bokmål (the original).
CONTENT_LANGUAGES = [
    ("nn", "Norsk nynorsk"),
    ("en", "English"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("pl", "Polski"),
    ("uk", "Українська"),
    ("ti", "ትግርኛ"),
]
RIGHT_TO_LEFT_LANGUAGES = {"ar"}


class Taxonomy(models.Model):
    """A vocabulary of terms (HSDS taxonomy): topics, target groups."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, related_name="terms", null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name (bokmål)"), max_length=200)
    name_nn = models.CharField(_("name (nynorsk)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("plain-language description"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    term_uri = models.URLField(blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A national programme or method (ICDP, PMTO, De utrolige årene…), offered locally."""

    class EvidenceLevel(models.IntegerChoices):
        # Ungsinn's classification of evidence, version 2.1.
        LEVEL_0 = 0, _("Level 0: not classified")
        LEVEL_1 = 1, _("Level 1: theoretically founded")
        LEVEL_2 = 2, _("Level 2: documented")
        LEVEL_3 = 3, _("Level 3: probable effect")
        LEVEL_4 = 4, _("Level 4: effective")
        LEVEL_5 = 5, _("Level 5: effective, tested in Norway (well documented)")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.CharField(_("owner or provider"), max_length=300)
    target_group = models.TextField(_("target group"))
    purpose = models.TextField(_("purpose"))
    age_from_months = models.IntegerField(_("child age from (months)"), null=True, blank=True)
    age_to_months = models.IntegerField(_("child age to (months)"), null=True, blank=True)
    theoretical_basis = models.TextField(_("theoretical basis"), blank=True)
    is_universal = models.BooleanField(_("universal prevention"), default=False)
    is_selective = models.BooleanField(_("selective prevention"), default=False)
    is_indicated = models.BooleanField(_("indicated prevention"), default=False)
    format_group = models.BooleanField(_("group"), default=False)
    format_individual = models.BooleanField(_("individual"), default=False)
    format_digital = models.BooleanField(_("digital"), default=False)
    format_home_visit = models.BooleanField(_("home visit"), default=False)
    certification_required = models.BooleanField(_("certification required"), default=False)
    evidence_level = models.PositiveSmallIntegerField(
        _("evidence level (Ungsinn 2.1)"), choices=EvidenceLevel.choices, null=True, blank=True
    )
    evidence_source_url = models.URLField(_("evidence source"), blank=True)
    # Who rated the programme and when: a rating is a statement at a date, and Ungsinn revises
    # them. Empty where the register does not know.
    evidence_source_name = models.CharField(
        _("who rated the evidence"), max_length=200, blank=True, default=""
    )
    evidence_rated_on = models.DateField(_("date of the rating"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    source_note = models.TextField(
        _("note on the source"),
        blank=True,
        help_text=_("Where the source is ambiguous, what it says and which value is kept."),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """An organisation publishing offers (HSDS organization). Familiebro's own organisations
    have one each; imported directories bring their own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.OneToOneField(
        "core.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="provider",
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A physical place where offers are given (HSDS location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("postal town"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    hsds_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name or self.address


class OfferQuerySet(models.QuerySet["Offer"]):
    def published(self) -> OfferQuerySet:
        """What parents and other systems may see: published offers only. Drafts and retired
        offers never show, in the finder, on an offer's page, in the HSDS API or as a photo."""
        return self.filter(status=Offer.Status.PUBLISHED)


class Offer(models.Model):
    """A local offer (HSDS service): a course, a group, a conversation service, a drop-in."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers")
    unit = models.ForeignKey(
        "core.ServiceUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="offers",
        help_text=_("The unit that runs the offer; empty for offers imported from elsewhere."),
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    topics = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="offers_by_topic")
    target_groups = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="offers_by_target_group"
    )
    age_from_months = models.IntegerField(_("child age from (months)"), null=True, blank=True)
    age_to_months = models.IntegerField(_("child age to (months)"), null=True, blank=True)
    # Space-separated ISO 639-1 codes with a space at each end (" nb en ar "), so one LIKE
    # finds a language on every database.
    languages = models.CharField(_("languages spoken"), max_length=200, default=" nb ")
    locations = models.ManyToManyField(Location, blank=True, related_name="offers")
    municipalities = models.ManyToManyField(
        "core.Municipality",
        blank=True,
        related_name="offers",
        help_text=_("Municipalities whose residents the offer is for."),
    )
    is_digital = models.BooleanField(_("digital"), default=False)
    # Digital and for no particular municipality's residents: shown in every municipality.
    # Derived from is_digital and municipalities, and stored so the finder reads a few
    # hundred indexed rows instead of testing every offer's municipalities on each search.
    # The database default lets code that predates the column still insert offers.
    is_nationwide = models.BooleanField(default=False, db_default=False, editable=False)
    format_group = models.BooleanField(_("group"), default=False)
    format_individual = models.BooleanField(_("individual"), default=False)
    format_home_visit = models.BooleanField(_("home visit"), default=False)
    open_evenings = models.BooleanField(_("open evenings"), default=False)
    open_weekends = models.BooleanField(_("open weekends"), default=False)
    is_free = models.BooleanField(_("free"), default=True)
    cost = models.CharField(_("cost"), max_length=300, blank=True)
    referral_required = models.BooleanField(_("referral required"), default=False)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    how_to_sign_up = models.TextField(_("how to sign up"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("contact person's title"), max_length=200, blank=True)
    contact_photo = models.ImageField(_("photo"), upload_to="contacts/", blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    phone_hours = models.CharField(_("phone hours"), max_length=200, blank=True)
    url = models.URLField(_("web page"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Title, description, topics and programme in one text, kept current on save, so search
    # reads one column (PostgreSQL indexes it for Norwegian full-text and trigram search).
    search_document = models.TextField(blank=True, editable=False)
    # The finder's index terms (familiebro.catalogue.finder.analysis): words, their stems and
    # the parts of compounds, by where they stand, because a match in the title or the themes
    # counts more than one in the text. Kept current with search_document.
    search_title = models.TextField(blank=True, default="", db_default="", editable=False)
    search_themes = models.TextField(blank=True, default="", db_default="", editable=False)
    search_body = models.TextField(blank=True, default="", db_default="", editable=False)
    hsds_extra = models.JSONField(default=dict, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "title"]),
            models.Index(fields=["unit", "status"]),
            models.Index(
                fields=["id"],
                condition=models.Q(is_nationwide=True),
                name="catalogue_offer_nationwide",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OfferTranslation(models.Model):
    """The offer's own text in another language. Bokmål on the offer is the original."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=5, choices=CONTENT_LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    how_to_sign_up = models.TextField(_("how to sign up"), blank=True)

    class Meta:
        verbose_name = _("offer translation")
        verbose_name_plural = _("offer translations")
        constraints = [
            models.UniqueConstraint(fields=["offer", "language"], name="offer_translation_unique")
        ]


class OpeningHours(models.Model):
    """Recurring weekly hours (HSDS schedule with freq WEEKLY)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]


class OfferSession(models.Model):
    """A dated session of a course or group: exported as iCalendar."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]


class Thesaurus(models.Model):
    """One version of the finder's thesaurus: the words parents use, and what the finder
    searches for them (familiebro.catalogue.finder.thesaurus reads the text).

    Every save by an editor is a new version; the newest is in force. The first version is
    the product's default (familiebro/catalogue/data/thesaurus.txt), loaded by migration.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    text = models.TextField(_("thesaurus"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("thesaurus version")
        verbose_name_plural = _("thesaurus versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Thesaurus v{self.version}"


class CrisisLine(models.Model):
    """An emergency number or helpline the finder shows first when a search is about violence,
    abuse, self-harm or suicide (finder/crisis.py). Editors keep them current: numbers and
    opening hours change, and each municipality has its own crisis centre."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency number")
        HELPLINE = "helpline", _("Helpline")
        CRISIS_CENTRE = "crisis_centre", _("Crisis centre")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Empty for a line that is a web page only (the list of every crisis centre).
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("when to call (bokmål)"))
    description_nn = models.TextField(_("when to call (nynorsk)"), blank=True)
    description_en = models.TextField(_("when to call (English)"), blank=True)
    open_day_and_night = models.BooleanField(_("open day and night"), default=True)
    url = models.URLField(_("web page"), blank=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crisis_lines",
        help_text=_("Empty for a number for the whole country."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Lower numbers are shown first.")
    )
    is_active = models.BooleanField(_("shown"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("crisis line")
        verbose_name_plural = _("crisis lines")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"
