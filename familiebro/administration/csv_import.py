"""Reading a CSV upload and reporting on it row by row: the machinery every import of the
administration area shares (units now, staff later).

A file is read as UTF-8 (with or without the byte order mark Excel writes) or, failing that,
Windows-1252, the encoding older Norwegian spreadsheets save in; its delimiter is ";" (what a
Norwegian Excel writes) or ",". Its first row names the columns; `columns` maps each field to
the headings it may go by, so a directory's export can be read as it is. Every problem names
its row (the line in the file) and its field, so the administrator can find and mend it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",")
# Enough for the units or staff of a large municipality; a file above it is most likely not
# the one meant.
MAX_BYTES = 2_000_000
MAX_ROWS = 5_000


class CsvError(ValueError):
    """The file as a whole cannot be read: nothing in it was looked at row by row."""


@dataclass(frozen=True)
class Problem:
    field: str
    message: str | Promise


@dataclass
class RowResult:
    """One data row: its line in the file, its values by field, its problems and what the
    import did with it."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    SKIPPED = "skipped"

    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    outcome: str = ""
    label: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, field_name: str, message: str | Promise) -> None:
        self.problems.append(Problem(field_name, message))


@dataclass(frozen=True)
class ProblemLine:
    line: int
    label: str
    column: str
    message: str | Promise


@dataclass
class Report:
    rows: list[RowResult]
    # Whether the good rows were written (nothing is when any row is rejected, unless the
    # administrator asked for the good rows only).
    applied: bool = False
    # The column heading to name for each field in a problem.
    headings: dict[str, str] = field(default_factory=dict)

    def problem_lines(self) -> list[ProblemLine]:
        return [
            ProblemLine(row.line, row.label, self.headings.get(p.field, p.field), p.message)
            for row in self.rows
            for p in row.problems
        ]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def rejected(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    @property
    def created(self) -> int:
        return self.count(RowResult.CREATED)

    @property
    def changed(self) -> int:
        return self.count(RowResult.CHANGED)

    @property
    def unchanged(self) -> int:
        return self.count(RowResult.UNCHANGED)


@dataclass(frozen=True)
class ParsedCsv:
    encoding: str
    delimiter: str
    header: list[str]
    # (line in the file, values by field)
    rows: list[tuple[int, dict[str, str]]]


def decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CsvError(_("The file is not text. Save it as CSV (UTF-8) and upload it again."))


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def _key(heading: str) -> str:
    return " ".join(heading.strip().lower().replace("_", " ").replace("-", " ").split())


def read(
    data: bytes,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
) -> ParsedCsv:
    """Parse an uploaded file. Raises CsvError, with a message saying what to do, when the
    file as a whole cannot be read or lacks a required column."""
    if len(data) > MAX_BYTES:
        raise CsvError(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // 1_000_000}
        )
    text, encoding = decode(data)
    if "\x00" in text:
        raise CsvError(_("The file is not text. Save it as CSV (UTF-8) and upload it again."))
    if not text.strip():
        raise CsvError(_("The file is empty."))
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise CsvError(_("The file's first row must name the columns.")) from exc
    by_heading = {_key(alias): name for name, aliases in columns.items() for alias in aliases}
    positions: dict[int, str] = {}
    for index, heading in enumerate(header):
        name = by_heading.get(_key(heading))
        if name is not None and name not in positions.values():
            positions[index] = name
    missing = [name for name in required if name not in positions.values()]
    if missing:
        raise CsvError(
            _("The file has no column %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(f"“{next(iter(columns[name]))}”" for name in missing)}
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvError(
                    _("The file has more than %(rows)s rows. Split it into smaller files.")
                    % {"rows": MAX_ROWS}
                )
            row = {name: "" for name in columns}
            for index, name in positions.items():
                if index < len(values):
                    row[name] = values[index].strip()
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise CsvError(
            _("Line %(line)s of the file cannot be read as CSV: check its quotation marks.")
            % {"line": reader.line_num}
        ) from exc
    return ParsedCsv(encoding=encoding, delimiter=delimiter, header=header, rows=rows)


def run(
    admin: Any,
    data: bytes,
    *,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str],
    headings: dict[str, str],
    check_row: Callable[[RowResult, Any, set], dict[str, Any] | None],
    apply_row: Callable[[Any, RowResult, dict[str, Any]], None],
    partial: bool = False,
) -> Report:
    """An import, the same for every kind of row: read the file, check every row first with
    `check_row` (which notes each problem on the row and returns what to write, or None),
    and, if all are good (or `partial`), write them with `apply_row` in one transaction, each
    row in a savepoint of its own. A row refused only when written undoes the whole file
    unless `partial`. Raises CsvError when the file as a whole cannot be read."""
    parsed = read(data, columns, required)
    report = Report(
        rows=[RowResult(line=line, values=values) for line, values in parsed.rows],
        headings=headings,
    )
    seen: set = set()
    checked = [(row, check_row(row, admin, seen)) for row in report.rows]
    if report.rejected and not partial:
        for row in report.rows:
            row.outcome = RowResult.REJECTED if not row.ok else RowResult.SKIPPED
        return report
    with transaction.atomic():
        for row, planned in checked:
            if planned is None:
                row.outcome = RowResult.REJECTED
                continue
            with transaction.atomic():
                apply_row(admin, row, planned)
                if not row.ok:
                    row.outcome = RowResult.REJECTED
                    transaction.set_rollback(True)
        if report.rejected and not partial:
            transaction.set_rollback(True)
            for row in report.rows:
                if row.ok:
                    row.outcome = RowResult.SKIPPED
            return report
    report.applied = True
    return report
