"""A parent's query read as what it asks: concepts, each with the ways an offer can match it.

Every word counts, but no word is required: an offer's score is the sum, over the query's
concepts (its words, or a phrase of the thesaurus such as "flytte fra hverandre"), of how well
the offer matches each. A concept matches through its own words (weight 1), through the parts
of a compound ("søvnproblemer": "søvn", "problemer"; the share of parts found counts), through
what the thesaurus searches for it, and through a spelling correction of a word no dictionary
knows (these three weigh 0.8). Where a term stands counts too: in the title 1, in the themes
0.6, in the rest of the text 0.3 (`FIELD_WEIGHTS`). Both databases score by these rules:
familiebro.catalogue.finder.search computes them in Python on SQLite and in SQL on PostgreSQL.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass

import wordfreq

from .analysis import (
    MIN_PREFIX_LENGTH,
    STOP_WORDS_ALL,
    compound_parts,
    query_languages,
    stem,
    theme_term,
    word_forms,
    words,
)
from .thesaurus import Entry, Thesaurus, phrase_key

MAX_QUERY_WORDS = 12
# Where a term stands, from the best place to the least: title, themes, text.
FIELD_WEIGHTS = (1.0, 0.6, 0.3)
OWN_WORDS = 1.0
# A correction of a misspelt word stands for the parent's word.
CORRECTED = 0.9
# A compound's parts, and what the thesaurus searches, count less than the parent's own
# words: an offer with "parforhold" in its themes comes before one with "samliv" in its title.
RELATED = 0.5
# Each further way an offer matches a concept adds this share of it: of two offers about
# sleep, the one whose text also says "sover" and "gråt" comes first.
FURTHER_EVIDENCE = 0.1
MIN_RARITY = 0.1
# Offers nobody has confirmed for six months rank as if they matched this much less.
STALE_FACTOR = 0.5

_STOP = STOP_WORDS_ALL
# A word less common than this (Zipf scale) in Norwegian and English, and not in the
# finder's own vocabulary, is taken for a misspelling and corrected to the nearest word.
_UNKNOWN_ZIPF = 2.0
_MIN_CORRECTED_LENGTH = 4
_CORRECTION_RATIO = 0.8


@dataclass(frozen=True)
class Term:
    """One word as searched: its forms (the word and its stems); forms of
    MIN_PREFIX_LENGTH letters or more also match index terms that begin with them."""

    forms: tuple[str, ...]
    prefix: bool = True

    def prefix_forms(self) -> tuple[str, ...]:
        return tuple(f for f in self.forms if self.prefix and len(f) >= MIN_PREFIX_LENGTH)

    def exact_forms(self) -> tuple[str, ...]:
        prefixed = self.prefix_forms()
        return tuple(f for f in self.forms if f not in prefixed)


@dataclass(frozen=True)
class Alternative:
    """A way an offer matches a concept: all its terms (or, for a compound's parts, the
    share found), times its weight."""

    terms: tuple[Term, ...]
    weight: float
    partial: bool = False
    literal: bool = True


@dataclass(frozen=True)
class Concept:
    asked: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class QueryPlan:
    concepts: tuple[Concept, ...]
    # What was searched besides the parent's own words: the thesaurus' words and spelling
    # corrections, to show on the page.
    also_searched: tuple[str, ...]

    def terms(self) -> list[Term]:
        return [t for c in self.concepts for a in c.alternatives for t in a.terms]


def interpret(
    text: str,
    ui_language: str,
    thesaurus: Thesaurus,
    *,
    vocabulary: Iterable[str] = (),
    literal: bool = False,
    correct_all: bool = False,
) -> QueryPlan:
    """The query's concepts. With literal, only the parent's own words (and their compound
    parts): no thesaurus, no spelling correction. With correct_all, every word not in the
    finder's vocabulary is corrected, even one the dictionaries know (a second try when
    nothing was found: "skillsmisse" is a common word online, and a misspelling here)."""
    languages = query_languages(ui_language)
    query_words = words(text)[:MAX_QUERY_WORDS]
    content = [w for w in query_words if w not in _STOP] or query_words
    keys = [stem(w, "nb") for w in content]
    known = frozenset(vocabulary) | thesaurus.vocabulary
    concepts: list[Concept] = []
    also: list[str] = []
    index = 0
    while index < len(content):
        entries: list[Entry] = []
        size = 1
        if not literal:
            for size in range(min(thesaurus.longest_key, len(content) - index), 0, -1):
                found = thesaurus.by_key.get(tuple(keys[index : index + size]))
                if found:
                    entries = found
                    break
            else:
                size = 1
        asked_words = content[index : index + size]
        index += size
        alternatives = [
            Alternative(tuple(_term(w, languages) for w in asked_words), OWN_WORDS),
        ]
        if size == 1:
            parts = compound_parts(asked_words[0])
            if parts:
                alternatives.append(
                    Alternative(tuple(_term(p, languages) for p in parts), RELATED, partial=True)
                )
                if not literal and not entries:
                    # "sinneproblemer": the thesaurus knows "sinne".
                    for part in parts:
                        entries = entries or thesaurus.by_key.get(phrase_key(part), [])
            elif not literal and not entries:
                correction = _correction(asked_words[0], known, correct_all)
                if correction:
                    also.append(correction)
                    alternatives.append(
                        Alternative((_term(correction, languages),), CORRECTED, literal=False)
                    )
                    # The word meant is read as the parent's own: its parts, its entries.
                    corrected_parts = compound_parts(correction)
                    if corrected_parts:
                        alternatives.append(
                            Alternative(
                                tuple(_term(p, languages) for p in corrected_parts),
                                RELATED,
                                partial=True,
                                literal=False,
                            )
                        )
                    for key in [phrase_key(correction)] + [phrase_key(p) for p in corrected_parts]:
                        entries = entries or thesaurus.by_key.get(key, [])
        entries = _page_language_first(entries, ui_language)
        for entry in entries:
            for phrase in entry.searches:
                alternatives.append(
                    Alternative(
                        tuple(_term(w, languages) for w in _content_words(phrase)),
                        RELATED,
                        literal=False,
                    )
                )
                if phrase.lower() != " ".join(asked_words):
                    also.append(phrase)
            for theme in entry.themes:
                alternatives.append(
                    Alternative((Term((theme_term(theme),), prefix=False),), RELATED, literal=False)
                )
        concept = Concept(" ".join(asked_words), tuple(dict.fromkeys(alternatives)))
        if concept.alternatives not in [c.alternatives for c in concepts]:
            concepts.append(concept)
    return QueryPlan(tuple(concepts), tuple(dict.fromkeys(also)))


def _content_words(phrase: str) -> list[str]:
    """A phrase's words without function words ("flytter fra hverandre": "fra" is in every
    other offer and would tell nothing)."""
    phrase_words = words(phrase)
    return [w for w in phrase_words if w not in _STOP] or phrase_words


def _term(word: str, languages: tuple[str, ...]) -> Term:
    return Term(word_forms(word, languages))


def _page_language_first(entries: list[Entry], ui_language: str) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.language != ui_language)


def _correction(word: str, known: frozenset[str], correct_all: bool = False) -> str:
    """The finder's word nearest to a word no dictionary knows ("søvnprobelmer" →
    "søvnproblemer"), or "" when the word is known or nothing is near enough."""
    if len(word) < _MIN_CORRECTED_LENGTH or word in known or not word.isalpha():
        return ""
    commonness = max(wordfreq.zipf_frequency(word, "nb"), wordfreq.zipf_frequency(word, "en"))
    if not correct_all and commonness >= _UNKNOWN_ZIPF:
        return ""
    close = difflib.get_close_matches(word, known, n=1, cutoff=_CORRECTION_RATIO)
    return close[0] if close else ""


def rarity(offers: int, matching: int) -> float:
    """How much a concept weighs by how few of the offers searched it matches (inverse
    document frequency): "barn" is in nearly every offer and tells little, "søvn" in a few
    and tells much. Never below MIN_RARITY, so common words still count."""
    return max(MIN_RARITY, math.log((offers + 1) / (matching + 0.5)))


@dataclass(frozen=True)
class ConceptMatch:
    value: float
    literal_value: float
    # Whether the offer matches the concept at all (counted for the concept's rarity).
    matched: bool


def match_concepts(plan: QueryPlan, fields: tuple[frozenset[str], ...]) -> list[ConceptMatch]:
    """How an offer whose index terms by field (title, themes, text) are given matches each
    concept of the query. The reference for the SQL of the PostgreSQL search."""
    matches = []
    for concept in plan.concepts:
        values = []
        best_literal = 0.0
        for alternative in concept.alternatives:
            levels = [_level(term, fields) for term in alternative.terms]
            share = sum(levels) / len(levels) if alternative.partial else min(levels)
            value = alternative.weight * share
            values.append(value)
            if alternative.literal:
                best_literal = max(best_literal, value)
        best = max(values)
        further = FURTHER_EVIDENCE * (sum(values) - best)
        matches.append(ConceptMatch(best + further, best_literal, best > 0))
    return matches


def score(matches: list[ConceptMatch], rarities: list[float]) -> tuple[float, float]:
    """(score, score through the parent's own words): the concepts' matches, each weighed by
    its rarity."""
    total = sum(m.value * r for m, r in zip(matches, rarities, strict=True))
    literal = sum(m.literal_value * r for m, r in zip(matches, rarities, strict=True))
    return total, literal


def _level(term: Term, fields: tuple[frozenset[str], ...]) -> float:
    exact = term.exact_forms()
    prefixes = term.prefix_forms()
    for weight, terms in zip(FIELD_WEIGHTS, fields, strict=True):
        if any(form in terms for form in exact) or any(
            any(t.startswith(form) for t in terms) for form in prefixes
        ):
            return weight
    return 0.0
