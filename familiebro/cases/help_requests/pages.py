"""Requests for help: the unit's inbox as staff read it, one page of requests per status,
read through the access policy and audited as one listing. What staff do with a request is in
familiebro.cases.help_requests.services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit
from familiebro.privacy import policy
from familiebro.privacy.consultation import units_of
from familiebro.privacy.policy import Purpose

from ..models import HelpRequest

# The unit's inbox ---------------------------------------------------------------------------


STATUS_SLUGS: dict[str, str] = {
    "ny": HelpRequest.Status.NEW,
    "kontaktet": HelpRequest.Status.CONTACTED,
    "sak": HelpRequest.Status.CONVERTED,
    "lukket": HelpRequest.Status.CLOSED,
}
INBOX_PAGE_SIZE = 25
# A search longer than this is no name or reference; the rest is not searched for.
MAX_QUERY_LENGTH = 100


def is_overdue(help_request: HelpRequest, now: datetime.datetime | None = None) -> bool:
    """Still waiting for a first contact after its deadline."""
    now = now or timezone.now()
    return help_request.status == HelpRequest.Status.NEW and help_request.first_contact_due_at < now


def was_contacted_late(help_request: HelpRequest) -> bool:
    contacted = help_request.first_contacted_at
    return contacted is not None and contacted > help_request.first_contact_due_at


def matching(requests: QuerySet[HelpRequest], query: str) -> QuerySet[HelpRequest]:
    """The requests whose reference or asker's name holds every word of `query`."""
    for word in query.split():
        requests = requests.filter(Q(reference__icontains=word) | Q(requester_name__icontains=word))
    return requests


def inbox_for(
    actor: Any, unit: ServiceUnit | None, status: str, query: str = ""
) -> QuerySet[HelpRequest]:
    """The requests of `unit` (or all the actor's units) with `status`, deadline first,
    narrowed to those matching `query` (a name or a reference)."""
    requests = policy.visible(actor, HelpRequest, Purpose.CASEWORK).filter(status=status)
    if unit is not None:
        requests = requests.filter(unit=unit)
    return (
        matching(requests, query)
        .select_related("unit", "offer")
        .order_by("first_contact_due_at", "pk")
    )


@dataclass
class InboxRow:
    request: HelpRequest
    overdue: bool
    contacted_late: bool


@dataclass
class InboxPage:
    units: list[ServiceUnit]
    unit: ServiceUnit | None
    status: str
    counts: dict[str, int]
    page: Page
    rows: list[InboxRow] = field(default_factory=list)
    query: str = ""


def inbox_page(
    actor: Any, *, unit_id: Any = None, status: str, page_number: Any = None, query: str = ""
) -> InboxPage:
    """One page of the inbox, audited as one listing, with the number of requests per status.
    `query` narrows every status to the requests whose reference or asker's name holds each
    of its words.

    A constant number of queries, however many requests the unit has."""
    if status not in HelpRequest.Status.values:
        raise Http404(_("There is no such list of requests."))
    # The units whose inbox the actor reads: those they are a member of.
    units = list(units_of(actor).order_by("name"))
    unit = None
    if unit_id not in (None, ""):
        unit = next((u for u in units if str(u.pk) == str(unit_id)), None)
        if unit is None:
            raise Http404(_("Not found, or you do not have access."))
    visible = policy.visible(actor, HelpRequest, Purpose.CASEWORK)
    if unit is not None:
        visible = visible.filter(unit=unit)
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    visible = matching(visible, query)
    counts = dict.fromkeys(HelpRequest.Status.values, 0)
    for row in visible.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    paginator = Paginator(inbox_for(actor, unit, status, query), INBOX_PAGE_SIZE)
    # The total is already known from the counts: no second COUNT query.
    paginator.count = counts[status]
    page = paginator.get_page(page_number)
    requests = policy.list_page(actor, page.object_list, Purpose.CASEWORK)
    now = timezone.now()
    rows = [InboxRow(r, is_overdue(r, now), was_contacted_late(r)) for r in requests]
    return InboxPage(
        units=units, unit=unit, status=status, counts=counts, page=page, rows=rows, query=query
    )
