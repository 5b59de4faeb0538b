"""Meetings on a case: what the meeting page shows the reader, each part read (and audited)
through the access policy. The actions on a meeting are in familiebro.cases.meetings.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from familiebro.privacy import policy

from .. import permissions
from ..case_services import READ
from ..deadlines import rules as deadline_rules
from ..models import Case, Invitation, LogEntry, Measure, Meeting


@dataclass
class MeetingPage:
    meeting: Meeting
    can_change: bool
    under_consent: bool
    invitations: list[Invitation]
    measures: list[Measure]
    minutes_entry: LogEntry | None  # the minutes as the family's log has them now
    gp_notice_short: bool  # a GP invited now gets less than four weeks' notice
    is_over: bool

    @property
    def approved(self) -> bool:
        return self.meeting.minutes_approved_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.meeting.is_cancelled

    @property
    def is_planned(self) -> bool:
        """Still ahead (or going on): it can be moved, cancelled and invited to."""
        return not (self.is_over or self.is_cancelled or self.approved)


def meeting_page(actor: Any, case: Case, meeting: Meeting) -> MeetingPage:
    """What the meeting page shows the actor, each part read (and audited) through the policy:
    a service under consent sees the measures only if its consent covers plans."""
    basis = policy.bases_for(actor, [case], READ)[0]
    can_change = basis.by_need_to_know and case.is_open and permissions.may_change(actor, case)
    invitations = policy.list_page(
        actor,
        policy.visible(actor, Invitation, READ, few_rows=True)
        .filter(meeting=meeting)
        .select_related("user"),
        READ,
    )
    measures = policy.list_page(
        actor,
        policy.visible(actor, Measure, READ, few_rows=True)
        .filter(meeting=meeting)
        .select_related("responsible_unit", "responsible_user"),
        READ,
    )
    for invitation in invitations:
        invitation.meeting = meeting
    entries = policy.list_page(
        actor,
        policy.visible(actor, LogEntry, READ, few_rows=True).filter(
            meeting=meeting, kind=LogEntry.Kind.MINUTES, current=True
        ),
        READ,
    )
    now = timezone.now()
    return MeetingPage(
        meeting=meeting,
        can_change=can_change,
        under_consent=basis.kind == policy.Basis.CONSENT,
        invitations=invitations,
        measures=measures,
        minutes_entry=entries[0] if entries else None,
        gp_notice_short=deadline_rules.gp_notice_is_short(meeting.starts_at, now),
        is_over=meeting.is_over(now),
    )
