"""Deposit packages: preserved records in an archive format before they leave the live system.

When a retention rule preserves a category (an archive rule keeps a health centre's or a
child welfare service's records), the rows that have passed their period are put in a deposit
package per data controller: one folder with
- `deponering.xml`, the metadata in a Noark-5-style structure (the controller as arkivskaper,
  one mappe per record with its parties, one registrering per document, each document's
  checksum), validated against `deponering.xsd` before anything is written;
- `deponering.xsd`, the schema it follows, so the archive can check it too;
- `dokumenter/`, each document as PDF/A-2b (familiebro.privacy.pdfa);
- `manifest-sha256.txt`, the SHA-256 checksum of every other file in the package.
Making a package is recorded as a Deposit and audited. The records stay in Familiebro until
the archive has taken the package over (`confirm_transfer`); the next retention run then
deletes them. See docs/data-protection.md, section 6, and docs/operations.md.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from familiebro.core.models import Organisation

from . import audit, policy, retention
from .models import AuditEvent, Deposit, RetentionRule

NAMESPACE = "urn:familiebro:deponering:1"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "deponering.xsd"
METADATA = "deponering.xml"
SCHEMA = "deponering.xsd"
MANIFEST = "manifest-sha256.txt"
DOCUMENTS = "dokumenter"
PDF_FORMAT = "PDF/A-2b"


class DepositError(Exception):
    """A package could not be made or confirmed; the message says what to do."""


@dataclass
class ArchiveDocument:
    title: str
    pdf: bytes
    created_at: datetime.datetime


@dataclass
class ArchiveParty:
    name: str
    role: str
    identity_number: str = ""
    birth_date: datetime.date | None = None


@dataclass
class ArchiveRecord:
    """One preserved record (a case, a request for help) as the archive receives it."""

    object_id: int
    reference: str
    title: str
    unit_name: str
    unit_kind: str
    created_at: datetime.datetime
    created_by: str
    closed_at: datetime.datetime | None
    documents: list[ArchiveDocument]
    parties: list[ArchiveParty] = field(default_factory=list)
    subject_id: int | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def schema() -> Any:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def metadata_xml(
    package_id: str,
    organisation: Organisation,
    category: str,
    legal_reference: str,
    made_at: datetime.datetime,
    made_by: str,
    records: list[ArchiveRecord],
    files: dict[tuple[int, int], tuple[str, bytes]],
) -> bytes:
    """The package's metadata, validated against the schema; raises DepositError if not."""
    from lxml import etree

    def sub(parent: Any, tag: str, text: str | None = None) -> Any:
        element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
        if text is not None:
            element.text = text
        return element

    root = etree.Element(f"{{{NAMESPACE}}}deponering", nsmap={None: NAMESPACE})
    root.set("versjon", "1")
    sub(root, "pakkeID", package_id)
    sub(root, "opprettetDato", _when(made_at))
    sub(root, "opprettetAv", made_by)
    creator = sub(root, "arkivskaper")
    sub(creator, "arkivskaperNavn", organisation.name)
    sub(creator, "organisasjonsnummer", organisation.org_number)
    sub(root, "kategori", category)
    sub(root, "hjemmel", legal_reference)
    for record in records:
        folder = sub(root, "mappe")
        sub(folder, "systemID", f"{category}:{record.object_id}")
        sub(folder, "mappeID", record.reference)
        sub(folder, "tittel", record.title)
        sub(folder, "opprettetDato", _when(record.created_at))
        sub(folder, "opprettetAv", record.created_by)
        if record.closed_at is not None:
            sub(folder, "avsluttetDato", _when(record.closed_at))
        sub(folder, "administrativEnhet", record.unit_name)
        sub(folder, "enhetstype", record.unit_kind)
        for party in record.parties:
            element = sub(folder, "part")
            sub(element, "partNavn", party.name)
            if party.identity_number:
                sub(element, "foedselsnummer", party.identity_number)
            if party.birth_date is not None:
                sub(element, "foedselsdato", party.birth_date.isoformat())
            sub(element, "partRolle", party.role)
        for number, document in enumerate(record.documents, start=1):
            path, data = files[(record.object_id, number)]
            entry = sub(folder, "registrering")
            sub(entry, "systemID", f"{category}:{record.object_id}:{number}")
            sub(entry, "tittel", document.title)
            sub(entry, "opprettetDato", _when(document.created_at))
            description = sub(entry, "dokumentbeskrivelse")
            sub(description, "tittel", document.title)
            obj = sub(description, "dokumentobjekt")
            sub(obj, "format", PDF_FORMAT)
            sub(obj, "referanseDokumentfil", path)
            sub(obj, "sjekksum", _sha256(data))
            sub(obj, "sjekksumAlgoritme", "SHA256")
            sub(obj, "filstoerrelse", str(len(data)))
    validator = schema()
    if not validator.validate(root):
        raise DepositError(
            "The deposit's metadata do not follow the package schema, so no package was "
            f"made: {validator.error_log.last_error}"
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def due_for_deposit(
    category_name: str, organisation: Organisation, now: datetime.datetime | None = None
) -> list[int]:
    """Rows of the category whose period has run out under a rule that preserves them (or
    that a part asked to preserve), of this controller, not held and not yet in a package."""
    now = now or timezone.now()
    category = retention.CATEGORIES.get(category_name)
    if category is None:
        raise DepositError(f"Familiebro has no retention category {category_name!r}.")
    rules = retention.rules_for(category, list(RetentionRule.objects.all()))
    found = retention.due(category, rules, now)
    already = retention.deposited_ids(category)
    candidates = [pk for pk in found.preserve if pk not in already]
    return sorted(
        category.model._default_manager.filter(
            pk__in=candidates, **{category.organisation_field: organisation.pk}
        ).values_list("pk", flat=True)
    )


def make_deposit(
    organisation: Organisation,
    category_name: str,
    directory: Path,
    made_by: str,
    now: datetime.datetime | None = None,
) -> tuple[Deposit, Path] | None:
    """Write a deposit package of what is due for deposit; None when nothing is.

    The package is written to a temporary folder and moved into place only when the Deposit
    row and its audit event are written, so no half-written package is left behind.
    """
    now = now or timezone.now()
    if not made_by.strip():
        raise DepositError("Say who makes the deposit (--by), for the audit trail.")
    category = retention.CATEGORIES.get(category_name)
    if category is None:
        raise DepositError(f"Familiebro has no retention category {category_name!r}.")
    if category.archive is None:
        raise DepositError(f"Familiebro has no archive format for {category_name}.")
    ids = due_for_deposit(category_name, organisation, now)
    if not ids:
        return None
    records = category.archive(ids)
    package_id = str(uuid.uuid4())
    final = Path(directory) / f"deponering-{package_id}"
    working = Path(directory) / f".deponering-{package_id}.partial"
    # The ground: the preserving rules that fit these records' controller and kinds of unit.
    kinds = {record.unit_kind for record in records} | {""}
    references = sorted(
        {
            r.legal_reference
            for r in RetentionRule.objects.filter(
                Q(organisation=None) | Q(organisation=organisation),
                category=category_name,
                outcome=RetentionRule.Outcome.PRESERVE,
                unit_kind__in=kinds,
            )
            if r.legal_reference
        }
    )
    try:
        (working / DOCUMENTS).mkdir(parents=True)
        files: dict[tuple[int, int], tuple[str, bytes]] = {}
        for record in records:
            for number, document in enumerate(record.documents, start=1):
                path = f"{DOCUMENTS}/{category_name}-{record.object_id}-{number}.pdf"
                files[(record.object_id, number)] = (path, document.pdf)
                (working / path).write_bytes(document.pdf)
        xml = metadata_xml(
            package_id,
            organisation,
            category_name,
            "; ".join(references),
            now,
            made_by,
            records,
            files,
        )
        (working / METADATA).write_bytes(xml)
        shutil.copyfile(SCHEMA_PATH, working / SCHEMA)
        listed = [METADATA, SCHEMA, *(path for path, _data in files.values())]
        manifest = "".join(
            f"{_sha256((working / name).read_bytes())}  {name}\n" for name in sorted(listed)
        ).encode()
        (working / MANIFEST).write_bytes(manifest)
        with transaction.atomic():
            deposit = Deposit.objects.create(
                package_id=package_id,
                organisation=organisation,
                category=category_name,
                object_type=category.label,
                object_ids=[record.object_id for record in records],
                manifest_sha256=_sha256(manifest),
                created_at=now,
                created_by=made_by,
            )
            audit.record(
                AuditEvent.Action.EXPORT,
                object_type=category.label,
                object_ids=deposit.object_ids,
                subject_ids=sorted({r.subject_id for r in records if r.subject_id}),
                organisation_id=organisation.pk,
                purpose=policy.Purpose.RETENTION,
                legal_basis="archive_rule",
                detail={
                    "deposit": package_id,
                    "retention_category": category_name,
                    "count": len(records),
                    "documents": len(files),
                    "manifest_sha256": deposit.manifest_sha256,
                },
            )
            working.rename(final)
    except OSError as exc:
        shutil.rmtree(working, ignore_errors=True)
        raise DepositError(
            f"The package could not be written in {directory} ({exc.strerror or exc}); "
            "nothing was recorded. Check that the folder is writable and has room."
        ) from exc
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    return deposit, final


def confirm_transfer(package_id: str, note: str, now: datetime.datetime | None = None) -> Deposit:
    """Record that the archive has taken the package over: the next retention run deletes
    its records from Familiebro."""
    if not note.strip():
        raise DepositError(
            "Write the archive's receipt (for example its reference for the deposit) with "
            "--receipt, so it is clear who took the records over."
        )
    try:
        uuid.UUID(package_id)
    except ValueError as exc:
        raise DepositError(
            f"{package_id!r} is not a package id (see the package's folder name)."
        ) from exc
    with transaction.atomic():
        deposit = Deposit.objects.select_for_update().filter(package_id=package_id).first()
        if deposit is None:
            raise DepositError(f"There is no deposit {package_id}.")
        if deposit.transferred_at is not None:
            raise DepositError(
                f"The deposit {package_id} was already taken over on "
                f"{timezone.localtime(deposit.transferred_at):%d.%m.%Y}."
            )
        deposit.transferred_at = now or timezone.now()
        deposit.transferred_note = note.strip()[:200]
        deposit.save(update_fields=["transferred_at", "transferred_note"])
        audit.record(
            AuditEvent.Action.CHANGE,
            objects=[deposit],
            organisation_id=deposit.organisation_id,
            purpose=policy.Purpose.RETENTION,
            legal_basis="archive_rule",
            detail={"deposit": package_id, "transferred": True, "count": len(deposit.object_ids)},
        )
    return deposit


def verify_package(folder: Path) -> list[str]:
    """What is wrong with a package on disk (empty when nothing is): every file listed in
    the manifest has its checksum, and the metadata follow the schema."""
    from lxml import etree

    folder = Path(folder)
    problems: list[str] = []
    manifest = folder / MANIFEST
    if not manifest.exists():
        return [f"{MANIFEST} is missing"]
    for line in manifest.read_text().splitlines():
        checksum, name = line.split("  ", 1)
        path = folder / name
        if not path.exists():
            problems.append(f"{name} is missing")
        elif _sha256(path.read_bytes()) != checksum:
            problems.append(f"{name} does not match its checksum")
    document = etree.parse(str(folder / METADATA))
    validator = schema()
    if not validator.validate(document):
        problems.append(f"{METADATA}: {validator.error_log.last_error}")
    return problems


def record_pdf(
    title: str,
    controller: str,
    facts: list[tuple[str, str]],
    parts: list[tuple[Any, list[Any]]],
) -> bytes:
    """A preserved record as a PDF/A document in bokmål: its facts, then every part of it
    as the right-of-access export shows it (`parts`: an export Section with its rows)."""
    from xml.sax.saxutils import escape

    from django.utils import translation
    from django.utils.translation import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from . import export, pdfa

    def build(regular: str, bold: str) -> list[Any]:
        styles = getSampleStyleSheet()
        body = ParagraphStyle("body", parent=styles["BodyText"], fontName=regular, fontSize=9.5)
        small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
        h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=bold)
        h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=bold)

        def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
            return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

        def table(pairs: list[tuple[Any, Any]]) -> Table:
            t = Table(
                [[p(k, small), p(v, small)] for k, v in pairs],
                colWidths=[45 * mm, 125 * mm],
                splitInRow=1,
            )
            t.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        # A table sets its cells' font even for paragraphs: not the
                        # unembedded Helvetica.
                        ("FONTNAME", (0, 0), (-1, -1), regular),
                    ]
                )
            )
            return t

        story: list[Any] = [
            p(title, h1),
            p(
                _(
                    "Preserved by %(controller)s under an archive rule and deposited from "
                    "Familiebro. The document holds the record as it was in Familiebro."
                )
                % {"controller": controller}
            ),
            Spacer(1, 3 * mm),
            table(facts),
        ]
        for section, rows in parts:
            story.append(p(section.heading, h2))
            shown = [export._section_row(section, obj) for obj in rows]
            story += export._section_story(section, shown, p, table)
        return story

    with translation.override("nb"):
        return pdfa.render(title, controller, _archive_subject(), build)


def _archive_subject() -> str:
    from django.utils.translation import gettext as _

    return str(_("Record preserved for the archive"))
