"""The form of the staff import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from familiebro.core import forms as core_forms


class StaffImportForm(core_forms.StyledForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file of staff"),
        help_text=gettext_lazy(
            "One person per row; the first row names the columns. Separated by semicolons or "
            "commas, saved as UTF-8 or from Excel."
        ),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some are rejected"),
        required=False,
    )
