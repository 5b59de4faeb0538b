"""Retention of requests for help and closed cases: which have passed their period, and what
deleting a case with all its parts means.

The periods are the rules `closed_help_request` and `closed_case` in the RetentionRule table
(seeded by privacy migration 0007, explained in docs/data-protection.md, section 6). The
privacy layer's retention run applies them with its own categories: one transaction and one
audit event per category, with ids only.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef

from familiebro.privacy.models import Assignment

from .models import Case, HelpRequest, LogEntry


def closed_requests_expired(cutoff: datetime.datetime) -> models.QuerySet:
    """Requests closed before `cutoff` without becoming a case. A request that became a case
    is kept as long as the case, and deleted with it."""
    return HelpRequest.objects.filter(
        ~Exists(Case.objects.filter(help_request=OuterRef("pk"))),
        status=HelpRequest.Status.CLOSED,
        closed_at__lt=cutoff,
    )


def closed_cases_expired(cutoff: datetime.datetime) -> models.QuerySet:
    return Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff)


def _end_need_to_know(case_ids: list[int], now: datetime.datetime) -> list[int]:
    """End every assignment a case gave, for every family member.

    They stayed open after closing so that the coordinator and the unit could read the case
    while it was kept; with the case gone there is nothing left to know. The work ended when
    the case closed, which is what the inactive-person rule counts from. The case links each
    assignment it gives (participants, the one offered the coordinator role).
    """
    ended: list[int] = []
    cases = Case.objects.filter(pk__in=case_ids).values_list("pk", "closed_at")
    for case_id, closed_at in cases:
        ids = list(
            Assignment.objects.filter(given_by_case=case_id, ended_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        Assignment.objects.filter(pk__in=ids).update(ended_at=now, work_ended_at=closed_at)
        ended += ids
    return sorted(ended)


def delete_cases(case_ids: list[int], now: datetime.datetime) -> dict[str, Any]:
    """Delete the cases with every part and the request each came from; end the need to know
    they gave. Returns, for the audit event, the ids of the requests and of the ended
    assignments, and the count per kind of row."""
    cases = Case.objects.filter(pk__in=case_ids)
    ended = _end_need_to_know(case_ids, now)
    request_ids = sorted(cases.exclude(help_request=None).values_list("help_request_id", flat=True))
    # A correction protects the entry it replaces, and a log entry the meeting or measure it
    # came from, against being deleted on their own; all are deleted here, so the links go
    # first.
    LogEntry.objects.filter(case_id__in=case_ids).update(replaces=None, meeting=None, measure=None)
    _total, deleted = cases.delete()
    _total, deleted_requests = HelpRequest.objects.filter(pk__in=request_ids).delete()
    counts = {**deleted}
    for label, count in deleted_requests.items():
        counts[label] = counts.get(label, 0) + count
    return {
        "help_request_ids": request_ids,
        "deleted_rows": {label: count for label, count in sorted(counts.items()) if count},
        "ended_assignment_ids": ended,
    }
