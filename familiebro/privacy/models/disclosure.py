"""Disclosure on request: one service asks another for information about a person, naming the
legal ground; the holding service decides what to disclose (docs/data-protection.md, §12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The audit purpose of every step of the flow, and the "event" of each step in the audit
# detail, as the access log names them.
DISCLOSURE_PURPOSE = "disclosure"
REQUESTED = "disclosure_requested"
DISCLOSED = "disclosed"
REFUSED = "disclosure_refused"


class DisclosureRequest(models.Model):
    """A request from one service (the asking unit) to another (the holding unit) for
    information about a person, and the holding service's answer.

    The row is the asking unit's record: it is about the asking organisation's own
    registration of the person, and what the holder disclosed is kept here, held by the asking
    unit, not opened as read access to the holder's records. The holding unit's leader reads
    it only to answer it (familiebro.privacy.disclosure)."""

    class Ground(models.TextChoices):
        # The holder's duty to inform child welfare, on child welfare's request.
        CHILD_WELFARE = (
            "child_welfare",
            _(
                "Child welfare's request: the duty to inform child welfare (barnevernsloven "
                "§ 13-2, helsepersonelloven § 33, barnehageloven § 46, opplæringslova)"
            ),
        )
        COURT_ORDER = "court_order", _("An order from a court or another authority")
        DANGER = (
            "danger",
            _(
                "To avert danger to life or serious harm to health "
                "(helsepersonelloven §§ 23 nr. 4 and 31, forvaltningsloven § 13 b)"
            ),
        )

    class Status(models.TextChoices):
        SENT = "sent", _("Awaiting answer")
        DISCLOSED = "disclosed", _("Information disclosed")
        REFUSED = "refused", _("Refused")

    # The asking side: its organisation, unit and its own registration of the person.
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="disclosure_requests"
    )
    requesting_unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="disclosure_requests_sent"
    )
    subject = models.ForeignKey(
        "core.Person", on_delete=models.CASCADE, related_name="disclosure_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The holding service the asker names; whether it holds the person is for it to answer.
    holder_unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="disclosure_requests_received"
    )
    ground = models.CharField(_("legal ground"), max_length=20, choices=Ground.choices)
    question = models.TextField(_("what is asked, and why"))
    created_at = models.DateTimeField(auto_now_add=True)

    # The holding service's answer.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The holder's own registration the answer concerns, if it holds the person; never shown
    # to the asking side.
    holder_person = models.ForeignKey(
        "core.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disclosed_text = models.TextField(_("disclosed information"), blank=True)
    refusal_reason = models.TextField(_("why it was refused"), blank=True)

    class Meta:
        verbose_name = _("disclosure request")
        verbose_name_plural = _("disclosure requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["holder_unit", "status"]),
            models.Index(fields=["requesting_unit", "created_at"]),
        ]
