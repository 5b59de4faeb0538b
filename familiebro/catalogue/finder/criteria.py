"""What a parent can filter the finder by, and the offers those filters select.

Ages, formats, spoken languages, topics and municipalities, with the choices the filters offer
(kept for a minute, and forgotten at once in this process when offers or topics change).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from familiebro.core.models import Municipality

from ..models import PREGNANCY_START_MONTHS, Offer, TaxonomyTerm

# Ages offered in the filters, in years; older "children" are rare in family services.
OLDEST_CHILD_YEARS = 18


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
LANGUAGE_ALIASES = {"nn": "nb", "no": "nb"}
RIGHT_TO_LEFT_SPOKEN = {"ar", "fa", "ur", "ps"}


def language_name(code: str) -> str:
    return SPOKEN_LANGUAGES.get(LANGUAGE_ALIASES.get(code, code), code)


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
    # Only the parent's own words: no thesaurus, no spelling correction (the link back from
    # "Viser treff for ...").
    literal: bool = False


def offers_in_municipality(municipality: Municipality) -> Q:
    """Offers for the municipality's residents, given in it, or digital ones for everyone.

    A digital offer that names municipalities is for their residents only; one that names
    none is open to the whole country (Offer.is_nationwide, kept by every writer of offers).
    One IN over a union, so the database can start from the municipality's few offers and
    the few hundred nationwide ones, read from their partial index, rather than test every
    offer of the country.
    """
    return Q(pk__in=offer_ids_in_municipality(municipality))


def offer_ids_in_municipality(municipality: Municipality) -> QuerySet[Any, Any]:
    """The ids of the offers of offers_in_municipality, in any state, each once (a UNION)."""
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
    return listed.union(located, nationwide)


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
            alias for alias, code in LANGUAGE_ALIASES.items() if code == criteria.language
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
