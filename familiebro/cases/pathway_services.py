"""Publishing pathway definitions, choosing them, and moving running cases explicitly.

A published version never changes (PathwayVersion.save refuses it): editing a definition
means publishing a new version. Cases opened earlier keep theirs until someone moves them
with `move_cases`, which names the phase each old phase becomes, so no history is rewritten
silently. These are administration tasks, run with `familiebro pathway …`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from familiebro.core.models import Municipality, ServiceUnit
from familiebro.privacy import audit, policy

from .models import Case, PathwayChoice, PathwayDefinition, PathwayVersion
from .pathways import SpecError, parse_spec


def _definition(key: str) -> PathwayDefinition:
    definition = PathwayDefinition.objects.filter(key=key).first()
    if definition is None:
        known = ", ".join(PathwayDefinition.objects.values_list("key", flat=True))
        raise ValidationError(f"There is no pathway {key!r}. Known pathways: {known}.")
    return definition


def version_of(key: str, number: int | None = None) -> PathwayVersion:
    definition = _definition(key)
    versions = definition.versions.order_by("-number")
    version = versions.filter(number=number).first() if number else versions.first()
    if version is None:
        raise ValidationError(f"The pathway {key!r} has no version {number}.")
    return version


@transaction.atomic
def publish_version(key: str, spec: Any, note: str = "") -> PathwayVersion:
    """Publish the next version of `key` (a new definition when the key is new). The
    specification is checked first; every problem is listed."""
    try:
        parsed = parse_spec(spec)
    except SpecError as exc:
        raise ValidationError(str(exc)) from exc
    definition, _ = PathwayDefinition.objects.select_for_update().get_or_create(
        key=key, defaults={"name": dict(parsed.name.by_language).get("nb", key)[:200]}
    )
    last = definition.versions.order_by("-number").values_list("number", flat=True).first()
    return PathwayVersion.objects.create(
        definition=definition, number=(last or 0) + 1, spec=spec, note=note[:300]
    )


@transaction.atomic
def choose(
    key: str, *, municipality: Municipality | None = None, unit: ServiceUnit | None = None
) -> PathwayChoice:
    """Make `key` the pathway a municipality (or one unit) opens new cases on."""
    if (municipality is None) == (unit is None):
        raise ValidationError("Name either a municipality or a unit.")
    definition = _definition(key)
    choice, _ = PathwayChoice.objects.update_or_create(
        municipality=municipality if unit is None else None,
        unit=unit,
        defaults={"definition": definition},
    )
    return choice


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)  # case references
    unmapped: dict[str, int] = field(default_factory=dict)  # old phase -> open cases left

    def summary(self) -> str:
        text = f"{len(self.moved)} case(s) moved."
        for phase, count in self.unmapped.items():
            text += (
                f" {count} case(s) in the phase {phase!r} stayed: the new version has no such "
                f"phase; name its new phase with --phase {phase}=<new phase>."
            )
        return text


def move_cases(
    key: str, from_number: int, to_number: int, phase_map: dict[str, str] | None = None
) -> MoveReport:
    """Move the open cases of one version to another. A phase keeps its key unless
    `phase_map` names its new one; cases in a phase the new version lacks stay where they
    are and are reported. Each case moves in its own transaction and is audited."""
    old, new = version_of(key, from_number), version_of(key, to_number)
    new_phases = {p.key for p in new.parsed.phases}
    phase_map = phase_map or {}
    wrong = {target for target in phase_map.values() if target not in new_phases}
    if wrong:
        raise ValidationError(
            f"Version {to_number} of {key!r} has no phase {', '.join(sorted(wrong))}. "
            f"Its phases: {', '.join(sorted(new_phases))}."
        )
    report = MoveReport()
    open_cases = Case.objects.filter(pathway_version=old, status=Case.Status.OPEN)
    for row in open_cases.values("phase").annotate(n=Count("pk")).order_by("phase"):
        target = phase_map.get(row["phase"], row["phase"])
        if target not in new_phases:
            report.unmapped[row["phase"]] = row["n"]
            continue
        for case in open_cases.filter(phase=row["phase"]).iterator():
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(pathway_version=new, phase=target)
                audit.record(
                    audit.AuditEvent.Action.CHANGE,
                    objects=[case],
                    subject_ids=[case.child_id],
                    organisation_id=case.organisation_id,
                    purpose=policy.Purpose.CASEWORK,
                    legal_basis=policy.Basis.OWN_ORGANISATION,
                    detail={
                        "pathway_version": [old.pk, new.pk],
                        "phase": [case.phase, target],
                    },
                )
            report.moved.append(case.reference)
    return report
