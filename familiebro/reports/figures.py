"""The figures: every number a dashboard, an export or a report shows, declared once.

A figure is one entry in FIGURES. It names the *source* it counts (a query over the raw
records of a set of units for a period, run once per dashboard however many figures read
it) and a function that turns the source's rows into counts per unit: a breakdown (parts
that add up to a total: requests by channel) or waiting times (days, from which the pages
show the median and the 90th percentile). Adding a figure is adding one entry, with its
source if it needs a new one (docs/reports.md).

Figures count; they never list a person. They are computed per unit, so a unit's figures and
its organisation's are the same numbers summed, and small counts are suppressed after
(familiebro.reports.suppression), by the pages and exports alike. Who may see which units'
figures is decided before a source is run (familiebro.reports.permissions).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from familiebro.cases.models import (
    Case,
    Decision,
    HelpRequest,
    IndividualPlan,
    Participant,
    PathwayVersion,
)
from familiebro.core.models import ServiceUnit

from .periods import Period

BREAKDOWN = "breakdown"
WAITS = "waits"
DAY = 86400.0


@dataclass(frozen=True)
class Window:
    """What a source counts over: the units, the period and the moment it is read (a
    period that has not ended is counted up to now)."""

    unit_ids: frozenset[int]
    period: Period
    now: datetime.datetime

    @property
    def end(self) -> datetime.datetime:
        return min(self.period.ends_at, self.now)


Source = Callable[[Window], Any]


@dataclass
class Counted:
    """A figure's numbers: its parts in order (key, label) and per unit, per part, a count
    (a breakdown) or the waits in days (waiting times)."""

    parts: list[tuple[str, str]]
    by_unit: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Where the lines do not add up (Figure.additive is False): the total per unit.
    totals: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str
    title: str | Promise
    about: str | Promise
    source: Source
    count: Callable[[Any, Window], Counted]
    # A breakdown: what its total is called, and the part whose share of the parts named in
    # share_among (all parts when empty) the pages show, with what the share is called.
    total_label: str | Promise = ""
    # Breakdowns of the same records (requests received in the period) name them alike: they
    # share one total and are suppressed as one table (reports.pages).
    total_of: str = ""
    # A breakdown whose total is one part of another's (the cases closed in the period, of
    # the cases followed in it) names that one's total_of; the totals of all breakdowns
    # naming it add up to it exactly, in each period (an identity of IDENTITIES), and they
    # are suppressed as one table with it (reports.pages).
    within: str = ""
    # False where a case may count on several lines (a case with both NAV and child welfare
    # taking part): the lines do not add up to the total, and each is suppressed on its own.
    additive: bool = True
    share_part: str = ""
    share_among: tuple[str, ...] = ()
    share_label: str | Promise = ""


# Sources ---------------------------------------------------------------------------------


def help_requests(window: Window) -> list[dict[str, Any]]:
    """The requests for help the units received in the period, with when each got its first
    contact and when the case it became held its first meeting (cancelled meetings and those
    still ahead left out)."""
    period = window.period
    return list(
        HelpRequest.objects.filter(
            unit_id__in=window.unit_ids,
            received_at__gte=period.starts_at,
            received_at__lt=window.end,
        )
        .annotate(
            first_meeting=Min(
                "case__meetings__starts_at",
                filter=Q(
                    case__meetings__cancelled_at__isnull=True,
                    case__meetings__starts_at__lte=window.now,
                ),
            )
        )
        .values(
            "unit_id",
            "channel",
            "requester_role",
            "received_at",
            "first_contacted_at",
            "first_contact_due_at",
            "first_meeting",
        )
        .order_by()
    )


def cases_opened(window: Window) -> list[Any]:
    """The cases the units opened in the period, with how each started."""
    return list(
        Case.objects.filter(
            unit_id__in=window.unit_ids,
            opened_at__gte=window.period.starts_at,
            opened_at__lt=window.end,
        )
        .values("unit_id", "origin")
        .order_by()
    )


def cases_followed(window: Window) -> tuple[list[Any], dict[int, set[str]]]:
    """The cases the units followed in the period (open at some moment of it), with when
    and why each closed; and for each, the kinds of the other units that took part in it in
    the period (one query each)."""
    period, end = window.period, window.end
    followed = Case.objects.filter(unit_id__in=window.unit_ids, opened_at__lt=end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.starts_at)
    )
    rows = list(followed.values("pk", "unit_id", "closed_at", "close_reason").order_by())
    others: dict[int, set[str]] = {}
    for case_id, kind in (
        Participant.objects.filter(case__in=followed, added_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=period.starts_at))
        .exclude(unit_id=F("case__unit_id"))
        .values_list("case_id", "unit__kind")
        .order_by()
    ):
        others.setdefault(case_id, set()).add(kind)
    return rows, others


def cases_open_at_end(window: Window) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """The cases open when the period ended, each with the phase it was in then: the phase
    its last decision before the end moved it to, else the phase its first decision after the
    end was made in, else the phase it is in now. With the pathway versions, to name them."""
    end = window.end
    moved_to = (
        Decision.objects.filter(case=OuterRef("pk"), decided_at__lt=end)
        .exclude(to_phase="")
        .order_by("-decided_at", "-pk")
        .values("to_phase")[:1]
    )
    decided_in = (
        Decision.objects.filter(case=OuterRef("pk"), decided_at__gte=end)
        .order_by("decided_at", "pk")
        .values("phase")[:1]
    )
    rows = list(
        Case.objects.filter(unit_id__in=window.unit_ids, opened_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .annotate(phase_then=Coalesce(Subquery(moved_to), Subquery(decided_in), F("phase")))
        .values("unit_id", "pathway_version_id", "phase_then")
        .order_by()
    )
    version_ids = {row["pathway_version_id"] for row in rows}
    versions = (
        {v.pk: v for v in PathwayVersion.objects.filter(pk__in=version_ids)} if version_ids else {}
    )
    return rows, versions


def plans_active_at_end(window: Window) -> list[dict[str, Any]]:
    """The individual plans active when the period ended, and whether the case has a
    coordinator (the coordinator the case has now: the case keeps no history of it apart
    from its log)."""
    end = window.end
    return list(
        IndividualPlan.objects.filter(unit_id__in=window.unit_ids, created_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .annotate(has_coordinator=Q(case__coordinator__isnull=False))
        .values("unit_id", "has_coordinator")
        .order_by()
    )


# Counting --------------------------------------------------------------------------------


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


def _tally(rows: Sequence[dict[str, Any]], parts: list[tuple[str, str]], key: Any) -> Counted:
    counted = Counted(parts)
    for row in rows:
        unit = counted.by_unit.setdefault(row["unit_id"], {k: 0 for k, _label in parts})
        unit[key(row)] += 1
    return counted


def requests_by_channel(rows: list[dict[str, Any]], window: Window) -> Counted:
    return _tally(rows, _choices(HelpRequest.Channel.choices), lambda row: row["channel"])


def requests_by_requester(rows: list[dict[str, Any]], window: Window) -> Counted:
    return _tally(
        rows, _choices(HelpRequest.RequesterRole.choices), lambda row: row["requester_role"]
    )


WITHIN = "within"
LATE = "late"
NOT_YET_DUE = "not_yet_due"


def first_contact_in_time(rows: list[dict[str, Any]], window: Window) -> Counted:
    """As things stand now: a request not yet contacted is late once its deadline has passed.

    "Not yet due" is a line only while some request's deadline is still ahead: once every
    deadline has passed it is nought by necessity, and a line that is always nought would
    only hide the others (a hidden nought beside a shown total pins it, reports.suppression).
    """
    now = window.now
    parts = [
        (WITHIN, str(_("First contact within the deadline"))),
        (LATE, str(_("First contact late, or overdue"))),
    ]
    if any(row["first_contact_due_at"] >= now for row in rows):
        parts.append((NOT_YET_DUE, str(_("Not yet contacted, deadline not passed"))))

    def verdict(row: dict[str, Any]) -> str:
        contacted, due = row["first_contacted_at"], row["first_contact_due_at"]
        if contacted is not None:
            return WITHIN if contacted <= due else LATE
        return LATE if due < now else NOT_YET_DUE

    return _tally(rows, parts, verdict)


def _days(start: datetime.datetime | None, end: datetime.datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / DAY


def waiting_times(rows: list[dict[str, Any]], window: Window) -> Counted:
    legs = [
        ("request_to_contact", "received_at", "first_contacted_at"),
        ("contact_to_meeting", "first_contacted_at", "first_meeting"),
        ("request_to_meeting", "received_at", "first_meeting"),
    ]
    counted = Counted(
        [
            ("request_to_contact", str(_("From the request to the first contact"))),
            ("contact_to_meeting", str(_("From the first contact to the first meeting"))),
            ("request_to_meeting", str(_("From the request to the first meeting"))),
        ]
    )
    for row in rows:
        unit = counted.by_unit.setdefault(row["unit_id"], {key: [] for key, _s, _e in legs})
        for key, start, end in legs:
            days = _days(row[start], row[end])
            if days is not None:
                unit[key].append(days)
    return counted


def cases_by_origin(rows: list[dict[str, Any]], window: Window) -> Counted:
    return _tally(rows, _choices(Case.Origin.choices), lambda row: row["origin"])


def cases_by_phase(source: tuple[list[dict[str, Any]], dict[int, Any]], window: Window) -> Counted:
    rows, versions = source
    names: dict[str, str] = {}
    for row in rows:
        version = versions[row["pathway_version_id"]]
        key = f"{version.definition_id}:{row['phase_then']}"
        if key not in names:
            try:
                phase = str(version.parsed.phase(row["phase_then"]).name)
            except KeyError:
                phase = row["phase_then"]
            names[key] = phase
    parts = sorted(names.items(), key=lambda item: (item[1], item[0]))
    return _tally(
        rows,
        parts,
        lambda row: f"{versions[row['pathway_version_id']].definition_id}:{row['phase_then']}",
    )


NOT_GIVEN = "not_given"


def cases_closed_by_reason(
    source: tuple[list[Any], dict[int, set[str]]], window: Window
) -> Counted:
    rows, _others = source
    start, end = window.period.starts_at, window.end
    closed = [row for row in rows if row["closed_at"] and start <= row["closed_at"] < end]
    parts = _choices(Case.CloseReason.choices)
    known = {key for key, _label in parts}
    # Closing in the product asks for a reason, but the field may be blank (a case closed
    # before reasons were asked for, or imported): such a case counts on a line of its own,
    # so that the lines still add up to the cases closed.
    if any(row["close_reason"] not in known for row in closed):
        parts.append((NOT_GIVEN, str(_("Not given"))))
    return _tally(
        closed,
        parts,
        lambda row: row["close_reason"] if row["close_reason"] in known else NOT_GIVEN,
    )


SEVERAL = "several_services"


def cases_by_services_taking_part(
    source: tuple[list[Any], dict[int, set[str]]], window: Window
) -> Counted:
    """Each case followed counts once in the total, once on "with other services" if any
    other unit took part, and once on the line of each kind of unit that did."""
    rows, others = source
    kinds = dict(_choices(ServiceUnit.Kind.choices))
    present = sorted(
        {kind for found in others.values() for kind in found}, key=lambda k: kinds.get(k, k)
    )
    parts = [(SEVERAL, str(_("With other services taking part")))]
    parts += [(kind, kinds.get(kind, kind)) for kind in present]
    counted = Counted(parts)
    for row in rows:
        unit = counted.by_unit.setdefault(row["unit_id"], {key: 0 for key, _label in parts})
        counted.totals[row["unit_id"]] = counted.totals.get(row["unit_id"], 0) + 1
        found = others.get(row["pk"], set())
        if found:
            unit[SEVERAL] += 1
        for kind in found:
            unit[kind] += 1
    return counted


WITH_COORDINATOR = "with_coordinator"


def plans_by_coordinator(rows: list[dict[str, Any]], window: Window) -> Counted:
    parts = [
        (WITH_COORDINATOR, str(_("With a coordinator"))),
        ("without_coordinator", str(_("Without a coordinator"))),
    ]
    return _tally(
        rows,
        parts,
        lambda row: WITH_COORDINATOR if row["has_coordinator"] else "without_coordinator",
    )


# The figures, in the order the dashboard shows them ----------------------------------------
#
# `count` receives what the source returned and the window it was read for.

FIGURES: tuple[Figure, ...] = (
    Figure(
        key="requests_by_channel",
        kind=BREAKDOWN,
        total_of="help_requests",
        title=_("Requests for help, by how they came"),
        about=_("Requests for help received in the period."),
        source=help_requests,
        count=requests_by_channel,
        total_label=_("Requests for help"),
    ),
    Figure(
        key="requests_by_requester",
        kind=BREAKDOWN,
        total_of="help_requests",
        title=_("Requests for help, by who asked"),
        about=_("Requests for help received in the period."),
        source=help_requests,
        count=requests_by_requester,
        total_label=_("Requests for help"),
    ),
    Figure(
        key="first_contact_deadline",
        kind=BREAKDOWN,
        total_of="help_requests",
        title=_("First contact within the unit's deadline"),
        about=_(
            "Requests for help received in the period, by whether they got a first contact "
            "within the unit's days to first contact."
        ),
        source=help_requests,
        count=first_contact_in_time,
        total_label=_("Requests for help"),
        share_part=WITHIN,
        share_among=(WITHIN, LATE),
        share_label=_("Share within the deadline"),
    ),
    Figure(
        key="waiting_times",
        kind=WAITS,
        title=_("Waiting times"),
        about=_(
            "Days from a request for help received in the period to its first contact and to "
            "the first meeting in the case it became."
        ),
        source=help_requests,
        count=waiting_times,
    ),
    Figure(
        key="cases_by_origin",
        kind=BREAKDOWN,
        title=_("New cases, by how they started"),
        about=_("Cases opened in the period."),
        source=cases_opened,
        count=cases_by_origin,
        total_label=_("New cases"),
    ),
    Figure(
        key="cases_by_services",
        kind=BREAKDOWN,
        title=_("Cases followed, and the other services taking part"),
        about=_(
            "Cases open at some time in the period, and those in which services of other units "
            "took part, by the kind of service. A case with several counts on each line."
        ),
        source=cases_followed,
        count=cases_by_services_taking_part,
        total_label=_("Cases followed"),
        total_of="cases_followed",
        additive=False,
    ),
    Figure(
        key="cases_closed",
        kind=BREAKDOWN,
        title=_("Closed cases, by reason"),
        about=_("Cases closed in the period."),
        source=cases_followed,
        count=cases_closed_by_reason,
        total_label=_("Closed cases"),
        # A case followed in the period was either closed in it or open at its end.
        within="cases_followed",
    ),
    Figure(
        key="cases_by_phase",
        kind=BREAKDOWN,
        title=_("Open cases, by phase"),
        about=_("Cases open at the end of the period, by the pathway phase they were in."),
        source=cases_open_at_end,
        count=cases_by_phase,
        total_label=_("Open cases"),
        within="cases_followed",
    ),
    Figure(
        key="individual_plans",
        kind=BREAKDOWN,
        title=_("Active individual plans"),
        about=_(
            "Individual plans active at the end of the period, and whether they have a coordinator."
        ),
        source=plans_active_at_end,
        count=plans_by_coordinator,
        total_label=_("Active individual plans"),
        share_part=WITH_COORDINATOR,
        share_label=_("Share with a coordinator"),
    ),
)


# Identities across figures ---------------------------------------------------------------
#
# Totals of different figures that add up, within a period or across the period and the one
# before: an onlooker who knows them could work a hidden total out of shown ones, so the
# figures they link are suppressed as one table (reports.pages), these among its groups.

NOW, BEFORE = 0, 1


@dataclass(frozen=True)
class Identity:
    """The total of the figure `total` equals the sum of the totals of the figures `parts`;
    each is (figure key, NOW or BEFORE: the period or the period before it)."""

    total: tuple[str, int]
    parts: tuple[tuple[str, int], ...]


def _within(figures: tuple[Figure, ...]) -> tuple[Identity, ...]:
    """Figure.within as identities: in each period, the totals of the breakdowns within a
    total add up to it (cases followed = closed in the period + open at its end)."""
    whole: dict[str, str] = {}
    for figure in figures:
        whole.setdefault(figure.total_of or figure.key, figure.key)
    inner: dict[str, list[str]] = {}
    for figure in figures:
        if figure.within:
            inner.setdefault(figure.within, []).append(figure.key)
    return tuple(
        Identity((whole[name], when), tuple((key, when) for key in keys))
        for name, keys in inner.items()
        for when in (NOW, BEFORE)
    )


IDENTITIES: tuple[Identity, ...] = (
    # A case followed in a period either closed in it or was still open at its end.
    *_within(FIGURES),
    # A case followed in a period was open at the end of the period before, or opened in it.
    Identity(("cases_by_services", NOW), (("cases_by_phase", BEFORE), ("cases_by_origin", NOW))),
)


def compute(unit_ids: frozenset[int], period: Period, now: datetime.datetime) -> dict[str, Counted]:
    """Every figure for `unit_ids` over `period`, per unit: each source queried once. The
    caller has checked that the units' figures may be read (reports.permissions)."""
    window = Window(unit_ids, period, now)
    fetched: dict[Source, Any] = {}
    result: dict[str, Counted] = {}
    for figure in FIGURES:
        if figure.source not in fetched:
            fetched[figure.source] = figure.source(window)
        result[figure.key] = figure.count(fetched[figure.source], window)
    return result


def total(figure: Figure, counted: Counted, unit_ids: frozenset[int]) -> int:
    """A breakdown's total for several units together."""
    if figure.additive:
        return sum(sum(counted.by_unit.get(unit_id, {}).values()) for unit_id in unit_ids)
    return sum(counted.totals.get(unit_id, 0) for unit_id in unit_ids)


def combined(figure: Figure, counted: Counted, unit_ids: frozenset[int]) -> dict[str, Any]:
    """The figure for several units together: counts summed, waits put together."""
    together: dict[str, Any] = {
        key: [] if figure.kind == WAITS else 0 for key, _label in counted.parts
    }
    for unit_id in unit_ids:
        for key, value in counted.by_unit.get(unit_id, {}).items():
            together[key] = together[key] + value
    return together
