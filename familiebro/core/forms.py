from django import forms
from django.utils.translation import gettext_lazy as _


class StyledForm(forms.Form):
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
