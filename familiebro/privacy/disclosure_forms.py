"""Forms of the disclosure flow: asking another service, and the holder's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from familiebro.core.forms import StyledForm
from familiebro.core.models import Person, ServiceUnit

from .models import DisclosureRequest


class RequestForm(StyledForm):
    asking_unit = forms.TypedChoiceField(
        label=gettext_lazy("Asked on behalf of"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose your unit.")},
    )
    holder_unit = forms.TypedChoiceField(
        label=gettext_lazy("Which service do you ask?"),
        help_text=gettext_lazy(
            "The service you believe holds the information. You are not told whether it "
            "knows the person: its leader answers."
        ),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose the service you ask.")},
    )
    ground = forms.ChoiceField(
        label=gettext_lazy("Legal ground"),
        choices=DisclosureRequest.Ground.choices,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"required": gettext_lazy("Choose the legal ground of the request.")},
    )
    question = forms.CharField(
        label=gettext_lazy("What do you need to know, and why?"),
        help_text=gettext_lazy(
            "Ask only for what your task requires. The leader of the service you ask reads it, "
            "and the family can see that you asked."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": gettext_lazy("Say what you need to know and why.")},
    )

    def __init__(
        self, *args: Any, asking: list[ServiceUnit], holders: list[ServiceUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["asking_unit"]
        holder_field = self.fields["holder_unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        assert isinstance(holder_field, forms.TypedChoiceField)
        unit_field.choices = [(u.pk, u.name) for u in asking]
        if len(asking) == 1:
            unit_field.initial = asking[0].pk
        holder_field.choices = [("", "–")] + [
            (u.pk, f"{u.name} ({u.organisation.name})") for u in holders
        ]


class AnswerForm(StyledForm):
    DISCLOSE = "disclose"
    REFUSE = "refuse"

    decision = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=[
            (DISCLOSE, gettext_lazy("Disclose information")),
            (REFUSE, gettext_lazy("Refuse the request")),
        ],
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"required": gettext_lazy("Choose whether you disclose or refuse.")},
    )
    holder_person = forms.TypedChoiceField(
        label=gettext_lazy("Which of your registrations does the answer concern?"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("What you disclose, or why you refuse"),
        help_text=gettext_lazy(
            "Disclose only what the ground requires. The asking service keeps this text in its "
            "records; the family sees that you disclosed, to whom and on which ground."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        error_messages={"required": gettext_lazy("Write what you disclose, or why you refuse.")},
    )

    def __init__(self, *args: Any, matches: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["holder_person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", gettext_lazy("None of them / we do not hold the person"))] + [
            (
                p.pk,
                f"{p.given_name} {p.family_name}, {p.birth_date:%d.%m.%Y}"
                if p.birth_date
                else f"{p.given_name} {p.family_name}",
            )
            for p in matches
        ]
        if len(matches) == 1:
            field.initial = matches[0].pk
