"""The list of Norwegian municipalities and counties, and keeping it current.

Familiebro ships the list in force from 2024 (core/data/municipalities.json) in the shape of
Statistics Norway's classifications: 131 for municipalities and 104 for counties, each entry a
code, the official name (every official language in it, "Harstad - Hárstták") and the name in
each language. A data migration loads it; `familiebro update-municipalities <file>` applies a
newer list: it adds new municipalities, renames changed ones and marks those no longer in the
list as ended, never deleting one (organisations, units and offers point at them).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHIPPED_LIST = Path(__file__).parent / "data" / "municipalities.json"


class ListError(ValueError):
    """The file is not a list of municipalities this module can read."""


@dataclass(frozen=True)
class Entry:
    number: str
    # The Norwegian name, and the official name with every language in it.
    name: str
    official_name: str
    county_number: str
    county: str
    names: dict[str, str]


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.renamed or self.ended or self.restored)

    def summary(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.renamed)} changed, {len(self.ended)} ended, "
            f"{len(self.restored)} back in force, {self.unchanged} unchanged."
        ]
        for label, items in (
            ("Added", self.added),
            ("Changed", self.renamed),
            ("Ended", self.ended),
            ("Back in force", self.restored),
        ):
            lines += [f"{label}: {item}" for item in items]
        return "\n".join(lines)


def read_list(path: Path | str = SHIPPED_LIST) -> list[Entry]:
    try:
        with open(path, encoding="utf-8-sig") as file:
            data = json.load(file)
    except OSError as exc:
        raise ListError(f"Cannot read {path}: {exc.strerror}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ListError(f"{path} is not a JSON file in UTF-8: {exc}.") from exc
    return parse_list(data)


def parse_list(data: Any) -> list[Entry]:
    """The entries of a list in the classification's shape: {"codes": [{"code", "name",
    "parentCode"?, "names"?}], "counties"?: [{"code", "name"}]}. Without parentCode a
    municipality's county is the first two digits of its number, as in Norway's numbering."""
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise ListError('The file must be a JSON object with a list "codes" of municipalities.')
    counties = {}
    for county in data.get("counties") or []:
        if isinstance(county, dict) and county.get("code") and county.get("name"):
            counties[str(county["code"])] = str(county["name"])
    entries: dict[str, Entry] = {}
    for position, code in enumerate(data["codes"], start=1):
        if not isinstance(code, dict):
            raise ListError(f"Entry {position} is not an object with a code and a name.")
        number = str(code.get("code") or "").strip()
        name = str(code.get("name") or "").strip()
        if not (len(number) == 4 and number.isdigit()):
            raise ListError(f"Entry {position} has no four-digit municipality number.")
        if not name:
            raise ListError(f"Municipality {number} has no name.")
        if number in entries:
            raise ListError(f"Municipality {number} is in the list twice.")
        given = code.get("names")
        names: dict[str, Any] = given if isinstance(given, dict) else {}
        county_number = str(code.get("parentCode") or number[:2])
        entries[number] = Entry(
            number=number,
            name=str(names.get("nb") or name)[:100],
            official_name=name[:100],
            county_number=county_number,
            county=counties.get(county_number, ""),
            names={str(k): str(v)[:100] for k, v in names.items() if v},
        )
    if not entries:
        raise ListError("The list has no municipalities.")
    return list(entries.values())


def apply_list(
    municipality_model: Any,
    entries: list[Entry],
    *,
    today: datetime.date,
    end_missing: bool = True,
) -> Changes:
    """Bring the municipalities in the database in line with `entries`. Idempotent: applying
    the same list twice changes nothing the second time. `municipality_model` is the model
    class (a migration passes its historical one). With end_missing, a municipality not in
    the list is marked as ended that day."""
    changes = Changes()
    existing = {m.number: m for m in municipality_model.objects.all()}
    for entry in entries:
        municipality = existing.get(entry.number)
        values = {
            "name": entry.name,
            "official_name": entry.official_name,
            "county_number": entry.county_number,
            "county": entry.county,
            "names": entry.names,
        }
        if municipality is None:
            municipality_model.objects.create(number=entry.number, **values)
            changes.added.append(f"{entry.number} {entry.name}")
            continue
        changed = [
            name
            for name, value in values.items()
            # A list without county names keeps the county name the database has.
            if getattr(municipality, name) != value and not (name == "county" and not value)
        ]
        restored = municipality.ended_on is not None
        if restored:
            municipality.ended_on = None
            changes.restored.append(f"{entry.number} {entry.name}")
        if changed:
            before = municipality.name
            for name in changed:
                setattr(municipality, name, values[name])
            changes.renamed.append(
                f"{entry.number} {before} → {entry.name}"
                if before != entry.name
                else f"{entry.number} {entry.name} ({', '.join(changed)})"
            )
        if changed or restored:
            municipality.save()
        else:
            changes.unchanged += 1
    if not end_missing:
        return changes
    numbers = {entry.number for entry in entries}
    for number, municipality in sorted(existing.items()):
        if number not in numbers and municipality.ended_on is None:
            municipality.ended_on = today
            municipality.save(update_fields=["ended_on"])
            changes.ended.append(f"{number} {municipality.name}")
    return changes
