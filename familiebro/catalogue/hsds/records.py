"""The records an HSDS import reads, and the report of what it did with them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .ids import JSON
from .schemas import KIND_NAMES, KIND_ORDER


@dataclass(frozen=True)
class SourceRecord:
    """One record to import, with where it came from ("services.json, item 3")."""

    data: JSON
    source: str
    kind: str = ""


@dataclass(frozen=True)
class Rejection:
    source: str
    kind: str
    record_id: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        """Where, which record, and why: "services.json, item 2: service 1f…: name: is empty".
        A problem with a file as a whole names just the file."""
        reasons = "; ".join(self.reasons)
        if not self.kind and not self.record_id:
            return f"{self.source}: {reasons}"
        what = KIND_NAMES.get(self.kind, (_("record"), ""))[0]
        label = f"{what} {self.record_id}" if self.record_id else what
        return f"{self.source}: {label}: {reasons}"


@dataclass
class ImportReport:
    """What an import did: counts by kind, and every record it rejected with the reasons."""

    partial: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    # Services already as imported: not written, so their last_modified stays.
    unchanged: Counter[str] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # References a tabular package's rows make to rows it does not have: dropped, not fatal.
    warnings: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejections

    def summary(self) -> str:
        if self.rejections and not self.committed:
            return _(
                "Nothing was imported: %(count)s record(s) were rejected. Correct them and "
                "import again."
            ) % {"count": len(self.rejections)}
        parts = []
        for kind in KIND_ORDER:
            counts = {
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            if any(counts.values()):
                parts.append(
                    _("%(kinds)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
                    % {"kinds": KIND_NAMES[kind][1], **counts}
                )
        text = "; ".join(parts) if parts else _("Nothing to import.")
        if self.rejections:
            text += " " + _("%(count)s record(s) were rejected and not imported.") % {
                "count": len(self.rejections)
            }
        return text

    def lines(self) -> list[str]:
        """The report as text: notes, warnings, each rejection, then the summary."""
        return [
            *self.notes,
            *self.warnings,
            *(r.describe() for r in self.rejections),
            self.summary(),
        ]


class RecordRejected(Exception):
    """A record cannot be imported: which field (a path into the record), and why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field or _('the record')}: {problem}")


@dataclass
class LoadedSources:
    records: list[SourceRecord] = field(default_factory=list)
    problems: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
