"""The e-mail telling a unit that a request for help has arrived.

The worker composes it (familiebro.cases.tasks) from what the task was given: the unit, the
reference, the first-contact deadline and a link. No name, no message, no contact details,
nothing about the family leaves Familiebro in it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, ServiceUnit


def notification_recipients(unit: ServiceUnit) -> list[str]:
    """The unit's own e-mail address, or its leaders' addresses when it has none."""
    if unit.email:
        return [unit.email]
    return sorted(
        set(
            Membership.objects.filter(unit=unit, role=Membership.Role.LEADER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def unit_notification(
    unit: ServiceUnit, *, reference: str, due_at: datetime.datetime, link: str
) -> EmailMessage | None:
    """The e-mail telling a unit a request has arrived: no name, no message, no contact
    details, nothing about the family; only where to read it. None if nobody can receive it."""
    recipients = notification_recipients(unit)
    if not recipients:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        due = formats.date_format(timezone.localtime(due_at), "DATE_FORMAT")
        subject = _("New request for help: %(reference)s") % {"reference": reference}
        body = "\n\n".join(
            [
                _("A new request for help has arrived at %(unit)s.") % {"unit": unit.name},
                _("Reference: %(reference)s") % {"reference": reference},
                _("First contact is due by %(date)s.") % {"date": due},
                _("Log in to Familiebro to read it:") + f"\n{link}",
                _(
                    "This e-mail says nothing about who asked or why: that stays in "
                    "Familiebro. Do not forward it with personal details added."
                ),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=recipients)
