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
    subtractable = _subtractable(scope)
    shown = _suppressed_tables(counted_now, counted_before, scope, subtractable)
    views = [
        _waits(figure, counted_now[figure.key], counted_before[figure.key], scope, subtractable)
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
    [total, *lines] as they may be shown in each period. Breakdowns whose numbers are linked
    are suppressed as one table, both periods together: those of the same total
    (Figure.total_of), else a total hidden in one would show in another with the lines that
    pin it; and those whose totals add up across figures (figures.IDENTITIES: the totals of
    the breakdowns `within` a total add up to it, so cases followed less those open at the
    end are those closed), else a hidden total would be the difference of two shown ones."""
    breakdowns = [figure for figure in figures.FIGURES if figure.kind == BREAKDOWN]
    table_of = {figure.key: figure.key for figure in breakdowns}

    def root(key: str) -> str:
        while table_of[key] != key:
            key = table_of[key]
        return key

    def join(first: str, second: str) -> None:
        table_of[root(second)] = root(first)

    first_of: dict[str, str] = {}
    for figure in breakdowns:
        join(first_of.setdefault(figure.total_of or figure.key, figure.key), figure.key)
    for identity in figures.IDENTITIES:
        for key, _when in identity.parts:
            join(identity.total[0], key)
    tables: dict[str, list[Figure]] = {}
    for figure in breakdowns:
        tables.setdefault(root(figure.key), []).append(figure)
    result = {}
    for members in tables.values():
        parts: dict[str, Parts] = {}
        for figure in members:
            lines = list(counted_now[figure.key].parts)
            keys = {key for key, _label in lines}
            lines += [pair for pair in counted_before[figure.key].parts if pair[0] not in keys]
            parts[figure.key] = lines
        now, before = _suppressed(
            members, (counted_now, counted_before), parts, scope, subtractable
        )
        for figure in members:
            result[figure.key] = (parts[figure.key], now[figure.key], before[figure.key])
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
    members: list[Figure],
    periods: tuple[dict[str, Counted], ...],
    parts: dict[str, Parts],
    scope: Scope,
    subtractable: list[frozenset[int]],
) -> list[dict[str, list[Shown]]]:
    """For linked breakdowns (one table), per period (figures.NOW, figures.BEFORE), each
    one's [total, *lines] as they may be shown: the one suppression rule over all of them
    and all periods together, knowing which cells add up to which (lines to their total,
    totals to totals by figures.IDENTITIES), with the cells an organisation's leader could
    otherwise work out by subtracting their own units."""
    # The cells: per period, each total once (breakdowns of one total share it), each line.
    total_of = {figure.key: figure.total_of or figure.key for figure in members}
    total_cell: dict[tuple[int, str], int] = {}
    line_cells: dict[tuple[int, str], tuple[int, ...]] = {}
    cell_count = 0
    for when in range(len(periods)):
        for figure in members:
            if (when, total_of[figure.key]) not in total_cell:
                total_cell[when, total_of[figure.key]] = cell_count
                cell_count += 1
            span = tuple(range(cell_count, cell_count + len(parts[figure.key])))
            line_cells[when, figure.key] = span
            cell_count += len(span)

    def cells(unit_ids: frozenset[int]) -> list[int]:
        values = [0] * cell_count
        for when, counted in enumerate(periods):
            for figure in members:
                values[total_cell[when, total_of[figure.key]]] = figures.total(
                    figure, counted[figure.key], unit_ids
                )
                together = figures.combined(figure, counted[figure.key], unit_ids)
                for cell, (key, _label) in zip(
                    line_cells[when, figure.key], parts[figure.key], strict=True
                ):
                    values[cell] = together.get(key, 0)
        return values

    additive = {figure.key: figure.additive for figure in members}
    values = cells(scope.unit_ids)
    hide: set[int] = set()
    for led in subtractable:
        rest = cells(scope.unit_ids - led)
        hide |= {i for i, value in enumerate(rest) if value < THRESHOLD}
    # Lines that add up to the total are a group; lines that do not are each alone.
    groups = [
        Group(total=total_cell[when, total_of[key]], parts=span)
        for (when, key), span in line_cells.items()
        if additive[key]
    ]
    # Totals that add up across figures are groups too, where the table holds them all.
    for identity in figures.IDENTITIES:
        named = [identity.total, *identity.parts]
        if all(key in total_of and when < len(periods) for key, when in named):
            cell = {(key, when): total_cell[when, total_of[key]] for key, when in named}
            groups.append(
                Group(
                    total=cell[identity.total],
                    parts=tuple(cell[part] for part in identity.parts),
                )
            )
    shown = suppress(values, groups, hide=hide)
    return [
        {
            figure.key: [
                shown[total_cell[when, total_of[figure.key]]],
                *(shown[i] for i in line_cells[when, figure.key]),
            ]
            for figure in members
        }
        for when in range(len(periods))
    ]


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


def _waits(
    figure: Figure,
    now: Counted,
    before: Counted,
    scope: Scope,
    subtractable: list[frozenset[int]],
) -> FigureView:
    """The median and 90th percentile of each leg, in each period, where at least 5 waits
    lie behind them; in an organisation's figures also only where at least 5 remain after
    any leader's own units' waits are taken out, else a leader who knows their own families'
    waits could work another unit's single wait out of a percentile."""

    def statistics(counted: Counted, key: str) -> tuple[float | None, float | None]:
        for led in subtractable:
            if len(figures.combined(figure, counted, scope.unit_ids - led)[key]) < THRESHOLD:
                return None, None
        return _statistics(figures.combined(figure, counted, scope.unit_ids)[key])

    view = FigureView(figure)
    for key, label in now.parts:
        median, p90 = statistics(now, key)
        median_before, p90_before = statistics(before, key)
        view.waits.append(Wait(key, label, median, p90, median_before, p90_before))
    return view
