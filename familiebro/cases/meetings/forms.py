"""Forms of the meeting pages. The rules live in meetings.services; the forms turn what was sent
into values and show the services' messages at the right field."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..case_forms import CaseForm, MeasureForm, date_field, radio, text_field
from ..models import Meeting
from .services import MAX_AGENDA, MAX_CANCELLATION_REASON, MAX_MINUTES, MAX_PLACE


def time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter the time."),
            "invalid": _("Enter the time as hours and minutes, for example 14:30."),
        },
    )


class MeetingForm(CaseForm):
    # The services' names of fields this form names otherwise.
    service_fields: dict[str, str] = {}

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            exc = ValidationError(
                {self.service_fields.get(k, k): v for k, v in exc.message_dict.items()}
            )
        super().add_service_errors(exc)


class MeetingTimeForm(MeetingForm):
    """When and where: the services speak of moments; the form asks for one day and two
    times."""

    service_fields = {"starts_at": "start_time", "ends_at": "end_time", "end_date": "end_date"}

    date = date_field(_("Date"))
    start_time = time_field(_("Starts at"))
    end_time = time_field(_("Ends at"))
    end_date = date_field(
        _("Ends on another day (optional)"),
        required=False,
        help_text=_("Only for a meeting that goes on past midnight: the day it ends."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=MAX_PLACE,
        help_text=_("The place is in the e-mail invitation: leave out the family's address."),
        error_messages={"required": _("Write where the meeting is held.")},
    )

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["date"]
        return (
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["start_time"])),
            timezone.make_aware(
                datetime.datetime.combine(
                    self.cleaned_data.get("end_date") or day, self.cleaned_data["end_time"]
                )
            ),
        )


class PlanMeetingForm(MeetingTimeForm):
    kind = radio(
        _("Kind of meeting"), Meeting.Kind.choices, message=_("Choose the kind of meeting.")
    )
    agenda = text_field(
        _("Agenda (optional)"),
        required=False,
        rows=5,
        max_length=MAX_AGENDA,
        help_text=_(
            "The agenda is in the e-mail invitation. Write the topics without the family's "
            "names or details: the case reference says which case it is."
        ),
    )
    bup_without_referral = forms.BooleanField(
        label=_("BUP takes part without a referral (family meetings)"),
        required=False,
        help_text=_("BUP may take part in at most two family meetings without a referral."),
    )
    bup_limit_confirmed = forms.BooleanField(
        label=_("I confirm that BUP takes part without a referral once more"), required=False
    )
    gp_to_be_invited = forms.BooleanField(
        label=_("The family's GP is to be invited"),
        required=False,
        help_text=_(
            "GPs need the invitation at least four weeks ahead: the last day to send it "
            "becomes a deadline."
        ),
    )

    def __init__(self, *args: Any, bup_limit_reached: bool, initial_kind: str = "", **kwargs: Any):
        initial = kwargs.setdefault("initial", {})
        if initial_kind:
            initial.setdefault("kind", initial_kind)
        super().__init__(*args, **kwargs)
        # The confirmation is asked for only when BUP has come twice without a referral.
        if not bup_limit_reached:
            del self.fields["bup_limit_confirmed"]


def _sequence_field() -> forms.IntegerField:
    # The meeting as the form showed it: a move made since is not overwritten unseen.
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _(
                "The form was out of date. Open the meeting again and make the change there."
            ),
        },
    )


class MoveMeetingForm(MeetingTimeForm):
    sequence = _sequence_field()

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at)
        kwargs.setdefault(
            "initial",
            {
                "date": starts.date(),
                "start_time": starts.time(),
                "end_time": ends.time(),
                "end_date": ends.date() if ends.date() != starts.date() else None,
                "place": meeting.place,
                "sequence": meeting.calendar_sequence,
            },
        )
        super().__init__(*args, **kwargs)


class CancelMeetingForm(MeetingForm):
    reason = text_field(
        _("Why is the meeting cancelled?"),
        rows=4,
        max_length=MAX_CANCELLATION_REASON,
        help_text=_(
            "The reason is in the e-mail to everyone invited and in the family's shared log: "
            "leave out the family's names."
        ),
    )
    sequence = _sequence_field()

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"sequence": meeting.calendar_sequence})
        super().__init__(*args, **kwargs)


class InvitationForm(CaseForm):
    user = forms.TypedChoiceField(
        label=_("A colleague on the case"), coerce=int, required=False, empty_value=None
    )
    family_member = forms.TypedChoiceField(
        label=_("Or someone in the family"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Those with an e-mail address on record."),
    )
    name = forms.CharField(label=_("Or someone else: name"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Their e-mail"),
        required=False,
        error_messages={"invalid": _("Write the e-mail address as name@example.no.")},
    )
    is_gp = forms.BooleanField(label=_("This is the family's GP"), required=False)

    def __init__(
        self, *args: Any, people: list[Any], family: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "invite")
        super().__init__(*args, **kwargs)
        self.people = {u.pk: u for u in people}
        self.family = {p.pk: p for p in family}
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose"))] + [(u.pk, u.display_name()) for u in people]
        field.error_messages["invalid_choice"] = _("Choose one of the colleagues in the list.")
        if not family:
            del self.fields["family_member"]
        else:
            relatives = self.fields["family_member"]
            assert isinstance(relatives, forms.ChoiceField)
            relatives.choices = [("", _("Choose"))] + [
                (p.pk, f"{p.given_name} {p.family_name} ({p.email})") for p in family
            ]
            relatives.error_messages["invalid_choice"] = _(
                "Choose one of the family members in the list."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        someone_else = data.get("name") or data.get("email")
        chosen = [bool(data.get("user")), bool(data.get("family_member")), bool(someone_else)]
        if sum(chosen) > 1:
            raise ValidationError(
                _("Choose a colleague or write a name and e-mail, not both: one at a time.")
            )
        if not any(chosen) and not self.errors:
            raise ValidationError(
                _("Choose a colleague, or write the name and e-mail of whom you invite.")
            )
        return data

    def invitee(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("user"):
            return {"user": self.people[data["user"]], "is_gp": data["is_gp"]}
        if data.get("family_member"):
            # Invited as anyone outside Familiebro is: by name and e-mail, from the record.
            person = self.family[data["family_member"]]
            return {
                "name": f"{person.given_name} {person.family_name}",
                "email": person.email,
                "is_gp": False,
            }
        return {"name": data["name"], "email": data["email"], "is_gp": data["is_gp"]}


class MinutesForm(MeetingForm):
    service_fields = {"minutes": "text"}

    text = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=MAX_MINUTES,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Write during the meeting. The family reads the minutes in the shared log once "
            "they are approved."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "minutes")
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["max_length"] = _(
            "Write at most %(limit_value)d characters."
        )


class DecisionMeasureForm(MeasureForm):
    """A decision of the meeting as a measure: the measure form without a version to check,
    as the measure is new."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["title"].label = _("Decision, as a measure")
