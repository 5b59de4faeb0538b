"""Forms of the appointment pages. The rules live in services.py; the forms turn what was
sent into values and show the services' messages at the right field."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.cases.case_forms import CaseForm, date_field, radio, select, text_field
from familiebro.cases.meetings.forms import time_field
from familiebro.core.models import ServiceUnit
from familiebro.interop.messages import normalised_phone

from ..models import AppointmentBook, Booking
from ..models.appointments import DEFAULT_LABEL
from .services import BookFields, Family


def _phone(value: str) -> str:
    if not value:
        return ""
    try:
        return normalised_phone(value)
    except ValueError:
        raise ValidationError(
            _("Write a mobile number we can send a text message to, for example 912 34 567.")
        ) from None


class BookForm(CaseForm):
    unit = forms.TypedChoiceField(label=_("Unit offering the time"), coerce=int)
    provider = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    place_unit = forms.TypedChoiceField(
        label=_("At which unit"),
        coerce=int,
        help_text=_("Its staff can book times for the families they know."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("Address and room, as the families should read it."),
    )
    label = forms.CharField(
        label=_("What families see"),
        max_length=100,
        initial=DEFAULT_LABEL,
        help_text=_(
            "A discreet name for the appointment in messages and calendars. It should not "
            "name the service."
        ),
    )
    weekday = select(
        _("Day of the week"),
        [(value, str(label)) for value, label in AppointmentBook.Weekday.choices],
        message=_("Choose the day of the week."),
    )
    every = radio(_("How often"), AppointmentBook.Every.choices, message=_("Choose how often."))
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until (optional)"), required=False)
    day_starts = time_field(_("Day starts at"))
    day_ends = time_field(_("Day ends at"))
    slot_minutes = forms.IntegerField(
        label=_("Minutes per appointment"),
        min_value=10,
        max_value=240,
        initial=60,
        error_messages={
            "required": _("Write how many minutes each appointment lasts."),
            "invalid": _("Write a number of minutes, between 10 and 240."),
            "min_value": _("Write a number of minutes, between 10 and 240."),
            "max_value": _("Write a number of minutes, between 10 and 240."),
        },
    )
    on_holidays = forms.BooleanField(label=_("Also on public holidays"), required=False)
    video_link = forms.URLField(
        label=_("Video link (optional)"),
        assume_scheme="https",
        required=False,
        max_length=200,
        error_messages={"invalid": _("Write the whole address, starting with https://.")},
    )
    office_place = forms.CharField(
        label=_("Address of the provider's own office (optional)"),
        max_length=200,
        required=False,
        help_text=_("Where follow-up conversations take place."),
    )

    def __init__(
        self,
        *args: Any,
        units: list[ServiceUnit],
        places: list[ServiceUnit],
        providers: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[int, str]]] = {
            "unit": [(u.pk, u.name) for u in units],
            "place_unit": [(u.pk, u.name) for u in places],
        }
        choices["provider"] = [(p.pk, p.get_full_name() or p.get_username()) for p in providers]
        for name, options in choices.items():
            cast(forms.TypedChoiceField, self.fields[name]).choices = options
        self.units = {u.pk: u for u in [*units, *places]}
        self.providers = {p.pk: p for p in providers}
        for name in ("unit", "provider", "place_unit"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose one from the list.")
            self.fields[name].error_messages["required"] = _("Choose one from the list.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("day_starts"), data.get("day_ends")
        if starts and ends and ends <= starts:
            self.add_error("day_ends", _("The day must end after it starts."))
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The last day must be on or after the first."))
        return data

    def fields_for_service(self) -> BookFields:
        data = self.cleaned_data
        return BookFields(
            unit=self.units[data["unit"]],
            provider=self.providers[data["provider"]],
            place_unit=self.units[data["place_unit"]],
            place=data["place"],
            label=data["label"],
            weekday=int(data["weekday"]),
            every=int(data["every"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            day_starts=data["day_starts"],
            day_ends=data["day_ends"],
            slot_minutes=data["slot_minutes"],
            on_holidays=data["on_holidays"],
            video_link=data["video_link"],
            office_place=data["office_place"],
        )


class StaffBookingForm(CaseForm):
    kind = radio(
        _("Who is the time for"), Booking.Kind.choices, message=_("Choose who the time is for.")
    )
    name = forms.CharField(label=_("Parent's name"), max_length=200, required=False)
    partner_name = forms.CharField(
        label=_("The other parent's name (for a couple)"), max_length=200, required=False
    )
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        error_messages={"invalid": _("Write an e-mail address such as navn@eksempel.no.")},
    )
    identity_number = forms.CharField(
        label=_("Identity number (optional)"),
        max_length=20,
        required=False,
        help_text=_("With it, the parent also sees the time on Min side."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    shared_with_provider = text_field(
        _("What the family agreed to tell the provider (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Only this reaches the provider, nothing else of your records."),
    )
    agreed = forms.BooleanField(
        label=_("The family has agreed that I book this time for them"), required=False
    )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def family(self) -> Family:
        data = self.cleaned_data
        return Family(
            kind=data["kind"],
            name=data["name"],
            partner_name=data["partner_name"],
            phone=data["phone"],
            email=data["email"],
            identity_number=data["identity_number"],
            shared_with_provider=data["shared_with_provider"],
        )


class CitizenBookingForm(CaseForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Write your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    partner_name = forms.CharField(
        label=_("The other parent's name, if you come together (optional)"),
        max_length=200,
        required=False,
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        help_text=_("We send the confirmation and a reminder here."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail (if you have no mobile number)"),
        required=False,
        error_messages={"invalid": _("Write an e-mail address such as navn@eksempel.no.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    shared_with_provider = text_field(
        _("Anything you want to tell us beforehand (optional)"),
        required=False,
        max_length=2000,
    )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))

    def family(self) -> Family:
        data = self.cleaned_data
        return Family(
            kind="",
            name=data["name"],
            partner_name=data["partner_name"],
            phone=data["phone"],
            email=data["email"],
            shared_with_provider=data["shared_with_provider"],
        )


class FollowUpForm(CaseForm):
    date = date_field(_("Date"))
    start_time = time_field(_("Starts at"))

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["date"], data["start_time"]))


class ExtraSlotForm(FollowUpForm):
    """One extra time, such as an evening or a holiday."""
