"""The leader's dashboard: the figures of one unit or one organisation for a period, beside
the period before, every count suppressed by the one rule (reports.suppression). The pages,
the CSV and the XLSX export all read this, so they show the same numbers."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from familiebro.privacy import audit

from . import figures, permissions
from .figures import BREAKDOWN, WAITS, Counted, Figure
from .periods import Period
from .permissions import Scope
from .suppression import THRESHOLD, Group, Shown, difference, share, suppress


@dataclass
class Line:
    """One line of a breakdown: its count in the period and in the period before."""

    key: str
    label: str
    now: Shown
    before: Shown
    # The bar's length, as a share (0–1) of the longest shown count of the figure.
    bar: float = 0.0

    @property
    def change(self) -> int | None:
        return difference(self.now, self.before)


@dataclass
class Wait:
    """One leg of the waiting times, in days: shown only where at least 5 waits lie behind
    it, so that no single family's wait can be read off it."""

    key: str
    label: str
    median: float | None
    p90: float | None
    median_before: float | None
    p90_before: float | None


@dataclass
class FigureView:
    figure: Figure
    total: Line | None = None
    lines: list[Line] = field(default_factory=list)
    share_now: float | None = None
    share_before: float | None = None
    waits: list[Wait] = field(default_factory=list)

    @property
    def is_breakdown(self) -> bool:
        return self.figure.kind == BREAKDOWN


@dataclass
class Dashboard:
    scope: Scope
    scopes: list[Scope]
    period: Period
    previous: Period
    figures: list[FigureView]


def dashboard(
    actor: Any, scope_key: str | None, period: Period, now: datetime.datetime | None = None
) -> Dashboard:
    """The figures of the scope `scope_key` (the actor's first when none) for `period`,
    audited as a read of aggregates. PermissionDenied when the actor may not read them."""
    scope, scopes = permissions.require_scope(actor, scope_key)
    now = now or timezone.now()
    previous = period.previous()
    counted_now = figures.compute(scope.unit_ids, period, now)
    counted_before = figures.compute(scope.unit_ids, previous, now)
    shown = _suppressed_tables(counted_now, counted_before, scope, _subtractable(scope))
    views = [
        _waits(figure, counted_now[figure.key], counted_before[figure.key], scope)
        if figure.kind == WAITS
        else _view(figure, *shown[figure.key])
        for figure in figures.FIGURES
    ]
    with transaction.atomic():
        audit.record_aggregate_read(
            actor,
            unit_ids=scope.unit_ids,
            organisation_id=scope.organisation_id,
            detail={
                "scope": scope.kind,
                "first_day": period.first_day.isoformat(),
                "last_day": period.last_day.isoformat(),
            },
        )
    return Dashboard(scope, scopes, period, previous, views)


def _subtractable(scope: Scope) -> list[frozenset[int]]:
    """The units of the organisation that some leader reads on their own and could subtract
    from the organisation's figures; nothing for a unit's own figures."""
    if scope.kind != permissions.ORGANISATION:
        return []
    return [
        led & scope.unit_ids
        for led in permissions.units_each_leader_reads(scope.organisation_id)
        if (led & scope.unit_ids) and not scope.unit_ids <= led
    ]


Parts = list[tuple[str, str]]


def _suppressed_tables(
    counted_now: dict[str, Counted],
    counted_before: dict[str, Counted],
    scope: Scope,
    subtractable: list[frozenset[int]],
) -> dict[str, tuple[Parts, list[Shown], list[Shown]]]:
    """Each breakdown's lines (the period's and the period before's, together) and its
    [total, *lines] as they may be shown in each period. Breakdowns of the same records
    (Figure.total_of, Figure.within) are suppressed as one table: else a total hidden in one
    would show in another, or be the difference of two others."""
    tables: dict[str, list[Figure]] = {}
    for figure in figures.FIGURES:
        if figure.kind == BREAKDOWN:
            tables.setdefault(figure.within or figure.total_of or figure.key, []).append(figure)
    result = {}
    for members in tables.values():
        # The figure whose total is the table's own comes first.
        members.sort(key=lambda figure: bool(figure.within))
        parts: dict[str, Parts] = {}
        for figure in members:
            lines = list(counted_now[figure.key].parts)
            keys = {key for key, _label in lines}
            lines += [pair for pair in counted_before[figure.key].parts if pair[0] not in keys]
            parts[figure.key] = lines
        shown = [
            _suppressed([(f, counted[f.key], parts[f.key]) for f in members], scope, subtractable)
            for counted in (counted_now, counted_before)
        ]
        for figure, shown_now, shown_before in zip(members, *shown, strict=True):
            result[figure.key] = (parts[figure.key], shown_now, shown_before)
    return result


def _view(
    figure: Figure, parts: Parts, shown_now: list[Shown], shown_before: list[Shown]
) -> FigureView:
    view = FigureView(
        figure,
        total=Line("total", str(figure.total_label), shown_now[0], shown_before[0]),
        lines=[
            Line(key, label, shown_now[i], shown_before[i])
            for i, (key, label) in enumerate(parts, start=1)
        ],
    )
    longest = max((line.now.value or 0 for line in view.lines), default=0)
    for line in view.lines:
        line.bar = (line.now.value or 0) / longest if longest else 0.0
    if figure.share_part:
        view.share_now = _share(figure, view.lines, "now")
        view.share_before = _share(figure, view.lines, "before")
    return view


def _suppressed(
    members: list[tuple[Figure, Counted, Parts]],
    scope: Scope,
    subtractable: list[frozenset[int]],
) -> list[list[Shown]]:
    """For the breakdowns of one table (the first's total is the table's; each that is
    `within` it has a total of its own, and those add up to the table's), each one's
    [total, *lines] as they may be shown: the one suppression rule over all of them together,
    with the cells an organisation's leader could otherwise work out by subtracting their own
    units."""

    def cells(unit_ids: frozenset[int]) -> list[int]:
        first, first_counted, _parts = members[0]
        values = [figures.total(first, first_counted, unit_ids)]
        for figure, counted, parts in members:
            if figure.within:
                values.append(figures.total(figure, counted, unit_ids))
            together = figures.combined(figure, counted, unit_ids)
            values += [together.get(key, 0) for key, _label in parts]
        return values

    values = cells(scope.unit_ids)
    hide: set[int] = set()
    for led in subtractable:
        rest = cells(scope.unit_ids - led)
        hide |= {i for i, value in enumerate(rest) if value < THRESHOLD}
    # Lines that add up to their total are a group; lines that do not are each alone; the
    # totals of the breakdowns within the table's add up to it.
    groups, spans, inner_totals, index = [], [], [], 1
    for figure, _counted, parts in members:
        total = 0
        if figure.within:
            total = index
            inner_totals.append(index)
            index += 1
        span = tuple(range(index, index + len(parts)))
        if figure.additive:
            groups.append(Group(total=total, parts=span))
        spans.append((total, span))
        index += len(parts)
    if inner_totals:
        groups.append(Group(total=0, parts=tuple(inner_totals)))
    shown = suppress(values, groups, hide=hide)
    return [[shown[total], *(shown[i] for i in span)] for total, span in spans]


def _share(figure: Figure, lines: list[Line], when: str) -> float | None:
    among = [line for line in lines if not figure.share_among or line.key in figure.share_among]
    part = next(line for line in among if line.key == figure.share_part)
    others = [getattr(line, when) for line in among if line is not part]
    return share(getattr(part, when), others)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie, interpolated between the two
    nearest (the median is the 0.5 percentile)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below, above = math.floor(position), math.ceil(position)
    low, high = ordered[below], ordered[above]
    return low + (high - low) * (position - below)


def _statistics(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < THRESHOLD:
        return None, None
    return round(percentile(values, 0.5), 1), round(percentile(values, 0.9), 1)


def _waits(figure: Figure, now: Counted, before: Counted, scope: Scope) -> FigureView:
    together_now = figures.combined(figure, now, scope.unit_ids)
    together_before = figures.combined(figure, before, scope.unit_ids)
    view = FigureView(figure)
    for key, label in now.parts:
        median, p90 = _statistics(together_now[key])
        median_before, p90_before = _statistics(together_before[key])
        view.waits.append(Wait(key, label, median, p90, median_before, p90_before))
    return view
