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
    # A group the counts do not add up to (a period not begun, whose cases "followed" are not
    # those open before it and opened in it) tells an onlooker nothing true: it is left out.
    groups = [g for g in groups if values[g.total] == sum(values[p] for p in g.parts)]
    small = {i for i, value in enumerate(values) if value < THRESHOLD}
    hidden = small | set(hide)
    while True:
        pinned = _pinned(values, groups, hidden, small)
        if pinned is None:
            break
        extra = _next_to_hide(values, groups, pinned, hidden)
        if extra is None:
            # Nothing shown is linked to it: no hiding can help (never so with real counts).
            break
        hidden.add(extra)
    return [
        Shown(None, SMALL if i in small else HIDDEN) if i in hidden else Shown(value)
        for i, value in enumerate(values)
    ]


class _Unsure(Exception):
    """The search for another possible value took too long: take the cell as pinned."""


# How many branchings the search for another possible value may make before it gives up and
# takes the cell as pinned (hiding more, never less).
_SEARCH_BUDGET = 2000


def _pinned(
    values: Sequence[int], groups: Sequence[Group], hidden: set[int], small: set[int]
) -> int | None:
    """A hidden cell that what is shown leaves only one possible value, if any.

    What an onlooker knows: a shown cell's value; that a "<5" lies in 0–4 and a "–" in 5 and
    up; and that each group's parts add up to its total. Groups may share cells in any way
    (a total that is a part of another group, figures of two periods linked), so a cell is
    taken as pinned unless a search finds the counts could add up with it at another value:
    narrowing every cell's range by each group in turn, then splitting a range in two where
    that is not enough. The true counts are one solution; the question is whether another is.
    """
    # No count is above the sum of all: an onlooker who knew that would know no less.
    ceiling = sum(values) + THRESHOLD
    low: dict[int, int] = {}
    high: dict[int, int] = {}
    for i, value in enumerate(values):
        if i not in hidden:
            low[i] = high[i] = value
        elif i in small:
            low[i], high[i] = 0, THRESHOLD - 1
        else:
            low[i], high[i] = THRESHOLD, ceiling
    for i in sorted(hidden):
        budget = [_SEARCH_BUDGET]
        try:
            other = any(
                _feasible({**low, i: lo}, {**high, i: hi}, groups, budget)
                for lo, hi in ((low[i], values[i] - 1), (values[i] + 1, high[i]))
                if lo <= hi
            )
        except _Unsure:
            other = False
        if not other:
            return i
    return None


def _narrow(low: dict[int, int], high: dict[int, int], groups: Sequence[Group]) -> bool:
    """Narrow the ranges in place by each group in turn until nothing changes (or a bound of
    rounds: a split then does the rest); False when the groups cannot hold in them."""
    changed, rounds = True, 0
    while changed and rounds < 10 * (len(low) + 1):
        changed, rounds = False, rounds + 1
        for group in groups:
            parts = group.parts
            parts_low = sum(low[p] for p in parts)
            parts_high = sum(high[p] for p in parts)
            bounds = [(group.total, parts_low, parts_high)]
            for p in parts:
                bounds.append(
                    (
                        p,
                        low[group.total] - (parts_high - high[p]),
                        high[group.total] - (parts_low - low[p]),
                    )
                )
            for cell, can_low, can_high in bounds:
                if can_low > low[cell]:
                    low[cell], changed = can_low, True
                if can_high < high[cell]:
                    high[cell], changed = can_high, True
                if low[cell] > high[cell]:
                    return False
    return True


def _feasible(
    low: dict[int, int], high: dict[int, int], groups: Sequence[Group], budget: list[int]
) -> bool:
    """Whether whole counts within the ranges can add up as the groups say."""
    low, high = dict(low), dict(high)
    if not _narrow(low, high, groups):
        return False
    open_cells = [i for i in low if low[i] < high[i]]
    if not open_cells:
        return all(low[g.total] == sum(low[p] for p in g.parts) for g in groups)
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unsure
    cell = min(open_cells, key=lambda i: (high[i] - low[i], i))
    middle = (low[cell] + high[cell]) // 2
    return _feasible(low, {**high, cell: middle}, groups, budget) or _feasible(
        {**low, cell: middle + 1}, high, groups, budget
    )


def _next_to_hide(
    values: Sequence[int], groups: Sequence[Group], pinned: int, hidden: set[int]
) -> int | None:
    """What to hide beside a pinned cell: the smallest shown part of a group it is in (it
    changes least of what is shown), else a shown total of one; where every cell of its own
    groups is hidden already (it is pinned through a chain of groups: a total two identities
    away), the same one step further out, and so on."""
    reached, around = {pinned}, [pinned]
    while around:
        near = [g for g in groups if g.total in around or any(p in around for p in g.parts)]
        parts = [i for group in near for i in group.parts if i not in hidden]
        if parts:
            return min(parts, key=lambda i: (values[i], i))
        totals = [group.total for group in near if group.total not in hidden]
        if totals:
            return totals[0]
        around = [i for group in near for i in (group.total, *group.parts) if i not in reached]
        reached.update(around)
    return None


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
