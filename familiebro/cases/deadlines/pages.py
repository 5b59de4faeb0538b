"""Deadlines as staff read them: "My deadlines", the open deadlines a staff member holds and,
for leaders, their units' deadlines that nobody holds or that are overdue. Read through the
access policy and audited as a list, the deadlines' cases too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from familiebro.privacy import policy

from ..case_services import READ
from ..models import Case, Deadline

# Rows on one page; more than this many open deadlines is a workload to talk about, not read.
DEADLINE_PAGE_SIZE = 200


@dataclass
class DeadlineRow:
    deadline: Deadline
    overdue: bool
    mine: bool  # I am the responsible person (otherwise I see it as a leader)


def open_deadlines(actor: Any, now: Any) -> QuerySet[Deadline]:
    """The open deadlines "My deadlines" lists: the actor's own and, for leaders, their units'
    deadlines that nobody holds or that are overdue."""
    scope = policy.scope_of(actor)
    whose = Q(responsible=actor)
    if scope.leader_unit_ids:
        whose |= Q(unit_id__in=scope.leader_unit_ids) & (
            Q(responsible__isnull=True) | Q(due_at__lt=now)
        )
    return policy.visible(actor, Deadline, READ, few_rows=True).filter(
        whose,
        organisation_id__in=scope.organisation_ids,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
        case__status=Case.Status.OPEN,
    )


def my_deadlines(actor: Any, now: Any = None) -> tuple[list[DeadlineRow], bool]:
    """The actor's open deadlines and, for leaders, their units' deadlines that nobody holds
    or that are overdue, soonest first. Also whether there were more than one page."""
    now = now or timezone.now()
    rows = list(
        open_deadlines(actor, now)
        .select_related("case__child", "unit", "responsible")
        .order_by("due_at", "pk")[: DEADLINE_PAGE_SIZE + 1]
    )
    more = len(rows) > DEADLINE_PAGE_SIZE
    deadlines = policy.list_page(actor, rows[:DEADLINE_PAGE_SIZE], READ)
    # The page shows each case's reference and child: the cases are read, too.
    cases = list({d.case_id: d.case for d in deadlines}.values())
    policy.list_page(actor, cases, READ)
    return [DeadlineRow(d, d.due_at < now, d.responsible_id == actor.pk) for d in deadlines], more
