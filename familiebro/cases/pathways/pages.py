"""Pathways as staff read them: every definition with its versions and where each is chosen
(counts of open cases, no case shown), a version in plain words, and what the forms offer.
Publishing, choosing and moving cases are in familiebro.cases.pathways.services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from familiebro.privacy import policy

from .. import permissions
from ..models import Case, PathwayChoice, PathwayDefinition, PathwayVersion
from .services import version_of

# Reading, for the staff pages ---------------------------------------------------------------


@dataclass
class VersionRow:
    version: PathwayVersion
    open_cases: int
    is_newest: bool


@dataclass
class DefinitionRow:
    definition: PathwayDefinition
    versions: list[VersionRow]
    chosen_by: list[str]  # the units and municipalities that chose it

    @property
    def name(self) -> str:
        """The newest version's name in the reader's language (the definition keeps the
        bokmål name it was first published with)."""
        if not self.versions:
            return self.definition.name
        return str(self.versions[0].version.parsed.name)


def overview(user: Any) -> list[DefinitionRow]:
    """Every definition with its versions, how many open cases each version holds, and where
    it is chosen. Counts only, so no case is shown or audited: an instance administrator
    (who may move cases) counts them all, anyone else those of their own organisations."""
    cases = Case.objects.filter(status=Case.Status.OPEN)
    if not permissions.may_publish(user):
        cases = cases.filter(organisation_id__in=policy.scope_of(user).organisation_ids)
    counts = dict(
        cases.values("pathway_version_id")
        .annotate(n=Count("pk"))
        .values_list("pathway_version_id", "n")
    )
    places: dict[int, list[str]] = {}
    for choice in PathwayChoice.objects.select_related("municipality", "unit").order_by(
        "municipality__name", "unit__name"
    ):
        place = (
            _("%(unit)s (unit)") % {"unit": choice.unit}
            if choice.unit is not None
            else _("%(municipality)s (whole municipality)") % {"municipality": choice.municipality}
        )
        places.setdefault(choice.definition_id, []).append(place)
    return _definition_rows(counts, places)


def _definition_rows(counts: dict[int, int], places: dict[int, list[str]]) -> list[DefinitionRow]:
    rows = []
    for definition in PathwayDefinition.objects.prefetch_related("versions__published_by"):
        versions = sorted(definition.versions.all(), key=lambda v: -v.number)
        rows.append(
            DefinitionRow(
                definition=definition,
                versions=[
                    VersionRow(v, counts.get(v.pk, 0), is_newest=(i == 0))
                    for i, v in enumerate(versions)
                ],
                chosen_by=places.get(definition.pk, []),
            )
        )
    return rows


def definition_choices() -> list[tuple[str, str]]:
    """Every definition as (key, name in the reader's language), for choosing one."""
    return [(row.definition.key, row.name) for row in _definition_rows({}, {})]


def newest_number(key: str) -> int:
    return version_of(key).number


def spec_text(version: PathwayVersion) -> str:
    """A version's specification as the JSON an editor starts from (and `export` prints)."""
    return json.dumps(version.spec, ensure_ascii=False, indent=2)


def responsible_label(role: str) -> str:
    return {
        "coordinator": _("the coordinator"),
        "owning_unit": _("the owning unit"),
        "leader": _("the unit's leader"),
    }[role]


def describe_deadline(rule: Any, spec: Any) -> str:
    """A deadline rule in words: "First contact: within 7 calendar days of the case being
    received, met by the decision in this phase. Responsible: the coordinator."."""
    if rule.day_kind == "working":
        days = ngettext("%(days)s working day", "%(days)s working days", rule.days)
    else:
        days = ngettext("%(days)s calendar day", "%(days)s calendar days", rule.days)
    days = days % {"days": rule.days}
    return _("%(title)s: within %(days)s %(starts)s, %(completes)s. Responsible: %(who)s.") % {
        "title": rule.title,
        "days": days,
        "starts": _clock_words(rule.starts, spec, start=True),
        "completes": _clock_words(rule.completes, spec, start=False),
        "who": responsible_label(rule.responsible),
    }


def _clock_words(clock: str, spec: Any, *, start: bool) -> str:
    if clock.startswith("milestone:"):
        milestone = spec.milestone(clock[10:])
        label = str(milestone.label) if milestone is not None else clock[10:]
        if start:
            return _("of the milestone “%(milestone)s”") % {"milestone": label}
        return _("met by the milestone “%(milestone)s”") % {"milestone": label}
    return {
        "case": _("of the case being received"),
        "phase": _("of the case entering this phase"),
        "decision": _("met by the decision in this phase"),
        "phase_exit": _("met when the case leaves this phase"),
    }[clock]


@dataclass
class ReadableOption:
    label: str
    leads_to: str  # the phase's name, or "" when the option closes the case
    closes: bool


@dataclass
class ReadablePhase:
    phase: Any  # pathways.Phase
    description: str  # empty where the specification repeats the name
    responsible: str
    tasks: list[tuple[str, str]]  # title, responsible
    deadlines: list[str]
    options: list[ReadableOption]
    meetings: list[str]


def readable(spec: Any) -> list[ReadablePhase]:
    """The phases of a parsed specification, in order, with the rules said in words in the
    active language."""
    from ..models import Meeting

    meeting_kinds = dict(Meeting.Kind.choices)
    names = {p.key: str(p.name) for p in spec.phases}
    return [
        ReadablePhase(
            phase=phase,
            description="" if str(phase.description) == str(phase.name) else str(phase.description),
            responsible=responsible_label(phase.responsible),
            tasks=[(str(t.title), responsible_label(t.responsible)) for t in phase.tasks],
            deadlines=[describe_deadline(rule, spec) for rule in phase.deadlines],
            options=[
                ReadableOption(str(o.label), names.get(o.to, "") if o.to else "", o.closes)
                for o in (phase.decision.options if phase.decision else ())
            ],
            meetings=[str(meeting_kinds.get(kind, kind)) for kind in phase.meetings],
        )
        for phase in spec.phases
    ]


def choices_for(user: Any) -> list[tuple[str, str]]:
    """The places `user` may choose for, each said in words, with what is chosen there now."""
    names = dict(definition_choices())
    chosen = {
        (c.unit_id, c.municipality_id): names[c.definition.key]
        for c in PathwayChoice.objects.select_related("definition")
    }
    rows = []
    for municipality in permissions.choosable_municipalities(user):
        rows.append(
            (
                _("%(municipality)s (whole municipality)") % {"municipality": municipality},
                chosen.get((None, municipality.pk), ""),
            )
        )
    for unit in permissions.choosable_units(user):
        rows.append((_("%(unit)s (unit)") % {"unit": unit}, chosen.get((unit.pk, None), "")))
    return rows
