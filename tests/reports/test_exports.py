"""The CSV and XLSX exports hold the numbers the page shows, read back with the standard
readers (csv, openpyxl), suppressed alike."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from familiebro.reports import exports, pages
from familiebro.reports.periods import month_of
from tests.reports import records
from tests.reports.test_dashboard import as_user, march

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    return records.stange()


def expected(board) -> list[list[str]]:
    """What the page shows, line by line, as text."""
    lines = []
    for view in board.figures:
        title = str(view.figure.title)
        if view.is_breakdown:
            for line in [view.total, *view.lines]:
                change = "" if line.change is None else str(line.change)
                lines.append([title, line.label, line.now.text, line.before.text, change])
    return lines


def board_of(town):
    march_ = month_of(records.at("2026-03-01").date())
    return pages.dashboard(town.team_leader, f"unit-{town.team.pk}", march_)


def test_the_csv_holds_the_pages_numbers(town):
    response = as_user(town.team_leader).get(
        reverse("reports:export-csv"), march(f"unit-{town.team.pk}")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tall-2026-03-01-2026-03-31.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Figures for", "Familiehjelpa"]
    assert rows[1] == ["Figure", "What", "01.03.2026–31.03.2026", "01.02.2026–28.02.2026", "Change"]
    by_line = {(row[0], row[1]): row for row in rows[2:]}
    for line in expected(board_of(town)):
        assert by_line[(line[0], line[1])] == line
    assert by_line[("Requests for help, by how they came", "Web form")][2:4] == ["6", "<5"]
    waits = by_line[("Waiting times", "From the request to the first contact: median, days")]
    assert waits[2:4] == ["2.0", ""]


def test_the_xlsx_holds_the_same_numbers_as_numbers(town):
    response = as_user(town.team_leader).get(
        reverse("reports:export-xlsx"), march(f"unit-{town.team.pk}")
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    by_line = {(row[0], row[1]): row for row in rows[2:]}
    for line in expected(board_of(town)):
        row = by_line[(line[0], line[1])]
        # Shown counts are numbers; hidden ones their mark.
        assert [str(row[2]), str(row[3])] == line[2:4]
        assert all(isinstance(v, int) for v in row[2:4] if v not in ("<5", "–"))
    assert by_line[("Requests for help, by how they came", "Requests for help")][2] == 14
    waits = by_line[
        ("Waiting times", "From the request to the first contact: 90th percentile, days")
    ]
    assert waits[2] == 7.2


def test_a_text_a_spreadsheet_would_run_is_kept_as_text():
    assert exports._safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert exports._safe("-3") == "'-3"
    assert exports._safe(-3) == -3
    assert exports._safe("Familiehjelpa") == "Familiehjelpa"


def test_a_unit_named_like_a_formula_is_exported_as_text(town):
    town.team.name = "=1+1"
    town.team.save()
    rows = list(exports.rows(board_of(town)))
    assert rows[0][1] == "'=1+1"
