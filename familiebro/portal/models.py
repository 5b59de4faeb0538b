"""How a parent or young person wants to be told: per kind of notice, by e-mail, SMS or not at
all, to an address or number they proved is theirs with a code.

Kept by the keyed hash of the identity number they log in with (as Min side knows them), not
by a person record: one choice holds for every service that has registered them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    MEETINGS = "meetings", _("Meetings")
    MESSAGES = "messages", _("Messages")
    CONSENTS_WAITING = "consents_waiting", _("Consents waiting for your answer")
    EVALUATIONS_WAITING = "evaluations_waiting", _("Evaluations waiting for you")
    BOOKINGS = "bookings", _("Bookings")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    NONE = "none", _("Do not tell me")


class ContactPoint(models.Model):
    """An e-mail address or a mobile number of the citizen, usable once verified."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Mobile number")

    identity_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254)
    # The keyed hash of the code last sent, when, and how many wrong tries since.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["identity_hash", "kind"], name="contact_point_unique")
        ]


class NoticeChoice(models.Model):
    """How the citizen wants to be told of one kind of notice; without a row: not at all."""

    identity_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["identity_hash", "kind"], name="notice_choice_unique")
        ]
