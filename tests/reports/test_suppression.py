"""Small-count suppression, tried from the attacker's side: hypothesis builds tables, the one
suppression function decides what is shown, and an attacker who knows how the tables add up
(and that "<5" is 0–4 and "–" is 5 or more) tries to work every hidden count out of what is
shown. It must never be left with one possible value."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from familiebro.reports import figures, pages, permissions
from familiebro.reports.figures import Counted
from familiebro.reports.suppression import (
    HIDDEN,
    SMALL,
    Group,
    Shown,
    difference,
    share,
    suppress,
)


def sums_to(domains: list[range], target: int) -> Iterator[tuple[int, ...]]:
    """Every choice of one value from each domain that adds up to `target`."""
    if not domains:
        if target == 0:
            yield ()
        return
    first, rest = domains[0], domains[1:]
    for value in first:
        if value > target:
            break
        for tail in sums_to(rest, target - value):
            yield (value, *tail)


def possible_values(shown: list[Shown], groups: list[Group]) -> dict[int, set[int]]:
    """For each hidden cell, every value it could have given what is shown and how the
    cells add up: the attacker's whole knowledge, tried exhaustively."""
    cap = 60

    def domain(i: int, upto: int) -> range:
        if shown[i].is_shown:
            return range(shown[i].value, shown[i].value + 1)  # type: ignore[operator]
        if shown[i].mark == SMALL:
            return range(0, min(4, upto) + 1)
        return range(5, upto + 1)

    totals = {group.total for group in groups}
    assert len(totals) == 1, "the tables here share one total"
    (total,) = totals
    possible: dict[int, set[int]] = {i: set() for i, s in enumerate(shown) if not s.is_shown}
    for t in domain(total, cap):
        per_group = []
        for group in groups:
            found = list(sums_to([domain(i, t) for i in group.parts], t))
            per_group.append(found)
        if not all(per_group):
            continue
        if total in possible:
            possible[total].add(t)
        for group, found in zip(groups, per_group, strict=True):
            for assignment in found:
                for i, value in zip(group.parts, assignment, strict=True):
                    if i in possible:
                        possible[i].add(value)
    return possible


counts = st.integers(min_value=0, max_value=12)


@st.composite
def tables(draw) -> tuple[list[int], list[Group]]:
    """A total and one or two breakdowns of it (requests by channel and by who asked)."""
    first = draw(st.lists(counts, min_size=1, max_size=4))
    total = sum(first)
    values = [total, *first]
    groups = [Group(0, tuple(range(1, len(values))))]
    if draw(st.booleans()):
        # A second breakdown of the same total: cut it at random points.
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=1, max_size=3)))
        second = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        start = len(values)
        values += second
        groups.append(Group(0, tuple(range(start, len(values)))))
    return values, groups


@settings(max_examples=500, deadline=None)
@given(tables())
def test_no_hidden_count_can_be_worked_out_from_what_is_shown(table):
    values, groups = table
    shown = suppress(values, groups)
    for value, cell in zip(values, shown, strict=True):
        if cell.is_shown:
            assert cell.value == value and value >= 5
        else:
            assert cell.mark == (SMALL if value < 5 else HIDDEN)
    for i, could_be in possible_values(shown, groups).items():
        assert values[i] in could_be
        assert len(could_be) > 1, (values, [s.text for s in shown], i, could_be)


@settings(max_examples=200, deadline=None)
@given(tables(), tables())
def test_a_difference_or_share_is_only_made_of_shown_counts(now_table, before_table):
    now = suppress(*now_table)
    before = suppress(*before_table)
    for cell_now, cell_before in zip(now, before, strict=False):
        change = difference(cell_now, cell_before)
        if cell_now.is_shown and cell_before.is_shown:
            assert change == cell_now.value - cell_before.value  # type: ignore[operator]
        else:
            assert change is None
    parts = now[1:]
    if len(parts) > 1:
        ratio = share(parts[0], parts[1:])
        assert (ratio is None) == (not all(part.is_shown for part in parts))


@st.composite
def nested_tables(draw) -> tuple[list[int], list[Group]]:
    """A total that is two sub-totals (cases followed: closed in the period, open at its
    end), each broken down (by reason, by phase)."""
    first = draw(st.lists(counts, min_size=1, max_size=3))
    second = draw(st.lists(counts, min_size=1, max_size=3))
    values = [sum(first) + sum(second), sum(first), *first, sum(second), *second]
    a, b = 1, 2 + len(first)
    groups = [
        Group(0, (a, b)),
        Group(a, tuple(range(a + 1, b))),
        Group(b, tuple(range(b + 1, len(values)))),
    ]
    return values, groups


def nested_possible_values(shown: list[Shown], groups: list[Group]) -> dict[int, set[int]]:
    """The attacker on a nested table: every root total, every split of it into the two
    sub-totals, every breakdown of each."""
    root, (a, b) = groups[0].total, groups[0].parts

    def domain(i: int, upto: int) -> range:
        if shown[i].is_shown:
            return range(shown[i].value, shown[i].value + 1)  # type: ignore[operator]
        if shown[i].mark == SMALL:
            return range(0, min(4, upto) + 1)
        return range(5, upto + 1)

    possible: dict[int, set[int]] = {i: set() for i, s in enumerate(shown) if not s.is_shown}
    for t in domain(root, 80):
        for x in domain(a, t):
            y = t - x
            if y not in domain(b, t):
                continue
            left = list(sums_to([domain(i, x) for i in groups[1].parts], x))
            right = list(sums_to([domain(i, y) for i in groups[2].parts], y))
            if not (left and right):
                continue
            for cell, value in ((root, t), (a, x), (b, y)):
                if cell in possible:
                    possible[cell].add(value)
            for group, found in ((groups[1], left), (groups[2], right)):
                for assignment in found:
                    for i, value in zip(group.parts, assignment, strict=True):
                        if i in possible:
                            possible[i].add(value)
    return possible


@settings(max_examples=300, deadline=None)
@given(nested_tables())
def test_no_hidden_count_of_a_nested_table_can_be_worked_out(table):
    values, groups = table
    shown = suppress(values, groups)
    for i, could_be in nested_possible_values(shown, groups).items():
        assert values[i] in could_be
        assert len(could_be) > 1, (values, [s.text for s in shown], i, could_be)


def test_a_known_table():
    # 12 requests: 8 by web, 4 by phone, none by letter. The 4 and the nought are small; the
    # 8 beside the total of 12 would say the two small ones add up to 4 — which leaves them
    # 0–4 each, so nothing more need hide. With 9, 3 and 0 the same holds.
    assert [s.text for s in suppress([12, 8, 4, 0], [Group(0, (1, 2, 3))])] == [
        "12",
        "8",
        "<5",
        "<5",
    ]
    # 7 all by web and none otherwise: the noughts beside the total would be pinned to 0,
    # so the web count is hidden too.
    assert [s.text for s in suppress([7, 7, 0], [Group(0, (1, 2))])] == ["7", "–", "<5"]
    # 19 = 9 + 4 + 6: the lone small part is the total less the others, so the smallest
    # shown part is hidden beside it.
    assert [s.text for s in suppress([19, 9, 4, 6], [Group(0, (1, 2, 3))])] == [
        "19",
        "9",
        "<5",
        "–",
    ]
    # Two breakdowns of one total: 4 + 4 by channel pins the total of 8 to the channels'
    # most; the total hidden, the other breakdown's 8 would give it back, so it hides too.
    two = [Group(0, (1, 2)), Group(0, (3, 4))]
    assert [s.text for s in suppress([8, 4, 4, 0, 8], two)] == ["–", "<5", "<5", "<5", "–"]


@st.composite
def organisations(draw) -> tuple[dict[int, list[int]], list[frozenset[int]]]:
    """Two to four units' counts by channel, and which units each leader leads."""
    n = draw(st.integers(2, 4))
    units = {u: draw(st.lists(counts, min_size=2, max_size=2)) for u in range(1, n + 1)}
    led = draw(
        st.lists(st.frozensets(st.integers(1, n), min_size=1, max_size=n), min_size=1, max_size=3)
    )
    return units, led


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_no_leader_reads_another_units_small_count_by_subtracting_their_own(organisation):
    units, led = organisation
    figure = figures.FIGURES[0]
    counted = Counted(
        [("web", "Web"), ("phone", "Phone")],
        {u: {"web": web, "phone": phone} for u, (web, phone) in units.items()},
    )
    all_units = frozenset(units)
    scope = permissions.Scope(permissions.ORGANISATION, 1, "Kommune", 1, all_units)
    subtractable = [units_led for units_led in led if not all_units <= units_led]
    (now,) = pages._suppressed(
        [figure], ({figure.key: counted},), {figure.key: counted.parts}, scope, subtractable
    )
    shown = now[figure.key]
    for units_led in subtractable:
        own = [sum(units[u][k] for u in units_led) for k in range(2)]
        own = [sum(own), *own]
        org = [sum(units[u][k] for u in units) for k in range(2)]
        org = [sum(org), *org]
        for i, cell in enumerate(shown):
            if cell.is_shown:
                assert org[i] - own[i] >= 5, (units, units_led, [s.text for s in shown])


@st.composite
def case_tables(draw) -> tuple[list[int], list[Group], dict[str, tuple[int, tuple[int, ...]]]]:
    """The case figures of a period and the period before, as the dashboard links them:
    each figure's lines add up to its total, and every case followed in a period closed in
    it or was open at its end, and was open at the end of the period before or opened in it
    (figures.IDENTITIES). Returns the cells, the groups and where each figure's total and
    lines are."""
    lines = st.lists(st.integers(0, 7), min_size=1, max_size=2)

    def cut(total: int) -> list[int]:
        if total == 0 or draw(st.booleans()):
            return [total]
        first = draw(st.integers(0, total))
        return [first, total - first]

    open_before = draw(lines)
    opened = draw(lines)
    followed = sum(open_before) + sum(opened)
    closed = cut(draw(st.integers(0, followed)))
    open_now = cut(followed - sum(closed))
    closed_before = draw(lines)
    values: list[int] = []
    where: dict[str, tuple[int, tuple[int, ...]]] = {}

    def add(name: str, parts: list[int]) -> None:
        start = len(values)
        values.extend([sum(parts), *parts])
        where[name] = (start, tuple(range(start + 1, len(values))))

    values.append(followed)
    where["followed"] = (0, ())
    add("opened", opened)
    add("closed", closed)
    add("open_now", open_now)
    values.append(sum(open_before) + sum(closed_before))
    where["followed_before"] = (len(values) - 1, ())
    add("closed_before", closed_before)
    add("open_before", open_before)
    groups = [Group(total, parts) for total, parts in where.values() if parts]
    cell = {name: total for name, (total, _parts) in where.items()}
    groups += [
        Group(cell["followed"], (cell["open_now"], cell["closed"])),
        Group(cell["followed_before"], (cell["open_before"], cell["closed_before"])),
        Group(cell["followed"], (cell["open_before"], cell["opened"])),
    ]
    return values, groups, where


def possible_case_values(
    shown: list[Shown], where: dict[str, tuple[int, tuple[int, ...]]]
) -> dict[int, set[int]]:
    """For each hidden cell of a case table, every value it could have given what is shown,
    the lines adding up to each total and the identities between the totals: tried
    exhaustively (the open at the end before, the new and the closed of each period chosen,
    the rest follows)."""
    cap = sum(s.value or 0 for s in shown) + 5 * len(shown) + 5

    def domain(i: int) -> range:
        if shown[i].is_shown:
            return range(shown[i].value, shown[i].value + 1)  # type: ignore[operator]
        if shown[i].mark == SMALL:
            return range(0, 5)
        return range(5, cap + 1)

    def can_total(name: str) -> set[int]:
        total, parts = where[name]
        return {t for t in domain(total) if next(sums_to([domain(p) for p in parts], t), None)}

    can = {name: can_total(name) for name in where if where[name][1]}
    found: dict[str, set[int]] = {name: set() for name in where}
    followed, followed_before = domain(where["followed"][0]), domain(where["followed_before"][0])
    for open_before in can["open_before"]:
        closed_before = {c for c in can["closed_before"] if open_before + c in followed_before}
        if not closed_before:
            continue
        for opened in can["opened"]:
            total = open_before + opened
            closed = {c for c in can["closed"] if total - c in can["open_now"]}
            if total not in followed or not closed:
                continue
            found["open_before"].add(open_before)
            found["closed_before"] |= closed_before
            found["followed_before"] |= {open_before + c for c in closed_before}
            found["opened"].add(opened)
            found["followed"].add(total)
            found["closed"] |= closed
            found["open_now"] |= {total - c for c in closed}
    possible: dict[int, set[int]] = {}
    for name, (total, parts) in where.items():
        possible[total] = found[name]
        for t in found[name] if parts else ():
            for assignment in sums_to([domain(p) for p in parts], t):
                for p, value in zip(parts, assignment, strict=True):
                    possible.setdefault(p, set()).add(value)
    return {i: values for i, values in possible.items() if not shown[i].is_shown}


@settings(max_examples=300, deadline=None)
@given(case_tables())
def test_no_hidden_case_count_can_be_worked_out_across_figures_and_periods(table):
    """The attacker also knows that cases followed = open at the end + closed = open at
    the end of the period before + new: no hidden count may be left one possible value."""
    values, groups, where = table
    shown = suppress(values, groups)
    for value, cell in zip(values, shown, strict=True):
        assert cell.value in (None, value)
    for i, could_be in possible_case_values(shown, where).items():
        assert values[i] in could_be
        assert len(could_be) > 1, (values, [s.text for s in shown], i, could_be)


def test_a_known_case_table():
    # 12 followed, 9 open at the end, 3 closed: the 9 beside the 12 would give the 3 away.
    values = [12, 9, 3]
    assert [s.text for s in suppress(values, [Group(0, (1, 2))])] == ["12", "–", "<5"]
