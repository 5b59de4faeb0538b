"""What an offer is found by, kept on the Offer and rebuilt whenever the offer changes.

Offer.search_document holds the text (the HSDS API's search reads it); search_title,
search_themes and search_body the finder's index terms; Offer.is_nationwide says whether the
offer is shown in every municipality. Every writer of offers (the catalogue services, the HSDS
importer, the benchmark generator) keeps them current, so the finder never derives them per
search.
"""

from __future__ import annotations

from typing import NamedTuple

from .finder.analysis import index_terms, theme_term
from .models import Offer


class SearchTerms(NamedTuple):
    """An offer's index terms by where they stand (see finder.analysis)."""

    title: str
    themes: str
    body: str


def build_search_terms(offer: Offer) -> SearchTerms:
    """The offer's words, stems and compound parts: the title (and translated titles); the
    themes (topic and target-group names in bokmål, nynorsk and English, the programme's name,
    and a term per topic code); and the rest of the text, translations included."""
    title = [*index_terms(offer.title)]
    themes: list[str] = []
    body = [*index_terms(offer.summary), *index_terms(offer.description)]
    programme = offer.programme
    if programme is not None:
        themes += index_terms(programme.name)
        body += index_terms(f"{programme.target_group} {programme.purpose}")
    if offer.pk:
        for term in offer.topics.all():
            if term.code:
                themes.append(theme_term(term.code))
        for term in [*offer.topics.all(), *offer.target_groups.all()]:
            themes += index_terms(f"{term.name} {term.name_nn}")
            themes += index_terms(term.name_en, "en")
            body += index_terms(term.description)
        for translation in offer.translations.all():
            language = translation.language
            title += index_terms(translation.title, language)
            body += index_terms(f"{translation.summary} {translation.description}", language)
    return SearchTerms(_distinct(title), _distinct(themes), _distinct(body))


def _distinct(terms: list[str]) -> str:
    return " ".join(dict.fromkeys(terms))


def build_search_document(offer: Offer) -> str:
    """Title, summary, description, programme, topics and target groups as one text.

    Topic and target-group names are included in bokmål and nynorsk so a parent's own words
    ("skilsmisse", "samlivsbrudd") meet the offer's vocabulary. Translations are included
    too: a parent searching in English or Polish still finds the offer.
    """
    parts = [offer.title, offer.summary, offer.description]
    programme = offer.programme
    if programme is not None:
        parts += [programme.name, programme.target_group, programme.purpose]
    if offer.pk:
        for term in [*offer.topics.all(), *offer.target_groups.all()]:
            parts += [term.name, term.name_nn, term.description]
        for translation in offer.translations.all():
            parts += [translation.title, translation.summary, translation.description]
    return "\n".join(part for part in parts if part)


def refresh_search_fields(offer: Offer) -> None:
    """Rebuild the offer's search document and whether it is open to the whole country.

    A digital offer that names municipalities is for their residents only; one that names
    none is open to the whole country, wherever it is given from.
    """
    offer.search_document = build_search_document(offer)
    terms = build_search_terms(offer)
    offer.search_title, offer.search_themes, offer.search_body = terms
    offer.is_nationwide = offer.is_digital and not offer.municipalities.exists()
    Offer.objects.filter(pk=offer.pk).update(
        search_document=offer.search_document,
        search_title=terms.title,
        search_themes=terms.themes,
        search_body=terms.body,
        is_nationwide=offer.is_nationwide,
    )
