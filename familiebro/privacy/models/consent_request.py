"""A consent prepared by staff and waiting for the family to give it on Min side.

A consent request is not a consent: the access policy never reads it. Only when the last
giver the rule asks for has given it on Min side does a Consent come to exist
(privacy.consent_requests), recorded as given digitally, with each of them as its givers.
Until then it opens nothing to anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import ConfidentialityDomain

from .consent import Capacity, Consent, ConsentText, Purpose


class ConsentRequest(models.Model):
    """What the family is asked to consent to: purpose, recipients, categories and period,
    on the exact text version they will read, and who must give it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the family")
        IN_FORCE = "in_force", _("Given and in force")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled by the service")

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="consent_requests"
    )
    subject = models.ForeignKey(
        "core.Person",
        on_delete=models.CASCADE,
        related_name="consent_requests",
        verbose_name=_("child or young person"),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    domain = models.CharField(
        _("whose information"), max_length=30, choices=ConfidentialityDomain.choices, blank=True
    )
    recipient_organisations = models.ManyToManyField(
        "core.Organisation", blank=True, related_name="+"
    )
    recipient_units = models.ManyToManyField("core.ServiceUnit", blank=True, related_name="+")
    # As Consent.scope: space-separated categories with a space at each end.
    scope = models.CharField(_("scope"), max_length=200)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, verbose_name=_("text"))
    valid_to = models.DateTimeField(_("valid to"))
    # The child's own view, heard by staff before the guardians are asked (ConsentRule).
    child_view = models.TextField(_("the child's own view"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The consent that came into force when the last giver gave it.
    consent = models.OneToOneField(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        verbose_name = _("consent waiting for the family")
        verbose_name_plural = _("consents waiting for the family")
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return str(self.get_purpose_display())

    @property
    def scope_categories(self) -> list[str]:
        return self.scope.split()


class ConsentRequestAnswer(models.Model):
    """One giver the rule asks for, and their answer (none yet, given or declined)."""

    class Answer(models.TextChoices):
        WAITING = "", _("Not answered yet")
        GIVEN = "given", _("Given")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30)
    capacity = models.CharField(max_length=30, choices=Capacity.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "person"], name="consent_request_answer_unique"
            )
        ]
