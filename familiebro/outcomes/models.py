"""Outcomes: questionnaires as data (instruments and their versions), and the session scales a
family fills in a case (raters and their scores).

An instrument's words, scales and norms are rows, not code, so an instance that holds a licence
for a published scale loads it as a new version of its own. A published version never changes:
the scores given on it must keep meaning what the family answered to (save and delete refuse,
and so do the items of a published version).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("nb", "nn", "en")


def in_language(texts: dict[str, str] | None, language: str | None = None) -> str:
    """The text in the page's language, else bokmål, else any: an instrument may be loaded
    in fewer languages than the product speaks."""
    if not texts:
        return ""
    language = (language or get_language() or "nb")[:2]
    return texts.get(language) or texts.get("nb") or next(iter(texts.values()), "")


class PublishedVersionError(Exception):
    """A change to a published instrument version: make a new version instead."""


class Instrument(models.Model):
    class Mode(models.TextChoices):
        # Filled in a case, under the family's consent: personal data.
        LINKED = "linked", _("Linked to a case")
        # Filled without a name: never joined back to a person.
        ANONYMOUS = "anonymous", _("Anonymous")

    class Kind(models.TextChoices):
        # The session pair: what the change graph and its colours are computed for.
        WELLBEING = "wellbeing", _("Wellbeing scale (start of a session)")
        ALLIANCE = "alliance", _("Alliance scale (end of a session)")
        EVALUATION = "evaluation", _("Evaluation")
        SURVEY = "survey", _("Survey")
        INDICATORS = "indicators", _("Indicator form")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.JSONField(_("name"))  # {language: text}
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["key"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name)


class Respondent(models.TextChoices):
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child or young person")
    BOTH = "both", _("Parent and child together")
    STAFF = "staff", _("Staff member")
    COLLATERAL = "collateral", _("Someone else who knows the family")


class InstrumentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    intro = models.JSONField(_("introduction"), default=dict)  # {language: text}
    respondents = models.JSONField(_("who answers"), default=list)  # [Respondent]
    languages = models.JSONField(_("languages"), default=list)
    # The alliance total below which the help should be talked about (red).
    cutoff = models.PositiveSmallIntegerField(_("cut-off"), null=True, blank=True)
    # The instrument's own norm data, when it has some: the expected change from the first
    # score at each later session ({"expected_change": [0, 2.5, …], "band": 5}). Without it
    # the expected trajectory is computed from the instance's own case mix (norms.py).
    norm = models.JSONField(_("norm data"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="outcomes_version_number_unique"
            ),
            # One draft at a time per instrument: editors work on the same next version.
            models.UniqueConstraint(
                fields=["instrument"],
                condition=models.Q(status="draft"),
                name="outcomes_one_draft_per_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.key} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._published_in_database():
            raise PublishedVersionError(
                "A published questionnaire version cannot change; make a new version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._published_in_database():
            raise PublishedVersionError("A published questionnaire version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def display_intro(self) -> str:
        return in_language(self.intro)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def _published_in_database(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists()
        )


class Scale(models.TextChoices):
    ZERO_FIVE = "0-5", _("0 to 5")
    ONE_FIVE = "1-5", _("1 to 5")
    ZERO_TEN = "0-10", _("0 to 10")
    YES_NO = "yes_no", _("Yes, no or don't know")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    FREE_TEXT = "text", _("Free text")


# The numeric scales and their ranges.
RANGES: dict[str, tuple[int, int]] = {
    Scale.ZERO_FIVE: (0, 5),
    Scale.ONE_FIVE: (1, 5),
    Scale.ZERO_TEN: (0, 10),
}


class Item(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=50)
    text = models.JSONField(_("text"))  # {language: text}
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    # For one or several choices: [{"key": …, "label": {language: text}}].
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # The words at the ends of a numeric scale ({language: text}).
    low = models.JSONField(_("low end"), default=dict, blank=True)
    high = models.JSONField(_("high end"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="outcomes_item_key_unique")
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._version_published():
            raise PublishedVersionError(
                "The questions of a published version cannot change; make a new version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._version_published():
            raise PublishedVersionError("The questions of a published version cannot change.")
        return super().delete(*args, **kwargs)

    @property
    def display_text(self) -> str:
        return in_language(self.text)

    def _version_published(self) -> bool:
        return InstrumentVersion.objects.filter(
            pk=self.version_id, status=InstrumentVersion.Status.PUBLISHED
        ).exists()


class Rater(models.Model):
    """Someone who fills the session scales in a case: a parent, the young person, a partner,
    a teacher. Each has their own line in the change graph."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Child or young person")
        COLLATERAL = "collateral", _("Someone else who knows the family")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="outcome_raters")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    # A short label the family recognises ("Mor", "Far", "Ola"), not a full name.
    label = models.CharField(_("who"), max_length=60)
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("rater")
        verbose_name_plural = _("raters")

    def __str__(self) -> str:
        return self.label


class ScaleScore(models.Model):
    """One filled session scale: a rater's answers to one instrument version at one session."""

    class Channel(models.TextChoices):
        SCREEN = "screen", _("On the staff member's screen")
        LINK = "link", _("On their own phone, through a link")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="outcome_scores")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="scores")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    session = models.PositiveSmallIntegerField(_("session"))
    answers = models.JSONField(_("answers"))  # {item key: value}
    total = models.PositiveSmallIntegerField(_("score"))
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    answered_at = models.DateTimeField(_("answered"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rater", "instrument", "session"]
        verbose_name = _("session score")
        verbose_name_plural = _("session scores")
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "instrument", "session"], name="outcomes_one_score_per_session"
            )
        ]
        indexes = [models.Index(fields=["case", "instrument"], name="outcomes_case_instrument")]

    def __str__(self) -> str:
        return f"{self.instrument.key} {self.session}: {self.total}"


class UsedLink(models.Model):
    """That a family's single-use link was used: the keyed hash of its random part, and
    until when the link would have worked (after which the row may go). Nothing else of the
    link is stored; the link itself carries what it is for, encrypted. The id is random, like
    AnonymousAnswer's: a sequence shared by evaluations and session-scale links would place an
    anonymous evaluation between two timestamped scores."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("used link")
        verbose_name_plural = _("used links")


class Activity(models.TextChoices):
    FAMILY_MEETING = "family_meeting", _("Family meeting")
    COURSE = "course", _("Course or group session")
    APPOINTMENT = "appointment", _("Appointment")
    SESSION = "session", _("Counselling session")


class AnonymousAnswer(models.Model):
    """One anonymous evaluation, stored apart from everything about a person.

    It holds only where (organisation, unit), what kind of activity, the month and the child's
    age band, and the answers: no reference to a person, case, meeting, course or appointment,
    no exact time, and a random id, so neither its id nor its fields lead back to who answered
    or when (tests/outcomes/test_anonymous.py tries every way)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("core.ServiceUnit", on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    month = models.DateField(_("month"))  # always the first day of the month
    age_band = models.CharField(_("age band"), max_length=10, blank=True)
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"))
    # Free text that may identify someone waits for a leader to redact it before anyone else
    # sees it.
    held = models.BooleanField(_("held for redaction"), default=False)
    # Counted in the unit's summary: answers are released in batches of at least MIN_GROUP
    # (evaluation_services), so a summary never changes by one answer that whoever handed out
    # its link could read off by difference.
    released = models.BooleanField(_("released to the summary"), default=False)

    class Meta:
        verbose_name = _("anonymous evaluation")
        verbose_name_plural = _("anonymous evaluations")
        indexes = [models.Index(fields=["unit", "month"], name="outcomes_anon_unit_month")]

    def __str__(self) -> str:
        return f"{self.version} {self.month:%Y-%m}"
