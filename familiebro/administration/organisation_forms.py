"""Forms of the organisation and unit pages. Municipalities are written as their numbers
("3413 3403"): shorter than a list of 357, and the same as in the import file."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core import forms as core_forms
from familiebro.core.identifiers import normalise_organisation_number
from familiebro.core.models import Municipality, Organisation, ServiceUnit, User

from . import permissions
from .organisation_actions import UNIT_SETUP_FIELDS, unknown_username_message


def parse_municipality_numbers(text: str) -> tuple[list[Municipality], list[str]]:
    """The municipalities in force named in `text` (numbers separated by spaces, commas or
    "|"), and a message for each number that names none."""
    numbers = [n for n in re.split(r"[\s,|/]+", text or "") if n]
    found = Municipality.objects.in_force().in_bulk(numbers, field_name="number")
    problems = []
    for number in numbers:
        if not (len(number) == 4 and number.isdigit()):
            problems.append(
                _("“%(number)s” is not a municipality number: it has four digits, like 3413.")
                % {"number": number[:20]}
            )
        elif number not in found:
            problems.append(
                _("No municipality in force has the number %(number)s.") % {"number": number}
            )
    ordered = {number: found[number] for number in numbers if number in found}
    return list(ordered.values()), problems


def styled(form: forms.BaseForm) -> None:
    """Designsystemet's class on the inputs, as core_forms.StyledForm gives a plain form."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
            field.widget.attrs.setdefault("class", "ds-input")


def numbers_of(municipalities: Any) -> str:
    return " ".join(sorted(m.number for m in municipalities))


class MunicipalityNumbersField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Municipality numbers separated by spaces, for example 3413 3403."),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Municipality]:  # type: ignore[override]
        text = super().clean(value)
        municipalities, problems = parse_municipality_numbers(text)
        if problems:
            raise ValidationError(problems)
        return municipalities


class OrganisationForm(core_forms.ModelForm):
    municipality_number = forms.CharField(
        label=gettext_lazy("Municipality number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Only for a municipality: its four-digit number, like 3413."),
    )
    served = MunicipalityNumbersField(label=gettext_lazy("Municipalities served"))
    org_number = forms.CharField(
        label=gettext_lazy("Organisation number"),
        max_length=20,
        help_text=gettext_lazy("Nine digits, from the Brønnøysund registers."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "org_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            if self.instance.municipality_id:
                self.initial["municipality_number"] = self.instance.municipality.number
            self.initial["served"] = numbers_of(self.instance.municipalities_served.all())
        self.fields["org_number"].widget.attrs.update(inputmode="numeric")
        self.fields["municipality_number"].widget.attrs.update(inputmode="numeric")
        styled(self)

    def clean_org_number(self) -> str:
        number = normalise_organisation_number(self.cleaned_data["org_number"])
        if Organisation.objects.filter(org_number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("An organisation with the number %(number)s is already here.")
                % {"number": number}
            )
        return number

    def clean_municipality_number(self) -> Municipality | None:
        number = self.cleaned_data["municipality_number"].strip()
        if not number:
            return None
        municipality = Municipality.objects.in_force().filter(number=number).first()
        if municipality is None:
            raise ValidationError(
                _("No municipality in force has the number %(number)s.") % {"number": number[:20]}
            )
        taken = Organisation.objects.filter(municipality=municipality).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("%(municipality)s is already an organisation here.")
                % {"municipality": municipality.name}
            )
        return municipality

    def _post_clean(self) -> None:
        self.instance.municipality = self.cleaned_data.get("municipality_number")
        super()._post_clean()  # type: ignore[misc]

    def _update_errors(self, errors: ValidationError) -> None:
        # The model names the municipality field; the form asks for its number.
        if hasattr(errors, "error_dict") and "municipality" in errors.error_dict:
            errors.error_dict["municipality_number"] = errors.error_dict.pop("municipality")
        super()._update_errors(errors)  # type: ignore[misc]


class AppointAdministratorForm(core_forms.StyledForm):
    username = forms.CharField(
        label=gettext_lazy("Username of the staff member"),
        max_length=150,
        help_text=gettext_lazy("The username they log in with."),
    )

    def __init__(self, *args: Any, admin: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin
        self.organisation = organisation

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None or not permissions.may_appoint_administrator(
            self.admin, self.organisation.pk, user
        ):
            raise ValidationError(unknown_username_message(username))
        return user


class UnitForm(core_forms.ModelForm):
    served = MunicipalityNumbersField(label=gettext_lazy("Municipalities served"))

    class Meta:
        model = ServiceUnit
        fields = [
            "name",
            "kind",
            "domain",
            "first_contact_days",
            "phone",
            "phone_hours",
            "address",
            "email",
            "external_id",
        ]
        help_texts = {
            "external_id": gettext_lazy(
                "The unit's id in the directory it comes from, if any. An import finds the "
                "unit by it."
            )
        }

    def __init__(self, *args: Any, may_change_setup: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].required = False
        self.fields["domain"].help_text = _(
            "Left empty, the usual domain for the kind. It decides whose records the unit's "
            "staff may see, and cannot be changed once the unit holds cases."
        )
        self.fields["first_contact_days"].widget.attrs.update(min=1, max=90)
        if self.instance.pk:
            self.initial["served"] = numbers_of(self.instance.municipalities_served.all())
        if not may_change_setup:
            for name in UNIT_SETUP_FIELDS:
                self.fields[name].disabled = True
        styled(self)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = ServiceUnit.objects.filter(
            organisation_id=self.instance.organisation_id, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _("The organisation already has a unit called “%(name)s”. Choose another name.")
                % {"name": name}
            )
        return name

    def clean_first_contact_days(self) -> int:
        days = self.cleaned_data["first_contact_days"]
        if days is None or not 1 <= days <= 90:
            raise ValidationError(_("Enter a number of days from 1 to 90."))
        return days


class UnitImportForm(core_forms.StyledForm):
    file = forms.FileField(
        label=gettext_lazy("CSV file of units"),
        help_text=gettext_lazy(
            "One unit per row; the first row names the columns. Separated by semicolons or "
            "commas, saved as UTF-8 or from Excel."
        ),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some are rejected"),
        required=False,
    )
