"""A family's case at the health centre with two raters, for the outcomes tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from familiebro.cases.models import Case
from familiebro.outcomes import scale_services
from familiebro.outcomes.models import Instrument, InstrumentVersion, Rater, ScaleScore
from tests.cases import builders

_labels = itertools.count(1)


@dataclass
class Setting:
    town: builders.Municipality
    case: Case
    mother: Rater
    father: Rater

    @classmethod
    def make(cls) -> Setting:
        town = builders.municipality()
        case = builders.open_concern(town.nurse, town.health_centre)
        mother = scale_services.add_rater(town.nurse, case, "Mor", Rater.Kind.PARENT)
        father = scale_services.add_rater(town.nurse, case, "Far", Rater.Kind.PARENT)
        return cls(town, case, mother, father)


def lines(total: int) -> dict[str, str]:
    """Answers to a four-line 0–10 scale adding up to `total`."""
    values = [min(10, max(0, total - 10 * i)) for i in range(4)]
    keys = ["meg-selv", "familie", "hverdag", "alt-i-alt"]
    return dict(zip(keys, map(str, values), strict=True))


def alliance_lines(total: int) -> dict[str, str]:
    values = [min(10, max(0, total - 10 * i)) for i in range(4)]
    keys = ["lyttet", "viktig", "maten", "riktig"]
    return dict(zip(keys, map(str, values), strict=True))


def score_series(setting: Setting, instrument: Instrument, totals: list[int]) -> Rater:
    """A new rater in the setting's case with these totals at sessions 1, 2, … (written
    directly: the case mix's own input)."""
    rater = Rater.objects.create(
        case=setting.case,
        organisation_id=setting.case.organisation_id,
        label=f"Rater {next(_labels)}",
        kind=Rater.Kind.PARENT,
        added_by=setting.town.nurse,
        added_at=timezone.now(),
    )
    version = InstrumentVersion.objects.get(instrument=instrument, number=1)
    for session, total in enumerate(totals, start=1):
        ScaleScore.objects.create(
            case=setting.case,
            organisation_id=setting.case.organisation_id,
            rater=rater,
            instrument=instrument,
            version=version,
            session=session,
            answers={},
            total=total,
            channel=ScaleScore.Channel.SCREEN,
            answered_at=timezone.now(),
        )
    return rater


def set_norm(key: str, norm: Any) -> None:
    """Give the shipped version norm data, as an instance loading a normed version would."""
    InstrumentVersion.objects.filter(instrument__key=key, number=1).update(norm=norm)
