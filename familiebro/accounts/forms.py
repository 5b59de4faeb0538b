"""Forms for the staff login. They only collect input; familiebro.accounts.services decides."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Where to go after the login; checked before it is used.
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SixDigitCodeField(forms.CharField):
    def to_python(self, value):
        # Some apps show the code as "123 456".
        return (super().to_python(value) or "").replace(" ", "")


class AuthenticatorCodeForm(StyledForm):
    code = SixDigitCodeField(
        label=_("Code from the app"),
        help_text=_("6 digits. The code changes every 30 seconds."),
        max_length=12,
        validators=[
            RegexValidator(r"^\d{6}$", _("Enter the 6 digits the app shows, for example 123456."))
        ],
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class EnrolmentCodeForm(AuthenticatorCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page explains the steps first; focus stays at the top.
        self.fields["code"].widget.attrs.pop("autofocus", None)


class RecoveryCodeForm(StyledForm):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("One of the codes you saved when you set up the app, for example abcd efgh."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
