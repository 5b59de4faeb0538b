"""A parent's query read as what it asks: concepts, each with the ways an offer can match it.

Every word counts, but no word is required: an offer's score is the sum, over the query's
concepts (its words, or a phrase of the thesaurus such as "flytte fra hverandre"), of how well
the offer matches each. A concept matches through its own words (weight 1), through the parts
of a compound ("søvnproblemer": "søvn", "problemer"; the share of parts found counts), through
what the thesaurus searches for it (these two weigh 0.5), and through a spelling correction of
a word no dictionary knows (0.9). Where a term stands counts too: in the title 1, in the themes
0.6, in the rest of the text 0.3 (`FIELD_WEIGHTS`). `Scorer` applies these rules on both
databases to the offers that have any of the query's terms.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

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
    known = _known_words(frozenset(vocabulary), thesaurus.vocabulary)
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


@lru_cache(maxsize=2)
def _known_words(vocabulary: frozenset[str], thesaurus_words: frozenset[str]) -> frozenset[str]:
    """The words misspellings are corrected to: one object while neither part changes, so
    the corrections found for it can be kept (_correction)."""
    return vocabulary | thesaurus_words


# Finding the nearest word compares the word with each of the finder's thousands of words
# (tens of milliseconds, and a search that finds nothing corrects every word); parents repeat
# words, and the words change once a minute at most, so the answers are kept for the words
# they were found in.
_MAX_KEPT_CORRECTIONS = 10_000
_kept_corrections: tuple[frozenset[str], dict[tuple[str, bool], str]] = (frozenset(), {})


def _correction(word: str, known: frozenset[str], correct_all: bool = False) -> str:
    global _kept_corrections
    kept_for, kept = _kept_corrections
    if kept_for is not known or len(kept) >= _MAX_KEPT_CORRECTIONS:
        kept = {}
        _kept_corrections = (known, kept)
    key = (word, correct_all)
    if key not in kept:
        kept[key] = _nearest_word(word, known, correct_all)
    return kept[key]


def _nearest_word(word: str, known: frozenset[str], correct_all: bool) -> str:
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


class Scorer:
    """How offers match a query's concepts, by their index terms (title, themes, text).

    The one implementation of the matching rules, for both databases: many offers are scored
    per search (every offer with any of the query's terms), so the query's terms are
    numbered once and each index term is looked up once per search (with the query terms it
    equals or begins with) rather than tested against every form of every term per offer.
    """

    def __init__(self, plan: QueryPlan) -> None:
        self.plan = plan
        self._terms = tuple(dict.fromkeys(plan.terms()))
        number = {term: index for index, term in enumerate(self._terms)}
        # Each alternative of each concept: (weight, partial, literal, its terms' numbers).
        self._concepts = [
            [
                (a.weight, a.partial, a.literal, tuple(number[t] for t in a.terms))
                for a in concept.alternatives
            ]
            for concept in plan.concepts
        ]
        self._exact: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        for index, term in enumerate(self._terms):
            for form in term.exact_forms():
                self._exact.setdefault(form, []).append(index)
            for form in term.prefix_forms():
                self._prefixes.setdefault(form, []).append(index)
        self._prefix_lengths = sorted({len(form) for form in self._prefixes})
        # Index terms seen so far, and those of them that match query terms (by number).
        self._seen: set[str] = set()
        self._matching: dict[str, tuple[int, ...]] = {}

    def _learn(self, index_term: str) -> None:
        found = set(self._exact.get(index_term, ()))
        for length in self._prefix_lengths:
            if length > len(index_term):
                break
            found.update(self._prefixes.get(index_term[:length], ()))
        self._seen.add(index_term)
        if found:
            self._matching[index_term] = tuple(found)

    def levels(self, fields: tuple[str, ...]) -> list[float]:
        """Each query term's level in an offer whose index terms by field (title, themes,
        text; space-separated) are given: the weight of the best field it stands in, or 0."""
        levels = [0.0] * len(self._terms)
        matching = self._matching
        for weight, text in zip(FIELD_WEIGHTS, fields, strict=True):
            index_terms = set(text.split())
            for index_term in index_terms - self._seen:
                self._learn(index_term)
            # Set operations, so the offer's many other terms cost no Python step each.
            for index_term in index_terms.intersection(matching):
                for index in matching[index_term]:
                    if levels[index] < weight:
                        levels[index] = weight
        return levels

    def match(self, fields: tuple[str, ...]) -> list[ConceptMatch]:
        """How the offer with these index terms matches each concept of the query."""
        levels = self.levels(fields)
        matches = []
        for alternatives in self._concepts:
            best = 0.0
            total = 0.0
            best_literal = 0.0
            for weight, partial, literal, terms in alternatives:
                if partial:
                    share = sum(levels[t] for t in terms) / len(terms)
                else:
                    share = min(levels[t] for t in terms)
                value = weight * share
                total += value
                best = max(best, value)
                if literal:
                    best_literal = max(best_literal, value)
            further = FURTHER_EVIDENCE * (total - best)
            matches.append(ConceptMatch(best + further, best_literal, best > 0))
        return matches


@lru_cache(maxsize=32)
def scorer(plan: QueryPlan) -> Scorer:
    """The Scorer of a query, kept: parents repeat queries, and a kept Scorer has already
    looked up the index terms of the offers it scored (a few thousand words at most)."""
    return Scorer(plan)


def score(matches: list[ConceptMatch], rarities: list[float]) -> tuple[float, float]:
    """(score, score through the parent's own words): the concepts' matches, each weighed by
    its rarity."""
    total = sum(m.value * r for m, r in zip(matches, rarities, strict=True))
    literal = sum(m.literal_value * r for m, r in zip(matches, rarities, strict=True))
    return total, literal
