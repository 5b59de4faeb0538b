from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .text import without_direction_controls


class TypedTextRules:
    """Applies familiebro.core.text's rules to everything typed into a form.

    Every form of the project has this as a base (tests/core/test_direction_controls.py
    checks it). The value is cleaned where the form reads it from the request, before any
    field sees it, so validation, the stored value and a form shown again with its errors all
    hold the cleaned text.
    """

    def _widget_data_value(self, widget: Any, html_name: str) -> Any:
        return without_direction_controls(super()._widget_data_value(widget, html_name))  # type: ignore[misc]


class Form(TypedTextRules, forms.Form):
    pass


class ModelForm(TypedTextRules, forms.ModelForm):
    pass


class StyledForm(Form):
    """A form whose inputs carry Designsystemet's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "ds-input")


class IdentityLookupForm(StyledForm):
    national_id = forms.CharField(
        label=_("National identity number or D-number"),
        help_text=_("11 digits. Spaces are ignored."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
