"""The public request form: plain POST, works without JavaScript.

Every rule about what a request must hold lives in services.clean_details, which the form
calls, so the page, the staff form and any other caller refuse the same things with the same
words. The form itself only turns what the browser sent into values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import Municipality, ServiceUnit

from ..models import HelpRequest
from . import services, storage_notice

# The honeypot: a field people never see or reach, which form-filling robots fill in.
HONEYPOT_FIELD = "website"

# The service's error keys that the form shows on another field.
_SERVICE_FIELD_NAMES = {"storage_notice": "storage_notice_agreed"}


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class RequestDetailsForm(StyledForm):
    """Who asks, how to reach them and what it is about: shared with the staff form."""

    # A CharField with radio buttons: services.clean_details says what a valid choice is.
    requester_role = forms.CharField(
        label=_("Who is asking?"),
        required=False,
        widget=forms.RadioSelect(
            attrs={"class": "ds-input"}, choices=HelpRequest.RequesterRole.choices
        ),
    )
    family_knows = forms.BooleanField(
        label=_("The family knows that I ask for help on their behalf"),
        help_text=_(
            "Only for professionals: a professional can only ask with the family's knowledge."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )
    requester_name = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "name",
                "maxlength": services.MAX_NAME_LENGTH,
                "aria-required": "true",
            }
        ),
    )
    phone = forms.CharField(
        label=_("Phone (optional if you give an e-mail address)"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel",
                "inputmode": "tel",
                "maxlength": services.MAX_PHONE_LENGTH,
            }
        ),
    )
    email = forms.CharField(
        label=_("E-mail (optional if you give a phone number)"),
        required=False,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "maxlength": services.MAX_EMAIL_LENGTH}
        ),
    )
    preferred_contact_time = forms.CharField(
        label=_("When is it best to contact you? (optional)"),
        help_text=_("For example “weekdays after 3 pm” or “not on Wednesdays”."),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": services.MAX_CONTACT_TIME_LENGTH}),
    )
    child_age_months = forms.TypedChoiceField(
        label=_("How old is the child? (optional)"),
        help_text=_("If it is about several children, choose the youngest."),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose the child's age from the list.")},
    )
    message = forms.CharField(
        label=_("What is it about? (optional)"),
        help_text=_(
            "A few words are enough, for example “sleep” or “we argue a lot”. Do not write "
            "identity numbers, diagnoses or other sensitive details: the service asks for what "
            "it needs when they contact you."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.MAX_MESSAGE_LENGTH}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "child_age_months").choices = [
            ("", _("Choose age")),
            *services.child_age_choices(),
        ]
        self.details: services.RequestDetails | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        details = services.RequestDetails(
            requester_role=data.get("requester_role") or "",
            requester_name=data.get("requester_name") or "",
            phone=data.get("phone") or "",
            email=data.get("email") or "",
            preferred_contact_time=data.get("preferred_contact_time") or "",
            family_knows=bool(data.get("family_knows")),
            child_age_months=data.get("child_age_months"),
            message=data.get("message") or "",
        )
        try:
            self.details = services.clean_details(details)
        except ValidationError as exc:
            self.add_service_errors(exc)
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (once each)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, messages in exc.message_dict.items():
            target: str | None = _SERVICE_FIELD_NAMES.get(name, name)
            if target not in self.fields:
                target = None
            already = list(self.errors.get(target or "__all__", []))
            for message in messages:
                if message not in already:
                    self.add_error(target, message)


class HelpRequestForm(RequestDetailsForm):
    """The public form, on /ta-kontakt/ (with a choice of unit) and on an offer's page."""

    unit = forms.TypedChoiceField(
        label=_("Which service do you want to contact?"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"invalid_choice": _("Choose one of the services in the list.")},
    )
    storage_notice_agreed = forms.BooleanField(
        label=_("I agree that my request is stored as described above"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "ds-input", "aria-required": "true"}),
    )
    notice_version = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = [
        "unit",
        "requester_role",
        "family_knows",
        "requester_name",
        "phone",
        "email",
        "preferred_contact_time",
        "child_age_months",
        "message",
        "storage_notice_agreed",
    ]

    def __init__(self, *args: Any, units: list[ServiceUnit] | None = None, **kwargs: Any):
        """`units` to choose from on the general page; None when the offer names the unit."""
        kwargs.setdefault("initial", {}).setdefault(
            "notice_version", storage_notice.CURRENT_VERSION
        )
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units} if units is not None else None
        if self.units is None:
            del self.fields["unit"]
        else:
            choice_field(self, "unit").choices = [
                (u.pk, f"{u.name} ({u.organisation.name})") for u in self.units.values()
            ]
            if len(self.units) == 1 and not self.is_bound:
                self.initial["unit"] = next(iter(self.units))

    def honeypot_filled(self) -> bool:
        """True when the field no person can see or reach was filled in: a robot."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.units is not None and data.get("unit") is None and "unit" not in self.errors:
            self.add_error("unit", _("Choose the service you want to contact."))
        if not data.get("storage_notice_agreed"):
            self.add_error(
                "storage_notice_agreed",
                _(
                    "Tick the box to agree that the request is stored as described. Without "
                    "it we cannot send your request: you can call the service instead."
                ),
            )
        return data

    def chosen_unit(self) -> ServiceUnit | None:
        if self.units is None:
            return None
        return self.units.get(self.cleaned_data["unit"])


class MunicipalityForm(StyledForm):
    """Step one of /ta-kontakt/: where the family lives. A GET form."""

    kommune = forms.ChoiceField(
        label=_("Which municipality do you live in?"),
        required=False,
        error_messages={"invalid_choice": _("Choose a municipality from the list.")},
    )

    def __init__(self, *args: Any, municipalities: list[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipalities = {m.number: m for m in municipalities}
        choice_field(self, "kommune").choices = [("", _("Choose municipality"))] + [
            (m.number, m.name) for m in municipalities
        ]

    def clean_kommune(self) -> Municipality | None:
        number = self.cleaned_data["kommune"]
        if not number:
            raise ValidationError(_("Choose the municipality you live in."))
        return self.municipalities[number]
