"""Referrals and transfers between services, and what a receiving unit takes.

A receiving unit says which kinds of referral it takes, what each needs from the referrer, and
whether it has room (ReferralKind, Intake). A referral (or a transfer, the same object with
another kind) goes from a unit to another about one child; each change of its status is an
append-only ReferralEvent, so the history says who did what and when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from familiebro.privacy.models import DisclosureRequest, ExceptionalAccess


class Capacity(models.TextChoices):
    """Whether a unit takes referrals now, shown to the referrer before sending."""

    OPEN = "open", _("Taking referrals")
    WAITING_LIST = "waiting_list", _("Waiting list")
    FULL = "full", _("No capacity")


class Intake(models.Model):
    """A unit's capacity for referrals, as its administrator or leader last set it. A unit
    without a row takes referrals (Capacity.OPEN)."""

    unit = models.OneToOneField(
        "core.ServiceUnit", on_delete=models.CASCADE, related_name="referral_intake"
    )
    capacity = models.CharField(
        _("capacity"), max_length=20, choices=Capacity.choices, default=Capacity.OPEN
    )
    # Said to the referrer with the capacity, e.g. how long the waiting list is.
    note = models.CharField(_("note to referrers"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("referral intake")
        verbose_name_plural = _("referral intakes")


class ReferralKind(models.Model):
    """One kind of referral a unit takes (a BUP assessment, an expert assessment by PPT…),
    with what the referrer must tell for it. Holds no personal data."""

    class Topic(models.TextChoices):
        """The kinds of referral Familiebro knows, for figures and the receiver's own name."""

        BUP_ASSESSMENT = "bup_assessment", _("Assessment in child and adolescent mental health")
        HABILITATION = "habilitation", _("Habilitation assessment")
        PPT_EXPERT_ASSESSMENT = "ppt_expert_assessment", _("Expert assessment by PPT")
        FAMILY_COUNSELLING = "family_counselling", _("Family counselling")
        PAEDIATRICS = "paediatrics", _("Paediatric assessment")
        NAV = "nav", _("Follow-up from NAV")
        LOW_THRESHOLD = "low_threshold", _("Low-threshold help for the family")
        VOLUNTARY = "voluntary", _("Activity or support from a voluntary organisation")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.CASCADE, related_name="referral_kinds"
    )
    topic = models.CharField(_("kind of referral"), max_length=40, choices=Topic.choices)
    name = models.CharField(_("name"), max_length=200)
    # Keys of familiebro.referrals.fields.FIELDS the referrer must fill in.
    required_fields = models.JSONField(_("required information"), default=list, blank=True)
    # The unit's own questions, one a line: each must be answered.
    questions = models.TextField(_("questions to the referrer"), blank=True)
    taking = models.BooleanField(_("takes referrals of this kind"), default=True)

    class Meta:
        ordering = ["unit_id", "name"]
        verbose_name = _("referral kind")
        verbose_name_plural = _("referral kinds")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="referral_kind_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class Ground(models.TextChoices):
    """The recognised grounds on which the sending service's leader may send a referral across
    a duty of confidentiality without the family's consent: a disclosure the holding service
    decides (docs/referrals.md). The values are the privacy part's own, so the family's access
    log words them as it words every other disclosure; which ground fits which receiver is
    familiebro.referrals.permissions'."""

    # Owed to child welfare only (barnevernsloven § 13-2 and the services' own laws).
    DUTY_TO_REPORT = (
        ExceptionalAccess.Basis.DUTY_TO_REPORT.value,
        _(
            "The duty to inform child welfare (barnevernsloven § 13-2, helsepersonelloven § 33, "
            "barnehageloven § 46, opplæringslova)"
        ),
    )
    DANGER = DisclosureRequest.Ground.DANGER.value, DisclosureRequest.Ground.DANGER.label
    LEGAL_PROVISION = (
        "legal_provision",
        _(
            "Another provision of law that lets your service refer without consent, such as "
            "pasient- og brukerrettighetsloven for a referral to the specialist health service"
        ),
    )


class Status(models.TextChoices):
    """The referral's lifecycle (after HL7 Gravity's Task: requested, accepted, rejected,
    in-progress, on-hold, completed, cancelled)."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    STARTED = "started", _("Started")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Referral(models.Model):
    """A referral, or a transfer of the case's coordination, from one unit to another.

    The sending organisation is the data controller of its record; the receiving unit reads
    what was addressed to it (familiebro.privacy.policy, `between_units`). What the receiver
    needs to know of the child (name and birth date) is copied in when it is sent, so the
    receiver never reads the sender's registration of the person."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        TRANSFER = "transfer", _("Transfer of coordination")

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    from_unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="referrals_received"
    )
    to_kind = models.ForeignKey(
        ReferralKind, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("kind")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.REFERRAL)
    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("child")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    # What the receiver is told of whom it is about.
    child_name = models.CharField(_("child"), max_length=200)
    child_birth_date = models.DateField(_("birth date"), null=True, blank=True)

    question = models.TextField(_("question to the receiver"), blank=True)
    assessment = models.TextField(_("the referrer's own assessment"), blank=True)
    tried = models.TextField(_("what has been tried"), blank=True)
    # Answers to the receiving kind's required information and questions, by key.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    responsibility_group = models.CharField(
        _("responsibility group"), max_length=3, choices=Answer.choices, blank=True
    )
    individual_plan = models.CharField(
        _("individual plan"), max_length=3, choices=Answer.choices, blank=True
    )
    coordinator_name = models.CharField(_("coordinator"), max_length=200, blank=True)
    # [{"category": DataCategory, "consent": consent id}]: what is shared with the referral.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # What makes sending a lawful disclosure: the family's consent, or a recorded legal basis.
    consent = models.ForeignKey(
        "privacy.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Without consent: the ground the sending unit's leader chose, and the provision of law
    # and why it applies, in their words (legal_basis).
    ground = models.CharField(_("legal ground"), max_length=20, choices=Ground.choices, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_written"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # A returned referral revised and sent again is a new version of the same series.
    series = models.UUIDField(default=uuid.uuid4, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_unit", "status", "sent_at"]),
            models.Index(fields=["from_unit", "status", "sent_at"]),
            models.Index(fields=["to_unit", "person", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.to_kind.name} ({self.get_status_display()})"


class ReferralEvent(models.Model):
    """One change of a referral's status: never changed or deleted."""

    class Side(models.TextChoices):
        REFERRER = "referrer", _("Referrer")
        RECEIVER = "receiver", _("Receiver")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
