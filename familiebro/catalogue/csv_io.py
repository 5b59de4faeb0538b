"""A unit's offers as a file: CSV or HSDS 3.0 JSON; export, and import by id, all or nothing.

CSV is Familiebro's own one-row-per-offer format, for spreadsheets. HSDS JSON is the Open
Referral format other directories speak; its mapping and importer are in the hsds package, and
the functions at the end of this module only read the upload and hand it over
(`import_offers_file` picks the format by the file's name or first character).

One row per offer. The columns (COLUMN_DOCS, also shown on the import page):

    id                 the offer's id; empty makes a new offer, a known id updates that offer,
                       an unknown id makes a new offer with that id
    status             draft, published or retired; empty keeps the status (new: draft)
    title, summary, description
    programme          the programme's code in the register (icdp, pmto, dua-3-6, …)
    topics             topic codes separated by "|" (couple-relationship|parenting-role)
    target_groups      target-group codes separated by "|" (fathers|first-time-parents)
    age_from_months    child age in months; pregnancy is negative, -9 to -1
    age_to_months
    languages          language codes separated by "|" (nb|ar|so)
    municipalities     municipality numbers the offer is for, separated by "|" (3413|3403)
    is_digital, format_group, format_individual, format_home_visit, open_evenings,
    open_weekends, is_free, referral_required
                       ja or nei (yes/no, true/false and 1/0 are read too)
    cost, capacity, how_to_sign_up, url
    contact_name, contact_title, contact_phone, contact_email, phone_hours
    place_name, place_address, place_postal_code, place_city, place_municipality
                       the place (one per offer); the municipality as its number
    last_verified_at   written on export, ignored on import (confirm on the offer page)

A column missing from the file leaves that field as it is, and so does an empty yes/no or
languages cell; an empty municipalities cell on a new offer means those its unit serves. The
file is UTF-8 (Excel: "CSV UTF-8"), separated by commas or semicolons. Import is all or
nothing: every row is checked, and if any row is rejected the report lists each with its line
number and reason, and nothing is imported.

Text cells that begin with =, +, - or @ are written with a leading apostrophe so a spreadsheet
does not run them as formulas; the apostrophe is removed again on import.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core.models import Municipality, ServiceUnit
from familiebro.core.text import without_direction_controls

from . import actions, permissions, programme_data, reads
from .hsds.importer import import_hsds_records
from .hsds.records import SourceRecord
from .hsds.render import export_offers_as_hsds
from .models import Offer, Programme, TaxonomyTerm

MAX_ROWS = 5000
LIST_SEPARATOR = "|"
TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "1", "sant"})
FALSE_WORDS = frozenset({"nei", "n", "no", "false", "0", "usant"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TEXT_COLUMNS = (
    "title",
    "summary",
    "description",
    "cost",
    "how_to_sign_up",
    "url",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
    "phone_hours",
)
BOOLEAN_COLUMNS = (
    "is_digital",
    "format_group",
    "format_individual",
    "format_home_visit",
    "open_evenings",
    "open_weekends",
    "is_free",
    "referral_required",
)
INTEGER_COLUMNS = ("age_from_months", "age_to_months", "capacity")
PLACE_COLUMNS = (
    "place_name",
    "place_address",
    "place_postal_code",
    "place_city",
    "place_municipality",
)
COLUMNS = (
    "id",
    "status",
    "title",
    "summary",
    "description",
    "programme",
    "topics",
    "target_groups",
    "age_from_months",
    "age_to_months",
    "languages",
    "municipalities",
    *BOOLEAN_COLUMNS[:6],
    "is_free",
    "cost",
    "referral_required",
    "capacity",
    "how_to_sign_up",
    "url",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
    "phone_hours",
    *PLACE_COLUMNS,
    "last_verified_at",
)

COLUMN_DOCS: tuple[tuple[str, Any], ...] = (
    ("id", gettext_lazy("Empty for a new offer; the offer's id to update it.")),
    ("status", gettext_lazy("draft, published or retired. Empty keeps the status.")),
    ("title", gettext_lazy("Required for a new offer.")),
    ("summary", gettext_lazy("One sentence.")),
    ("description", gettext_lazy("Required for a new offer.")),
    ("programme", gettext_lazy("The programme's code, for example icdp or pmto.")),
    ("topics", gettext_lazy('Topic codes separated by "|".')),
    ("target_groups", gettext_lazy('Target-group codes separated by "|".')),
    ("age_from_months", gettext_lazy("Months; pregnancy is negative, -9 to -1.")),
    ("age_to_months", gettext_lazy("Months; 216 is 18 years.")),
    ("languages", gettext_lazy('Language codes separated by "|", for example nb|ar.')),
    ("municipalities", gettext_lazy('Municipality numbers separated by "|".')),
    (", ".join(BOOLEAN_COLUMNS), gettext_lazy("ja or nei.")),
    ("cost, capacity, how_to_sign_up, url", gettext_lazy("As on the offer page.")),
    (
        "contact_name, contact_title, contact_phone, contact_email, phone_hours",
        gettext_lazy("The contact person."),
    ),
    (", ".join(PLACE_COLUMNS), gettext_lazy("The place; the municipality as its number.")),
    ("last_verified_at", gettext_lazy("Exported only; ignored on import.")),
)


class Writer(Protocol):
    """Where an export goes: a file, a buffer, or an HTTP response."""

    def write(self, text: str, /) -> Any: ...


class UnreadableFile(Exception):
    """The file as a whole cannot be read as offers; the message says what to do."""


@dataclass(frozen=True)
class RowError:
    line: int
    offer_id: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return _(
                "Nothing was imported: %(count)s rows were rejected. Correct them and import "
                "the whole file again."
            ) % {"count": len(self.errors)}
        return _(
            "Imported: %(created)s new offers, %(updated)s changed, %(unchanged)s unchanged."
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# Export -------------------------------------------------------------------------------------


def export_filename(unit: ServiceUnit) -> str:
    return f"tilbud-{slugify(unit.name) or unit.pk}-{timezone.localdate():%Y-%m-%d}.csv"


def export_offers(unit: ServiceUnit, out: Writer) -> int:
    """Write the unit's offers to `out`; returns how many. A fixed number of queries."""
    offers = (
        Offer.objects.filter(unit=unit)
        .select_related("programme")
        .prefetch_related("topics", "target_groups", "municipalities", "locations__municipality")
        .order_by("title", "pk")
    )
    # A byte-order mark lets Excel open the file as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for offer in offers:
        writer.writerow(
            [_safe(name, value) for name, value in zip(COLUMNS, _row(offer), strict=True)]
        )
        count += 1
    return count


def _row(offer: Offer) -> list[str]:
    locations = sorted(offer.locations.all(), key=lambda location: str(location.pk))
    place = locations[0] if locations else None
    values: dict[str, str] = {
        "id": str(offer.pk),
        "status": offer.status,
        "programme": offer.programme.slug if offer.programme else "",
        "topics": _join(term.code for term in offer.topics.all()),
        "target_groups": _join(term.code for term in offer.target_groups.all()),
        "languages": _join(reads.languages_of(offer)),
        "municipalities": _join(m.number for m in offer.municipalities.all()),
        "place_name": place.name if place else "",
        "place_address": place.address if place else "",
        "place_postal_code": place.postal_code if place else "",
        "place_city": place.city if place else "",
        "place_municipality": place.municipality.number if place and place.municipality else "",
        "last_verified_at": (
            timezone.localtime(offer.last_verified_at).isoformat(timespec="minutes")
            if offer.last_verified_at
            else ""
        ),
    }
    for name in TEXT_COLUMNS:
        values[name] = getattr(offer, name)
    for name in BOOLEAN_COLUMNS:
        values[name] = "ja" if getattr(offer, name) else "nei"
    for name in INTEGER_COLUMNS:
        value = getattr(offer, name)
        values[name] = "" if value is None else str(value)
    return [values[name] for name in COLUMNS]


def _join(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(sorted(values))


def _safe(name: str, value: str) -> str:
    if name in TEXT_COLUMNS and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Import -------------------------------------------------------------------------------------


def import_offers(actor: Any, unit: ServiceUnit, upload: IO[bytes] | Any) -> ImportReport:
    """Create or update the unit's offers from a CSV file, all or nothing.

    Raises UnreadableFile when the file as a whole is not usable (wrong encoding, unknown
    columns, too many rows); otherwise returns a report, with every rejected row if any.
    """
    permissions.require_can_edit(actor, unit.pk)
    rows, columns = _read(upload)
    lookups = _Lookups.for_rows(rows)
    report = ImportReport()
    with transaction.atomic():
        for line, row in rows:
            try:
                # A savepoint per row: a rejected row is undone alone and the others are still
                # checked, so the report names every problem in one go.
                with transaction.atomic():
                    outcome = _import_row(actor, unit, row, columns, lookups)
            except ValidationError as exc:
                report.errors.append(RowError(line, row.get("id", ""), _describe(exc)))
            except PermissionDenied as exc:
                report.errors.append(RowError(line, row.get("id", ""), str(exc)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
    return report


def _read(upload: IO[bytes] | Any) -> tuple[list[tuple[int, dict[str, str]]], set[str]]:
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _(
                "The file is not UTF-8 text. In Excel, save it as «CSV UTF-8 (comma "
                "delimited)» and import it again."
            )
        ) from None
    if not text.strip():
        raise UnreadableFile(_("The file is empty. Export the unit's offers to get a template."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise UnreadableFile(
            _(
                "The file has columns Familiebro does not know: %(unknown)s. The columns are: "
                "%(known)s."
            )
            % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    if len(set(header)) != len(header):
        raise UnreadableFile(_("A column appears twice in the first line. Keep one of them."))
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if None in row:
            raise UnreadableFile(
                _("Line %(line)s has more cells than the first line has columns.")
                % {"line": reader.line_num}
            )
        cleaned = {
            name: _unescape(name, without_direction_controls((value or "").strip()))
            for name, value in row.items()
        }
        if not any(cleaned.values()):
            continue
        rows.append((reader.line_num, cleaned))
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(
                _("The file has more than %(max)s offers. Split it into smaller files.")
                % {"max": MAX_ROWS}
            )
    if not rows:
        raise UnreadableFile(_("The file has a header but no offers."))
    return rows, set(header)


def _unescape(name: str, value: str) -> str:
    if name in TEXT_COLUMNS and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


@dataclass
class _Lookups:
    """Everything rows refer to by code, fetched once for the whole file."""

    topics: dict[str, TaxonomyTerm]
    target_groups: dict[str, TaxonomyTerm]
    programmes: dict[str, Programme]
    municipalities: dict[str, Municipality]

    @classmethod
    def for_rows(cls, rows: list[tuple[int, dict[str, str]]]) -> _Lookups:
        numbers = set()
        for _line, row in rows:
            numbers.update(_split(row.get("municipalities", "")))
            if row.get("place_municipality"):
                numbers.add(row["place_municipality"])
        terms = TaxonomyTerm.objects.filter(taxonomy_id__in=programme_data.TAXONOMY_IDS.values())
        by_taxonomy: dict[Any, dict[str, TaxonomyTerm]] = {}
        for term in terms:
            by_taxonomy.setdefault(term.taxonomy_id, {})[term.code] = term
        return cls(
            topics=by_taxonomy.get(programme_data.TAXONOMY_IDS[programme_data.TOPIC_TAXONOMY], {}),
            target_groups=by_taxonomy.get(
                programme_data.TAXONOMY_IDS[programme_data.TARGET_GROUP_TAXONOMY], {}
            ),
            programmes={p.slug: p for p in Programme.objects.all()},
            municipalities=Municipality.objects.in_bulk(list(numbers), field_name="number"),
        )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _import_row(
    actor: Any,
    unit: ServiceUnit,
    row: dict[str, str],
    columns: set[str],
    lookups: _Lookups,
) -> str:
    data = _parse(row, columns, lookups)
    status = row.get("status", "")
    if status and status not in Offer.Status.values:
        raise ValidationError(
            {"status": _("Write draft, published or retired, not %(value)s.") % {"value": status}}
        )
    offer_id = _parse_id(row.get("id", ""))
    offer = Offer.objects.filter(pk=offer_id).first() if offer_id else None
    if offer is not None and offer.unit_id != unit.pk:
        raise ValidationError(
            {"id": _("This offer belongs to another unit. Import it from that unit.")}
        )
    if offer is None:
        for name in ("title", "description"):
            if not data.get(name):
                raise ValidationError({name: _("A new offer needs a title and a description.")})
        if not data.get("municipalities"):
            # A new offer without municipalities is for those its unit serves.
            data.pop("municipalities", None)
        offer = actions.create_offer(actor, unit, data, offer_id=offer_id)
        outcome = "created"
    else:
        changed = actions.update_offer(actor, offer, data)
        outcome = "updated" if changed else "unchanged"
    if status and status != offer.status:
        if status == Offer.Status.PUBLISHED:
            actions.publish_offer(actor, offer)
        elif status == Offer.Status.RETIRED:
            actions.retire_offer(actor, offer)
        else:
            raise ValidationError(
                {
                    "status": _(
                        "A published or retired offer cannot become a draft again. Retire it "
                        "to take it off the public pages."
                    )
                }
            )
        if outcome == "unchanged":
            outcome = "updated"
    return outcome


def _parse_id(value: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError(
            {
                "id": _("%(value)s is not an offer id. Leave it empty for a new offer.")
                % {"value": value}
            }
        ) from None


def _parse(row: dict[str, str], columns: set[str], lookups: _Lookups) -> dict[str, Any]:
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_COLUMNS:
        if name in columns:
            data[name] = row[name]
    for name in BOOLEAN_COLUMNS:
        if name in columns and row[name]:
            word = row[name].lower()
            if word in TRUE_WORDS:
                data[name] = True
            elif word in FALSE_WORDS:
                data[name] = False
            else:
                errors.setdefault(name, []).append(
                    _("Write ja or nei, not %(value)s.") % {"value": row[name]}
                )
    for name in INTEGER_COLUMNS:
        if name in columns:
            try:
                data[name] = int(row[name]) if row[name] else None
            except ValueError:
                errors.setdefault(name, []).append(
                    _("Write a whole number, not %(value)s.") % {"value": row[name]}
                )
    if "programme" in columns:
        slug = row["programme"]
        data["programme"] = lookups.programmes.get(slug) if slug else None
        if slug and data["programme"] is None:
            errors.setdefault("programme", []).append(
                _("No programme has the code %(code)s.") % {"code": slug}
            )
    for name, known in (("topics", lookups.topics), ("target_groups", lookups.target_groups)):
        if name in columns:
            codes = _split(row[name])
            unknown = [code for code in codes if code not in known]
            if unknown:
                errors.setdefault(name, []).append(
                    _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}
                )
            data[name] = [known[code] for code in codes if code in known]
    if "languages" in columns and row["languages"]:
        # Every offer is given in some language: an empty cell leaves the languages as they are.
        data["languages"] = _split(row["languages"])
    if "municipalities" in columns:
        numbers = _split(row["municipalities"])
        unknown = [n for n in numbers if n not in lookups.municipalities]
        if unknown:
            errors.setdefault("municipalities", []).append(
                _("No municipality has the number %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        data["municipalities"] = [
            lookups.municipalities[n] for n in numbers if n in lookups.municipalities
        ]
    if columns & set(PLACE_COLUMNS):
        number = row.get("place_municipality", "")
        municipality = lookups.municipalities.get(number) if number else None
        if number and municipality is None:
            errors.setdefault("place_municipality", []).append(
                _("No municipality has the number %(numbers)s.") % {"numbers": number}
            )
        data["place"] = {
            "name": row.get("place_name", ""),
            "address": row.get("place_address", ""),
            "postal_code": row.get("place_postal_code", ""),
            "city": row.get("place_city", ""),
            "municipality": municipality,
        }
    if errors:
        raise ValidationError(errors)
    return data


def _describe(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(
        f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
        for name, messages in exc.message_dict.items()
    )


# Either format, for the editor page and the import command ----------------------------------


@dataclass(frozen=True)
class Problem:
    """One rejected row or record: where in the file, which offer, what is wrong."""

    where: str
    offer_id: str
    message: str


@dataclass(frozen=True)
class FileImport:
    ok: bool
    summary: str
    problems: list[Problem]


def is_hsds_json(name: str, head: bytes) -> bool:
    return name.lower().endswith(".json") or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (
        b"[",
        b"{",
    )


def import_offers_file(actor: Any, unit: ServiceUnit, upload: IO[bytes] | Any) -> FileImport:
    """Import a CSV or HSDS JSON file of the unit's offers. Raises UnreadableFile when the
    file as a whole cannot be read; otherwise reports every rejected row or record."""
    raw = upload.read()
    if is_hsds_json(getattr(upload, "name", "") or "", raw[:64]):
        return _import_hsds(actor, unit, raw)
    report = import_offers(actor, unit, io.BytesIO(raw))
    return FileImport(
        ok=report.ok,
        summary=report.summary(),
        problems=[
            Problem(_("line %(line)s") % {"line": e.line}, e.offer_id, e.message)
            for e in report.errors
        ],
    )


def export_offers_hsds(unit: ServiceUnit, out: Writer) -> int:
    """Write the unit's offers as a JSON list of HSDS 3.0 services; returns how many."""
    records = export_offers_as_hsds(Offer.objects.filter(unit=unit))
    json.dump(records, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(records)


def export_filename_hsds(unit: ServiceUnit) -> str:
    return export_filename(unit).removesuffix(".csv") + ".json"


def _import_hsds(actor: Any, unit: ServiceUnit, raw: bytes) -> FileImport:
    permissions.require_can_edit(actor, unit.pk)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file is not UTF-8 text. Save it as UTF-8 and try again.")
        ) from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            _("The file is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]  # a page, as the HSDS API serves it
    records = data if isinstance(data, list) else [data]
    if not records:
        raise UnreadableFile(_("The file holds no services."))
    if len(records) > MAX_ROWS:
        raise UnreadableFile(
            _("The file has more than %(max)s offers. Split it into smaller files.")
            % {"max": MAX_ROWS}
        )
    report = import_hsds_records(
        [
            SourceRecord(record, _("record %(n)s") % {"n": n}, "service")
            for n, record in enumerate(records, start=1)
        ],
        partial=False,
        unit=unit,
        actor=actor,
    )
    problems = [Problem(r.source, r.record_id, "; ".join(r.reasons)) for r in report.rejections]
    if problems:
        # the HSDS importer's own summary suggests --partial, which the editor does not offer.
        summary = _(
            "Nothing was imported: %(count)s records were rejected. Correct them and import "
            "the whole file again."
        ) % {"count": len(problems)}
    else:
        summary = report.summary()
    return FileImport(ok=not problems, summary=summary, problems=problems)
