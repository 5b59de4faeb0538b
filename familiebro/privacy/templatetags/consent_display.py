"""How a consent is shown on any page: `{% load consent_display %}`."""

from __future__ import annotations

from typing import Any

from django import template

from familiebro.privacy.consent_reads import consent_end as end_words

register = template.Library()


@register.filter
def consent_end(consent: Any) -> str:
    """`{{ consent|consent_end }}`: "last day 30 June 2027" or "until withdrawn"."""
    return end_words(consent.valid_to)
