"""The case pages write labels and dates exactly as Django's own get_FOO_display() and date
filter would, in every language, only cheaper (familiebro.cases.templatetags.case_display)."""

from __future__ import annotations

import datetime

import pytest
from django.template.defaultfilters import date
from django.utils import timezone, translation

from familiebro.cases.models import Case, LogEntry
from familiebro.cases.templatetags.case_display import label, when

LANGUAGES = ["nb", "nn", "en"]
FORMATS = ["j. F Y", "j. F Y, H:i", "j. M Y"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_read_as_the_date_filter_writes_them(language):
    with translation.override(language):
        for month in range(1, 13):
            moment = timezone.make_aware(datetime.datetime(2026, month, 3 + month, 7, 5))
            for value in (timezone.localtime(moment), moment.date()):
                for fmt in FORMATS:
                    if fmt.endswith("H:i") and not isinstance(value, datetime.datetime):
                        continue
                    assert when(value, fmt) == date(value, fmt)


def test_a_missing_date_is_left_empty_and_other_formats_go_to_the_date_filter():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 4, 21, 30))
    assert when(None, "j. F Y") == ""
    assert when(moment, "Y-m-d") == "2026-12-04"


@pytest.mark.parametrize("language", LANGUAGES)
def test_labels_read_as_get_display_writes_them(language):
    with translation.override(language):
        for kind in LogEntry.Kind.values:
            entry = LogEntry(kind=kind)
            assert label(entry, "kind") == entry.get_kind_display()
        for origin in Case.Origin.values:
            case = Case(origin=origin)
            assert label(case, "origin") == case.get_origin_display()
        assert label(Case(origin="unknown"), "origin") == "unknown"
