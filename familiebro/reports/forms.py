"""The dashboard's choice of figures and period (a GET form: the address says what is shown,
so a leader can bookmark and share it)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm

from . import periods
from .periods import Period

# The figures start with the oldest records Familiebro can hold, and end long after the
# newest: a date outside is refused as a typing error rather than shown as a page of noughts
# (and a year such as 9999 would run past the last date a period can end on).
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


class PeriodForm(StyledForm):
    # A key from permissions.scopes_for; one the user may not read is refused there.
    omfang = forms.CharField(label=_("Figures for"), required=False, max_length=40)
    periode = forms.ChoiceField(
        label=_("Period"), choices=list(periods.KINDS.items()), required=False
    )
    fra = forms.DateField(
        label=_("From"),
        help_text=_("For a month, quarter or year: any day in it."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as 31.12.2026 or choose it in the calendar.")},
    )
    til = forms.DateField(
        label=_("To"),
        help_text=_("Only for chosen dates: the last day."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as 31.12.2026 or choose it in the calendar.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("periode") or periods.MONTH
        first = data.get("fra") or timezone.localdate()
        last = data.get("til")
        if first < EARLIEST:
            self.add_error("fra", _("Choose a date in 2000 or later."))
            return data
        if first > LATEST or (last is not None and last > LATEST):
            self.add_error("til" if first <= LATEST else "fra", _("Choose a date before 2100."))
            return data
        if kind == periods.CUSTOM:
            if last is None:
                self.add_error("til", _("Choose the last day of the period."))
                return data
            if last < first:
                self.add_error("til", _("The last day must be on or after the first day."))
                return data
            if (last - first).days + 1 > periods.LONGEST_DAYS:
                self.add_error("til", _("Choose a period of at most five years."))
                return data
        data["period"] = periods.period_for(kind, first, last)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]
