"""The public finder ("Finn hjelp"): search, filters, the guided path, offer pages, the map.

Parents use their own words, so the search is forgiving. On PostgreSQL it is full-text search
with the `norwegian` configuration (stemming: "skilsmissen" meets "skilsmisse") over
Offer.search_document, as the vector stored and indexed by migration 0004; when that finds
few offers, trigram word similarity (pg_trgm) on the titles joins in for misspellings, and
misspelt words close to one in the synonym map are read as that word. On SQLite, the
embedded database of demos, the same words are matched by prefix after crude suffix
stripping, with a fuzzy comparison for misspellings. Both expand the query with a small map
of Norwegian synonyms ("parforhold" also searches "samliv", "kjæreste"…).

Only published offers are found. Offers not verified for six months are still shown, with a
flag, because an old offer is more often still right than gone.

Every function here does its work in a constant number of queries, whatever the number of
offers, so pages built on them stay fast as the catalogue grows.
"""

from __future__ import annotations

import datetime
import difflib
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import Municipality

from . import services
from .models import (
    CONTENT_LANGUAGES,
    PREGNANCY_START_MONTHS,
    RIGHT_TO_LEFT_LANGUAGES,
    Location,
    Offer,
    OfferSession,
    OfferTranslation,
    OpeningHours,
    Programme,
    TaxonomyTerm,
)

PAGE_SIZE = 20
# Past the last page the finder shows the last page. The bound keeps a page number from an
# address (?side=) within what the database takes as an OFFSET: a 20-digit number crashed it.
MAX_PAGE_NUMBER = 10_000
# Below this many full-text matches the finder also tries similar words (misspellings).
FEW_RESULTS = 3
# Ages offered in the filters, in years; older "children" are rare in family services.
OLDEST_CHILD_YEARS = 18
# pg_trgm's word_similarity above which a misspelt word counts as found (the default of
# pg_trgm.word_similarity_threshold is 0.6; the `%>` operator and its index use that setting).
# On SQLite, difflib's ratio between a query word and a document word, after stemming.
FUZZY_RATIO = 0.8

# Words that mean the same to a parent, whichever one the offer's text happens to use. One
# place, small on purpose: the stemmer and the fuzzy match do the rest.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("skilsmisse", "samlivsbrudd", "separasjon", "brudd"),
    ("parforhold", "samliv", "kjæreste", "ekteskap", "par"),
    ("søvn", "sove"),
    ("amming", "ammegruppe"),
    ("pappa", "far", "fedre"),
    ("rus", "alkohol"),
    ("vold", "overgrep"),
    ("angst", "psykisk helse"),
)

# The commonest Norwegian function words. PostgreSQL's `norwegian` configuration drops these
# itself; the SQLite search must too, or "kurs for par" would demand a word beginning "for".
_STOP_WORD_LIST = """
    og i jeg det at en et den til er som på de med han av ikke der så var meg seg men ett
    har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans
    hvor eller hva skal selv sjøl her alle vil bli ble blitt kunne inn når være kom noen noe
    ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor
    dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår
    hver hvem vors hvis både bare enn fordi før mange også slik vært begge siden dykk dykkar
    dei deira deires deim di då eg ein eit eitt elles honom hjå ho hoe henne hennar hennes
    hoss hossen ikkje ingi inkje korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi
    mine mykje no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore verte
    vort varte vart
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())

# Suffixes stripped from words for the SQLite search, longest first. Crude on purpose: it
# only has to make "skilsmissen", "barna" and "sover" meet "skilsmisse", "barn" and "sove".
_SUFFIXES = (
    "hetene", "heten", "elsen", "ende", "ene", "ane", "ens", "ets", "est", "ere",
    "en", "et", "er", "ar", "as", "es", "a", "e", "s",
)  # fmt: skip
_MIN_STEM = 3
_WORD = re.compile(r"\w+")
_MAX_QUERY_WORDS = 12
# Shorter words are too easily "close" to another word to be corrected.
_MIN_FUZZY_LENGTH = 5


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (Unicode-aware: Æ, Ø and Å too)."""
    return _WORD.findall(text.lower())


def crude_stem(word: str) -> str:
    """The word without one common Norwegian inflectional suffix."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


# Synonym lookup by stem: "skilsmissen" and "skilsmisse" find the same group.
_SYNONYMS_BY_STEM: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(crude_stem(w) for w in words(member)): group
    for group in SYNONYM_GROUPS
    for member in group
}
_LONGEST_SYNONYM = max(len(key) for key in _SYNONYMS_BY_STEM)


@dataclass(frozen=True)
class Concept:
    """One thing the parent asked about: their own words, and the synonyms searched too."""

    words: str
    alternatives: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.words, *self.alternatives)


def parse_query(text: str) -> list[Concept]:
    """Split a query into concepts, each with its synonyms.

    Multi-word synonyms ("psykisk helse") are matched before single words. Function words are
    dropped, unless the query has nothing else ("hva med oss" is a programme's name).
    """
    query_words = words(text)[:_MAX_QUERY_WORDS]
    content = [w for w in query_words if w not in STOP_WORDS] or query_words
    stems = [crude_stem(w) for w in content]
    concepts: list[Concept] = []
    index = 0
    while index < len(content):
        for size in range(min(_LONGEST_SYNONYM, len(content) - index), 0, -1):
            group = _SYNONYMS_BY_STEM.get(tuple(stems[index : index + size]))
            if group is not None:
                asked = " ".join(content[index : index + size])
                others = tuple(
                    member
                    for member in group
                    if [crude_stem(w) for w in words(member)] != stems[index : index + size]
                )
                concept = Concept(asked, others)
                index += size
                break
        else:
            concept = _misspelt_synonym(content[index], stems[index])
            index += 1
        # "angst og psykisk helse" asks for one thing twice.
        if not any(set(concept.phrases) == set(c.phrases) for c in concepts):
            concepts.append(concept)
    return concepts


def _misspelt_synonym(word: str, stem: str) -> Concept:
    """A word close in spelling to one of the synonyms ("skillsmisse") means its group."""
    close = difflib.get_close_matches(
        stem, [key[0] for key in _SYNONYMS_BY_STEM if len(key) == 1], n=1, cutoff=FUZZY_RATIO
    )
    if not close or len(stem) < _MIN_FUZZY_LENGTH:
        return Concept(word)
    return Concept(word, _SYNONYMS_BY_STEM[(close[0],)])


# Criteria --------------------------------------------------------------------------------


class Format:
    """How an offer is given. Values are what the finder's URLs carry."""

    GROUP = "gruppe"
    INDIVIDUAL = "individuell"
    DIGITAL = "digital"
    HOME_VISIT = "hjemmebesok"

    CHOICES = (
        (GROUP, _("Group or course")),
        (INDIVIDUAL, _("Individual conversations")),
        (DIGITAL, _("Digital (video, chat or online)")),
        (HOME_VISIT, _("Home visits")),
    )
    FIELDS = {
        GROUP: "format_group",
        INDIVIDUAL: "format_individual",
        DIGITAL: "is_digital",
        HOME_VISIT: "format_home_visit",
    }


# The value of the age filter for expecting parents; other values are whole years.
EXPECTING = "gravid"


@dataclass(frozen=True)
class AgeRange:
    """An age in months, both ends inclusive. Pregnancy is -9..-1."""

    from_months: int
    to_months: int

    @classmethod
    def from_choice(cls, value: str) -> AgeRange:
        """From the age filter's value: EXPECTING or a number of whole years."""
        if value == EXPECTING:
            return cls(PREGNANCY_START_MONTHS, -1)
        years = int(value)
        if not 0 <= years <= OLDEST_CHILD_YEARS:
            raise ValueError(f"A child's age must be 0 to {OLDEST_CHILD_YEARS} years.")
        return cls(years * 12, years * 12 + 11)


def age_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [
        (EXPECTING, _("Expecting a child")),
        ("0", _("Under 1 year")),
    ]
    choices += [
        (
            str(years),
            ngettext("%(years)d year", "%(years)d years", years) % {"years": years},
        )
        for years in range(1, OLDEST_CHILD_YEARS + 1)
    ]
    return choices


# Languages parents may look for, by ISO 639-1 code, named in their own language so that a
# parent who reads no Norwegian recognises theirs.
SPOKEN_LANGUAGES: dict[str, str] = {
    "nb": "Norsk",
    "en": "English",
    "ar": "العربية",
    "so": "Soomaali",
    "pl": "Polski",
    "uk": "Українська",
    "ti": "ትግርኛ",
    "fa": "فارسی",
    "ur": "اردو",
    "ps": "پښتو",
    "ku": "Kurdî",
    "tr": "Türkçe",
    "ru": "Русский",
    "lt": "Lietuvių",
    "ro": "Română",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "tl": "Tagalog",
    "se": "Davvisámegiella",
    "sgn": "Tegnspråk",
}
# Norwegian nynorsk is the same spoken language as bokmål for this purpose.
_LANGUAGE_ALIASES = {"nn": "nb", "no": "nb"}
RIGHT_TO_LEFT_SPOKEN = {"ar", "fa", "ur", "ps"}


def language_name(code: str) -> str:
    return SPOKEN_LANGUAGES.get(_LANGUAGE_ALIASES.get(code, code), code)


def offer_language_codes(offer: Offer | ResultCard) -> list[str]:
    """The offer's spoken languages, Norwegian once even if listed as nb and nn."""
    codes: list[str] = []
    for code in offer.languages.split():
        canonical = _LANGUAGE_ALIASES.get(code, code)
        if canonical not in codes:
            codes.append(canonical)
    return codes


@dataclass(frozen=True)
class FinderCriteria:
    """What a parent asked the finder for. Empty fields do not filter."""

    text: str = ""
    municipality: Municipality | None = None
    age: AgeRange | None = None
    topics: tuple[str, ...] = ()
    language: str = ""
    format: str = ""
    free_only: bool = False
    no_referral: bool = False
    evenings_or_weekends: bool = False


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


def published_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(status=Offer.Status.PUBLISHED)


def is_stale(offer: Offer | ResultCard, now: datetime.datetime | None = None) -> bool:
    """Not verified for six months, or never: the rule the editor pages flag offers by."""
    return services.is_stale(offer, now)


def offers_in_municipality(municipality: Municipality) -> Q:
    """Offers for the municipality's residents, given in it, or digital ones for everyone.

    A digital offer that names municipalities is for their residents only; one that names
    none is open to the whole country (Offer.is_nationwide, kept by every writer of offers).
    One IN over a union, so the database can start from the municipality's few offers and
    the few hundred nationwide ones, read from their partial index, rather than test every
    offer of the country.
    """
    through_municipalities = Offer.municipalities.through.objects
    listed = (
        through_municipalities.filter(municipality_id=municipality.pk).values("offer_id").order_by()
    )
    located = (
        Offer.locations.through.objects.filter(location__municipality_id=municipality.pk)
        .values("offer_id")
        .order_by()
    )
    nationwide = Offer.objects.filter(is_nationwide=True).values("pk").order_by()
    return Q(pk__in=listed.union(located, nationwide))


def filter_offers(queryset: QuerySet[Offer], criteria: FinderCriteria) -> QuerySet[Offer]:
    """Apply every criterion but the text."""
    if criteria.municipality is not None:
        queryset = queryset.filter(offers_in_municipality(criteria.municipality))
    if criteria.age is not None:
        # The ranges overlap; an empty end of the offer's range is open.
        queryset = queryset.filter(
            Q(age_from_months__isnull=True) | Q(age_from_months__lte=criteria.age.to_months),
            Q(age_to_months__isnull=True) | Q(age_to_months__gte=criteria.age.from_months),
        )
    if criteria.topics:
        queryset = queryset.filter(
            Exists(
                Offer.topics.through.objects.filter(
                    offer_id=OuterRef("pk"), taxonomyterm_id__in=topic_ids(criteria.topics)
                )
            )
        )
    if criteria.language:
        codes = {criteria.language} | {
            alias for alias, code in _LANGUAGE_ALIASES.items() if code == criteria.language
        }
        matches_language = Q()
        for code in sorted(codes):
            matches_language |= Q(languages__contains=f" {code} ")
        queryset = queryset.filter(matches_language)
    if criteria.format:
        queryset = queryset.filter(**{Format.FIELDS[criteria.format]: True})
    if criteria.free_only:
        queryset = queryset.filter(is_free=True)
    if criteria.no_referral:
        queryset = queryset.filter(referral_required=False)
    if criteria.evenings_or_weekends:
        queryset = queryset.filter(Q(open_evenings=True) | Q(open_weekends=True))
    return queryset


def topic_ids(values: Iterable[str]) -> QuerySet[TaxonomyTerm, Any]:
    """Topic terms by the finder's value for them: the code, or the id of a term without one."""
    values = list(values)
    ids = [value for value in values if _is_uuid(value)]
    return TaxonomyTerm.objects.filter(Q(code__in=values) | Q(pk__in=ids)).values("pk")


def topic_value(term: TaxonomyTerm) -> str:
    return term.code or str(term.pk)


def term_name(term: TaxonomyTerm, ui_language: str) -> str:
    """A term's name in the page's language; bokmål where it has no such name."""
    return name_in_language(ui_language, term.name, term.name_nn, term.name_en)


def name_in_language(ui_language: str, name: str, name_nn: str, name_en: str) -> str:
    """Of a term's names (bokmål, nynorsk, English), the one for the page's language."""
    if ui_language == "nn" and name_nn:
        return name_nn
    if ui_language == "en" and name_en:
        return name_en
    return name


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def topics_in_use() -> list[TaxonomyTerm]:
    """Topic terms that at least one published offer has: the choices of the topic filter.

    Shaped for PostgreSQL's planner, which otherwise joins every offer with every topic
    (100 ms at 20,000 offers): terms with any offer are found by the topics table's term
    index, and only for those is a published offer looked for, per term, in the select
    list (under 1 ms in all).
    """
    topics = Offer.topics.through.objects
    with_any_offer = topics.filter(taxonomyterm_id=OuterRef("pk"))
    with_published_offer = topics.filter(
        taxonomyterm_id=OuterRef("pk"), offer__status=Offer.Status.PUBLISHED
    )
    terms = (
        TaxonomyTerm.objects.filter(Exists(with_any_offer))
        .only("code", "name", "name_nn", "name_en")
        .annotate(in_use=Exists(with_published_offer))
        .order_by("name")
    )
    return [term for term in terms if term.in_use]


class MunicipalityChoice(NamedTuple):
    pk: int
    number: str
    name: str


def municipalities() -> list[MunicipalityChoice]:
    """Every municipality, by name: the choices of the municipality filter.

    Tuples rather than model instances: the list is read on every finder request.
    """
    rows = Municipality.objects.order_by("name", "number").values_list("pk", "number", "name")
    return [MunicipalityChoice(*row) for row in rows]


@dataclass(frozen=True)
class FilterChoices:
    """What the finder's filters offer: every municipality (by name, and by number for
    checking a choice) and the topics in use."""

    municipalities: tuple[MunicipalityChoice, ...]
    municipalities_by_number: dict[str, MunicipalityChoice]
    # (number, name): the options of the municipality select.
    municipality_options: tuple[tuple[str, str], ...]
    topics: tuple[TaxonomyTerm, ...]


# The filters' choices are read on every finder request (two queries and 375 rows) but change
# only when an offer is published or withdrawn, a topic is renamed or the municipality register
# changes. Each process keeps them for a minute. Other processes are not told of a change:
# within the minute a new topic is missing from their filter, or a withdrawn one finds no
# offers, which harms no one, so a short time-to-live is all the invalidation needed. In this
# process, saving an offer, a term or a municipality forgets them at once (see apps.py).
FILTER_CHOICES_SECONDS = 60
_filter_choices: tuple[float, FilterChoices] | None = None


def filter_choices() -> FilterChoices:
    global _filter_choices
    now = time.monotonic()
    cached = _filter_choices
    if cached is not None and now - cached[0] < FILTER_CHOICES_SECONDS:
        return cached[1]
    every_municipality = tuple(municipalities())
    choices = FilterChoices(
        municipalities=every_municipality,
        municipalities_by_number={m.number: m for m in every_municipality},
        municipality_options=tuple((m.number, m.name) for m in every_municipality),
        topics=tuple(topics_in_use()),
    )
    _filter_choices = (now, choices)
    return choices


def forget_filter_choices(**_signal_arguments: Any) -> None:
    """Read the filters' choices from the database on the next request."""
    global _filter_choices
    _filter_choices = None


def municipality_of(choice: MunicipalityChoice | None) -> Municipality | None:
    if choice is None:
        return None
    return Municipality(pk=choice.pk, number=choice.number, name=choice.name)


# Search ----------------------------------------------------------------------------------


# The offer columns a result card shows, read as plain values: twenty model instances, each
# with related managers for its prefetched rows, cost more than the queries themselves.
_CARD_FIELDS = (
    "pk", "title", "summary", "description", "age_from_months", "age_to_months", "languages",
    "is_digital", "format_group", "format_individual", "format_home_visit", "open_evenings",
    "open_weekends", "is_free", "cost", "referral_required", "status", "last_verified_at",
)  # fmt: skip


def card_queryset(queryset: QuerySet[Offer]) -> QuerySet[Offer, dict[str, Any]]:
    """The columns of a result card, as dictionaries (see result_cards for the rest).

    The programme's name comes as programme_name: cards show nothing else of it.
    """
    return queryset.values(*_CARD_FIELDS, programme_name=F("programme__name"))


@dataclass
class ResultCard:
    """An offer as a result card shows it. Has the offer's own fields that the card's rules
    read (is_stale, format_names, spoken_languages), so those rules stay in one place."""

    pk: uuid.UUID
    title: str
    summary: str
    description: str
    age_from_months: int | None
    age_to_months: int | None
    languages: str
    is_digital: bool
    format_group: bool
    format_individual: bool
    format_home_visit: bool
    open_evenings: bool
    open_weekends: bool
    is_free: bool
    cost: str
    referral_required: bool
    status: str
    last_verified_at: datetime.datetime | None
    programme_name: str | None
    facts: OfferCard | None = None


def result_cards(
    rows: Sequence[dict[str, Any]], ui_language: str, now: datetime.datetime | None = None
) -> list[ResultCard]:
    """Cards for rows of card_queryset, with their places, hours and target groups: three
    queries for the whole page, whatever the number of offers."""
    ids = [row["pk"] for row in rows]
    if not ids:
        return []
    places: dict[Any, list[str]] = defaultdict(list)
    for offer_id, name, address, municipality in (
        Offer.locations.through.objects.filter(offer_id__in=ids)
        .order_by("pk")
        .values_list(
            "offer_id", "location__name", "location__address", "location__municipality__name"
        )
    ):
        places[offer_id].append(", ".join(part for part in (name or address, municipality) if part))
    hours: dict[Any, list[str]] = defaultdict(list)
    for offer_id, weekday, opens_at, closes_at in (
        OpeningHours.objects.filter(offer_id__in=ids)
        .order_by("weekday", "opens_at")
        .values_list("offer_id", "weekday", "opens_at", "closes_at")
    ):
        hours[offer_id].append(
            f"{OpeningHours.Weekday(weekday).label} {opens_at:%H:%M}–{closes_at:%H:%M}"
        )
    groups: dict[Any, list[str]] = defaultdict(list)
    for offer_id, *names in (
        Offer.target_groups.through.objects.filter(offer_id__in=ids)
        .order_by("taxonomyterm__name")
        .values_list(
            "offer_id", "taxonomyterm__name", "taxonomyterm__name_nn", "taxonomyterm__name_en"
        )
    ):
        groups[offer_id].append(name_in_language(ui_language, *names))
    cards = []
    for row in rows:
        card = ResultCard(
            **{name: row[name] for name in _CARD_FIELDS}, programme_name=row["programme_name"]
        )
        card.facts = offer_card(
            card, groups=groups[card.pk], places=places[card.pk], hours=hours[card.pk], now=now
        )
        cards.append(card)
    return cards


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
    candidates = filter_offers(published_offers(), criteria)
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
    whole_query = " ".join(words(text)[:_MAX_QUERY_WORDS])
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


# Plain-language descriptions ---------------------------------------------------------------


def describe_age_range(from_months: int | None, to_months: int | None) -> str:
    """An offer's age range in words: "From pregnancy to 1 year", "From 3 years to 12 years"."""
    if from_months is None and to_months is None:
        return str(_("All ages"))
    pregnancy_only = to_months is not None and to_months < 0
    if pregnancy_only and (from_months is None or from_months <= PREGNANCY_START_MONTHS):
        return str(_("During pregnancy"))
    start = _age_words(from_months) if from_months is not None else None
    end = _age_words(to_months, upper=True) if to_months is not None else None
    if start is None:
        return str(_("Up to %(end)s") % {"end": end})
    if end is None:
        return str(_("From %(start)s") % {"start": start})
    return str(_("From %(start)s to %(end)s") % {"start": start, "end": end})


def _age_words(months: int, *, upper: bool = False) -> str:
    if months <= PREGNANCY_START_MONTHS:
        return str(_("pregnancy"))
    if months < 0:
        if upper:
            return str(_("birth"))
        before = -months
        return ngettext(
            "%(months)d month before birth", "%(months)d months before birth", before
        ) % {"months": before}
    if months == 0:
        return str(_("birth"))
    # An upper end of 23 months means "until the second birthday": say "1 year".
    if upper and months % 12 == 11:
        months -= 11
    if months < 24 and months % 12:
        return ngettext("%(months)d month", "%(months)d months", months) % {"months": months}
    years = months // 12
    return ngettext("%(years)d year", "%(years)d years", years) % {"years": years}


def format_names(offer: Offer | ResultCard) -> list[str]:
    return [str(label) for value, label in Format.CHOICES if getattr(offer, Format.FIELDS[value])]


@dataclass(frozen=True)
class SpokenLanguage:
    code: str
    name: str
    direction: str


def spoken_languages(offer: Offer | ResultCard) -> list[SpokenLanguage]:
    """The languages staff speak, each named in itself, with its writing direction."""
    return [
        SpokenLanguage(code, language_name(code), "rtl" if code in RIGHT_TO_LEFT_SPOKEN else "ltr")
        for code in offer_language_codes(offer)
    ]


@dataclass(frozen=True)
class OfferCard:
    """A result card's plain-language facts about an offer, worked out in one go: a page has
    twenty cards, and the same work in template tags cost several times as much."""

    formats: list[str]
    stale: bool
    for_whom: str
    where: str
    when: str
    cost: str
    referral: str
    languages: list[SpokenLanguage]


def offer_card(
    offer: ResultCard,
    *,
    groups: list[str],
    places: list[str],
    hours: list[str],
    now: datetime.datetime | None = None,
) -> OfferCard:
    """The card's facts from the offer, its target groups' names (in the page's language),
    its places ("name or address, municipality") and its opening hours, in words."""
    ages = describe_age_range(offer.age_from_months, offer.age_to_months)
    if places:
        where = "; ".join(places)
    elif offer.is_digital:
        where = str(_("Digital: take part from home"))
    else:
        where = str(_("Ask the service where"))
    when = ", ".join(hours) if hours else str(_("By appointment or at set dates"))
    if offer.open_evenings:
        when += ". " + str(_("Open evenings"))
    if offer.open_weekends:
        when += ". " + str(_("Open weekends"))
    if offer.is_free:
        cost = str(_("Free"))
    else:
        cost = offer.cost or str(_("There is a cost: ask the service"))
    if offer.referral_required:
        referral = str(_("You need a referral, for example from your GP"))
    else:
        referral = str(_("No referral needed: you can get in touch yourself"))
    return OfferCard(
        formats=format_names(offer),
        stale=is_stale(offer, now),
        for_whom=f"{ages}. {', '.join(groups)}" if groups else ages,
        where=where,
        when=when,
        cost=cost,
        referral=referral,
        languages=spoken_languages(offer),
    )


# The offer page --------------------------------------------------------------------------


CONTENT_LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


@dataclass
class OfferPage:
    offer: Offer
    # The offer's own translation into the language asked for, if it has one.
    translation: OfferTranslation | None
    # The content language asked for with ?språk=, when the offer lacks it (bokmål is shown).
    missing_language: str
    # Languages the offer's text exists in, besides bokmål: (code, name).
    available_languages: list[tuple[str, str]]
    upcoming_sessions: list[OfferSession]
    stale: bool

    @property
    def content_language(self) -> str:
        return self.translation.language if self.translation else "nb"

    @property
    def content_direction(self) -> str:
        return "rtl" if self.content_language in RIGHT_TO_LEFT_LANGUAGES else "ltr"

    @property
    def missing_language_name(self) -> str:
        return CONTENT_LANGUAGE_NAMES.get(self.missing_language, self.missing_language)


def offer_page(
    offer_id: uuid.UUID, language: str = "", now: datetime.datetime | None = None
) -> OfferPage:
    """Everything the public offer page shows. Raises Http404 unless the offer is published.

    `language` chooses the offer's own translation (?språk=ar); without one, the bokmål
    original is shown and the page says so.
    """
    now = now or timezone.now()
    offer = (
        published_offers()
        .select_related("programme", "provider", "unit__organisation")
        .prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
            "opening_hours",
            Prefetch("sessions", queryset=_upcoming_sessions(now)),
            Prefetch("topics", queryset=TaxonomyTerm.objects.order_by("name")),
            Prefetch("target_groups", queryset=TaxonomyTerm.objects.order_by("name")),
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name")),
            Prefetch("translations", queryset=OfferTranslation.objects.order_by("language")),
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404("No published offer has this address.")
    translations = {t.language: t for t in offer.translations.all()}
    language = language.strip().lower()
    translation = translations.get(language)
    missing = language if language in CONTENT_LANGUAGE_NAMES and translation is None else ""
    return OfferPage(
        offer=offer,
        translation=translation,
        missing_language=missing,
        available_languages=[
            (code, CONTENT_LANGUAGE_NAMES[code])
            for code, _name in CONTENT_LANGUAGES
            if code in translations
        ],
        upcoming_sessions=list(offer.sessions.all()),
        stale=is_stale(offer, now),
    )


def _upcoming_sessions(now: datetime.datetime) -> QuerySet[OfferSession]:
    return (
        OfferSession.objects.filter(ends_at__gte=now)
        .select_related("location__municipality")
        .order_by("starts_at")
    )


def offer_calendar_sessions(
    offer_id: uuid.UUID, now: datetime.datetime | None = None
) -> tuple[Offer, list[OfferSession]]:
    """A published offer and its dated sessions still to come, for the iCalendar file.

    Raises Http404 unless the offer is published and has such sessions: a calendar file
    must hold at least one event (RFC 5545).
    """
    now = now or timezone.now()
    offer = (
        published_offers()
        .prefetch_related(
            Prefetch("sessions", queryset=_upcoming_sessions(now)),
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404("No published offer has this address.")
    sessions = list(offer.sessions.all())
    if not sessions:
        raise Http404("This offer has no dated sessions to come.")
    return offer, sessions


# The guided path -------------------------------------------------------------------------


class Asker:
    """Who is using the guide (step 1)."""

    EXPECTING = "venter-barn"
    PARENT = "forelder"
    YOUNG_PERSON = "ungdom"
    PROFESSIONAL = "fagperson"

    CHOICES = (
        (EXPECTING, _("We are expecting a child")),
        (PARENT, _("I am a parent or guardian")),
        (YOUNG_PERSON, _("I am a young person")),
        (PROFESSIONAL, _("I work with children or families")),
    )


@dataclass(frozen=True)
class Need:
    """An everyday way of saying what is hard, and the topics and words it means."""

    value: str
    label: Any
    topics: tuple[str, ...]
    # Searched instead when none of the topics is in the catalogue.
    words: str


# The topic codes are those of the catalogue's topic taxonomy (programme_data.TOPICS).
NEEDS: tuple[Need, ...] = (
    Need("krangel", _("We argue a lot"), ("couple-relationship", "conflict-separation"),
         "parforhold"),
    Need("samliv", _("We want to take care of our relationship"), ("couple-relationship",),
         "samliv"),
    Need("brudd", _("We are separating or have separated"), ("conflict-separation",),
         "samlivsbrudd"),
    Need("sovn", _("The baby sleeps badly"), ("infant-sleep-feeding",), "søvn"),
    Need("mat", _("Breastfeeding or food is difficult"), ("infant-sleep-feeding",), "amming"),
    Need("foreldrerolle", _("I want to feel more secure as a parent"), ("parenting-role",),
         "foreldrerollen"),
    Need("sinne", _("Our child is often angry, and setting limits is hard"), ("behaviour",),
         "grensesetting"),
    Need("ungdom", _("Things are hard with our teenager"), ("teenagers",), "ungdom"),
    Need("skole", _("Things are hard at school or kindergarten"), ("school",), "skole"),
    Need("psykisk", _("Someone in the family is not doing well (worry, sadness, anxiety)"),
         ("mental-health",), "psykisk helse"),
    Need("funksjon", _("Our child has a disability or special needs"), ("disability",),
         "funksjonsnedsettelse"),
    Need("vold", _("There is violence or threats in the family"), ("violence",), "vold"),
    Need("rus", _("Alcohol or drugs are a problem in the family"), ("substance-use",), "rus"),
    Need("sorg", _("We have lost someone, or something serious has happened"),
         ("grief-crisis",), "sorg"),
    Need("far", _("I am a father and want to meet other fathers"), ("fathers",), "pappa"),
    Need("ny-i-norge", _("We are new in Norway"), ("minority-families",), "minoritet"),
)  # fmt: skip
NEEDS_BY_VALUE = {need.value: need for need in NEEDS}


def guide_destination(asker: str, age: str, need_value: str) -> dict[str, list[str]]:
    """The finder's filters for the guide's answers, as query parameters.

    Uses the need's topics where the catalogue has them; otherwise searches its words, so
    the guide never ends in an empty page just because a topic is missing.
    """
    need = NEEDS_BY_VALUE[need_value]
    params: dict[str, list[str]] = {}
    if asker == Asker.EXPECTING:
        params["alder"] = [EXPECTING]
    elif age:
        params["alder"] = [age]
    in_use = {term.code for term in topics_in_use()}
    topics = [code for code in need.topics if code in in_use]
    if topics:
        params["tema"] = topics
    else:
        params["q"] = [need.words]
    return params


# The programme map -----------------------------------------------------------------------


@dataclass
class ProgrammeRow:
    programme: Programme
    # (municipality, published offers of the programme for or in it), by municipality name.
    municipalities: list[tuple[Municipality, int]]
    offers: int
    # Published digital offers open to the whole country.
    nationwide: int


@dataclass
class MunicipalityRow:
    municipality: Municipality
    # (programme, published offers), by programme name.
    programmes: list[tuple[Programme, int]]


@dataclass
class ProgrammeMap:
    programmes: list[ProgrammeRow]
    municipalities: list[MunicipalityRow]
    total_offers: int
    total_programmes_offered: int
    total_municipalities: int
    total_nationwide: int


_PAIRS_SQL = """
SELECT pairs.programme_id, pairs.municipality_id, COUNT(DISTINCT pairs.offer_id)
FROM (
    SELECT o.programme_id AS programme_id, om.municipality_id AS municipality_id,
           o.id AS offer_id
    FROM {offer} o JOIN {offer_municipalities} om ON om.offer_id = o.id
    WHERE o.status = %s AND o.programme_id IS NOT NULL
    UNION
    SELECT o.programme_id, l.municipality_id, o.id
    FROM {offer} o
    JOIN {offer_locations} ol ON ol.offer_id = o.id
    JOIN {location} l ON l.id = ol.location_id
    WHERE o.status = %s AND o.programme_id IS NOT NULL AND l.municipality_id IS NOT NULL
) pairs
GROUP BY pairs.programme_id, pairs.municipality_id
"""


def programme_map() -> ProgrammeMap:
    """Which programmes are offered in which municipalities: the national overview that the
    strategy found missing. Four queries, whatever the size of the catalogue.

    An offer counts for a municipality when it is for its residents or given there.
    """
    published = Offer.Status.PUBLISHED
    sql = _PAIRS_SQL.format(
        offer=Offer._meta.db_table,
        offer_municipalities=Offer.municipalities.through._meta.db_table,
        offer_locations=Offer.locations.through._meta.db_table,
        location=Location._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [published, published])
        pairs = cursor.fetchall()
    programme_totals = {
        programme_id: (offers, nationwide)
        for programme_id, offers, nationwide in _programme_offer_counts()
    }
    municipality_ids = {municipality_id for _p, municipality_id, _n in pairs}
    municipalities_by_id = Municipality.objects.in_bulk(municipality_ids)
    programmes = list(Programme.objects.order_by("name"))
    programmes_by_id = {programme.pk: programme for programme in programmes}
    per_programme: dict[int, list[tuple[Municipality, int]]] = defaultdict(list)
    per_municipality: dict[int, list[tuple[Programme, int]]] = defaultdict(list)
    for programme_id, municipality_id, count in pairs:
        # The database driver may hand back ids as strings (SQLite) or ints (PostgreSQL).
        municipality = municipalities_by_id[int(municipality_id)]
        programme = programmes_by_id[int(programme_id)]
        per_programme[programme.pk].append((municipality, count))
        per_municipality[municipality.pk].append((programme, count))
    programme_rows = [
        ProgrammeRow(
            programme=programme,
            municipalities=sorted(per_programme[programme.pk], key=lambda p: p[0].name),
            offers=programme_totals.get(programme.pk, (0, 0))[0],
            nationwide=programme_totals.get(programme.pk, (0, 0))[1],
        )
        for programme in programmes
    ]
    municipality_rows = sorted(
        (
            MunicipalityRow(
                municipality=municipalities_by_id[municipality_id],
                programmes=sorted(rows, key=lambda p: p[0].name),
            )
            for municipality_id, rows in per_municipality.items()
        ),
        key=lambda row: (row.municipality.name, row.municipality.number),
    )
    return ProgrammeMap(
        programmes=programme_rows,
        municipalities=municipality_rows,
        total_offers=sum(row.offers for row in programme_rows),
        total_programmes_offered=sum(1 for row in programme_rows if row.offers),
        total_municipalities=len(municipality_rows),
        total_nationwide=sum(row.nationwide for row in programme_rows),
    )


def _programme_offer_counts() -> list[tuple[int, int, int]]:
    """Per programme: published offers, and of those the digital ones for the whole country."""
    nationwide = (
        Q(is_digital=True)
        & ~Exists(Offer.municipalities.through.objects.filter(offer_id=OuterRef("pk")))
        & ~Exists(Offer.locations.through.objects.filter(offer_id=OuterRef("pk")))
    )
    rows = (
        published_offers()
        .filter(programme__isnull=False)
        .values("programme_id")
        .annotate(offers=Count("pk"), nationwide=Count("pk", filter=nationwide))
        .order_by()
    )
    return [(row["programme_id"], row["offers"], row["nationwide"]) for row in rows]
