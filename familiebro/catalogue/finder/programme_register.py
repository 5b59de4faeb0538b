"""The public programme register: every national programme and method for parents, what it
is, how well its effect is documented, and where in Norway it is offered.

The strategy for parental support found no national overview of the programmes; this is one.
Where a programme is offered is counted from the published offers, as the programme map
counts them (finder/programme_map.py): in a municipality when an offer is for its residents
or given there, and for the whole country when it is digital and for no municipality in
particular, as the finder shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from familiebro.core.models import Municipality

from ..models import Programme
from .cards import describe_age_range
from .programme_map import ProgrammeRow, programme_map


@dataclass
class RegisterEntry:
    programme: Programme
    ages: str
    formats: list[str]
    prevention: list[str]
    # (municipality, published offers), by municipality name.
    municipalities: list[tuple[Municipality, int]]
    offers: int
    nationwide: int


def _formats(programme: Programme) -> list[str]:
    names = [
        (programme.format_group, _("Group or course")),
        (programme.format_individual, _("Individual conversations")),
        (programme.format_digital, _("Digital (video, chat or online)")),
        (programme.format_home_visit, _("Home visits")),
    ]
    return [str(name) for given, name in names if given]


def _prevention(programme: Programme) -> list[str]:
    names = [
        (programme.is_universal, _("for all families")),
        (programme.is_selective, _("for families at higher risk")),
        (programme.is_indicated, _("for families who already have problems")),
    ]
    return [str(name) for given, name in names if given]


def _entry(row: ProgrammeRow) -> RegisterEntry:
    programme = row.programme
    return RegisterEntry(
        programme=programme,
        ages=describe_age_range(programme.age_from_months, programme.age_to_months),
        formats=_formats(programme),
        prevention=_prevention(programme),
        municipalities=row.municipalities,
        offers=row.offers,
        nationwide=row.nationwide,
    )


def programme_register() -> list[RegisterEntry]:
    """Every programme of the register, by name, with where it is offered."""
    return [_entry(row) for row in programme_map().programmes]


def programme_entry(slug: str) -> RegisterEntry:
    """One programme of the register; 404 for a slug that names none."""
    for row in programme_map().programmes:
        if row.programme.slug == slug:
            return _entry(row)
    raise Http404(_("No programme in the register has this address."))
