"""Small-count suppression: the one function every page, export and report shows counts by.

A count of persons or families below 5 (nought included) is never shown: it is "<5". A total
or a difference could still give such a count away (a total of 12 beside shown parts of 8 and
"<5" says the hidden part is 4), so wherever the shown numbers of a group (a total and the
parts that add up to it) would pin a hidden count to one value, another part is hidden too
(secondary suppression), shown as "–": a count of 5 or more, hidden. A difference or a share
is shown only when every count it is made of is shown.

The rule is checked from the attacker's side: tests/reports/test_suppression.py lets
hypothesis build tables and tries to work every hidden count out of what is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

THRESHOLD = 5
SMALL = "<5"
# A count hidden only so that a small one cannot be worked out: it is 5 or more.
HIDDEN = "–"


@dataclass(frozen=True)
class Shown:
    """A count as it may be shown: its value, or None with the mark shown instead."""

    value: int | None
    mark: str = ""

    @property
    def text(self) -> str:
        return self.mark if self.value is None else str(self.value)

    @property
    def is_shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Group:
    """Counts that add up: the cell `total` is the sum of the cells `parts`."""

    total: int
    parts: tuple[int, ...]


def suppress(
    values: Sequence[int], groups: Sequence[Group] = (), *, hide: Collection[int] = ()
) -> list[Shown]:
    """Each of `values` (counts of persons or families) as it may be shown.

    `groups` say which cells add up to which; `hide` names cells that must be hidden for a
    reason outside this table (a leader's own units subtracted from their organisation's).
    """
    small = {i for i, value in enumerate(values) if value < THRESHOLD}
    hidden = small | set(hide)
    while True:
        pinned = _pinned(values, groups, hidden, small)
        if pinned is None:
            break
        extra = _next_to_hide(values, groups, pinned, hidden)
        if extra is None:
            break
        hidden.add(extra)
    return [
        Shown(None, SMALL if i in small else HIDDEN) if i in hidden else Shown(value)
        for i, value in enumerate(values)
    ]


def _pinned(
    values: Sequence[int], groups: Sequence[Group], hidden: set[int], small: set[int]
) -> int | None:
    """A hidden cell that what is shown leaves only one possible value, if any.

    What an onlooker knows: a shown cell's value; that a "<5" lies in 0–4 and a "–" in 5 and
    up; and that each group's parts add up to its total. Narrowing every cell's range by each
    group in turn until nothing changes gives each hidden cell the values it could have (the
    tables here are totals with breakdowns that share no cell but the total, for which this
    is exact); a cell whose range has closed to one value is pinned.
    """
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    for i, value in enumerate(values):
        if i not in hidden:
            low[i] = high[i] = value
        elif i in small:
            low[i], high[i] = 0, THRESHOLD - 1
        else:
            low[i], high[i] = THRESHOLD, float("inf")
    # Ranges that hold the true counts only narrow, by whole numbers, so this ends; counts
    # that do not add up as the groups say could narrow for ever, hence the bound.
    changed, rounds = True, 0
    while changed and rounds < 10 * (len(values) + 1):
        changed, rounds = False, rounds + 1
        for group in groups:
            parts = group.parts
            bounds = [(group.total, sum(low[p] for p in parts), sum(high[p] for p in parts))]
            for p in parts:
                others_low = sum(low[q] for q in parts if q != p)
                others_high = sum(high[q] for q in parts if q != p)
                bounds.append((p, low[group.total] - others_high, high[group.total] - others_low))
            for cell, can_low, can_high in bounds:
                if can_low > low[cell]:
                    low[cell], changed = can_low, True
                if can_high < high[cell]:
                    high[cell], changed = can_high, True
    for i in sorted(hidden):
        if low[i] >= high[i]:
            return i
    return None


def _next_to_hide(
    values: Sequence[int], groups: Sequence[Group], pinned: int, hidden: set[int]
) -> int | None:
    """What to hide beside a pinned cell: the smallest shown part of a group it is in (it
    changes least of what is shown), else a shown total of one."""
    around = [group for group in groups if pinned == group.total or pinned in group.parts]
    parts = [i for group in around for i in group.parts if i not in hidden]
    if parts:
        return min(parts, key=lambda i: (values[i], i))
    totals = [group.total for group in around if group.total not in hidden]
    return totals[0] if totals else None


def difference(now: Shown, before: Shown) -> int | None:
    """The change from `before` to `now`, only when both are shown."""
    if now.value is None or before.value is None:
        return None
    return now.value - before.value


def share(part: Shown, others: Sequence[Shown]) -> float | None:
    """`part` as a percentage of itself and `others` together, only when every one of them
    is shown (else the share would give a hidden count away)."""
    if part.value is None or any(other.value is None for other in others):
        return None
    whole = part.value + sum(other.value or 0 for other in others)
    return round(100 * part.value / whole, 1) if whole else None
