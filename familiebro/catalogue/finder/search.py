"""The finder's search: the offers matching a parent's words and filters, a page at a time.

On PostgreSQL it is full-text search with the `norwegian` configuration (stemming:
"skilsmissen" meets "skilsmisse") over Offer.search_document, as the vector stored and indexed
by migration 0004; when that finds few offers, trigram word similarity (pg_trgm) on the titles
joins in for misspellings. On SQLite, the embedded database of demos, the same words are
matched by prefix after crude suffix stripping, with a fuzzy comparison for misspellings. Both
expand the query with the synonyms of `words`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, Expression, F, Q, QuerySet, Value, When, Window
from django.utils.translation import get_language

from ..models import Offer
from .cards import ResultCard, card_queryset, result_cards
from .criteria import FinderCriteria, filter_offers
from .words import FUZZY_RATIO, MAX_QUERY_WORDS, Concept, crude_stem, parse_query, words

PAGE_SIZE = 20
# Past the last page the finder shows the last page. The bound keeps a page number from an
# address (?side=) within what the database takes as an OFFSET: a 20-digit number crashed it.
MAX_PAGE_NUMBER = 10_000
# Below this many full-text matches the finder also tries similar words (misspellings).
FEW_RESULTS = 3


@dataclass
class FinderResult:
    criteria: FinderCriteria
    page: Page
    count: int
    # Words searched besides the parent's own (synonyms), to show on the page.
    also_searched: list[str] = field(default_factory=list)
    # True when some offers were found through similar words rather than the words asked;
    # the first `exact_count` offers have the words themselves.
    approximate: bool = False
    exact_count: int = 0
    # "fulltext" (PostgreSQL), "prefix" (other databases) or "" (no text given).
    method: str = ""

    @property
    def offers(self) -> list[ResultCard]:
        return list(self.page.object_list)


def page_number(value: str | None) -> int:
    """The page a visitor asked for (?side=), from 1 to MAX_PAGE_NUMBER: the first page when
    the value is missing or not a whole number, the nearest bound when it is out of range."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE_NUMBER)


def search(criteria: FinderCriteria, page_number: int = 1) -> FinderResult:
    """The finder's answer: one page of published offers matching the criteria, best first."""
    candidates = filter_offers(Offer.objects.published(), criteria)
    concepts = parse_query(criteria.text)
    also_searched = [phrase for concept in concepts for phrase in concept.alternatives]
    if not concepts:
        page = counted_page(card_queryset(candidates).order_by("title", "pk"), page_number)
        page.object_list = result_cards(_rows(page), get_language() or "nb")
        count = page.paginator.count
        return FinderResult(criteria, page=page, count=count, exact_count=count)
    if connection.vendor == "postgresql":
        found = _search_postgresql(candidates, criteria.text, concepts, page_number)
        method = "fulltext"
    else:
        found = _search_by_prefix(candidates, concepts, page_number)
        method = "prefix"
    found.page.object_list = result_cards(_rows(found.page), get_language() or "nb")
    return FinderResult(
        criteria,
        page=found.page,
        count=found.total,
        also_searched=also_searched,
        approximate=found.total > found.exact_count,
        exact_count=found.exact_count,
        method=method,
    )


def _rows(page: Page) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], page.object_list)


def counted_page(queryset: QuerySet[Offer, dict[str, Any]], page_number: int) -> Page:
    """A page of the queryset and the total, in one query rather than Paginator's two.

    The total comes with the rows (COUNT(*) OVER ()), so the database finds and ranks the
    matches once. Only a page past the end, which has no rows to carry it, costs a count;
    as Paginator.get_page does, the last page is then shown.
    """
    number = min(max(page_number, 1), MAX_PAGE_NUMBER)
    counted = queryset.annotate(found_total=Window(Count("pk")))
    start = (number - 1) * PAGE_SIZE
    rows = list(counted[start : start + PAGE_SIZE])
    if rows:
        total = rows[0]["found_total"]
    elif number > 1 and (total := queryset.count()):
        number = (total - 1) // PAGE_SIZE + 1
        start = (number - 1) * PAGE_SIZE
        rows = list(counted[start : start + PAGE_SIZE])
    else:
        total = 0
        number = 1
    # A range stands in for the rows: Paginator needs only their number.
    return Page(rows, number, Paginator(range(total), PAGE_SIZE))


class _Found(NamedTuple):
    page: Page
    total: int
    exact_count: int


class NorwegianVector(Expression):
    """The offer's text as a Norwegian text-search vector (PostgreSQL only).

    Migration 0004 stores it in the column search_vector, generated from search_document by
    to_tsvector('norwegian', …), with a GIN index. Reading the stored vector, rather than
    computing it again per row, is what makes ranking thousands of matches cheap.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []


def norwegian_query(concepts: Sequence[Concept], *, every_concept: bool) -> SearchQuery:
    """Each concept's words or synonyms; all concepts (strict) or any of them (loose)."""
    combined: Any = None
    for concept in concepts:
        either: Any = None
        for phrase in concept.phrases:
            query = SearchQuery(phrase, config="norwegian", search_type="plain")
            either = query if either is None else either | query
        if combined is None:
            combined = either
        else:
            combined = combined & either if every_concept else combined | either
    return combined


def fulltext_matches(candidates: QuerySet[Offer], concepts: Sequence[Concept]) -> QuerySet[Offer]:
    """Offers whose text has every concept (PostgreSQL), best first."""
    query = norwegian_query(concepts, every_concept=True)
    return (
        candidates.alias(document=NorwegianVector())
        .filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "title", "pk")
    )


def _search_postgresql(
    candidates: QuerySet[Offer],
    text: str,
    concepts: list[Concept],
    page_number: int,
) -> _Found:
    page = counted_page(card_queryset(fulltext_matches(candidates, concepts)), page_number)
    exact_count = page.paginator.count
    if exact_count >= FEW_RESULTS:
        return _Found(page, exact_count, exact_count)
    # Few offers have every word: also accept offers in which each word is at least in the
    # text in another form (a synonym of the query) or similar to a word of the title (a
    # misspelling, a word cut short). Trigram similarity is measured on the title, which is
    # short: on the whole text it would cost a millisecond per offer. Exact matches first.
    documents = candidates.alias(document=NorwegianVector())
    for concept in concepts:
        near = Q(document=norwegian_query([concept], every_concept=True))
        for phrase in concept.phrases:
            near |= Q(TrigramWordSimilar(F("title"), Value(phrase)))
        documents = documents.filter(near)
    whole_query = " ".join(words(text)[:MAX_QUERY_WORDS])
    widened = documents.annotate(
        exact=Case(
            When(document=norwegian_query(concepts, every_concept=True), then=Value(1)),
            default=Value(0),
        ),
        similarity=TrigramWordSimilarity(whole_query, "title"),
    ).order_by("-exact", "-similarity", "title", "pk")
    page = counted_page(card_queryset(widened), page_number)
    return _Found(page, page.paginator.count, exact_count)


def _search_by_prefix(
    candidates: QuerySet[Offer],
    concepts: list[Concept],
    page_number: int,
) -> _Found:
    """The search of databases without Norwegian full text (SQLite, for demos).

    Each concept must match the start of a word in the offer's text, after crude stemming;
    when few offers match, words that are merely similar count too. The texts are compared
    in Python: SQLite lower-cases only ASCII, and a demo catalogue is small.
    """
    rows = list(candidates.values_list("pk", "title", "search_document"))
    stemmed_concepts = [
        [[crude_stem(w) for w in words(phrase)] for phrase in concept.phrases]
        for concept in concepts
    ]
    scored: list[tuple[float, str, Any]] = []
    fuzzy: list[tuple[float, str, Any]] = []
    for pk, title, document in rows:
        tokens = words(f"{title} {document}")
        title_tokens = set(words(title))
        exact_score, fuzzy_score = _prefix_scores(stemmed_concepts, tokens, title_tokens)
        if exact_score is not None:
            scored.append((exact_score, title, pk))
        elif fuzzy_score is not None:
            fuzzy.append((fuzzy_score, title, pk))
    exact_count = len(scored)
    if exact_count < FEW_RESULTS:
        # Below every exact match: fuzzy scores are at most one per concept.
        scored += [(score - 1000, title, pk) for score, title, pk in fuzzy]
    scored.sort(key=lambda row: (-row[0], row[1], str(row[2])))
    ordered_ids = [pk for _score, _title, pk in scored]
    paginator = Paginator(ordered_ids, PAGE_SIZE)
    page = paginator.get_page(page_number)
    by_id = {
        row["pk"]: row for row in card_queryset(Offer.objects.filter(pk__in=list(page.object_list)))
    }
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return _Found(page, paginator.count, exact_count)


def _prefix_scores(
    stemmed_concepts: list[list[list[str]]], tokens: list[str], title_tokens: set[str]
) -> tuple[float | None, float | None]:
    """(score if every concept matches by prefix, score if every concept matches at least
    approximately); None where it does not match."""
    exact_total = 0.0
    fuzzy_total = 0.0
    all_exact = True
    for phrases in stemmed_concepts:
        best_exact = 0.0
        best_fuzzy = 0.0
        for stems in phrases:
            hits = [t for t in tokens if any(t.startswith(stem) for stem in stems)]
            if hits and all(any(t.startswith(stem) for t in tokens) for stem in stems):
                in_title = any(any(t.startswith(s) for s in stems) for t in title_tokens)
                best_exact = max(best_exact, len(hits) + (5 if in_title else 0))
            ratio = min(_best_ratio(stem, tokens) for stem in stems)
            if ratio >= FUZZY_RATIO:
                best_fuzzy = max(best_fuzzy, ratio)
        if best_exact:
            exact_total += best_exact
            fuzzy_total += 1
        elif best_fuzzy:
            all_exact = False
            fuzzy_total += best_fuzzy
        else:
            return None, None
    return (exact_total if all_exact else None), fuzzy_total


def _best_ratio(stem: str, tokens: list[str]) -> float:
    best = 0.0
    matcher = difflib.SequenceMatcher(a=stem, autojunk=False)
    for token in set(tokens):
        candidate = crude_stem(token)
        matcher.set_seq2(candidate)
        # quick_ratio is an upper bound: skip the exact computation when it cannot win.
        if matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best
