"""Bar charts drawn on the server as SVG: no script, readable printed, and the same numbers as
the table beside them (the table is what a screen reader reads; the chart names itself and
points to it). A hidden count draws no bar, only its mark."""

from __future__ import annotations

from dataclasses import dataclass

from .pages import FigureView

WIDTH = 640
ROW = 46
BAR_HEIGHT = 18
LONGEST_BAR = 540


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    label_y: int
    bar_y: int
    width: int
    value_x: int
    value_y: int


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list[Bar]

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH} {self.height}"


def bar_chart(view: FigureView) -> Chart:
    """One bar per line of a breakdown, its label above it and its count after it."""
    bars = []
    for i, line in enumerate(view.lines):
        top = i * ROW
        width = round(line.bar * LONGEST_BAR) if line.now.is_shown else 0
        bars.append(
            Bar(
                label=line.label,
                value=line.now.text,
                label_y=top + 16,
                bar_y=top + 22,
                width=width,
                value_x=width + 8,
                value_y=top + 22 + BAR_HEIGHT - 4,
            )
        )
    return Chart(height=max(len(bars) * ROW, ROW), bars=bars)
