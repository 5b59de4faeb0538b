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
    changed = True
    while changed:
        changed = False
        for group in groups:
            if _pins_a_hidden_cell(values, group, hidden, small):
                extra = _next_to_hide(values, group, hidden)
                if extra is not None:
                    hidden.add(extra)
                    changed = True
    return [
        Shown(None, SMALL if i in small else HIDDEN) if i in hidden else Shown(value)
        for i, value in enumerate(values)
    ]


def _pins_a_hidden_cell(
    values: Sequence[int], group: Group, hidden: set[int], small: set[int]
) -> bool:
    """Whether what the group shows leaves some hidden cell of it only one possible value.

    Each hidden cell is known to lie in 0–4 ("<5") or in 5 and up ("–"); the shown total
    fixes the sum of the hidden parts. A hidden cell is pinned when that sum leaves it one
    value; a hidden total beside shown parts is their sum.
    """
    members = (group.total, *group.parts)
    hidden_members = [i for i in members if i in hidden]
    if not hidden_members:
        return False
    if group.total in hidden:
        # Parts all shown: the total is their sum. A hidden part beside it is safe, as the
        # total's own range and the part's overlap in more than one value.
        return all(i not in hidden for i in group.parts)
    hidden_parts = [i for i in group.parts if i in hidden]
    rest = sum(values[i] for i in hidden_parts)
    for i in hidden_parts:
        others = [j for j in hidden_parts if j != i]
        low, high = _range(i, small)
        others_low = sum(_range(j, small)[0] for j in others)
        others_high = sum(_range(j, small)[1] for j in others)
        can_low = max(low, rest - others_high)
        can_high = min(high, rest - others_low)
        if can_low >= can_high:
            return True
    return False


def _range(i: int, small: set[int]) -> tuple[float, float]:
    return (0, THRESHOLD - 1) if i in small else (THRESHOLD, float("inf"))


def _next_to_hide(values: Sequence[int], group: Group, hidden: set[int]) -> int | None:
    """The smallest shown part of the group (it changes least of what is shown), else its
    total."""
    shown_parts = [i for i in group.parts if i not in hidden]
    if shown_parts:
        return min(shown_parts, key=lambda i: (values[i], i))
    if group.total not in hidden:
        return group.total
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
