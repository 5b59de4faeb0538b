"""Formatting shared by every part's pages: `{% load core_display %}`."""

from __future__ import annotations

from django import template

from familiebro.core.identifiers import phone_number_for_reading

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """`{{ unit.phone|phone }}`: "912 34 567" for the stored "+4791234567"."""
    return phone_number_for_reading(value or "")
