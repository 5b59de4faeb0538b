"""What an offer is found by, kept on the Offer and rebuilt whenever the offer changes.

Offer.search_document holds the text; Offer.is_nationwide says whether the offer is shown in
every municipality. Every writer of offers (the catalogue services, the HSDS importer, the
benchmark generator) keeps both current, so the finder never derives them per search.
"""

from __future__ import annotations

from .models import Offer


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
    offer.is_nationwide = offer.is_digital and not offer.municipalities.exists()
    Offer.objects.filter(pk=offer.pk).update(
        search_document=offer.search_document, is_nationwide=offer.is_nationwide
    )
