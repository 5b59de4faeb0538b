"""Offers as the finder shows them: the result cards of a search and the offer card.

Offers not verified for six months are still shown, with a flag, because an old offer is more
often still right than gone.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import PREGNANCY_START_MONTHS, Offer, OfferTranslation, OpeningHours
from ..reads import is_stale
from .criteria import (
    LANGUAGE_ALIASES,
    RIGHT_TO_LEFT_SPOKEN,
    Format,
    language_name,
    name_in_language,
)


def offer_language_codes(offer: Offer | ResultCard) -> list[str]:
    """The offer's spoken languages, Norwegian once even if listed as nb and nn."""
    codes: list[str] = []
    for code in offer.languages.split():
        canonical = LANGUAGE_ALIASES.get(code, code)
        if canonical not in codes:
            codes.append(canonical)
    return codes


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
    # The language of the title and summary shown: the page's, when the offer has a
    # translation into it; bokmål, the original, otherwise.
    content_language: str = "nb"


def result_cards(
    rows: Sequence[dict[str, Any]], ui_language: str, now: datetime.datetime | None = None
) -> list[ResultCard]:
    """Cards for rows of card_queryset, with their places, hours and target groups, in the
    page's language where the offer is translated into it: four queries for the whole page,
    whatever the number of offers."""
    ids = [row["pk"] for row in rows]
    if not ids:
        return []
    translated: dict[Any, tuple[str, str, str]] = {}
    if ui_language != "nb":
        for offer_id, title, summary, description in OfferTranslation.objects.filter(
            offer_id__in=ids, language=ui_language
        ).values_list("offer_id", "title", "summary", "description"):
            translated[offer_id] = (title, summary, description)
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
        if card.pk in translated:
            card.title, card.summary, card.description = translated[card.pk]
            card.content_language = ui_language
        card.facts = offer_card(
            card, groups=groups[card.pk], places=places[card.pk], hours=hours[card.pk], now=now
        )
        cards.append(card)
    return cards


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
