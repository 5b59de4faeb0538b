"""The finder's search: the offers matching a parent's words and filters, a page at a time.

The query is read by `query.interpret` (stems, compound parts, the thesaurus, spelling) and
offers are scored by the rules of `query.Scorer` and `query.score` over their index terms
(Offer.search_title, search_themes, search_body, built by `analysis`), on both databases in
Python. On PostgreSQL a weighted text-search vector of the same terms with its GIN index
(migration 0007) first narrows the candidates to the offers with any of the query's terms, so
both databases find and rank alike.

`fulltext_matches` (PostgreSQL's `norwegian` configuration over search_document, migration
0004) remains for the HSDS API's search.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Expression, F, Func, QuerySet, Subquery, Window
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from ..models import Offer, TaxonomyTerm
from ..reads import stale_cutoff
from .analysis import words
from .cards import ResultCard, card_queryset, result_cards
from .criteria import FinderCriteria, filter_offers, offer_ids_in_municipality
from .query import STALE_FACTOR, QueryPlan, Term, interpret, rarity, score, scorer
from .thesaurus import current as current_thesaurus
from .words import Concept as HsdsConcept

PAGE_SIZE = 20
# Past the last page the finder shows the last page. The bound keeps a page number from an
# address (?side=) within what the database takes as an OFFSET: a 20-digit number crashed it.
MAX_PAGE_NUMBER = 10_000
# The thesaurus' words and corrections shown as "also searched" or "showing results for".
MAX_SHOWN_WORDS = 8


@dataclass
class FinderResult:
    criteria: FinderCriteria
    page: Page
    count: int
    # Words searched besides the parent's own (the thesaurus', corrections), to show.
    also_searched: list[str] = field(default_factory=list)
    # How many offers were found by the parent's own words (0 when only other words found).
    exact_count: int = 0
    # "fulltext" (PostgreSQL), "terms" (other databases) or "" (no text given).
    method: str = ""
    # When the parent's own words found nothing: the words the offers shown were found by.
    showing_for: str = ""

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


def norwegian_query(concepts: Sequence[HsdsConcept], *, every_concept: bool) -> SearchQuery:
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


def fulltext_matches(
    candidates: QuerySet[Offer], concepts: Sequence[HsdsConcept]
) -> QuerySet[Offer]:
    """Offers whose text has every concept (PostgreSQL), best first."""
    query = norwegian_query(concepts, every_concept=True)
    return (
        candidates.alias(document=NorwegianVector())
        .filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "title", "pk")
    )


@dataclass(frozen=True)
class _Found:
    page: Page
    total: int
    # True when the parent's own words matched at least one offer.
    literal_found: bool


def search(criteria: FinderCriteria, page_number: int = 1) -> FinderResult:
    """The finder's answer: one page of published offers matching the criteria, best first.

    Every word of the query counts and none is required (see query.py). When the parent's own
    words find nothing, the page says what it searched for instead ("Viser treff for søvn")
    and links back to the literal query (criteria.literal).
    """
    candidates = filter_offers(Offer.objects.published(), criteria)
    ui_language = get_language() or "nb"
    thesaurus = current_thesaurus()
    vocabulary = () if criteria.literal else finder_vocabulary()
    plan = interpret(
        criteria.text, ui_language, thesaurus, vocabulary=vocabulary, literal=criteria.literal
    )
    if not plan.concepts:
        page = counted_page(card_queryset(candidates).order_by("title", "pk"), page_number)
        page.object_list = result_cards(_rows(page), ui_language)
        count = page.paginator.count
        return FinderResult(criteria, page=page, count=count, exact_count=count)
    found = _ranked(candidates, plan, page_number, criteria)
    if not found.total and not criteria.literal:
        # Nothing at all: correct every word the finder does not know, and try once more.
        plan = interpret(
            criteria.text, ui_language, thesaurus, vocabulary=vocabulary, correct_all=True
        )
        if plan.also_searched:
            found = _ranked(candidates, plan, page_number, criteria)
    method = "fulltext" if connection.vendor == "postgresql" else "terms"
    found.page.object_list = result_cards(_rows(found.page), ui_language)
    showing_for = ""
    if found.total and not found.literal_found:
        showing_for = ", ".join(plan.also_searched[:MAX_SHOWN_WORDS])
    return FinderResult(
        criteria,
        page=found.page,
        count=found.total,
        also_searched=[] if showing_for else list(plan.also_searched[:MAX_SHOWN_WORDS]),
        exact_count=found.total if found.literal_found else 0,
        method=method,
        showing_for=showing_for,
    )


def _ranked(
    candidates: QuerySet[Offer],
    plan: QueryPlan,
    page_number: int,
    criteria: FinderCriteria,
) -> _Found:
    """The offers with any of the query's terms, scored by query.Scorer, best first.

    On PostgreSQL one query fetches the index terms of the candidates that can score (those
    matching `_matching_tsquery`), with how many candidates were searched, for the rarity; on
    other databases (SQLite, for demos) every candidate's terms are read. Either way the
    scoring rules run once, in Python, on the offers fetched: testing each term of each
    alternative in SQL (`@@` restricted to weights, for each field) cost about a hundred
    tests per candidate and made the search ten times slower.
    """
    if connection.vendor == "postgresql":
        rows = _matching_rows_in_postgresql(candidates, plan, criteria)
        offers_searched = rows[0][-1] if rows else 0
    else:
        rows = list(candidates.values_list(*_TERM_COLUMNS))
        offers_searched = len(rows)
    plan_scorer = scorer(plan)
    cutoff = stale_cutoff()
    matched = []
    with_words = [0] * len(plan.concepts)
    for row in rows:
        pk, title, in_title, in_themes, in_body, verified = row[:6]
        matches = plan_scorer.match((in_title, in_themes, in_body))
        for index, match in enumerate(matches):
            with_words[index] += match.matched
        stale = verified is None or verified < cutoff
        matched.append((pk, title, stale, matches))
    rarities = [rarity(offers_searched, count) for count in with_words]
    scored: list[tuple[float, str, Any]] = []
    literal_found = False
    for pk, title, stale, matches in matched:
        total, literal = score(matches, rarities)
        if total <= 0:
            continue
        literal_found = literal_found or literal > 0
        scored.append((total * STALE_FACTOR if stale else total, title, pk))
    scored.sort(key=lambda row: (-row[0], row[1], str(row[2])))
    paginator = Paginator([pk for _score, _title, pk in scored], PAGE_SIZE)
    page = paginator.get_page(min(max(page_number, 1), MAX_PAGE_NUMBER))
    by_id = {
        row["pk"]: row for row in card_queryset(Offer.objects.filter(pk__in=list(page.object_list)))
    }
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return _Found(page, paginator.count, literal_found)


_TERM_COLUMNS = (
    "pk",
    "title",
    "search_title",
    "search_themes",
    "search_body",
    "last_verified_at",
)
_SAFE_FORM = re.compile(r"[^\W_]+")
_VECTOR = '"catalogue_offer"."search_terms_vector"'


def _matching_rows_in_postgresql(
    candidates: QuerySet[Offer], plan: QueryPlan, criteria: FinderCriteria
) -> list[tuple[Any, ...]]:
    """The _TERM_COLUMNS of the candidates that can score, and how many candidates there are.

    Within a municipality the candidates are its own offers and the nationwide digital ones,
    a few hundred: each is read once by its key, checked against the filters and its stored
    vector tested (a lateral join, which the planner cannot turn into a pass over every
    published offer of the country, as it otherwise estimates cheaper). Across the country
    the GIN index of the vector (migration 0007) or one pass over the catalogue, as the
    planner estimates, finds them.
    """
    tsquery = _matching_tsquery(plan)
    municipality = criteria.municipality
    if municipality is None:
        searched = Subquery(
            candidates.order_by().annotate(offers=Func(F("pk"), function="COUNT")).values("offers")
        )
        matching = candidates.extra(  # noqa: S610 (the terms are a parameter)
            where=[f"{_VECTOR} @@ to_tsquery('simple', %s)"], params=[tsquery]
        )
        return list(matching.annotate(searched=searched).values_list(*_TERM_COLUMNS, "searched"))
    ids_sql, ids_params = offer_ids_in_municipality(municipality).query.sql_with_params()
    # The other filters, tested on each offer of the municipality.
    others = filter_offers(Offer.objects.published(), replace(criteria, municipality=None))
    probe = (
        others.order_by()
        .extra(where=['"catalogue_offer"."id" = "candidate"."id"'])
        .annotate(
            hit=RawSQL(  # noqa: S611 (the terms are a parameter)
                f"{_VECTOR} @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField()
            )
        )
        .values_list(*_TERM_COLUMNS, "hit")
    )
    probe_sql, probe_params = probe.query.sql_with_params()
    sql = f"""
        SELECT * FROM (
            SELECT offer.*, COUNT(*) OVER () AS searched
            FROM ({ids_sql}) AS candidate (id)
            CROSS JOIN LATERAL ({probe_sql} OFFSET 0) AS offer
        ) AS counted
        WHERE counted.hit
    """  # noqa: S608 (both parts are Django's SQL, with their parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids_params, *probe_params])
        return [(*row[: len(_TERM_COLUMNS)], row[-1]) for row in cursor.fetchall()]


def _matching_tsquery(plan: QueryPlan) -> str:
    """The offers that can score: those matching any alternative of any concept, that is all
    its terms (for a compound's parts, any of them). Other offers score 0 (query.Scorer)."""
    alternatives = []
    for concept in plan.concepts:
        for alternative in concept.alternatives:
            joiner = " | " if alternative.partial else " & "
            terms = dict.fromkeys(f"({_term_tsquery(term)})" for term in alternative.terms)
            alternatives.append(joiner.join(terms))
    return " | ".join(f"({alternative})" for alternative in dict.fromkeys(alternatives))


def _term_tsquery(term: Term) -> str:
    """A term as tsquery text, any of its forms; a prefix form also as a prefix. Forms are
    letters and digits only (analysis.words), checked again here."""
    items = [f"{f}:*" for f in term.prefix_forms() if _SAFE_FORM.fullmatch(f)]
    items += [f for f in term.exact_forms() if _SAFE_FORM.fullmatch(f)]
    return " | ".join(items) or "qqnothing"


# The words the finder corrects misspellings to, besides the thesaurus': the themes' names and
# the words of published offers' titles. Read once a minute per process, like the filters.
VOCABULARY_SECONDS = 60
_vocabulary: tuple[float, frozenset[str]] | None = None


def finder_vocabulary() -> frozenset[str]:
    global _vocabulary
    now = time.monotonic()
    cached = _vocabulary
    if cached is not None and now - cached[0] < VOCABULARY_SECONDS:
        return cached[1]
    known: set[str] = set()
    for names in TaxonomyTerm.objects.values_list("name", "name_nn", "name_en"):
        known.update(words(" ".join(names)))
    titles = Offer.objects.published().order_by().values_list("title", flat=True).distinct()
    for title in titles:
        known.update(words(title))
    vocabulary = frozenset(w for w in known if len(w) > 3 and w.isalpha())
    _vocabulary = (now, vocabulary)
    return vocabulary


def forget_vocabulary(**_signal_arguments: Any) -> None:
    global _vocabulary
    _vocabulary = None
