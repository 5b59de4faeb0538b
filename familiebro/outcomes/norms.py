"""The expected trajectory of a wellbeing scale: from the instrument's own norm data when its
version has some, and until then from the case mix of this instance.

The case mix is statistics, not a read of anyone's record: only the mean change from the first
score at each later score, and the spread of those changes, leave this module, and only for
indices reached by at least MIN_SERIES raters' series, so that no family's scores can be read
back from them. The figures are kept in the cache for an hour: they move slowly, and a case
page must not scan every score in the instance.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.core.cache import cache

from . import scoring
from .models import Instrument, InstrumentVersion, ScaleScore

MIN_SERIES = 5
CACHE_SECONDS = 3600


def case_mix_trajectory(instrument: Instrument) -> scoring.Trajectory | None:
    key = f"outcomes:case-mix:{instrument.pk}"
    cached = cache.get(key)
    if cached is None:
        found = compute_case_mix(instrument)
        cached = found if found is not None else "none"
        cache.set(key, cached, CACHE_SECONDS)
    return None if cached == "none" else cached


def compute_case_mix(instrument: Instrument) -> scoring.Trajectory | None:
    """The mean change from the first score at each index reached by MIN_SERIES series or
    more, and as the band the standard deviation of all those later changes (pooled)."""
    series: dict[int, list[int]] = defaultdict(list)
    rows = (
        ScaleScore.objects.filter(instrument=instrument)
        .order_by("rater_id", "session")
        .values_list("rater_id", "total")
    )
    for rater_id, score in rows.iterator(chunk_size=5000):
        series[rater_id].append(score)
    changes: dict[int, list[int]] = defaultdict(list)
    for scores in series.values():
        for index, score in enumerate(scores[1:], start=1):
            changes[index].append(score - scores[0])
    expected: list[float] = [0.0]
    pooled: list[int] = []
    index = 1
    while len(changes.get(index, ())) >= MIN_SERIES:
        expected.append(sum(changes[index]) / len(changes[index]))
        pooled += changes[index]
        index += 1
    if len(expected) < 2:
        return None
    mean = sum(pooled) / len(pooled)
    band = math.sqrt(sum((c - mean) ** 2 for c in pooled) / len(pooled))
    return scoring.Trajectory(tuple(expected), band, "case_mix", series=len(changes[1]))


def trajectory_for(version: InstrumentVersion) -> scoring.Trajectory | None:
    """The version's own norm data when configured, else the instance's case mix."""
    return scoring.norm_trajectory(version.norm) or case_mix_trajectory(version.instrument)
