"""When nothing fits: ways to widen a search that found no offers, each with what it finds.

A parent who gets "0 offers" should not have to guess which of their choices to let go.
Each way is a link to the finder with one thing changed, offered only when it finds
something: the whole country instead of one municipality, a topic near the words they typed,
or one filter fewer. Counting runs only for searches that found nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from ..models import TaxonomyTerm
from .criteria import FinderCriteria, Format, term_name, topic_value, topics_in_use

# At most this many topics are suggested, the ones with most offers first.
MAX_NEARBY_TOPICS = 3
# Words shorter than this say too little to find a topic by ("og", "med", "barn").
MIN_WORD_LENGTH = 4

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Widening:
    """One way to widen: what it does, the finder address that does it, and what it finds."""

    label: str
    query: str
    count: int


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if len(word) >= MIN_WORD_LENGTH]


def _near(word: str, other: str) -> bool:
    """Two words are near when one begins with the other ("søvnproblemer" and "søvn") or they
    share their first five letters ("separasjon" and "separert")."""
    return word.startswith(other) or other.startswith(word) or word[:5] == other[:5]


def nearby_topics(text: str, language: str) -> list[TaxonomyTerm]:
    """Topics in use whose name (in any of its languages) or description has a word near
    one of the search's words."""
    asked = _words(text)
    if not asked:
        return []
    found = []
    for term in topics_in_use():
        described = f"{term.name} {term.name_nn} {term.name_en} {term.description}"
        if any(_near(word, other) for word in asked for other in _words(described)):
            found.append(term)
    return found


def _query(params: QueryDict, **changes: str | list[str] | None) -> str:
    """The finder's address with some parameters changed (None removes one), from page 1."""
    changed = params.copy()
    changed.pop("side", None)
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        elif isinstance(value, list):
            changed.setlist(name, value)
        else:
            changed[name] = value
    return changed.urlencode()


def ways_to_widen(
    criteria: FinderCriteria,
    params: QueryDict,
    count: Callable[[FinderCriteria], int],
    language: str,
) -> list[Widening]:
    """Ways to widen a search that found nothing, each with the number of offers it finds
    (`count` runs the finder's own search); ways that find nothing are left out."""
    candidates: list[tuple[str, str, FinderCriteria]] = []
    if criteria.municipality is not None:
        candidates.append(
            (
                _("Search the whole country"),
                _query(params, kommune=""),
                dataclasses.replace(criteria, municipality=None),
            )
        )
    if criteria.text:
        # A topic instead of the words: the words may simply not be the offers' words.
        without_text = dataclasses.replace(criteria, text="")
        for term in nearby_topics(criteria.text, language)[: MAX_NEARBY_TOPICS * 2]:
            value = topic_value(term)
            candidates.append(
                (
                    _("The topic “%(topic)s” instead of your words")
                    % {"topic": term_name(term, language)},
                    _query(params, q=None, tema=[value]),
                    dataclasses.replace(without_text, topics=(value,)),
                )
            )
    for label, name, change in _filters_to_drop(criteria):
        candidates.append((label, _query(params, **{name: None}), change))
    widenings = []
    topics_offered = 0
    for label, query, changed in candidates:
        found = count(changed)
        if not found:
            continue
        if changed.topics and not criteria.topics and changed.text == "":
            if topics_offered >= MAX_NEARBY_TOPICS:
                continue
            topics_offered += 1
        widenings.append(Widening(label=label, query=query, count=found))
    return widenings


def _filters_to_drop(criteria: FinderCriteria) -> list[tuple[str, str, FinderCriteria]]:
    """(label, parameter, criteria without it) for each filter in use but the municipality."""
    drop = dataclasses.replace
    ways: list[tuple[str, str, FinderCriteria]] = []
    if criteria.text and (
        criteria.topics
        or criteria.age
        or criteria.language
        or criteria.format
        or criteria.free_only
        or criteria.no_referral
        or criteria.evenings_or_weekends
    ):
        ways.append((_("Without your words, only the choices"), "q", drop(criteria, text="")))
    if criteria.topics:
        ways.append((_("Without the topics"), "tema", drop(criteria, topics=())))
    if criteria.age is not None:
        ways.append((_("Without the child's age"), "alder", drop(criteria, age=None)))
    if criteria.language:
        ways.append((_("Without the language"), "språk", drop(criteria, language="")))
    if criteria.format:
        label = _("Not only: %(format)s") % {"format": dict(Format.CHOICES)[criteria.format]}
        ways.append((label, "format", drop(criteria, format="")))
    if criteria.free_only:
        ways.append((_("Also offers that cost money"), "gratis", drop(criteria, free_only=False)))
    if criteria.no_referral:
        ways.append(
            (
                _("Also offers that need a referral"),
                "uten_henvisning",
                drop(criteria, no_referral=False),
            )
        )
    if criteria.evenings_or_weekends:
        ways.append(
            (
                _("Also offers open only on weekdays"),
                "kveld_helg",
                drop(criteria, evenings_or_weekends=False),
            )
        )
    return ways
