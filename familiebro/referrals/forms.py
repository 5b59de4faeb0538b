"""The forms of the referral pages: starting a referral, writing it, sending it, answering
it, and a unit's intake."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.privacy.models import DataCategory

from .fields import FIELDS, field_key, question_key
from .lifecycle import Transition
from .models import Answer, Capacity, Referral, ReferralKind
from .services import MAX_TEXT, Receiver

TEXT_AREA = {"rows": 4}


class Choices(forms.RadioSelect):
    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"class": "ds-radio", **(attrs or {})}, choices=choices)


class Boxes(forms.CheckboxSelectMultiple):
    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"class": "ds-checkbox", **(attrs or {})}, choices=choices)


class StartForm(StyledForm):
    to_kind = forms.TypedChoiceField(
        label=_("Which service, and which kind of referral?"),
        help_text=_("The services list the referrals they take and whether they have room now."),
        coerce=int,
        error_messages={"required": _("Choose a service and a kind of referral it takes.")},
    )
    referral_type = forms.ChoiceField(
        label=_("Referral or transfer"),
        choices=Referral.Kind.choices,
        initial=Referral.Kind.REFERRAL,
        widget=Choices,
        error_messages={"required": _("Choose a referral or a transfer.")},
    )

    def __init__(self, *args: Any, receivers: list[Receiver], with_case: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["to_kind"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "–")] + [
            (
                r.kind.pk,
                f"{r.kind.unit.name} ({r.kind.unit.organisation.name}): {r.kind.name} – "
                f"{r.capacity_label}",
            )
            for r in receivers
        ]
        if not with_case:
            # Only a case's coordination can be transferred.
            del self.fields["referral_type"]


class DraftForm(StyledForm):
    question = forms.CharField(
        label=_("Your question to the receiver"),
        help_text=_("What do you want the receiver to answer or do? End with a question mark."),
        widget=forms.Textarea(attrs=TEXT_AREA),
        max_length=MAX_TEXT,
        required=False,
    )
    assessment = forms.CharField(
        label=_("Your own assessment"),
        help_text=_("What you see, and why you think the child needs this service."),
        widget=forms.Textarea(attrs=TEXT_AREA),
        max_length=MAX_TEXT,
        required=False,
    )
    tried = forms.CharField(
        label=_("What has been tried"),
        help_text=_("Measures tried already, by you and by others, and how they went."),
        widget=forms.Textarea(attrs=TEXT_AREA),
        max_length=MAX_TEXT,
        required=False,
    )

    def __init__(self, *args: Any, referral: Referral, allowed: list[tuple[str, int]], **kw: Any):
        super().__init__(*args, **kw)
        kind: ReferralKind = referral.to_kind
        answers = referral.answers or {}
        self.answer_keys: list[str] = []
        for key in kind.required_fields:
            if key in FIELDS:
                self._answer(field_key(key), str(FIELDS[key]), answers)
        for number, question in enumerate(kind.question_list(), start=1):
            self._answer(question_key(number), question, answers)
        if referral.case_id is None:
            for name, label in (
                ("responsibility_group", _("Is there a responsibility group?")),
                ("individual_plan", _("Is there an individual plan?")),
            ):
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=Answer.choices, widget=Choices, required=False
                )
                self.initial.setdefault(name, getattr(referral, name))
            self.fields["coordinator_name"] = forms.CharField(
                label=_("Who coordinates the help for the child?"),
                help_text=_("Name and service, or leave empty if nobody does."),
                max_length=200,
                required=False,
            )
            self.initial.setdefault("coordinator_name", referral.coordinator_name)
        labels = dict(DataCategory.choices)
        self.fields["attachments"] = forms.MultipleChoiceField(
            label=_("Attachments"),
            help_text=_(
                "Only what the family's consent in force lets you send to this service is offered."
            ),
            choices=[(category, labels[category]) for category, _consent in allowed],
            widget=Boxes,
            required=False,
            error_messages={
                "invalid_choice": _(
                    "No consent in force lets you send this. Choose among those offered."
                )
            },
        )
        for name in ("question", "assessment", "tried"):
            self.initial.setdefault(name, getattr(referral, name))
        self.initial.setdefault("attachments", [a["category"] for a in referral.attachments])

    def _answer(self, key: str, label: str, answers: dict[str, Any]) -> None:
        name = key.replace(":", "_")
        self.fields[name] = forms.CharField(
            label=label, widget=forms.Textarea(attrs=TEXT_AREA), max_length=MAX_TEXT, required=False
        )
        self.initial.setdefault(name, answers.get(key, ""))
        self.answer_keys.append(key)

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key.replace(":", "_"), "") for key in self.answer_keys}


class SendForm(StyledForm):
    """Sending without the family's consent: the leader's ground and the provision of law."""

    ground = forms.ChoiceField(
        label=_("Legal ground, as there is no consent"),
        help_text=_("Only the unit's leader decides to send a referral without consent."),
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("Provision of law, and why it applies"),
        help_text=_(
            'For example "helsepersonelloven § 31: the child is in danger". Do not write names '
            "here."
        ),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, grounds: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["ground"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(grounds or [])
        field.widget = Choices(choices=field.choices)


class StatusForm(StyledForm):
    to = forms.ChoiceField(label=_("Change"), error_messages={"required": _("Choose a change.")})
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_(
            "Required when you return, put on hold or withdraw: the other service reads it."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        required=False,
    )

    def __init__(self, *args: Any, transitions: list[Transition], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.to, str(t.label)) for t in transitions]
        field.widget = Choices(choices=field.choices)


class CapacityForm(StyledForm):
    capacity = forms.ChoiceField(
        label=_("Capacity"),
        choices=Capacity.choices,
        widget=Choices,
        error_messages={"required": _("Choose the unit's capacity.")},
    )
    note = forms.CharField(
        label=_("Note to referrers"),
        help_text=_('For example "Waiting list of about 8 weeks".'),
        max_length=300,
        required=False,
    )


class KindForm(StyledForm):
    topic = forms.ChoiceField(
        label=_("Kind of referral"),
        choices=[("", "–"), *ReferralKind.Topic.choices],
        error_messages={"required": _("Choose what kind of referral it is.")},
    )
    name = forms.CharField(
        label=_("Name referrers see"),
        max_length=200,
        error_messages={"required": _("Give the kind of referral a name referrers know.")},
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Information the referrer must give"),
        choices=[(key, label) for key, label in FIELDS.items()],
        widget=Boxes,
        required=False,
    )
    questions = forms.CharField(
        label=_("Your own questions to the referrer"),
        help_text=_("One question a line. Each must be answered before the referral is sent."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    taking = forms.BooleanField(label=_("Takes referrals of this kind now"), required=False)
