"""Reading a pathway specification, and counting days the way the deadline rules do.

A specification is JSON (stored in PathwayVersion.spec). `parse_spec` checks it completely
and turns it into frozen dataclasses, or raises SpecError naming every problem, so a broken
definition is refused when it is published rather than when a case meets it.

Texts are given per language, {"nb": …, "nn": …, "en": …}; bokmål is required and is what
the other languages fall back to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any

import holidays
from django.utils import translation

RESPONSIBLE_ROLES = ("coordinator", "owning_unit", "leader")
DAY_KINDS = ("calendar", "working")
# When a rule's clock starts, and what stops it.
STARTS = ("case", "phase")
COMPLETES = ("decision", "phase_exit")


class SpecError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Text:
    by_language: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        texts = dict(self.by_language)
        return texts.get(translation.get_language() or "nb") or texts["nb"]


@dataclass(frozen=True)
class Link:
    label: Text
    url: str


@dataclass(frozen=True)
class InfoBox:
    title: Text
    body: Text
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Task:
    key: str
    title: Text
    responsible: str


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    title: Text
    days: int
    day_kind: str
    starts: str  # "case", "phase" or "milestone:<key>"
    completes: str  # "decision", "phase_exit" or "milestone:<key>"
    responsible: str

    def describe(self, pathway: str) -> str:
        return f"{pathway}: {self.key} ({self.days} {self.day_kind} days from {self.starts})"


@dataclass(frozen=True)
class Option:
    key: str
    label: Text
    to: str | None
    closes: bool


@dataclass(frozen=True)
class DecisionPoint:
    question: Text
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class MilestoneKind:
    key: str
    label: Text


@dataclass(frozen=True)
class Phase:
    key: str
    name: Text
    description: Text
    responsible: str
    tasks: tuple[Task, ...]
    deadlines: tuple[DeadlineRule, ...]
    milestones: tuple[MilestoneKind, ...]
    decision: DecisionPoint | None
    info: tuple[InfoBox, ...]
    meetings: tuple[str, ...]
    # The unit's team allocates cases in this phase at its weekly meeting (allocation view).
    team_allocates: bool = False


@dataclass(frozen=True)
class Spec:
    name: Text
    description: Text
    start: str
    phases: tuple[Phase, ...]

    def phase(self, key: str) -> Phase:
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(key)

    def milestone(self, key: str) -> MilestoneKind | None:
        for phase in self.phases:
            for milestone in phase.milestones:
                if milestone.key == key:
                    return milestone
        return None

    def position(self, key: str) -> int:
        return [p.key for p in self.phases].index(key)


class _Reader:
    """Collects every problem in a specification instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, value: Any, where: str) -> Text:
        if isinstance(value, str):
            value = {"nb": value}
        if not isinstance(value, dict) or not isinstance(value.get("nb"), str) or not value["nb"]:
            self.problem(where, 'needs a text in bokmål, as {"nb": "…"}')
            return Text((("nb", ""),))
        return Text(tuple((k, str(v)) for k, v in value.items() if k in ("nb", "nn", "en")))

    def key(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
            self.problem(where, "needs a key of letters, digits and _")
            return ""
        return value

    def items(self, value: Any, where: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(where, "must be a list of objects")
            return []
        return value

    def choice(self, value: Any, allowed: tuple[str, ...], where: str) -> str:
        if value not in allowed:
            self.problem(where, f"must be one of {', '.join(allowed)}")
            return allowed[0]
        return str(value)


def _clock(reader: _Reader, value: Any, fixed: tuple[str, ...], where: str) -> str:
    if isinstance(value, str) and value.startswith("milestone:") and len(value) > 10:
        return value
    return reader.choice(value, fixed, where)


def parse_spec(data: Any) -> Spec:
    """The specification as dataclasses, or SpecError listing every problem."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise SpecError(["the specification must be a JSON object"])
    phases: list[Phase] = []
    for index, raw in enumerate(reader.items(data.get("phases"), "phases")):
        where = f"phases[{index}]"
        key = reader.key(raw.get("key"), f"{where}.key")
        where = f"phase {key or index}"
        decision = None
        if raw.get("decision") is not None:
            raw_decision = raw["decision"] if isinstance(raw["decision"], dict) else {}
            options = tuple(
                Option(
                    key=reader.key(o.get("key"), f"{where}.decision.options[{i}].key"),
                    label=reader.text(o.get("label"), f"{where}.decision.options[{i}].label"),
                    to=o.get("to"),
                    closes=bool(o.get("closes", False)),
                )
                for i, o in enumerate(
                    reader.items(raw_decision.get("options"), f"{where}.decision")
                )
            )
            if not options:
                reader.problem(f"{where}.decision", "needs at least one option")
            decision = DecisionPoint(
                question=reader.text(raw_decision.get("question"), f"{where}.decision.question"),
                options=options,
            )
        phases.append(
            Phase(
                key=key,
                name=reader.text(raw.get("name"), f"{where}.name"),
                description=reader.text(raw.get("description", raw.get("name")), where),
                responsible=reader.choice(
                    raw.get("responsible", "coordinator"), RESPONSIBLE_ROLES, f"{where}.responsible"
                ),
                tasks=tuple(
                    Task(
                        key=reader.key(t.get("key"), f"{where}.tasks[{i}].key"),
                        title=reader.text(t.get("title"), f"{where}.tasks[{i}].title"),
                        responsible=reader.choice(
                            t.get("responsible", "coordinator"),
                            RESPONSIBLE_ROLES,
                            f"{where}.tasks[{i}].responsible",
                        ),
                    )
                    for i, t in enumerate(reader.items(raw.get("tasks"), f"{where}.tasks"))
                ),
                deadlines=tuple(
                    _deadline_rule(reader, d, f"{where}.deadlines[{i}]")
                    for i, d in enumerate(reader.items(raw.get("deadlines"), f"{where}.deadlines"))
                ),
                milestones=tuple(
                    MilestoneKind(
                        key=reader.key(m.get("key"), f"{where}.milestones[{i}].key"),
                        label=reader.text(m.get("label"), f"{where}.milestones[{i}].label"),
                    )
                    for i, m in enumerate(
                        reader.items(raw.get("milestones"), f"{where}.milestones")
                    )
                ),
                decision=decision,
                info=tuple(
                    InfoBox(
                        title=reader.text(b.get("title"), f"{where}.info[{i}].title"),
                        body=reader.text(b.get("body"), f"{where}.info[{i}].body"),
                        links=tuple(
                            Link(
                                reader.text(link.get("label"), f"{where}.info[{i}].links"),
                                str(link.get("url", "")),
                            )
                            for link in reader.items(b.get("links"), f"{where}.info[{i}].links")
                        ),
                    )
                    for i, b in enumerate(reader.items(raw.get("info"), f"{where}.info"))
                ),
                meetings=tuple(str(m) for m in raw.get("meetings", []) or []),
                team_allocates=bool(raw.get("team_allocates", False)),
            )
        )
    if not phases:
        reader.problem("phases", "a pathway needs at least one phase")
    keys = [p.key for p in phases]
    if len(set(keys)) != len(keys):
        reader.problem("phases", "two phases have the same key")
    milestone_keys = {m.key for p in phases for m in p.milestones}
    for phase in phases:
        if phase.decision is not None:
            for option in phase.decision.options:
                if option.to is not None and option.to not in keys:
                    reader.problem(
                        f"phase {phase.key}, option {option.key}",
                        f"leads to the phase {option.to!r}, which does not exist",
                    )
                if option.to is None and not option.closes:
                    reader.problem(
                        f"phase {phase.key}, option {option.key}",
                        'must lead to a phase ("to") or close the case ("closes": true)',
                    )
        for rule in phase.deadlines:
            for clock in (rule.starts, rule.completes):
                if clock.startswith("milestone:") and clock[10:] not in milestone_keys:
                    reader.problem(
                        f"phase {phase.key}, deadline {rule.key}",
                        f"names the milestone {clock[10:]!r}, which no phase defines",
                    )
            if rule.completes == "decision" and phase.decision is None:
                reader.problem(
                    f"phase {phase.key}, deadline {rule.key}",
                    "is completed by a decision, but the phase has no decision point",
                )
    start = data.get("start", keys[0] if keys else "")
    if keys and start not in keys:
        reader.problem("start", f"names the phase {start!r}, which does not exist")
    name = reader.text(data.get("name"), "name")
    description = reader.text(data.get("description", data.get("name")), "description")
    if reader.problems:
        raise SpecError(reader.problems)
    return Spec(name=name, description=description, start=start, phases=tuple(phases))


def _deadline_rule(reader: _Reader, raw: dict[str, Any], where: str) -> DeadlineRule:
    days = raw.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 366:
        reader.problem(f"{where}.days", "must be a whole number of days from 1 to 366")
        days = 1
    return DeadlineRule(
        key=reader.key(raw.get("key"), f"{where}.key"),
        title=reader.text(raw.get("title"), f"{where}.title"),
        days=days,
        day_kind=reader.choice(raw.get("day_kind", "calendar"), DAY_KINDS, f"{where}.day_kind"),
        starts=_clock(reader, raw.get("starts", "phase"), STARTS, f"{where}.starts"),
        completes=_clock(reader, raw.get("completes", "decision"), COMPLETES, f"{where}.completes"),
        responsible=reader.choice(
            raw.get("responsible", "coordinator"), RESPONSIBLE_ROLES, f"{where}.responsible"
        ),
    )


# Counting days -------------------------------------------------------------------------------


@cache
def public_holidays(year: int) -> frozenset[datetime.date]:
    """Norway's public holidays (helligdager and the two national days) in `year`: New Year's
    Day, Maundy Thursday to Easter Monday, 1 May, Ascension Day, 17 May, Whit Sunday and
    Monday, Christmas Day and Boxing Day, from the holidays package's table for Norway (which
    has them from 1947, when 1 and 17 May became public holidays by law, to 2100). Its option
    to count every Sunday as a holiday stays off: weekends are days off anyway, and the set
    names the holidays themselves."""
    return frozenset(holidays.Norway(years=year, include_sundays=False))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_days(start: datetime.datetime, days: int, day_kind: str) -> datetime.datetime:
    """`days` calendar or working days after `start`, at the same time of day.

    Working days skip weekends and public holidays. A calendar deadline that falls on a day
    off stays there: the rule's days are what the law or the agreement says.
    """
    if day_kind == "calendar":
        return start + datetime.timedelta(days=days)
    moment = start
    remaining = days
    while remaining:
        moment += datetime.timedelta(days=1)
        if is_working_day(moment.date()):
            remaining -= 1
    return moment
