"""HSDS directories read from files: JSON records, pages and lists, CSV packages.

HSDS's tabular format (a directory of CSV tables, or the same tables as one JSON file) is read
by `tabular` into the same records, and every record goes through the same importer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tabular
from .importer import import_sources
from .records import ImportReport, LoadedSources, Rejection, SourceRecord

# File names that say which kind their records are, longest first.
_KIND_BY_FILE_NAME = (
    ("service_at_location", "service_at_location"),
    ("taxonomy_term", "taxonomy_term"),
    ("taxonom", "taxonomy"),
    ("organization", "organization"),
    ("organisation", "organization"),
    ("location", "location"),
    ("service", "service"),
)
_TABULAR = gettext_lazy(
    "this describes a data package, it holds no records; import the directory of its CSV "
    "files (organizations.csv, services.csv, …) instead"
)
_PAGE_KEYS = frozenset({"total_items", "total_pages", "page_number", "size", "contents"})


def _kind_from_name(name: str) -> str:
    for fragment, kind in _KIND_BY_FILE_NAME:
        if fragment in name.lower():
            return kind
    return ""


def load_hsds_paths(paths: Iterable[Path]) -> LoadedSources:
    """Read records from HSDS JSON files, from the *.json files of directories, and from
    directories of CSV tables (HSDS's tabular format, tabular.py).

    A JSON file holds one record, a list of records, or a Page of them (as the API serves them);
    the file name tells the kind (services.json, organization_full.json…), else the shape.
    The API's description of itself (base.json) is skipped with a note. A file that cannot be
    read is reported as a problem with what is wrong.
    """
    loaded = LoadedSources()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file())
            records = [p for p in files if p.suffix.lower() == ".json"]
            if tabular.is_package(path):
                tabular.load_package(path, loaded)
                records = [p for p in records if p.name != "datapackage.json"]
            elif not records:
                loaded.problems.append(
                    Rejection(str(path), "", "", (_("the directory holds no .json files"),))
                )
            for file in records:
                _load_file(file, loaded)
        elif path.is_file() and path.suffix.lower() == ".csv":
            loaded.problems.append(
                Rejection(
                    path.name,
                    "",
                    "",
                    (
                        _(
                            "a table of HSDS's tabular format is imported with the others it "
                            "refers to: give the directory that holds it"
                        ),
                    ),
                )
            )
        elif path.is_file():
            _load_file(path, loaded)
        else:
            loaded.problems.append(Rejection(str(path), "", "", (_("no such file or directory"),)))
    return loaded


class _NotJsonNumber(ValueError):
    """NaN or Infinity: Python's json module reads them, JSON has no such numbers."""


def _not_json(constant: str) -> None:
    raise _NotJsonNumber(constant)


def _load_file(path: Path, loaded: LoadedSources) -> None:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        loaded.problems.append(Rejection(name, "", "", (_("the file is not UTF-8 text"),)))
        return
    except _NotJsonNumber as exc:
        loaded.problems.append(
            Rejection(
                name,
                "",
                "",
                (_("not valid JSON: %(value)s is not a number in JSON") % {"value": exc},),
            )
        )
        return
    except json.JSONDecodeError as exc:
        loaded.problems.append(
            Rejection(
                name,
                "",
                "",
                (
                    _("not valid JSON: %(error)s at line %(line)s, column %(column)s")
                    % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
                ),
            )
        )
        return
    kind = _kind_from_name(path.stem)
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and data.keys() >= _PAGE_KEYS:
        if not isinstance(data["contents"], list):
            loaded.problems.append(
                Rejection(name, kind, "", (_("contents: a page's contents must be a list"),))
            )
            return
        items = data["contents"]
    elif isinstance(data, dict) and "openapi_url" in data and "id" not in data:
        loaded.notes.append(
            _("%(file)s: skipped: it describes an HSDS API, it holds no records") % {"file": name}
        )
        return
    elif isinstance(data, dict) and data and all(key.endswith(".csv") for key in data):
        tabular.load_json_tables(path, data, loaded)
        return
    elif isinstance(data, dict) and "resources" in data:
        loaded.problems.append(Rejection(name, "", "", (str(_TABULAR),)))
        return
    elif isinstance(data, dict):
        items = [data]
    else:
        loaded.problems.append(
            Rejection(name, "", "", (_("expected a record, a list of records or a page"),))
        )
        return
    single = isinstance(data, dict) and items == [data]
    for index, item in enumerate(items, start=1):
        source = name if single else _("%(file)s, item %(n)s") % {"file": name, "n": index}
        loaded.records.append(SourceRecord(item, source, kind))


def import_hsds_paths(paths: Iterable[Path], *, partial: bool) -> ImportReport:
    """`familiebro import-hsds`: read the files and import their records. A file that cannot
    be read is a rejection like a bad record: without `partial`, nothing is imported."""
    loaded = load_hsds_paths(paths)
    report = import_sources(loaded.records, partial=partial, rejections=loaded.problems)
    report.notes = loaded.notes
    report.warnings = loaded.warnings
    return report
