"""Scoring the session scales, the expected trajectory, and the colours of a rater's series.

Pure functions over numbers: the pages, the alerts and the tests all use these, so a colour on
the graph and the alert to the coordinator can never disagree.

The colours follow the rules of OpenFIT (the open feedback-informed-treatment tool):
- wellbeing: grey with 0–1 scores (nothing to compare yet, or no expected trajectory); green
  at or above the expected trajectory; orange below it but within its band; red below the band.
- alliance: red below its cut-off, or lower than at the session before; grey with no score;
  green otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import RANGES, Item, Scale

GREY, GREEN, ORANGE, RED = "grey", "green", "orange", "red"


def parse_answers(items: Sequence[Item], data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to `items` from form-like data ({item key: value}), each checked against
    its scale; ValidationError naming every item that is missing or out of range."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for item in items:
        raw = data.get(item.key)
        if isinstance(raw, list) and item.scale != Scale.MULTIPLE:
            raw = raw[-1] if raw else None
        if raw in (None, "", []):
            if item.required:
                errors[item.key] = [_("Answer this question.")]
            continue
        if item.scale in RANGES:
            low, high = RANGES[item.scale]
            try:
                value = int(str(raw).strip())
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                errors[item.key] = [
                    _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
                continue
            answers[item.key] = value
        elif item.scale == Scale.YES_NO:
            if raw not in ("yes", "no", "unknown"):
                errors[item.key] = [_("Choose yes, no or don't know.")]
                continue
            answers[item.key] = raw
        elif item.scale in (Scale.SINGLE, Scale.MULTIPLE):
            keys = {c["key"] for c in item.choices}
            chosen = raw if isinstance(raw, list) else [raw]
            if not chosen or any(c not in keys for c in chosen):
                errors[item.key] = [_("Choose one of the options.")]
                continue
            answers[item.key] = chosen if item.scale == Scale.MULTIPLE else chosen[0]
        else:
            text = str(raw).strip()
            if len(text) > 2000:
                errors[item.key] = [_("Write at most %(n)d characters.") % {"n": 2000}]
                continue
            answers[item.key] = text
    if errors:
        raise ValidationError(errors)
    return answers


def total(items: Sequence[Item], answers: Mapping[str, Any]) -> int:
    """The score of a filled scale: the sum of its numeric lines (0–40 for the session pair)."""
    return sum(int(answers[i.key]) for i in items if i.scale in RANGES and i.key in answers)


@dataclass(frozen=True)
class Trajectory:
    """The expected change from a rater's first score at each later score (index 0 is the
    first score, so its change is 0), and the half-width of the band around it."""

    change: tuple[float, ...]
    band: float
    # "norm": the instrument's own norm data; "case_mix": computed from this instance's cases.
    source: str
    series: int = 0

    def expected(self, first: float, index: int) -> float:
        """The expected score at the `index`-th score (0-based) of a series starting at
        `first`; beyond the known sessions the last expected change holds."""
        if not self.change:
            return first
        return first + self.change[min(index, len(self.change) - 1)]


def norm_trajectory(norm: Mapping[str, Any] | None) -> Trajectory | None:
    """The trajectory an instrument version's norm data give, or None without (or with
    unusable) norm data."""
    if not norm:
        return None
    try:
        change = tuple(float(c) for c in norm["expected_change"])
        band = float(norm["band"])
    except (KeyError, TypeError, ValueError):
        return None
    if not change or band < 0:
        return None
    return Trajectory(change, band, "norm")


def wellbeing_colour(scores: Sequence[int], trajectory: Trajectory | None) -> str:
    if len(scores) < 2 or trajectory is None:
        return GREY
    expected = trajectory.expected(scores[0], len(scores) - 1)
    latest = scores[-1]
    if latest >= expected:
        return GREEN
    if latest >= expected - trajectory.band:
        return ORANGE
    return RED


def alliance_colour(scores: Sequence[int], cutoff: int | None) -> str:
    if not scores:
        return GREY
    if cutoff is not None and scores[-1] < cutoff:
        return RED
    if len(scores) >= 2 and scores[-1] < scores[-2]:
        return RED
    return GREEN
