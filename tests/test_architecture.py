"""The house keeps its floors: import-linter checks the contracts in pyproject.toml
(docs/architecture.md) over the whole import graph, so a lower part importing a higher one,
or two modules of one part importing each other, fails the suite."""

from __future__ import annotations

from pathlib import Path

from importlinter import cli

ROOT = Path(__file__).resolve().parent.parent


def test_every_part_imports_only_the_floors_below_it_and_no_part_forms_a_cycle(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exit_code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert exit_code == cli.EXIT_STATUS_SUCCESS, report
    assert "0 broken" in report
