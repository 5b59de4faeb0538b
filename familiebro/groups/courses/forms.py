"""Forms of the course pages. The rules live in actions; the forms turn what was sent into
values and show the actions' messages at the right field."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.cases.case_forms import CaseForm, date_field, radio, select
from familiebro.cases.meetings.forms import time_field

from ..models import FAMILY_ROLES, Course, CourseLeader


def _number(label: Any, initial: int, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        initial=initial,
        min_value=0,
        help_text=help_text,
        error_messages={
            "required": _("Give a number."),
            "invalid": _("Give a whole number, for example 12."),
            "min_value": _("Give a number from 0."),
        },
    )


class NewCourseForm(CaseForm):
    offer = forms.ChoiceField(
        label=_("Offer"),
        error_messages={
            "required": _("Choose which of the unit's offers this is a course of."),
            "invalid_choice": _("Choose which of the unit's offers this is a course of."),
        },
    )
    name = forms.CharField(
        label=_("Name families see"),
        required=False,
        max_length=200,
        help_text=_("In pages, calendars and messages. Empty: the offer's title."),
    )
    mode = radio(
        _("How participants are recorded"),
        Course.Mode.choices,
        message=_("Choose how participants are recorded."),
    )
    capacity = _number(_("Seats"), 12, _("People in the room: a couple takes two seats."))
    hold_hours = _number(_("Hours a freed seat is held for the next on the waiting list"), 24)
    leader_gender = radio(
        _("You lead the course. Your gender, as shown to families"),
        CourseLeader.Gender.choices,
        required=False,
    )

    def __init__(self, offers: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offers = {str(o.pk): o for o in offers}
        cast(forms.ChoiceField, self.fields["offer"]).choices = [
            ("", _("Choose")),
            *((k, o.title) for k, o in self.offers.items()),
        ]
        self.fields["mode"].initial = Course.Mode.ENROLMENT


class SessionForm(CaseForm):
    date = date_field(_("Date"))
    start_time = time_field(_("Starts at"))
    end_time = time_field(_("Ends at"))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    video_url = forms.URLField(
        label=_("Video link (optional)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": _("Give the whole address, starting with https://.")},
    )
    topic = forms.CharField(label=_("Topic (optional)"), required=False, max_length=200)

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["date"]
        zone = timezone.get_current_timezone()
        starts = datetime.datetime.combine(day, self.cleaned_data["start_time"], zone)
        ends = datetime.datetime.combine(day, self.cleaned_data["end_time"], zone)
        return starts, ends


class LeaderForm(CaseForm):
    leader = forms.TypedChoiceField(
        label=_("Member of the unit"),
        coerce=int,
        error_messages={
            "required": _("Choose a member of the unit."),
            "invalid_choice": _("Choose a member of the unit."),
        },
    )
    gender = radio(_("Gender, as shown to families"), CourseLeader.Gender.choices, required=False)

    def __init__(self, members: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leader"]).choices = [
            ("", _("Choose")),
            *((m.pk, m.get_full_name() or m.username) for m in members),
        ]


class EnrolForm(CaseForm):
    name = forms.CharField(
        label=_("Name of the one who comes"),
        max_length=200,
        error_messages={"required": _("Write the name of the one who comes.")},
    )
    role = select(
        _("Role in the family"),
        cast(Any, FAMILY_ROLES),
        message=_("Choose the role in the family."),
    )
    partner_name = forms.CharField(
        label=_("Name of the one who comes along (optional)"),
        required=False,
        max_length=200,
        help_text=_("Two who come together take two seats."),
    )
    partner_role = select(
        _("Role in the family of the one who comes along"),
        cast(Any, FAMILY_ROLES),
        required=False,
        message=_("Choose the role in the family of the one who comes along."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail (if you have no mobile)"),
        required=False,
        error_messages={"invalid": _("Write the e-mail address as name@example.no.")},
    )
    waiting_list = forms.BooleanField(required=False, widget=forms.HiddenInput)


def attendance_key(enrolment_id: object, partner: bool) -> str:
    return f"came-{enrolment_id}-{'partner' if partner else 'first'}"


def headcount_key(role: str, band: str) -> str:
    return f"count-{role}-{band}"
