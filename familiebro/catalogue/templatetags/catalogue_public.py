"""Filters for the public catalogue pages, so templates need nothing but the offer.

The offer page is also rendered by the editor's preview with only `offer` in its context:
everything derived from an offer is computed here, not passed in by the view.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any, cast

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from familiebro.catalogue import reads
from familiebro.catalogue.finder import cards, criteria
from familiebro.catalogue.models import RIGHT_TO_LEFT_LANGUAGES, Offer, TaxonomyTerm

register = template.Library()


@register.filter
def age_range(offer: Offer) -> str:
    """Who the offer is for by age, in words: "From pregnancy to 1 year"."""
    return cards.describe_age_range(offer.age_from_months, offer.age_to_months)


@register.filter
def spoken_languages(offer: Offer) -> list[cards.SpokenLanguage]:
    """The languages staff speak: code, name in itself, and writing direction."""
    return cards.spoken_languages(offer)


@register.filter
def is_stale(offer: Offer) -> bool:
    """Not verified by its unit for six months (or never)."""
    return reads.is_stale(offer)


@register.filter
def formats(offer: Offer) -> list[str]:
    return cards.format_names(offer)


@register.filter
def text_direction(language_code: str) -> str:
    return "rtl" if language_code in RIGHT_TO_LEFT_LANGUAGES else "ltr"


@register.simple_tag
def select_options(
    field: BoundField, languages: bool = False, choices: Iterable[tuple[Any, Any]] | None = None
) -> str:
    """The <option>s of a select field (or of the `choices` given), the current one selected.

    Written here rather than by the widget, which renders every option through a template of
    its own: for 357 municipalities that was most of the finder's time. With `languages`,
    each option is marked with its language (and direction): the names are in themselves.
    """
    selected = str(field.value() or "")
    options = []
    if choices is None:
        choices = cast(list[tuple[Any, Any]], cast(forms.ChoiceField, field.field).choices)
    for value, label in choices:
        value = str(value)
        attributes = f' value="{escape(value)}"'
        if value == selected:
            attributes += " selected"
        if languages and value:
            attributes += f' lang="{escape(value)}"'
            if value in criteria.RIGHT_TO_LEFT_SPOKEN:
                attributes += ' dir="rtl"'
        options.append(f"<option{attributes}>{escape(str(label))}</option>")
    # Every value and label is escaped above (the standard library's escape: for hundreds of
    # options Django's, which wraps each result, is several times slower).
    return mark_safe("".join(options))


@register.filter
def term_name(term: TaxonomyTerm) -> str:
    """A topic or target group in the language of the page (bokmål when not translated)."""
    return criteria.term_name(term, get_language() or "nb")
