"""The form for recording an anonymous consultation. The checks that matter (nothing that
identifies anyone) live in privacy.consultation, so the API and the CLI get them too."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import ServiceUnit

from . import consultation
from .models import AgeBand, AnonymousConsultation


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


def _max_length(field_name: str) -> int | None:
    field = AnonymousConsultation._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    return field.max_length


class ConsultationForm(StyledForm):
    unit = UnitChoiceField(
        label=_("Unit that brought the case"),
        queryset=ServiceUnit.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the unit that brought the case."),
            "invalid_choice": _("Choose one of your own units."),
        },
    )
    held_on = forms.DateField(
        label=_("Date of the consultation"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the consultation."),
            "invalid": _("Enter the date as day, month and year."),
        },
    )
    age_band = forms.ChoiceField(
        label=_("The child's age band"),
        choices=[("", _("Choose…")), *AgeBand.choices],
        help_text=_("Give the age band only, never a birth date."),
        error_messages={"required": _("Choose the child's age band.")},
    )
    services_present = UnitsChoiceField(
        label=_("Services present"),
        help_text=_("The unit that brought the case is always counted as present."),
        queryset=ServiceUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds-input"}),
    )
    topics = forms.CharField(
        label=_("Topics"),
        max_length=_max_length("topics"),
        help_text=_("A few words, for example “sleep, conflicts at home, school absence”."),
        error_messages={"required": _("Write what the consultation was about.")},
    )
    advice = forms.CharField(
        label=_("Advice given"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the advice the forum gave.")},
    )
    follow_up = forms.CharField(
        label=_("Follow-up agreed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    child_welfare_advised_report = forms.BooleanField(
        label=_("Child welfare advised that the duty to report applies"),
        help_text=_(
            "Tick this if child welfare's advice was that your unit must report its concern "
            "to child welfare. Your unit will be reminded to make the report, with the child's "
            "identity, until someone records that it is done."
        ),
        required=False,
    )

    field_order = ["unit", "held_on", "age_band", "services_present", "topics", "advice"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.units = consultation.units_of(actor)
        cast(UnitChoiceField, self.fields["unit"]).queryset = self.units
        cast(UnitsChoiceField, self.fields["services_present"]).queryset = consultation.forum_units(
            actor
        )
        for name in consultation.FREE_TEXT_FIELDS:
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        # The service refuses identifying text too; checking here as well reports it together
        # with any other mistake, so the user corrects everything in one round.
        cleaned = super().clean() or {}
        texts = {name: cleaned[name] for name in consultation.FREE_TEXT_FIELDS if cleaned.get(name)}
        for name, messages in consultation.free_text_errors(texts).items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class ReportMadeForm(StyledForm):
    """The day the unit made the report child welfare advised."""

    made_on = forms.DateField(
        label=_("Date the report was made"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date the report was made."),
            "invalid": _("Enter the date as day, month and year."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("made_on", timezone.localdate())
        super().__init__(*args, **kwargs)
