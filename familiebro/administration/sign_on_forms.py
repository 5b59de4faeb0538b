"""The form an administrator sets up the organisation's login with. It only collects input;
familiebro.administration.sign_on checks the issuer and saves."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm

from .models import OrganisationSignOn
from .sign_on import SignOnSettings, issuer_scheme_allowed

_VALUE = re.compile(r"^[\x21-\x7e]{1,100}$")


class ClaimValuesField(forms.CharField):
    """Values separated by spaces, as acr_values are in OpenID Connect."""

    def to_python(self, value):  # type: ignore[no-untyped-def]
        text = super().to_python(value) or ""
        values = list(dict.fromkeys(text.split()))
        for item in values:
            if not _VALUE.match(item):
                raise ValidationError(
                    _("Write the values separated by spaces, each without spaces inside.")
                )
        return values


class SignOnForm(StyledForm):
    label = forms.CharField(
        label=_("Text on the login button"),
        help_text=_("For example: Log in with Stange kommune."),
        max_length=100,
    )
    issuer = forms.CharField(
        label=_("Issuer"),
        help_text=_(
            "The provider's address, as it names itself. Entra ID: "
            "https://login.microsoftonline.com/<tenant id>/v2.0. Ansattporten: "
            "https://ansattporten.no. Familiebro checks it when you save."
        ),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    client_id = forms.CharField(
        label=_("Client id"),
        help_text=_("The id the provider gave Familiebro when you registered it."),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    second_factor_acr = ClaimValuesField(
        label=_("acr values that count as a second factor"),
        help_text=_(
            "Separated by spaces. Ansattporten: idporten-loa-substantial idporten-loa-high. "
            "Leave empty if the provider does not show it this way."
        ),
        required=False,
        max_length=1000,
    )
    second_factor_amr = ClaimValuesField(
        label=_("amr values that count as a second factor"),
        help_text=_(
            "Separated by spaces. Entra ID with its v1.0 issuer: mfa. A login that shows none of "
            "these values still needs the code from Familiebro's authenticator app."
        ),
        required=False,
        max_length=1000,
    )
    enabled = forms.BooleanField(
        label=_("Staff can log in with this login"),
        required=False,
    )

    def __init__(self, *args, sign_on: OrganisationSignOn | None = None, **kwargs):
        if sign_on is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "label": sign_on.label,
                "issuer": sign_on.issuer,
                "client_id": sign_on.client_id,
                "second_factor_acr": " ".join(sign_on.second_factor_acr),
                "second_factor_amr": " ".join(sign_on.second_factor_amr),
                "enabled": sign_on.enabled,
            }
        super().__init__(*args, **kwargs)
        self.has_secret = sign_on is not None
        self.fields["client_secret"].help_text = (
            _("A secret is saved; it is never shown. Leave the field empty to keep it.")
            if self.has_secret
            else _("The secret the provider gave Familiebro. It is stored encrypted.")
        )

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        try:
            URLValidator(schemes=["https", "http"])(issuer)
        except ValidationError as error:
            raise ValidationError(_("Write the full address, starting with https://.")) from error
        if not issuer_scheme_allowed(issuer):
            raise ValidationError(_("The address must start with https://."))
        return issuer

    def clean_client_secret(self) -> str | None:
        secret = self.cleaned_data["client_secret"]
        if not secret and not self.has_secret:
            raise ValidationError(_("Enter the client secret."))
        return secret or None

    def settings(self) -> SignOnSettings:
        data = self.cleaned_data
        return SignOnSettings(
            label=data["label"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            second_factor_acr=data["second_factor_acr"],
            second_factor_amr=data["second_factor_amr"],
            enabled=data["enabled"],
        )
