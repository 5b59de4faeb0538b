"""The session scales page of a case: per rater, the change graph (drawn on the server as
SVG, so it needs no JavaScript), the same numbers as a table, and the colour of each scale.

Everything is read through the access policy and audited: the case with get_or_404, the raters
and scores with list_pages. The number of queries does not grow with the raters or scores.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from familiebro.cases.models import Case
from familiebro.privacy import policy
from familiebro.privacy.models import Purpose

from . import norms, permissions, scale_services, scoring
from .models import Instrument, InstrumentVersion, Rater, ScaleScore

READ = Purpose.COORDINATION  # as the case is read (cases.case_services.READ)
MAX_TOTAL = 40  # four lines of 0–10

# The drawing area of the graph, in SVG user units.
WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 584, 16, 224


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    session: int
    value: int

    @property
    def left(self) -> float:
        return self.x - 4

    @property
    def top(self) -> float:
        return self.y - 4


@dataclass
class Graph:
    wellbeing: list[Dot] = field(default_factory=list)
    alliance: list[Dot] = field(default_factory=list)
    expected: str = ""  # SVG polyline points
    band: str = ""  # SVG polygon points
    cutoff_y: float | None = None
    x_ticks: list[tuple[float, int]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)

    @staticmethod
    def line(dots: list[Dot]) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in dots)

    @property
    def wellbeing_line(self) -> str:
        return self.line(self.wellbeing)

    @property
    def alliance_line(self) -> str:
        return self.line(self.alliance)


@dataclass(frozen=True)
class Row:
    session: int
    wellbeing: int | None
    expected: float | None
    alliance: int | None


# What each colour means, said in words beside it (colour is never the only sign).
WELLBEING_MEANING = {
    scoring.GREY: _("Grey: too few scores to compare yet"),
    scoring.GREEN: _("Green: at or above the expected trajectory"),
    scoring.ORANGE: _("Orange: below the expected trajectory, within its band"),
    scoring.RED: _("Red: below the band of the expected trajectory"),
}
ALLIANCE_MEANING = {
    scoring.GREY: _("Grey: no score yet"),
    scoring.GREEN: _("Green: at or above the cut-off and not falling"),
    scoring.RED: _("Red: below the cut-off or lower than at the session before"),
}
# Designsystemet's colour of each.
DS_COLOUR = {
    scoring.GREY: "neutral",
    scoring.GREEN: "success",
    scoring.ORANGE: "warning",
    scoring.RED: "danger",
}


@dataclass
class RaterView:
    rater: Rater
    wellbeing_colour: str
    alliance_colour: str
    rows: list[Row]
    graph: Graph
    next_wellbeing: int
    next_alliance: int

    @property
    def wellbeing_meaning(self) -> Any:
        return WELLBEING_MEANING[self.wellbeing_colour]

    @property
    def alliance_meaning(self) -> Any:
        return ALLIANCE_MEANING[self.alliance_colour]

    @property
    def wellbeing_ds(self) -> str:
        return DS_COLOUR[self.wellbeing_colour]

    @property
    def alliance_ds(self) -> str:
        return DS_COLOUR[self.alliance_colour]


@dataclass
class ScalesPage:
    case: Case
    can_change: bool
    raters: list[RaterView]
    wellbeing: InstrumentVersion | None
    alliance: InstrumentVersion | None
    trajectory: scoring.Trajectory | None


def _y(score: float) -> float:
    score = max(0.0, min(float(MAX_TOTAL), score))
    return BOTTOM - score / MAX_TOTAL * (BOTTOM - TOP)


def _version(kind: str) -> InstrumentVersion | None:
    try:
        return scale_services.current_version(scale_services.session_instrument(kind))
    except ValidationError:
        return None


def expected_series(
    scores: list[tuple[int, int]], trajectory: scoring.Trajectory | None
) -> list[float | None]:
    """The expected score at each of a rater's wellbeing scores ((session, score) in order)."""
    if not scores or trajectory is None:
        return [None] * len(scores)
    first = scores[0][1]
    return [trajectory.expected(first, index) for index in range(len(scores))]


def graph(
    wellbeing: list[tuple[int, int]],
    alliance: list[tuple[int, int]],
    trajectory: scoring.Trajectory | None,
    cutoff: int | None,
) -> Graph:
    sessions = sorted({s for s, _ in wellbeing} | {s for s, _ in alliance}) or [1]
    first, last = sessions[0], max(sessions[-1], sessions[0] + 1)

    def x(session: int) -> float:
        return LEFT + (session - first) / (last - first) * (RIGHT - LEFT)

    drawn = Graph(
        wellbeing=[Dot(x(s), _y(v), s, v) for s, v in wellbeing],
        alliance=[Dot(x(s), _y(v), s, v) for s, v in alliance],
        x_ticks=[(x(s), s) for s in range(first, last + 1)],
        y_ticks=[(_y(v), v) for v in range(0, MAX_TOTAL + 1, 10)],
        cutoff_y=_y(cutoff) if cutoff is not None else None,
    )
    expected = expected_series(wellbeing, trajectory)
    if trajectory is not None and len(wellbeing) >= 1:
        points = [(x(s), e) for (s, _v), e in zip(wellbeing, expected, strict=True)]
        if len(points) == 1:
            # One score: the expectation still shows where the next session should reach.
            nxt = trajectory.expected(wellbeing[0][1], 1)
            if wellbeing[0][0] + 1 <= last:
                points.append((x(wellbeing[0][0] + 1), nxt))
        drawn.expected = " ".join(f"{px:.1f},{_y(e or 0):.1f}" for px, e in points)
        upper = [f"{px:.1f},{_y((e or 0) + trajectory.band):.1f}" for px, e in points]
        lower = [f"{px:.1f},{_y((e or 0) - trajectory.band):.1f}" for px, e in reversed(points)]
        drawn.band = " ".join(upper + lower)
    return drawn


def _next_sessions(wellbeing: list[tuple[int, int]], alliance: list[tuple[int, int]]) -> tuple:
    """The session a new score most likely belongs to: wellbeing opens a new session; the
    alliance closes the latest session that has no alliance score yet."""
    last_wellbeing = wellbeing[-1][0] if wellbeing else 0
    last_alliance = alliance[-1][0] if alliance else 0
    next_wellbeing = max(last_wellbeing, last_alliance) + 1
    next_alliance = last_wellbeing if last_wellbeing > last_alliance else last_alliance + 1
    return next_wellbeing, max(next_alliance, 1)


def scales_page(actor: Any, case_id: Any) -> ScalesPage:
    case = policy.get_or_404(actor, Case, case_id, READ)
    wellbeing_version = _version(Instrument.Kind.WELLBEING)
    alliance_version = _version(Instrument.Kind.ALLIANCE)
    raters_rows, score_rows = policy.list_pages(
        actor,
        [
            (
                policy.visible(actor, Rater, READ)
                .filter(case_id=case.pk)
                .select_related("case")
                .order_by("pk"),
                READ,
            ),
            (
                policy.visible(actor, ScaleScore, READ)
                .filter(case_id=case.pk)
                .select_related("instrument", "case")
                .order_by("session", "pk"),
                READ,
            ),
        ],
    )
    trajectory = norms.trajectory_for(wellbeing_version) if wellbeing_version else None
    cutoff = alliance_version.cutoff if alliance_version else None
    by_rater: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: {Instrument.Kind.WELLBEING: [], Instrument.Kind.ALLIANCE: []}
    )
    for score in score_rows:
        kinds = by_rater[score.rater_id]
        if score.instrument.kind in kinds:
            kinds[score.instrument.kind].append((score.session, score.total))
    views = []
    for rater in raters_rows:
        wellbeing = by_rater[rater.pk][Instrument.Kind.WELLBEING]
        alliance = by_rater[rater.pk][Instrument.Kind.ALLIANCE]
        expected = dict(
            zip([s for s, _ in wellbeing], expected_series(wellbeing, trajectory), strict=True)
        )
        w, a = dict(wellbeing), dict(alliance)
        rows = [Row(s, w.get(s), expected.get(s), a.get(s)) for s in sorted(set(w) | set(a))]
        next_wellbeing, next_alliance = _next_sessions(wellbeing, alliance)
        views.append(
            RaterView(
                rater=rater,
                wellbeing_colour=scoring.wellbeing_colour([v for _, v in wellbeing], trajectory),
                alliance_colour=scoring.alliance_colour([v for _, v in alliance], cutoff),
                rows=rows,
                graph=graph(wellbeing, alliance, trajectory, cutoff),
                next_wellbeing=next_wellbeing,
                next_alliance=next_alliance,
            )
        )
    return ScalesPage(
        case=case,
        can_change=case.is_open and permissions.may_record(actor, case),
        raters=views,
        wellbeing=wellbeing_version,
        alliance=alliance_version,
        trajectory=trajectory,
    )
