"""Which status changes a referral may go through, and which side makes each.

The one table of the lifecycle. It follows HL7 Gravity's Task for referral management: the
requester drafts, sends and may withdraw (cancel) until the work is done; the receiver marks
it received, accepts or returns it (rejected), starts it (in progress), puts it on hold and
completes it. A reason is required wherever the other side must understand why: a return, a
hold and a withdrawal. A returned referral does not move again: the referrer revises it as a
new version (services.revise).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ReferralEvent, Status

REFERRER = ReferralEvent.Side.REFERRER
RECEIVER = ReferralEvent.Side.RECEIVER


@dataclass(frozen=True)
class Transition:
    to: str
    side: str
    label: object  # the button's words
    needs_reason: bool = False


# From each status, the changes that may follow it.
TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    Status.DRAFT: (Transition(Status.SENT, REFERRER, _("Send the referral")),),
    Status.SENT: (
        Transition(Status.RECEIVED, RECEIVER, _("Mark as received")),
        Transition(Status.ACCEPTED, RECEIVER, _("Accept")),
        Transition(Status.RETURNED, RECEIVER, _("Return to the referrer"), needs_reason=True),
        Transition(Status.WITHDRAWN, REFERRER, _("Withdraw the referral"), needs_reason=True),
    ),
    Status.RECEIVED: (
        Transition(Status.ACCEPTED, RECEIVER, _("Accept")),
        Transition(Status.RETURNED, RECEIVER, _("Return to the referrer"), needs_reason=True),
        Transition(Status.ON_HOLD, RECEIVER, _("Put on hold"), needs_reason=True),
        Transition(Status.WITHDRAWN, REFERRER, _("Withdraw the referral"), needs_reason=True),
    ),
    Status.ACCEPTED: (
        Transition(Status.STARTED, RECEIVER, _("Start")),
        Transition(Status.ON_HOLD, RECEIVER, _("Put on hold"), needs_reason=True),
        Transition(Status.WITHDRAWN, REFERRER, _("Withdraw the referral"), needs_reason=True),
    ),
    Status.STARTED: (
        Transition(Status.COMPLETED, RECEIVER, _("Complete")),
        Transition(Status.ON_HOLD, RECEIVER, _("Put on hold"), needs_reason=True),
        Transition(Status.WITHDRAWN, REFERRER, _("Withdraw the referral"), needs_reason=True),
    ),
    Status.ON_HOLD: (
        Transition(Status.ACCEPTED, RECEIVER, _("Resume as accepted")),
        Transition(Status.STARTED, RECEIVER, _("Resume as started")),
        Transition(Status.WITHDRAWN, REFERRER, _("Withdraw the referral"), needs_reason=True),
    ),
    Status.RETURNED: (),
    Status.COMPLETED: (),
    Status.WITHDRAWN: (),
}

# Statuses in which the receiver has not yet answered: what "no answer after N days" counts.
UNANSWERED = (Status.SENT, Status.RECEIVED)
# Statuses the referral is still open in, on either side.
OPEN = (Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.STARTED, Status.ON_HOLD)


def transition(current: str, to: str) -> Transition | None:
    """The change from `current` to `to`, or None where the lifecycle has none."""
    return next((t for t in TRANSITIONS.get(current, ()) if t.to == to), None)


def transitions_for(current: str, sides: set[str]) -> list[Transition]:
    """The changes the given sides may make from `current` (what a page offers)."""
    return [t for t in TRANSITIONS.get(current, ()) if t.side in sides and t.to != Status.SENT]
