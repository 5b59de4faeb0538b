"""Telling people things: in-app notifications, and the feedback to whoever raised a case.

Nothing sent here carries the family's details: a notification or an e-mail names the case's
reference and links to Familiebro, where the access policy decides what the reader sees.
Feedback to the referrer says that the case is closed and whom to contact; the reason is
added only when a consent in force shares the case's plans with the referrer's service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.privacy.models import Consent, DataCategory, Purpose

from .models import Case, Notification


def case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def notify(user: Any, text: str, case: Case) -> Notification:
    return Notification.objects.create(
        user=user, text=text[:300], link=case_link(case), created_at=timezone.now()
    )


def notifications_of(user: Any, limit: int) -> tuple[list[Notification], int]:
    """The user's own notifications, newest first, and how many are unread."""
    rows = list(Notification.objects.filter(user=user)[:limit])
    return rows, Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _shares_plans_with(case: Case, user: Any) -> bool:
    units = user.memberships.values("unit_id")
    organisations = user.memberships.values("unit__organisation_id")
    return (
        Consent.objects.valid_at()
        .filter(
            Q(recipient_units__in=units) | Q(recipient_organisations__in=organisations),
            subject_id=case.child_id,
            organisation_id=case.organisation_id,
            purpose__in=[Purpose.INFORMATION_SHARING, Purpose.COORDINATION],
            scope__contains=f" {DataCategory.MEASURES_AND_PLANS} ",
        )
        .exists()
    )


def feedback_text(case: Case, *, with_reason: bool) -> str:
    coordinator = case.coordinator.display_name() if case.coordinator else case.unit.name
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("The case %(reference)s that you raised with %(unit)s is now closed.")
            % {"reference": case.reference, "unit": case.unit.name},
        ]
        if with_reason:
            lines.append(_("Reason: %(reason)s.") % {"reason": case.get_close_reason_display()})
        contact = _("If you have questions or see new concerns, contact %(who)s at %(unit)s")
        contact %= {"who": coordinator, "unit": case.unit.name}
        if case.unit.phone:
            contact += f", {case.unit.phone}"
        lines.append(contact + ".")
        return "\n\n".join(lines)


def send_feedback_to_referrer(case: Case) -> None:
    """Tell whoever raised the concern or the request that the case is closed."""
    from .tasks import send_email

    referrer = case.raised_by_user
    if referrer is not None and referrer.pk != case.coordinator_id:
        same_organisation = referrer.memberships.filter(
            unit__organisation_id=case.organisation_id
        ).exists()
        text = feedback_text(
            case, with_reason=same_organisation or _shares_plans_with(case, referrer)
        )
        notify(referrer, text.split("\n\n")[0], case)
        if referrer.email:
            send_email.enqueue(
                [referrer.email],
                _("Feedback on case %(reference)s") % {"reference": case.reference},
                text,
            )
    if case.raised_by_email:
        send_email.enqueue(
            [case.raised_by_email],
            _("Feedback on case %(reference)s") % {"reference": case.reference},
            feedback_text(case, with_reason=False),
        )
    Case.objects.filter(pk=case.pk).update(feedback_sent_at=timezone.now())
