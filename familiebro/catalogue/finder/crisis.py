"""Emergency numbers and helplines first, when a search is about violence, abuse, self-harm or
suicide.

A parent or young person who types "vold", "selvmord" or "he hits me" may be in danger now: a
list of courses is not the first thing they need. The numbers are data (CrisisLine, kept by
the editors at /ansatt/krisenummer/); which searches are about these things is decided here,
by the words below, in bokmål, nynorsk and English. A word counts when a word of the search
begins with it, so compounds and inflections ("voldsutsatt", "overgrepet", "selvskading")
count too; a few short words count only whole, as they begin too many harmless words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from familiebro.core.models import Municipality

from ..models import CrisisLine

# Beginnings of words. Bokmål and nynorsk share most; English last.
RISK_WORD_BEGINNINGS = (
    # Violence
    "vold", "vald", "mishandl", "juling", "banker meg", "slår meg", "slår barn", "slo meg",
    "slår han", "slår ho", "slår hun", "trakass", "truer meg", "trugar", "kontrollerer meg",
    "tvangsekteskap", "æresrelatert", "kjønnslemlest",
    # Abuse
    "overgrep", "misbruk", "incest", "voldtekt", "valdtekt", "voldta", "valdta",
    "omsorgssvikt", "grooming", "nettovergrep",
    # Self-harm and suicide
    "selvmord", "sjølvmord", "sjelvmord", "selvskad", "sjølvskad", "skade meg selv",
    "skade meg sjølv", "skader seg selv", "skadar seg sjølv", "kutter meg", "kuttar meg",
    "kutte meg", "ta livet", "tek livet", "tar livet", "ikke leve", "ikkje leve",
    "vil dø", "vil døy", "suicid",
    # English
    "violence", "violent", "abuse", "abusive", "abused", "assault", "rape", "raped",
    "molest", "beats me", "hits me", "hit me", "hurts me", "neglect",
    "self-harm", "self harm", "selfharm", "harm myself", "hurt myself", "cutting myself",
    "suicide", "kill myself", "end my life", "want to die",
)  # fmt: skip
# Words that must stand alone: as beginnings they would match too much ("slag" in "slags").
RISK_WHOLE_WORDS = frozenset({"slag", "slått", "slo", "dreper", "drepe", "hit", "hitting", "die"})

_WORD = re.compile(r"[\w'-]+", re.UNICODE)


def _normalised(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def is_about_danger(text: str) -> bool:
    """Whether the search is about violence, abuse, self-harm or suicide."""
    words = _normalised(text)
    if not words:
        return False
    if RISK_WHOLE_WORDS.intersection(words.split()):
        return True
    padded = f" {words}"
    return any(f" {beginning}" in padded for beginning in RISK_WORD_BEGINNINGS)


def crisis_lines(municipality: Municipality | None) -> list[CrisisLine]:
    """The lines to show, in the editors' order: every active national line, and the
    municipality's own. Where the municipality has its own crisis centre, it replaces the
    national pointer to every crisis centre."""
    lines = CrisisLine.objects.filter(is_active=True)
    if municipality is None:
        return list(lines.filter(municipality__isnull=True))
    chosen = list(lines.filter(Q(municipality__isnull=True) | Q(municipality_id=municipality.pk)))
    local_centre = any(
        line.municipality_id is not None and line.kind == CrisisLine.Kind.CRISIS_CENTRE
        for line in chosen
    )
    if local_centre:
        chosen = [
            line
            for line in chosen
            if line.municipality_id is not None or line.kind != CrisisLine.Kind.CRISIS_CENTRE
        ]
    return chosen


def crisis_lines_for_search(text: str, municipality: Municipality | None) -> list[CrisisLine]:
    """The lines to show first for this search: none unless it is about danger."""
    return crisis_lines(municipality) if is_about_danger(text) else []


def description_in(line: CrisisLine, language: str) -> str:
    if language == "nn" and line.description_nn:
        return line.description_nn
    if language == "en" and line.description_en:
        return line.description_en
    return line.description


def with_descriptions(lines: Iterable[CrisisLine], language: str) -> list[CrisisLine]:
    """The lines, each with `shown_description` in the page's language (bokmål if none)."""
    shown = list(lines)
    for line in shown:
        line.shown_description = description_in(line, language)  # type: ignore[attr-defined]
    return shown
