"""The forms of the outcomes pages. A questionnaire's form is built from its items, so a new
version's questions appear without code; the answers are checked again by scoring.parse_answers
in the action, which is what decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm

from .models import LANGUAGES, RANGES, Activity, Item, Rater, Scale, in_language

SESSION_MESSAGE = _("Write the session's number, from 1 to 500.")
LANGUAGE_NAMES = {"nb": _("Bokmål"), "nn": _("Nynorsk"), "en": _("English")}


class ServiceErrors:
    def add_service_errors(self, exc: ValidationError) -> None:
        form: Any = self
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)


class RaterForm(ServiceErrors, StyledForm):
    label = forms.CharField(
        label=_("Who fills the scales"),
        help_text=_("A first name or a role the family recognises, e.g. “Mor” or “Far”."),
        max_length=60,
        error_messages={
            "required": _("Write who it is, e.g. “Mor” or the young person's first name.")
        },
    )
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=Rater.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the rater's role.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rater")
        super().__init__(*args, **kwargs)


def _item_field(item: Item) -> forms.Field:
    label = item.display_text
    required_message = {"required": _("Answer this question.")}
    if item.scale in RANGES:
        low, high = RANGES[item.scale]
        ends = ""
        if item.low or item.high:
            ends = _("%(low)d: %(low_text)s. %(high)d: %(high_text)s.") % {
                "low": low,
                "low_text": in_language(item.low),
                "high": high,
                "high_text": in_language(item.high),
            }
        return forms.ChoiceField(
            label=label,
            help_text=ends,
            choices=[(str(n), str(n)) for n in range(low, high + 1)],
            widget=forms.RadioSelect(attrs={"class": "fb-scale"}),
            required=item.required,
            error_messages=required_message,
        )
    if item.scale == Scale.YES_NO:
        return forms.ChoiceField(
            label=label,
            choices=[("yes", _("Yes")), ("no", _("No")), ("unknown", _("Don't know"))],
            widget=forms.RadioSelect,
            required=item.required,
            error_messages=required_message,
        )
    if item.scale in (Scale.SINGLE, Scale.MULTIPLE):
        choices = [(c["key"], in_language(c["label"])) for c in item.choices]
        if item.scale == Scale.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=item.required,
                error_messages=required_message,
            )
        return forms.ChoiceField(
            label=label,
            choices=choices,
            widget=forms.RadioSelect,
            required=item.required,
            error_messages=required_message,
        )
    return forms.CharField(
        label=label,
        help_text=_(
            "Do not write names, phone numbers, addresses or anything else that shows who you "
            "or others are."
        ),
        max_length=2000,
        required=item.required,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(ServiceErrors, StyledForm):
    """The questions of one questionnaire version, one field per item (named by its key)."""

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[item.key] = _item_field(item)


class StaffAnswerForm(AnswerForm):
    """On the staff member's screen: which session it is, then the questions."""

    session = forms.IntegerField(
        label=_("Session number"),
        min_value=1,
        max_value=500,
        error_messages={
            "required": SESSION_MESSAGE,
            "invalid": SESSION_MESSAGE,
            "min_value": SESSION_MESSAGE,
            "max_value": SESSION_MESSAGE,
        },
    )


class LinkForm(ServiceErrors, StyledForm):
    rater = forms.TypedChoiceField(label=_("Who answers"), coerce=int, widget=forms.RadioSelect)
    scale = forms.ChoiceField(label=_("Scale"), widget=forms.RadioSelect)
    session = StaffAnswerForm.base_fields["session"]

    def __init__(self, *args: Any, raters: list[Rater], scales: list[tuple[str, str]], **kw: Any):
        kw.setdefault("prefix", "link")
        super().__init__(*args, **kw)
        rater_field: Any = self.fields["rater"]
        rater_field.choices = [(r.pk, r.label) for r in raters]
        scale_field: Any = self.fields["scale"]
        scale_field.choices = scales


class DraftForm(ServiceErrors, StyledForm):
    """A draft version's wording: the introduction and each question, in every language."""

    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    cutoff = forms.IntegerField(
        label=_("Cut-off (alliance scales; empty for none)"),
        min_value=0,
        max_value=40,
        required=False,
    )

    def __init__(self, *args: Any, version: Any, items: list[Item], **kwargs: Any) -> None:
        initial = {"note": version.note, "cutoff": version.cutoff}
        for language in LANGUAGES:
            initial[f"intro-{language}"] = version.intro.get(language, "")
            for item in items:
                initial[f"{item.key}-{language}"] = item.text.get(language, "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.items = items
        for language in LANGUAGES:
            self.fields[f"intro-{language}"] = forms.CharField(
                label=_("Introduction (%(language)s)") % {"language": LANGUAGE_NAMES[language]},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "ds-input"}),
            )
        for position, item in enumerate(items, start=1):
            for language in LANGUAGES:
                self.fields[f"{item.key}-{language}"] = forms.CharField(
                    label=_("Question %(n)d (%(language)s)")
                    % {"n": position, "language": LANGUAGE_NAMES[language]},
                    required=False,
                    max_length=300,
                    widget=forms.TextInput(attrs={"class": "ds-input"}),
                )

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            item.key: {
                language: self.cleaned_data.get(f"{item.key}-{language}", "")
                for language in LANGUAGES
            }
            for item in self.items
        }

    def intro(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(f"intro-{language}", "") for language in LANGUAGES}


class EvaluationLinkForm(ServiceErrors, StyledForm):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    activity = forms.ChoiceField(
        label=_("After what"), choices=Activity.choices, widget=forms.RadioSelect
    )
    instrument = forms.ChoiceField(label=_("Questionnaire"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, units: list[Any], versions: list[Any], **kwargs: Any):
        kwargs.setdefault("prefix", "evaluering")
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.choices = [(u.pk, u.name) for u in units]
        instrument_field: Any = self.fields["instrument"]
        instrument_field.choices = [(v.instrument.key, v.instrument.display_name) for v in versions]
