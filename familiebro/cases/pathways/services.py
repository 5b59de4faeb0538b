"""Publishing pathway definitions, choosing them, and moving running cases explicitly.

A published version never changes (PathwayVersion.save refuses it): editing a definition
means publishing a new version. Cases opened earlier keep theirs until someone moves them
with `move_cases`, which names the phase each old phase becomes, so no history is rewritten
silently. These are administration tasks, run with `familiebro pathway …` or on the staff
pages under /ansatt/forlop/ (pathways.views), which call the same functions.

Who may do what (the pages ask, through cases.permissions; the command is run by whoever
operates the instance):
instance administrators publish versions and choose for any municipality or unit, because a
new version of a shipped definition changes new cases everywhere it is chosen; a unit's
administrator or leader chooses which definition their own unit opens new cases on. A
definition holds no personal data, so any staff member may read it. Publishing and choosing
are audited like other changes to shared data: who, when, which definition. What the pages
show is read in pathways.pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from familiebro.core.models import Municipality, ServiceUnit
from familiebro.privacy import audit, policy

from .. import permissions
from ..models import Case, PathwayChoice, PathwayDefinition, PathwayVersion
from .spec import SpecError, parse_spec


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


AUDIT_PURPOSE = "pathway_administration"
# Larger than any sensible definition (the shipped ones are about 30 000 characters), small
# enough that a pasted file cannot fill the database.
MAX_SPEC_CHARACTERS = 500_000


def read_spec(text: str) -> Any:
    """JSON text as a specification, or ValidationError saying where the JSON is broken."""
    if len(text) > MAX_SPEC_CHARACTERS:
        raise ValidationError(
            _("The specification is longer than %(max)s characters. Shorten it.")
            % {"max": MAX_SPEC_CHARACTERS}
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise ValidationError(
            _(
                "This is not valid JSON (line %(line)s, column %(column)s: %(error)s). "
                "Correct it there, or start again from the newest version."
            )
            % {"line": line, "column": column, "error": getattr(exc, "msg", str(exc))}
        ) from exc


def problems_of(spec: Any) -> list[str]:
    """Every problem publishing would refuse `spec` for; empty when it can be published.
    The publish checks themselves: the page's "check" and `publish` cannot disagree."""
    try:
        parse_spec(spec)
    except SpecError as exc:
        return exc.problems
    return []


@transaction.atomic
def publish_version(
    key: str,
    spec: Any,
    note: str = "",
    *,
    actor: Any = None,
    based_on: int | None = None,
) -> PathwayVersion:
    """Publish the next version of `key` (a new definition when the key is new). The
    specification is checked first; every problem is listed.

    `based_on` is the version the editor started from: if another was published since, the
    editor's text would silently undo it, so publishing is refused."""
    if actor is not None:
        permissions.require_may_publish(actor)
    problems = problems_of(spec)
    if problems:
        raise ValidationError(problems)
    parsed = parse_spec(spec)
    definition, _created = PathwayDefinition.objects.select_for_update().get_or_create(
        key=key, defaults={"name": dict(parsed.name.by_language).get("nb", key)[:200]}
    )
    last = definition.versions.order_by("-number").values_list("number", flat=True).first()
    if based_on is not None and last is not None and last != based_on:
        raise ValidationError(
            _(
                "Version %(last)s was published after you started from version %(based_on)s. "
                "Start again from version %(last)s so that its changes are not lost."
            )
            % {"last": last, "based_on": based_on}
        )
    version = PathwayVersion.objects.create(
        definition=definition,
        number=(last or 0) + 1,
        spec=spec,
        note=note[:300],
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[version],
        organisation_id=definition.organisation_id,
        purpose=AUDIT_PURPOSE,
        detail={"event": "publish", "pathway": key, "version": version.number},
    )
    return version


@transaction.atomic
def choose(
    key: str,
    *,
    municipality: Municipality | None = None,
    unit: ServiceUnit | None = None,
    actor: Any = None,
) -> PathwayChoice:
    """Make `key` the pathway a municipality (or one unit) opens new cases on."""
    if (municipality is None) == (unit is None):
        raise ValidationError(_("Name either a municipality or a unit."))
    if actor is not None:
        permissions.require_may_choose(actor, municipality=municipality, unit=unit)
    definition = _definition(key)
    place = Q(unit=unit) if unit is not None else Q(municipality=municipality, unit__isnull=True)
    previous = PathwayChoice.objects.filter(place).values_list("definition__key", flat=True).first()
    choice, _created = PathwayChoice.objects.update_or_create(
        municipality=municipality if unit is None else None,
        unit=unit,
        defaults={"definition": definition},
    )
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[choice],
        organisation_id=unit.organisation_id if unit is not None else None,
        purpose=AUDIT_PURPOSE,
        detail={
            "event": "choose",
            "pathway": [previous, key],
            "unit": unit.pk if unit is not None else None,
            "municipality": municipality.number if municipality is not None else None,
        },
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
