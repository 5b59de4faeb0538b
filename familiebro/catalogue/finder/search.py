"""The finder's search: the offers matching a parent's words and filters, a page at a time.

The query is read by `query.interpret` (stems, compound parts, the thesaurus, spelling) and
offers are scored by the rules of `query.match_concepts` and `query.score` over their index
terms (Offer.search_title, search_themes, search_body, built by `analysis`). On SQLite, the
embedded database of demos, the terms are scored in Python; on PostgreSQL in SQL, over a
weighted text-search vector of the same terms with its GIN index (migration 0007), so both
databases find and rank alike.

`fulltext_matches` (PostgreSQL's `norwegian` configuration over search_document, migration
0004) remains for the HSDS API's search.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from ..models import Offer, TaxonomyTerm
from ..reads import stale_cutoff
from .analysis import words
from .cards import ResultCard, card_queryset, result_cards
from .criteria import FinderCriteria, filter_offers
from .query import (
    FIELD_WEIGHTS,
    FURTHER_EVIDENCE,
    STALE_FACTOR,
    Concept,
    QueryPlan,
    Term,
    interpret,
    match_concepts,
    rarity,
    score,
)
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


# The PostgreSQL text-search weights of the finder's fields (migration 0007): title A,
# themes B, text D, in the order of query.FIELD_WEIGHTS.
_FIELD_LABELS = ("A", "AB", "")


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
    found = _ranked(candidates, plan, page_number)
    if not found.total and not criteria.literal:
        # Nothing at all: correct every word the finder does not know, and try once more.
        plan = interpret(
            criteria.text, ui_language, thesaurus, vocabulary=vocabulary, correct_all=True
        )
        if plan.also_searched:
            found = _ranked(candidates, plan, page_number)
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


def _ranked(candidates: QuerySet[Offer], plan: QueryPlan, page_number: int) -> _Found:
    if connection.vendor == "postgresql":
        return _ranked_in_postgresql(candidates, plan, page_number)
    return _ranked_in_python(candidates, plan, page_number)


def _ranked_in_python(candidates: QuerySet[Offer], plan: QueryPlan, page_number: int) -> _Found:
    """The search of databases without text search (SQLite, for demos): every candidate's
    terms matched and scored in Python by query.match_concepts and query.score."""
    cutoff = stale_cutoff()
    rows = candidates.values_list(
        "pk", "title", "search_title", "search_themes", "search_body", "last_verified_at"
    )
    matched = []
    with_words = [0] * len(plan.concepts)
    for pk, title, in_title, in_themes, in_body, verified in rows:
        fields = (
            frozenset(in_title.split()),
            frozenset(in_themes.split()),
            frozenset(in_body.split()),
        )
        matches = match_concepts(plan, fields)
        for index, match in enumerate(matches):
            with_words[index] += match.matched
        stale = verified is None or verified < cutoff
        matched.append((pk, title, stale, matches))
    rarities = [rarity(len(matched), count) for count in with_words]
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
    page = paginator.get_page(page_number)
    by_id = {
        row["pk"]: row for row in card_queryset(Offer.objects.filter(pk__in=list(page.object_list)))
    }
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return _Found(page, paginator.count, literal_found)


_SAFE_FORM = re.compile(r"[^\W_]+")


def _tsquery(term: Term, labels: str) -> str:
    """The term as tsquery text, its forms restricted to the weight labels.

    Forms are letters and digits only (analysis.words), checked again here, because the
    score's SQL carries them as literals: the same form appears in it several times.
    """
    prefixes = [f for f in term.prefix_forms() if _SAFE_FORM.fullmatch(f)]
    exact = [f for f in term.exact_forms() if _SAFE_FORM.fullmatch(f)]
    items = [f"{form}:*{labels}" for form in prefixes]
    items += [f"{form}:{labels}" if labels else form for form in exact]
    return " | ".join(items) or "qqnothing"


def _tsquery_sql(text: str) -> str:
    return "to_tsquery('simple', '" + text.replace("'", "''") + "')"


class _SqlScore:
    """The score of query.match_concepts and query.score as SQL over the stored vector."""

    def __init__(self, plan: QueryPlan, rarities: list[float]) -> None:
        concepts = []
        literal_concepts = []
        for concept, weight in zip(plan.concepts, rarities, strict=True):
            values = []
            literal_values = []
            for alternative in concept.alternatives:
                levels = [self._level(term) for term in alternative.terms]
                if alternative.partial:
                    share = f"(({' + '.join(levels)}) / {len(levels)})"
                else:
                    share = levels[0] if len(levels) == 1 else f"LEAST({', '.join(levels)})"
                value = f"({alternative.weight} * {share})"
                values.append(value)
                if alternative.literal:
                    literal_values.append(value)
            best = _greatest(values)
            further = f" + {FURTHER_EVIDENCE} * (({' + '.join(values)}) - {best})"
            concepts.append(f"{weight} * ({best}{further if len(values) > 1 else ''})")
            literal_concepts.append(
                f"{weight} * {_greatest(literal_values)}" if literal_values else "0"
            )
        self.score = " + ".join(concepts)
        self.literal = " + ".join(literal_concepts)
        self.any_term = " | ".join(f"({_tsquery(term, '')})" for term in plan.terms())

    def _level(self, term: Term) -> str:
        cases = []
        for weight, labels in zip(FIELD_WEIGHTS, _FIELD_LABELS, strict=True):
            cases.append(f"WHEN {_VECTOR} @@ {_tsquery_sql(_tsquery(term, labels))} THEN {weight}")
        return f"(CASE {' '.join(cases)} ELSE 0 END)"


_VECTOR = '"catalogue_offer"."search_terms_vector"'


def _concept_tsquery(concept: Concept) -> str:
    """Offers that match the concept in any way: one of its alternatives, all of whose terms
    (or, for a compound's parts, any) are in the offer."""
    alternatives = []
    for alternative in concept.alternatives:
        joiner = " | " if alternative.partial else " & "
        alternatives.append(joiner.join(f"({_tsquery(term, '')})" for term in alternative.terms))
    return " | ".join(f"({alternative})" for alternative in alternatives)


def _rarities_in_postgresql(candidates: QuerySet[Offer], plan: QueryPlan) -> list[float]:
    """Each concept's rarity among the candidates: one query counting, by the GIN index, the
    candidates and those that match each concept."""
    counts: dict[str, Any] = {"offers": Count("pk")}
    annotated = candidates
    for index, concept in enumerate(plan.concepts):
        annotated = annotated.annotate(
            **{
                f"has_{index}": RawSQL(  # noqa: S611 (the terms are parameters)
                    f"{_VECTOR} @@ to_tsquery('simple', %s)",
                    [_concept_tsquery(concept)],
                    output_field=BooleanField(),
                )
            }
        )
        counts[f"with_{index}"] = Count("pk", filter=Q(**{f"has_{index}": True}))
    totals = annotated.aggregate(**counts)
    return [
        rarity(totals["offers"], totals[f"with_{index}"]) for index in range(len(plan.concepts))
    ]


def _greatest(values: list[str]) -> str:
    return values[0] if len(values) == 1 else f"GREATEST({', '.join(values)})"


def _ranked_in_postgresql(candidates: QuerySet[Offer], plan: QueryPlan, page_number: int) -> _Found:
    """The same scoring in SQL: the stored, weighted vector of the finder's terms (migration
    0007) finds the offers with any term through its GIN index, and each match is scored by
    where its terms stand, with `@@` tests restricted to weights rather than by ts_rank."""
    sql = _SqlScore(plan, _rarities_in_postgresql(candidates, plan))
    stale = Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=stale_cutoff())
    matches = (
        candidates.extra(  # noqa: S610 (parameters are passed separately)
            where=[f"{_VECTOR} @@ to_tsquery('simple', %s)"], params=[sql.any_term]
        )
        .annotate(
            # The SQL is built from numbers and forms of letters and digits (see _tsquery).
            base_score=RawSQL(sql.score, [], output_field=FloatField()),  # noqa: S611
            literal_score=RawSQL(sql.literal, [], output_field=FloatField()),  # noqa: S611
        )
        .annotate(
            score=Case(
                When(stale, then=F("base_score") * Value(STALE_FACTOR)),
                default=F("base_score"),
                output_field=FloatField(),
            ),
        )
        # The index finds offers with any term; an offer with only some words of a phrase
        # does not match it (score 0), as in query.match_concepts.
        .filter(base_score__gt=0)
        .order_by("-score", "title", "pk")
    )
    # Whether any offer matched through the parent's own words, with the rows.
    rows_with_literal = card_queryset(matches).annotate(literal_found=Window(Max("literal_score")))
    page = counted_page(rows_with_literal, page_number)
    rows = _rows(page)
    literal_found = bool(rows and rows[0]["literal_found"])
    return _Found(page, page.paginator.count, literal_found)


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
