"""Filters for the case lists and the case page, which show a few hundred rows per page.

A model's get_FOO_display() translates every choice of the field on each call, to find one
label; a list of 120 rows with three such columns spends more on that than on the rest of the
row. Here each field's labels are translated once per language and process: the labels are
the same for every user and request (they are the product's words, not anyone's data).
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.db import models
from django.utils.translation import get_language

register = template.Library()


@functools.cache
def _labels(model: type[models.Model], field_name: str, language: str | None) -> dict[Any, str]:
    field = model._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}  # type: ignore[union-attr]


@register.filter
def label(obj: models.Model, field_name: str) -> Any:
    """What obj.get_<field_name>_display() gives: the label of the field's value."""
    value = getattr(obj, field_name)
    return _labels(type(obj), field_name, get_language()).get(value, value)
