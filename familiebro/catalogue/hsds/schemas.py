"""The official HSDS 3.0 JSON schemas, and checking a record against them.

Familiebro ships the record schemas (hsds_schema/ beside this package); FAMILIEBRO_HSDS_SCHEMA_DIR
may point at a whole copy of the specification's schema folder instead (the tests point it at
tests/standards/hsds-3.0, which has the compiled schemas too). They are resolved offline: no
schema is fetched over the network.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import referencing
import referencing.exceptions
from django.utils.translation import gettext as _
from referencing.jsonschema import DRAFT202012

from .ids import JSON

SCHEMA_BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def schema_dir() -> Path:
    """Where the official HSDS 3.0 schema files are: FAMILIEBRO_HSDS_SCHEMA_DIR, or the copy
    shipped with Familiebro (the record schemas; the large compiled ones are not shipped)."""
    default = Path(__file__).resolve().parents[1] / "hsds_schema"
    return Path(os.environ.get("FAMILIEBRO_HSDS_SCHEMA_DIR", default))


class SchemasMissing(Exception):
    """The official schema files are not where schema_dir() looks."""


@functools.cache
def _schema_resource(uri: str) -> referencing.Resource[Any]:
    if not uri.startswith(SCHEMA_BASE_URI):
        raise referencing.exceptions.NoSuchResource(uri)
    path = schema_dir() / uri.removeprefix(SCHEMA_BASE_URI)
    if not path.is_file():
        raise referencing.exceptions.NoSuchResource(uri)
    # The files declare no $schema; HSDS's OpenAPI description names Draft 2020-12.
    return DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8")))


# Registry's attrs-made __init__ takes `retrieve`; mypy sees only the private field name.
SCHEMA_REGISTRY: referencing.Registry[Any] = referencing.Registry(retrieve=_schema_resource)  # type: ignore[call-arg]

FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not re.search(r"\s", value)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    moment = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return "T" in value.upper() and moment.tzinfo is not None


def schema_file(name: str) -> Path:
    """The official schema file at this path under schema/ ("taxonomy.json")."""
    file = schema_dir() / name
    if not file.is_file():
        raise SchemasMissing(
            _(
                "The HSDS 3.0 schema file %(path)s is missing. Point FAMILIEBRO_HSDS_SCHEMA_DIR "
                "at the schema folder of the HSDS 3.0 specification."
            )
            % {"path": file}
        )
    return file


@functools.cache
def schema_validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for one official schema, by its path under schema/ ("compiled/service.json",
    "taxonomy.json") or any URI reference into them."""
    uri = name if "://" in name else SCHEMA_BASE_URI + name
    schema_file(uri.removeprefix(SCHEMA_BASE_URI).partition("#")[0])
    return jsonschema.Draft202012Validator(
        {"$ref": uri}, registry=SCHEMA_REGISTRY, format_checker=FORMAT_CHECKER
    )


# Which schema checks an imported record of each kind.
RECORD_SCHEMAS = {
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
    "organization": "organization.json",
    "location": "location.json",
    "service": "service.json",
    "service_at_location": "service_at_location.json",
}
KIND_ORDER = tuple(RECORD_SCHEMAS)  # references point to earlier kinds
KIND_NAMES = {
    "taxonomy": ("taxonomy", "taxonomies"),
    "taxonomy_term": ("taxonomy term", "taxonomy terms"),
    "organization": ("organization", "organizations"),
    "location": ("location", "locations"),
    "service": ("service", "services"),
    "service_at_location": ("service_at_location", "service_at_locations"),
}


def schema_errors(kind: str, record: JSON) -> list[str]:
    """What is wrong with the record by the official schema: "field: problem", at most 20."""
    validator = schema_validator(RECORD_SCHEMAS[kind])
    errors = sorted(validator.iter_errors(record), key=lambda e: [str(p) for p in e.path])
    return [f"{_field_path(error.absolute_path)}: {error.message}" for error in errors[:20]]


def _field_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("the record")
