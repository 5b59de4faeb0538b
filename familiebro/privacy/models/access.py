"""Need-to-know inside an organisation, and the exceptions that override consent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import ConfidentialityDomain


class Assignment(models.Model):
    """A staff member, or a whole unit, working with a person: their need to know.

    Staff see the persons of their own organisation only through an assignment (or a leader's
    oversight, see OversightRule). Registering a person assigns the one who registered them;
    cases add their participants. It ends when the staff member (or their leader) says the
    work with the person is over, when they leave the case that gave it, or when retention
    deletes that case.
    """

    class EndReason(models.TextChoices):
        # Chosen from a list, so the record says why without holding free text about anyone.
        WORK_FINISHED = "work_finished", _("We no longer work with the person")
        TAKEN_OVER = "taken_over", _("Another colleague or service has taken over")
        IN_ERROR = "in_error", _("Assigned by mistake")

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    unit = models.ForeignKey(
        "core.ServiceUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    # The duty of confidentiality the need to know was given under: it opens the person's
    # records held by units of this domain only (a kindergarten's need to know never opens the
    # health centre's case, even for someone who also works in a health service). A unit's
    # assignment is in the unit's domain.
    domain = models.CharField(
        _("confidentiality domain"), max_length=30, choices=ConfidentialityDomain.choices
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set when the work ended before the need to know did: a closed case stays readable for
    # its retention period, and only its deletion ends the assignment. Retention counts the
    # person's last activity from here, the closing of the case, not from the deletion.
    work_ended_at = models.DateTimeField(_("work ended"), null=True, blank=True)
    # Why staff ended it by hand; empty when a case ended it (leaving it, or its deletion).
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=EndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(unit__isnull=False),
                name="assignment_names_user_or_unit",
            )
        ]
        indexes = [
            models.Index(fields=["user", "person"]),
            models.Index(fields=["unit", "person"]),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.unit is not None:
            self.domain = self.unit.domain
        if not self.domain and self._state.adding:
            raise ValueError("A staff member's need to know is given in one domain: name it.")
        super().save(*args, **kwargs)


class OversightRule(models.Model):
    """Whether leaders see the persons the members of their units work with, per organisation.

    Off by default and without a rule: a leader's access is by necessity (GDPR art. 5(1)(c)
    and (f), art. 25(2)), so a leader sees figures and what their unit itself is assigned to,
    and a member's persons only where the data controller has decided that its leaders need
    them for professional oversight (docs/data-protection.md, section 10)."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="oversight_rule"
    )
    leaders_see_unit_persons = models.BooleanField(
        _("leaders see the persons their unit works with"), default=False
    )

    class Meta:
        verbose_name = _("oversight rule")
        verbose_name_plural = _("oversight rules")


def _default_family_withheld_domains() -> str:
    return " ".join(FamilyAccessRule.DEFAULT_DOMAINS)


class FamilyAccessRule(models.Model):
    """What parents with parental responsibility see on Min side of a child of 12 to 17,
    per organisation (the data controller decides; docs/data-protection.md, "Min side").
    Without a rule: the safe default below.

    From `young_person_age`, the records a unit of one of `domains` holds about the child
    are shown to the parents only once the service has released them (pasient- og
    brukerrettighetsloven § 3-4 second paragraph; for child welfare, barnevernsloven § 12-6:
    what a party may see is for the service to assess). From `parental_responsibility_age`,
    only what the service released from that birthday on, as needed to exercise parental
    responsibility (§ 3-4 first and fourth paragraphs). The young person's own view does not
    change."""

    DEFAULT_DOMAINS = (
        ConfidentialityDomain.HEALTH,
        ConfidentialityDomain.SPECIALIST_HEALTH,
        ConfidentialityDomain.CHILD_WELFARE,
    )
    YOUNG_PERSON_AGE = 12
    PARENTAL_RESPONSIBILITY_AGE = 16

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="family_access_rule"
    )
    young_person_age = models.PositiveSmallIntegerField(
        _("age from which parents see only what the service released"),
        default=YOUNG_PERSON_AGE,
    )
    parental_responsibility_age = models.PositiveSmallIntegerField(
        _("age from which parents see only what was released for parental responsibility"),
        default=PARENTAL_RESPONSIBILITY_AGE,
    )
    # The confidentiality domains the rule applies to, space-separated
    # (core.models.ConfidentialityDomain values).
    domains = models.CharField(
        _("services whose records need release"),
        max_length=200,
        default=_default_family_withheld_domains,
    )

    class Meta:
        verbose_name = _("family access rule")
        verbose_name_plural = _("family access rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(young_person_age__lte=models.F("parental_responsibility_age"))
                & Q(parental_responsibility_age__lte=18),
                name="family_access_rule_ages_in_order",
            )
        ]

    def domain_list(self) -> list[str]:
        return [d for d in self.domains.split() if d in ConfidentialityDomain.values]


class ExceptionalAccessQuerySet(models.QuerySet):
    def active(self) -> ExceptionalAccessQuerySet:
        now = timezone.now()
        return self.filter(starts_at__lte=now, expires_at__gt=now, revoked_at__isnull=True)

    def hidden_from_family_now(self) -> ExceptionalAccessQuerySet:
        """The accesses the family's access log leaves out today: hidden by the data
        controller's decision, up to and including its end date. The day after, they show."""
        return self.filter(hidden_from_family=True, hidden_until__gte=timezone.localdate())


class ExceptionalAccess(models.Model):
    """Break-glass access inside the user's own organisation, without an assignment.

    Each use names a reason, is time-limited, is audited with its basis, is reported to the
    user's unit leaders, who review it, and is shown in the family's access log unless a
    documented exception applies (for example while a child welfare investigation would be
    harmed by it). Information another organisation holds is never opened this way: it is
    disclosed by its holder on request (DisclosureRequest). The other bases are kept for the
    accesses opened under them before that rule (docs/data-protection.md, §12).
    """

    class Basis(models.TextChoices):
        DUTY_TO_REPORT = "duty_to_report", _("Duty to inform child welfare (opplysningsplikt)")
        EMERGENCY = "emergency", _("Emergency (nødrett)")
        COURT_ORDER = "court_order", _("Court or statutory order")
        BREAK_GLASS = "break_glass", _("Break-glass access")

    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exceptional_accesses"
    )
    person = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="exceptional_accesses"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The data controller whose data is opened."),
    )
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Hiding the access from the family is the data controller's decision, made by a leader
    # of the opener's units (never the opener), with the reason and an end date; the day after
    # it the access and what was read under it show in the family's log. A new decision before
    # then is the review that keeps it hidden longer (privacy.exceptional.decide_hiding).
    hidden_from_family = models.BooleanField(
        _("hidden from the family's access log"), default=False
    )
    hiding_justification = models.TextField(_("why it is hidden from the family"), blank=True)
    hidden_until = models.DateField(_("hidden from the family until"), null=True, blank=True)
    hiding_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hiding_decided_at = models.DateTimeField(null=True, blank=True)
    reported_to_leaders_at = models.DateTimeField(null=True, blank=True)
    # A leader of the user's unit has followed the access up.
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ExceptionalAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("exceptional access")
        verbose_name_plural = _("exceptional accesses")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "person", "expires_at"])]
        constraints = [
            # Never hidden without an end date.
            models.CheckConstraint(
                condition=Q(hidden_from_family=False) | Q(hidden_until__isnull=False),
                name="exceptional_access_hidden_until_a_date",
            )
        ]
