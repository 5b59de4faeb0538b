"""Invitations to join Familiebro as a member of staff.

An administrator invites someone by e-mail to a role in a unit they run. The e-mail carries a
link with a random token; only a hash of the token is kept, so the link cannot be rebuilt from
the database. The link works once and for INVITATION_DAYS days; sending it again makes a new
token, and the old link stops working.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import Membership, Organisation, ServiceUnit, User

INVITATION_DAYS = 7


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    unit = models.ForeignKey(ServiceUnit, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    professional_title = models.CharField(
        _("professional title"), max_length=30, choices=User.Title.choices, blank=True
    )
    # An instance administrator who does not also run the organisation gives a role only on
    # the controller's written authorisation (familiebro.privacy.grants): kept until the
    # invitation is accepted, when the role is granted with it.
    authorised_by = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")

    def __str__(self) -> str:
        return f"{self.email} – {self.unit_id} ({self.role})"

    @staticmethod
    def lifetime() -> datetime.timedelta:
        return datetime.timedelta(days=INVITATION_DAYS)

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.withdrawn_at is not None:
            return self.State.WITHDRAWN
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    @property
    def is_open(self) -> bool:
        """Not yet accepted or withdrawn: it can be sent again (also once expired)."""
        return self.accepted_at is None and self.withdrawn_at is None

    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
