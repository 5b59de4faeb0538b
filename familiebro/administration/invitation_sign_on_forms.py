"""The form of accepting an invitation with the organisation's login."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm


class InvitationSignOnForm(StyledForm):
    username = forms.CharField(
        label=_("Username"),
        help_text=_(
            "Familiebro shows it in its lists. Letters, digits and @ . + - _ only; your "
            "e-mail works."
        ),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
