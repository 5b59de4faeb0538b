"""Meetings on a case: what the meeting page shows the reader, each part read (and audited)
through the access policy. The actions on a meeting are in familiebro.cases.meetings.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import policy

from .. import case_services, permissions
from ..case_pages import CHOICE_LIMIT
from ..case_services import READ
from ..deadlines import rules as deadline_rules
from ..models import Case, Invitation, LogEntry, Measure, Meeting, Participant


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


@dataclass
class Invitees:
    """Whom the invitation form offers: the colleagues who work on the case, and the family
    members who have an e-mail address on record."""

    colleagues: list[Any]
    family: list[Person]


# Unit-wide participation offers the unit's caseworkers and leaders: an administrator of the
# unit, who manages its accounts, does not work on its cases unless named on one.
WORKING_ROLES = (Membership.Role.WORKER, Membership.Role.COORDINATOR, Membership.Role.LEADER)


def invitees(actor: Any, case: Case, participants: list[Participant]) -> Invitees:
    """Whom `actor` may invite to a meeting on `case`, given the case's participants as the
    actor read them (case_pages.choices_for_change, through the policy): the coordinator, the
    staff named on the case, the working staff of the units taking part as a whole (of any
    organisation), and the child and the guardians with parental responsibility who have an
    e-mail address on record, read (and audited) through the policy."""
    from familiebro.core.models import User

    active = [p for p in participants if p.ended_at is None]
    named = {p.user_id for p in active if p.user_id is not None}
    if case.coordinator_id is not None:
        named.add(case.coordinator_id)
    whole_units = {p.unit_id for p in active if p.user_id is None}
    colleagues = list(
        User.objects.filter(
            Q(pk__in=named)
            | Q(memberships__unit_id__in=whole_units, memberships__role__in=WORKING_ROLES),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")[:CHOICE_LIMIT]
    )
    family = policy.list_page(
        actor,
        policy.visible(actor, Person, READ, few_rows=True)
        .filter(pk__in=case_services._family_ids(case))
        .exclude(email="")
        .order_by("given_name", "family_name", "pk"),
        READ,
    )
    return Invitees(colleagues=colleagues, family=family)
