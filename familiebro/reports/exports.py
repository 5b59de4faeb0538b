"""The dashboard as CSV and XLSX: the same suppressed numbers the page shows, one line per
number (figure, line, this period, the period before, the change)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .pages import Dashboard
from .suppression import Shown

Cell = int | float | str


def _shown(shown: Shown) -> Cell:
    return shown.value if shown.value is not None else shown.mark


def _optional(value: int | float | None) -> Cell:
    return "" if value is None else value


def _safe(cell: Cell) -> Cell:
    """A text a spreadsheet would run as a formula (a unit named "=…") is kept as text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def rows(board: Dashboard) -> Iterator[list[Cell]]:
    """The header, then one row per number, every text safe to open in a spreadsheet."""
    for row in _rows(board):
        yield [_safe(cell) for cell in row]


def _rows(board: Dashboard) -> Iterator[list[Cell]]:
    now = f"{board.period.first_day:%d.%m.%Y}–{board.period.last_day:%d.%m.%Y}"
    before = f"{board.previous.first_day:%d.%m.%Y}–{board.previous.last_day:%d.%m.%Y}"
    yield [_("Figures for"), board.scope.name]
    yield [_("Figure"), _("What"), now, before, pgettext("difference between periods", "Change")]
    for view in board.figures:
        title = str(view.figure.title)
        if view.is_breakdown:
            assert view.total is not None
            for line in [view.total, *view.lines]:
                yield [
                    title,
                    line.label,
                    _shown(line.now),
                    _shown(line.before),
                    _optional(line.change),
                ]
            if view.figure.share_part:
                yield [
                    title,
                    f"{view.figure.share_label} (%)",
                    _optional(view.share_now),
                    _optional(view.share_before),
                    "",
                ]
        else:
            for wait in view.waits:
                for label, value, value_before in (
                    (_("median, days"), wait.median, wait.median_before),
                    (_("90th percentile, days"), wait.p90, wait.p90_before),
                ):
                    yield [
                        title,
                        f"{wait.label}: {label}",
                        _optional(value),
                        _optional(value_before),
                        "",
                    ]


def as_csv(board: Dashboard) -> str:
    """Semicolon-separated, as Norwegian spreadsheets open it; a byte order mark so that
    Excel reads the letters æ, ø and å right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows(board):
        writer.writerow(row)
    return out.getvalue()


def as_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Figures")[:31]
    for row in rows(board):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 50
    for column in "CDE":
        sheet.column_dimensions[column].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
