"""A staff member's calendar subscription: the secret address their calendar program fetches
their meetings from (familiebro.cases.calendar)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """One subscription address. Only a hash of its token is stored: the address is shown
    once, when it is made, and a leaked database gives nobody a working address. Revoking it
    (or making a new one) stops it for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("made"))
    revoked_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
