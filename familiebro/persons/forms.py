"""Forms of the person pages. They parse input; the services decide and validate the rest."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import Form, StyledForm
from familiebro.core.identifiers import (
    birth_date_from_identity_number,
    normalise_identity_number,
)
from familiebro.core.models import (
    AddressProtection,
    Organisation,
    ParentInformationDecision,
    Person,
)
from familiebro.privacy.models import Assignment

from .services import READING_PURPOSES

IDENTITY_NUMBER_DIGITS = 11


class PersonSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name"),
        help_text=_("Part of the given or family name."),
        max_length=100,
        required=False,
    )
    formål = forms.ChoiceField(
        label=_("Purpose"),
        help_text=_(
            "Persons of other organisations appear only for a purpose the family has consented to."
        ),
        choices=READING_PURPOSES,
        required=False,
    )

    def purpose(self) -> str:
        purpose = self.cleaned_data.get("formål") if self.is_valid() else ""
        return purpose or READING_PURPOSES[0][0]

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    def holds_identity_number(self) -> bool:
        """Whether the name search was given an identity number (11 digits, however spaced).

        This search is sent in the page's address, which browsers, proxies and servers keep:
        an identity number is never searched for here, only on the lookup page, which posts.
        """
        return sum(ch.isdigit() for ch in self.data.get("q", "")) >= IDENTITY_NUMBER_DIGITS


class PersonForm(StyledForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        help_text=_("The organisation that registers the person and is responsible for the data."),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(label=_("The person is"), choices=Person.Kind.choices)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    national_id = forms.CharField(
        label=_("National identity number or D-number (optional)"),
        help_text=_(
            "11 digits. With it, nobody registers the person twice, and the birth date is "
            "filled in for you."
        ),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        help_text=_("Not needed for an expectant parent, or when you enter the identity number."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("national_id")
        if number and not data.get("birth_date"):
            # The identity number holds the birth date; a wrong number is explained by the
            # service, which validates it once more when it registers the person.
            with contextlib.suppress(ValidationError, ValueError):
                data["birth_date"] = birth_date_from_identity_number(
                    normalise_identity_number(number)
                )
        return data


class ContactDetailsForm(StyledForm):
    phone = forms.CharField(
        label=_("Phone"),
        help_text=_("A Norwegian number has 8 digits; other countries start with +."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


END_REASONS = Assignment.EndReason.choices


class AddressProtectionForm(Form):
    """The population register's address protection, as staff record it on the person page."""

    address_protection = forms.ChoiceField(
        label=_("Address protection in the population register"),
        choices=AddressProtection.choices,
        required=False,
    )


class EndAssignmentForm(Form):
    """Ending a need to know from the person page: only why, chosen from a list."""

    grunn = forms.ChoiceField(label=_("Why does it end?"), choices=END_REASONS)

    def reason(self) -> str:
        return str(self.cleaned_data["grunn"])


def _messages(text: Any) -> dict[str, Any]:
    return {"required": text, "invalid_choice": text}


class ParentInformationForm(StyledForm):
    """A decision on a request for information from a parent without parental
    responsibility (barneloven § 47). The service checks the choices."""

    parent = forms.ChoiceField(
        label=_("Parent who asked"),
        error_messages=_messages(_("Choose the parent without parental responsibility who asked.")),
    )
    unit = forms.ChoiceField(
        label=_("Your service that decides"),
        error_messages=_messages(_("Choose the service of yours that decided.")),
    )
    asked = forms.CharField(
        label=_("What the parent asked for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the parent asked for.")},
    )
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("Choose")), *ParentInformationDecision.Outcome.choices],
        error_messages=_messages(_("Choose the decision.")),
    )
    given = forms.CharField(
        label=_("What the parent was told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Why anything was refused"),
        help_text=_(
            "Information may be refused where it could harm the child, or where the duty of "
            "confidentiality towards the parents applies. Tell the parent that a refusal can "
            "be appealed to the county governor (statsforvalteren)."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, parents: list[Person], units: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(p.pk, str(p)) for p in parents]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
