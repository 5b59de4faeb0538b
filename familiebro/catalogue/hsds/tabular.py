"""HSDS 3.0's tabular format (a directory of CSV tables) read as the records the importer imports.

A tabular package says with reference columns what the JSON format says by nesting: a phone
row names its service, location, organization, contact and service_at_location. This module
turns the rows into the JSON records the official examples show (a service with its phones,
contacts with their phones, schedules, attributes, …), and hands them to the same checks and
the same importer as JSON files, so the rules and the report are one.

Tables are found by the package's datapackage.json (resource name and path) or, when there is
none or it is not a data package (a symbolic link copied as a text file holds just its
target), by the file names the HSDS tabular schema gives them (organizations.csv, …).

Records of their own (imported and counted): taxonomies, taxonomy terms, organizations,
locations, services and service_at_locations. Every other table's rows are nested in the rows
they name. Cells are text; a column the official schema types as a number is read as one, and
an empty cell is a field left out. Cells may be separated by commas (as HSDS writes them) or
semicolons (as a Norwegian Excel does).

References. A reference a record cannot be without is required: a service's organization_id
and a service_at_location's service_id and location_id (tabular-required in HSDS, and
Familiebro keeps no service without its organization), and an attribute's taxonomy_term_id (an
attribute is a term on a record). They must name a row of the package or a record already in
Familiebro; if not, the importer rejects the record, as it rejects a JSON record. Every other
reference is optional: a link to a row that is in neither is dropped with a warning and the
row is imported without it. Detail rows (phones, contacts, attributes, metadata, …) are
imported only as part of the rows they name, so they must name rows of the package; a detail
row that names none of them is left out with a warning. That includes an attribute's link_id
and a metadata row's resource_id, which HSDS requires to be filled in: without the record
they point to, there is nothing in the package for them to describe.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import Programme, Provider, Taxonomy, TaxonomyTerm
from .ids import find_by_id, programme_hsds_id
from .records import LoadedSources, Rejection, SourceRecord
from .schemas import schema_file

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """One table of the HSDS tabular schema."""

    name: str
    file: str
    # The property of a parent record that holds this table's rows ("" for records).
    key: str = ""
    # Reference columns that nest a row in a parent row: (column, parent table).
    parents: tuple[tuple[str, str], ...] = ()
    # The import kind of a table whose rows are records of their own.
    kind: str = ""


_ORG, _SERVICE, _LOCATION, _SAL = (
    ("organization_id", "organization"),
    ("service_id", "service"),
    ("location_id", "location"),
    ("service_at_location_id", "service_at_location"),
)

TABLES = (
    Table("taxonomy", "taxonomies.csv", kind="taxonomy"),
    Table("taxonomy_term", "taxonomy_terms.csv", kind="taxonomy_term"),
    Table("organization", "organizations.csv", kind="organization"),
    Table("location", "locations.csv", kind="location"),
    Table("service", "services.csv", kind="service"),
    Table("service_at_location", "service_at_location.csv", kind="service_at_location"),
    Table("program", "programs.csv", "programs", (_ORG,)),
    Table("contact", "contacts.csv", "contacts", (_ORG, _SERVICE, _SAL, _LOCATION)),
    Table(
        "phone",
        "phones.csv",
        "phones",
        (_LOCATION, _SERVICE, _ORG, ("contact_id", "contact"), _SAL),
    ),
    Table("address", "addresses.csv", "addresses", (_LOCATION,)),
    Table("schedule", "schedules.csv", "schedules", (_SERVICE, _LOCATION, _SAL)),
    Table("funding", "funding.csv", "funding", (_ORG, _SERVICE)),
    Table("service_area", "service_areas.csv", "service_areas", (_SERVICE,)),
    Table("required_document", "required_documents.csv", "required_documents", (_SERVICE,)),
    Table("language", "languages.csv", "languages", (_SERVICE, _LOCATION, ("phone_id", "phone"))),
    Table("accessibility", "accessibility.csv", "accessibility", (_LOCATION,)),
    Table("cost_option", "cost_options.csv", "cost_options", (_SERVICE,)),
    Table(
        "organization_identifier",
        "organization_identifiers.csv",
        "organization_identifiers",
        (_ORG,),
    ),
    # Linked to a row of any table: by link_id (and link_entity), by resource_id (and
    # resource_type).
    Table("attribute", "attributes.csv", "attributes"),
    Table("metadata", "metadata.csv", "metadata"),
    # Describes the package, not a record: Familiebro has nowhere to keep it.
    Table("meta_table_description", "meta_table_descriptions.csv"),
)
TABLE_BY_NAME = {table.name: table for table in TABLES}
# Which tables' records can hold attributes and metadata, by the official record schemas.
_ATTRIBUTE_HOLDERS = tuple(
    t.name for t in TABLES if t.name not in {"taxonomy", "taxonomy_term", "attribute", "metadata"}
)
_METADATA_HOLDERS = tuple(t.name for t in TABLES if t.name != "metadata")

# Optional references on records: dropped with a warning when they name nothing.
_OPTIONAL = {
    "organization": (("parent_organization_id", "organization"),),
    "location": (_ORG,),
    "taxonomy_term": (("taxonomy_id", "taxonomy"), ("parent_id", "taxonomy_term")),
}
_FAMILIEBRO_MODELS = {
    "organization": Provider,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
}
_NOT_A_TABLE = gettext_lazy(
    "this is not a table of HSDS 3.0's tabular format; name it as HSDS does "
    "(organizations.csv, services.csv, phones.csv, …), list it in datapackage.json, or remove it"
)
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")


def is_package(directory: Path) -> bool:
    """Whether a directory holds an HSDS tabular package (any CSV file)."""
    return any(p.is_file() and p.suffix.lower() == ".csv" for p in directory.iterdir())


@functools.cache
def _number_fields(table: str) -> frozenset[str]:
    """The columns the official record schema types as numbers."""
    path = schema_file(f"{table}.json")
    properties = json.loads(path.read_text(encoding="utf-8")).get("properties", {})
    return frozenset(
        name for name, spec in properties.items() if spec.get("type") in ("number", "integer")
    )


def _cell(value: str, is_number: bool) -> Any:
    """A number column's cell as a JSON number; anything else (and a cell that is not a
    number, which the schema check then reports) as the text it is."""
    if not is_number or not _NUMBER.fullmatch(value):
        return value
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _json_cell(value: Any, is_number: bool) -> Any:
    """A value of the tables written as JSON, read as its CSV cell would be: a number where
    the schema types the column as one, else text (the official example writes some
    identifiers as numbers)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not is_number:
        return str(value)
    return _cell(value, is_number) if isinstance(value, str) else value


@dataclass
class _Row:
    table: Table
    data: Row
    source: str

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else ""

    def label(self) -> str:
        """Where the row is and which it is: "services.csv, line 2: service ac14…"."""
        return f"{self.source}: {self.table.name} {self.id}".rstrip()


class _Package:
    def __init__(self, directory: Path, loaded: LoadedSources) -> None:
        self.directory = directory
        self.loaded = loaded
        self.rows: dict[str, list[_Row]] = {table.name: [] for table in TABLES}
        self.index: dict[str, dict[str, _Row]] = {table.name: {} for table in TABLES}
        self.programs_in_services: set[str] = set()

    # Reading ---------------------------------------------------------------------------------

    def problem(self, source: str, reason: str, kind: str = "", record_id: str = "") -> None:
        self.loaded.problems.append(Rejection(source, kind, record_id, (reason,)))

    def tables_by_file(self) -> dict[str, Table]:
        """Which file holds which table: by datapackage.json, or by HSDS's file names."""
        path = self.directory / "datapackage.json"
        defaults = {table.file: table for table in TABLES}
        # A file the package does not list is still read by its HSDS name.
        fallback = _(
            "the tables are read by the file names HSDS 3.0 gives them (organizations.csv, "
            "services.csv, …)"
        )
        if path.is_symlink() and not path.exists():
            self.loaded.notes.append(
                _(
                    "datapackage.json is a symbolic link to %(target)s, which is not there; "
                    "%(fallback)s"
                )
                % {"target": os.readlink(path), "fallback": fallback}
            )
            return defaults
        if not path.exists():
            self.loaded.notes.append(
                _("%(dir)s: there is no datapackage.json; %(fallback)s")
                % {"dir": self.directory.name, "fallback": fallback}
            )
            return defaults
        text, package = "", None
        try:
            text = path.read_text(encoding="utf-8")
            package = json.loads(text)
        except (OSError, UnicodeDecodeError, ValueError):
            package = None
        resources = package.get("resources") if isinstance(package, dict) else None
        if not isinstance(resources, list) or not resources:
            start = text.strip()[:60]
            self.loaded.notes.append(
                _(
                    "datapackage.json is not a data package description (it holds "
                    "“%(start)s”; a symbolic link copied as a file holds just its target); "
                    "%(fallback)s"
                )
                % {"start": start, "fallback": fallback}
            )
            return defaults
        tables = dict(defaults)
        for resource in resources:
            name = resource.get("name") if isinstance(resource, dict) else None
            file = resource.get("path") if isinstance(resource, dict) else None
            table = TABLE_BY_NAME.get(name) if isinstance(name, str) else None
            if table is None:
                self.problem(
                    "datapackage.json",
                    _(
                        "the resource %(name)s is not a table of HSDS 3.0; name it after its "
                        "table (organization, service, phone, …)"
                    )
                    % {"name": json.dumps(name, ensure_ascii=False)},
                )
            elif not isinstance(file, str) or "/" in file or "\\" in file:
                self.problem(
                    "datapackage.json",
                    _(
                        "the path of the resource %(name)s must be the name of a CSV file in "
                        "the same directory"
                    )
                    % {"name": name},
                )
            else:
                tables[file] = table
        return tables

    def read(self) -> None:
        tables = self.tables_by_file()
        files = sorted(
            p for p in self.directory.iterdir() if p.is_file() and p.suffix.lower() == ".csv"
        )
        for path in files:
            table = tables.get(path.name)
            if table is None:
                self.problem(path.name, str(_NOT_A_TABLE))
                continue
            self.read_table(path, table)

    def read_table(self, path: Path, table: Table) -> None:
        name = path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(
                name,
                _(
                    "the file is not UTF-8 text (byte %(position)s); save it as UTF-8 (Excel: "
                    "“CSV UTF-8”) and import again"
                )
                % {"position": exc.start + 1},
            )
            return
        # Excel with a Norwegian locale writes semicolons.
        first_line = text.partition("\n")[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                return
            columns = [column.strip() for column in header]
            duplicates = sorted({c for c in columns if columns.count(c) > 1 and c})
            if "id" not in columns or duplicates:
                self.problem(
                    name,
                    _("the header names %(columns)s more than once; name each column once")
                    % {"columns": ", ".join(duplicates)}
                    if duplicates
                    else _(
                        "the first line has no id column; HSDS tables name each row by its id "
                        "in a column called id"
                    ),
                )
                return
            numbers = _number_fields(table.name)
            line = reader.line_num + 1
            for cells in reader:
                self.add_row(table, name, line, columns, cells, numbers)
                line = reader.line_num + 1
        except csv.Error as exc:
            self.problem(
                name,
                _(
                    "not a readable CSV file at line %(line)s (%(error)s); save it again as CSV "
                    "and import again"
                )
                % {"line": reader.line_num, "error": exc},
            )

    def add_row(
        self,
        table: Table,
        name: str,
        line: int,
        columns: list[str],
        cells: list[str],
        numbers: frozenset[str],
    ) -> None:
        source = _("%(file)s, line %(n)s") % {"file": name, "n": line}
        if not any(cell.strip() for cell in cells):
            return
        if len(cells) > len(columns):
            self.problem(
                source,
                _(
                    "the row has %(cells)s cells, the header %(columns)s columns; put cells "
                    "that hold the separator in double quotes"
                )
                % {"cells": len(cells), "columns": len(columns)},
                table.kind,
            )
            return
        data = {
            column: _cell(cell, column in numbers)
            for column, cell in zip(columns, cells, strict=False)
            if cell != "" and column
        }
        self.add(table, data, source)

    def read_json_tables(self, name: str, tables: dict[str, Any]) -> None:
        """The tables written as one JSON object, each file name with its rows (as the
        official example tabular.json): the rows are already typed, empty values left out."""
        by_file = {table.file: table for table in TABLES}
        for file, rows in tables.items():
            table = by_file.get(file)
            if table is None or not isinstance(rows, list):
                self.problem(f"{name}: {file}", str(_NOT_A_TABLE))
                continue
            for number, row in enumerate(rows, start=1):
                source = _("%(file)s, row %(n)s") % {"file": f"{name}: {file}", "n": number}
                if not isinstance(row, dict):
                    self.problem(source, _("a row must be an object of column names and values"))
                    continue
                numbers = _number_fields(table.name)
                data = {
                    column: _json_cell(value, column in numbers)
                    for column, value in row.items()
                    if value not in (None, "")
                }
                self.add(table, data, source)

    def add(self, table: Table, data: Row, source: str) -> None:
        row = _Row(table, data, source)
        if row.id and row.id in self.index[table.name]:
            first = self.index[table.name][row.id]
            self.problem(
                source,
                _("%(other)s has the same id; give each row its own id") % {"other": first.source},
                table.kind,
                row.id,
            )
            return
        if row.id:
            self.index[table.name][row.id] = row
        self.rows[table.name].append(row)

    # Nesting ---------------------------------------------------------------------------------

    def known(self, table: str, value: Any) -> bool:
        """Whether a record reference names a row of the package or a record in Familiebro."""
        if value in self.index[table]:
            return True
        model = _FAMILIEBRO_MODELS.get(table)
        return model is not None and find_by_id(model, value) is not None

    def warn(self, row: _Row, reasons: Sequence[str], *, left_out: bool = False) -> None:
        outcome = (
            _("the row is left out: it is imported only as part of the record it names")
            if left_out
            else ngettext(
                "the reference is dropped and the row imported",
                "the references are dropped and the row imported",
                len(reasons),
            )
        )
        self.loaded.warnings.append(f"{row.label()}: {'; '.join(reasons)}; {outcome}")

    def link_records(self) -> None:
        """Drop optional references of records that name nothing, with a warning."""
        for table_name, references in _OPTIONAL.items():
            for row in self.rows[table_name]:
                dangling = []
                for column, target in references:
                    value = row.data.get(column)
                    if value is not None and not self.known(target, value):
                        del row.data[column]
                        dangling.append(
                            _(
                                "%(column)s %(id)s: no %(table)s has this id in this package "
                                "or in Familiebro"
                            )
                            % {"column": column, "id": value, "table": target}
                        )
                if dangling:
                    self.warn(row, dangling)
        programmes = {programme_hsds_id(p) for p in Programme.objects.all()}
        for row in self.rows["service"]:
            program_id = row.data.get("program_id")
            program = self.index["program"].get(program_id) if program_id else None
            if program is not None:
                # As the JSON format gives it: the program inside the service.
                del row.data["program_id"]
                row.data["program"] = program.data
                self.programs_in_services.add(program.id)
            elif program_id is not None and program_id not in programmes:
                del row.data["program_id"]
                self.warn(
                    row,
                    [
                        _(
                            "program_id %(id)s: no program has this id in this package or in "
                            "Familiebro"
                        )
                        % {"id": program_id}
                    ],
                )

    def parents_of(self, row: _Row) -> tuple[list[_Row], list[str]]:
        """The rows a detail row belongs to, and what its references name that is not here.
        The reference columns go: the JSON format says by nesting what they say."""
        found: list[_Row] = []
        dangling: list[str] = []
        links: list[tuple[str, Any, tuple[str, ...]]] = [
            (column, row.data.pop(column, None), (parent,)) for column, parent in row.table.parents
        ]
        if row.table.name in ("attribute", "metadata"):
            column, entity, holders = (
                ("link_id", "link_entity", _ATTRIBUTE_HOLDERS)
                if row.table.name == "attribute"
                else ("resource_id", "resource_type", _METADATA_HOLDERS)
            )
            named = row.data.get(entity)
            links.append(
                (column, row.data.pop(column, None), (named,) if named in holders else holders)
            )
        for column, value, tables in links:
            if value is None:
                continue
            parents = [self.index[t][value] for t in tables if value in self.index[t]]
            if parents:
                found.extend(parents)
            else:
                dangling.append(
                    _("%(column)s %(id)s: no row of this package has this id")
                    % {"column": column, "id": value}
                )
        return found, dangling

    def nest_details(self) -> None:
        for table in TABLES:
            if table.kind or not table.key:
                continue
            for row in self.rows[table.name]:
                parents, dangling = self.parents_of(row)
                for parent in parents:
                    parent.data.setdefault(table.key, []).append(row.data)
                in_service = table.name == "program" and row.id in self.programs_in_services
                if (parents or in_service) and dangling:
                    self.warn(row, dangling)
                elif not parents and not in_service:
                    self.warn(row, dangling or [_("it names no row it belongs to")], left_out=True)
        described = self.rows["meta_table_description"]
        if described:
            self.loaded.notes.append(
                _(
                    "%(file)s: %(count)s row(s) not imported: Familiebro keeps no descriptions "
                    "of tables"
                )
                % {"file": described[0].source.partition(",")[0], "count": len(described)}
            )

    def records(self) -> Iterable[SourceRecord]:
        for table in TABLES:
            if table.kind:
                for row in self.rows[table.name]:
                    # Copied: a phone nested in both a contact and a service is two items.
                    yield SourceRecord(copy.deepcopy(row.data), row.source, table.kind)


def load_package(directory: Path, loaded: LoadedSources) -> None:
    """Read an HSDS tabular package into `loaded`: its records, the files it cannot read (as
    problems), and the references it drops (as warnings)."""
    package = _Package(directory, loaded)
    package.read()
    _assemble(package, loaded)


def load_json_tables(path: Path, tables: dict[str, Any], loaded: LoadedSources) -> None:
    """The same, from the tables written as one JSON file (file name -> rows)."""
    package = _Package(path.parent, loaded)
    package.read_json_tables(path.name, tables)
    _assemble(package, loaded)


def _assemble(package: _Package, loaded: LoadedSources) -> None:
    package.link_records()
    package.nest_details()
    loaded.records.extend(package.records())
