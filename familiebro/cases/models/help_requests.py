"""Requests for help (henvendelser): the low-threshold door in, without a referral."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HelpRequest(models.Model):
    """Someone asks a unit for help: a parent, a young person, or a professional on behalf of
    a family that knows about it. The unit must make first contact before the deadline."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        CONVERTED = "converted", _("Converted to case")
        CLOSED = "closed", _("Closed")

    class RequesterRole(models.TextChoices):
        PARENT = "parent", _("Parent or guardian")
        YOUNG_PERSON = "young_person", _("Young person")
        PROFESSIONAL = "professional", _("Professional, on behalf of a family")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        GP = "gp", _("From the GP")
        OTHER_SERVICE = "other_service", _("From another service")
        IN_PERSON = "in_person", _("In person")

    class CloseReason(models.TextChoices):
        RESOLVED_FIRST_CONVERSATION = (
            "resolved_first_conversation",
            _("Resolved in the first conversation"),
        )
        REFERRED_ELSEWHERE = "referred_elsewhere", _("Guided to another service")
        NOT_REACHED = "not_reached", _("Could not be reached")
        WITHDRAWN = "withdrawn", _("The family withdrew the request")
        DUPLICATE = "duplicate", _("Duplicate request")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="help_requests"
    )
    unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="help_requests"
    )
    offer = models.ForeignKey(
        "catalogue.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    channel = models.CharField(_("received by"), max_length=20, choices=Channel.choices)
    requester_role = models.CharField(
        _("who is asking"), max_length=20, choices=RequesterRole.choices
    )
    requester_name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_contact_time = models.CharField(_("best time to call"), max_length=200, blank=True)
    family_knows = models.BooleanField(
        _("the family knows about the request"),
        default=True,
        help_text=_("A professional may only ask on a family's behalf with their knowledge."),
    )
    # Months, negative during pregnancy (as in the catalogue).
    child_age_months = models.IntegerField(_("child's age (months)"), null=True, blank=True)
    message = models.TextField(_("what it is about"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="nb")
    # Storing a request is not a consent to share (privacy.ConsentText covers those): the
    # person agrees to a plain-language storage notice, versioned in cases/storage_notice.py.
    # Empty for requests staff registered from a phone call, a letter or another service.
    storage_notice_version = models.CharField(
        _("storage notice version"),
        max_length=20,
        blank=True,
        help_text=_("The version of the storage notice the person agreed to on the web form."),
    )
    received_at = models.DateTimeField(_("received"))
    first_contact_due_at = models.DateTimeField(_("first contact due"))
    first_contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=40, choices=CloseReason.choices, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    # The unit's own short note on how the request ended (closed or converted to a case).
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Sent by a parent logged in on Min side: the keyed hash of their identity number, so that
    # Min side shows them the request and its status. Never shown to staff; empty otherwise.
    requester_identity_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        ordering = ["first_contact_due_at"]
        indexes = [
            models.Index(fields=["unit", "status", "first_contact_due_at"]),
            models.Index(
                fields=["requester_identity_hash"],
                condition=~models.Q(requester_identity_hash=""),
                name="help_request_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class RateLimitWindow(models.Model):
    """How many requests for help one client sent in its current window (rate limiting).

    The client is kept only as a keyed hash of its network address, so the table never holds
    an address in clear. Rows live in the database so every web process counts together;
    windows that have run out are deleted as new requests arrive.
    """

    key = models.CharField(max_length=64, unique=True)
    window_started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")
