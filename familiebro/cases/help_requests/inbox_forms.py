"""Forms of the unit's inbox: registering a request received elsewhere, and closing or
converting one. The rules live in services; the forms turn what was sent into values."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import ServiceUnit

from ..models import HelpRequest
from . import services
from .public_forms import RequestDetailsForm, choice_field


class RegisterHelpRequestForm(RequestDetailsForm):
    """A request the unit received by phone, letter, from the GP or another service."""

    unit = forms.TypedChoiceField(
        label=_("Unit that received it"),
        coerce=int,
        error_messages={
            "required": _("Choose the unit that received the request."),
            "invalid_choice": _("Choose one of your own units."),
        },
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[("", _("Choose"))]
        + [c for c in HelpRequest.Channel.choices if c[0] != HelpRequest.Channel.WEB],
        error_messages={
            "required": _("Choose how the request was received."),
            "invalid_choice": _("Choose how the request was received."),
        },
    )
    received_on = forms.DateField(
        label=_("Received on"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_("The first-contact deadline counts from this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day the request was received."),
            "invalid": _("Enter the date as day, month and year, for example 14.03.2026."),
        },
    )

    field_order = [
        "unit",
        "channel",
        "received_on",
        "requester_role",
        "family_knows",
        "requester_name",
        "phone",
        "email",
        "preferred_contact_time",
        "child_age_months",
        "message",
    ]

    def __init__(self, *args: Any, units: list[ServiceUnit], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("received_on", timezone.localdate())
        if len(units) == 1:
            initial.setdefault("unit", units[0].pk)
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        choice_field(self, "unit").choices = [("", _("Choose"))] + [
            (u.pk, f"{u.name} ({u.organisation.name})") for u in units
        ]
        self.fields["requester_role"].label = _("Who is asking?")
        self.fields["requester_name"].label = _("Name of the person asking")
        self.fields["family_knows"].label = _(
            "A professional asks on the family's behalf, and the family knows about it"
        )
        self.fields["phone"].label = _("Phone")
        self.fields["email"].label = _("E-mail")
        self.fields["preferred_contact_time"].label = _("Best time to contact them (optional)")
        self.fields["message"].help_text = _(
            "What the request is about, in a few words. No identity numbers: they belong in "
            "the case, once it is opened."
        )

    def chosen_unit(self) -> ServiceUnit:
        return self.units[self.cleaned_data["unit"]]

    def received_at(self) -> datetime.datetime | None:
        """Now for a request received today; otherwise the start of the day it came."""
        day = self.cleaned_data["received_on"]
        if day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class NoteField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.MAX_NOTE_LENGTH}),
            **kwargs,
        )


class CloseForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("Why is it closed?"),
        choices=HelpRequest.CloseReason.choices,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={
            "required": _("Choose why the request is closed."),
            "invalid_choice": _("Choose why the request is closed."),
        },
    )
    note = NoteField(
        label=_("Note (optional)"),
        help_text=_("For example where the family was guided. Only your unit sees it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)


class ConvertForm(StyledForm):
    note = NoteField(
        label=_("What happens next (optional)"),
        help_text=_("For example “to the allocation meeting on Tuesday”. Only your unit sees it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "convert")
        super().__init__(*args, **kwargs)
