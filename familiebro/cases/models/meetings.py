"""Meetings about a case: family meetings, responsibility groups, evaluation and summary
meetings, with their invitations and minutes. (The weekly allocation meeting works on the
unit's allocation view; anonymous discussions are the privacy layer's anonymous consultations,
which by design cannot be tied to a case.)"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        FAMILY_MEETING = "family_meeting", _("Family meeting")
        RESPONSIBILITY_GROUP = "responsibility_group", _("Responsibility group")
        EVALUATION = "evaluation", _("Evaluation meeting")
        SUMMARY = "summary", _("Summary and closing meeting")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="meetings")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(_("kind of meeting"), max_length=30, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    # BUP came without a referral (family meetings): it may do so at most twice per child.
    bup_without_referral = models.BooleanField(
        _("BUP takes part without a referral"), default=False
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_version = models.PositiveIntegerField(default=0)
    minutes_saved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # The planner said the family's GP is to be invited: the GP notice follows the meeting.
    gp_to_be_invited = models.BooleanField(default=False)
    # The iCalendar SEQUENCE (RFC 5545, 3.8.7.4): raised by every move and the cancellation,
    # so calendars replace the event they hold instead of keeping the old time.
    calendar_sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_over(self, now: datetime.datetime) -> bool:
        return self.ends_at < now


class Invitation(models.Model):
    """Someone invited to a meeting: staff with an account, or an outsider such as the GP."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    is_gp = models.BooleanField(_("the family's GP"), default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the latest move or the cancellation went out to them: a GP's notice counts from
    # the time they heard of the meeting's current date.
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to a meeting")
        verbose_name_plural = _("invitations to meetings")
        ordering = ["pk"]
