"""Filters for the case lists and the case page, which show a few hundred rows per page.

A model's get_FOO_display() translates every choice of the field on each call, to find one
label, and the date filter translates the month's name on each call; a list of 120 rows with
a few such columns spends more on that than on the rest of the row. Here labels and month
names are translated once per language and process: they are the same for every user and
request (they are the product's words, not anyone's data).
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django import template
from django.db import models
from django.template.defaultfilters import date
from django.utils.dates import MONTHS, MONTHS_3
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


@functools.cache
def _months(language: str | None, abbreviated: bool) -> tuple[str, ...]:
    # Indexed by the month's number, as MONTHS is.
    if abbreviated:
        return ("", *(str(MONTHS_3[m]).title() for m in range(1, 13)))
    return ("", *(str(MONTHS[m]) for m in range(1, 13)))


@register.filter(expects_localtime=True)
def when(value: datetime.date | datetime.datetime | None, arg: str) -> str:
    """What the date filter writes for these pages' formats ("j. F Y", "j. F Y, H:i" and
    "j. M Y"), with the month names translated once per language instead of on each call; any
    other format goes to the date filter itself."""
    if value in (None, ""):
        return ""
    assert value is not None
    if arg in ("j. F Y", "j. M Y"):
        months = _months(get_language(), abbreviated=arg == "j. M Y")
        return f"{value.day}. {months[value.month]} {value.year:04d}"
    if arg == "j. F Y, H:i" and isinstance(value, datetime.datetime):
        months = _months(get_language(), abbreviated=False)
        return f"{value.day}. {months[value.month]} {value.year:04d}, {value:%H:%M}"
    return date(value, arg)
