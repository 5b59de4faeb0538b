"""Forms of the register editors: a crisis line, a programme. They parse and check; the
actions in register_actions decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from familiebro.core import forms as core_forms
from familiebro.core.models import Municipality

from .editor_forms import style
from .models import CrisisLine, Programme


class CrisisLineForm(core_forms.ModelForm):
    url = forms.URLField(label=_("Web page"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = CrisisLine
        fields = [
            "kind",
            "name",
            "phone",
            "open_day_and_night",
            "description",
            "description_nn",
            "description_en",
            "url",
            "municipality",
            "position",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_nn": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ModelChoiceField)
        municipality.queryset = Municipality.objects.order_by("name")
        municipality.empty_label = str(_("The whole country"))
        style(self)

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not all(c.isdigit() or c in " +" for c in phone):
            raise forms.ValidationError(
                _("Write the number with digits and spaces only, for example 116 111.")
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("url"):
            raise forms.ValidationError(
                _("Give a phone number or a web page, so that people can reach the line.")
            )
        return data


class ProgrammeForm(core_forms.ModelForm):
    evidence_source_url = forms.URLField(
        label=_("evidence source"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "owner",
            "target_group",
            "purpose",
            "age_from_months",
            "age_to_months",
            "theoretical_basis",
            "format_group",
            "format_individual",
            "format_digital",
            "format_home_visit",
            "is_universal",
            "is_selective",
            "is_indicated",
            "certification_required",
            "evidence_level",
            "evidence_source_name",
            "evidence_source_url",
            "evidence_rated_on",
            "source_note",
        ]
        widgets = {
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "theoretical_basis": forms.Textarea(attrs={"rows": 2}),
            "source_note": forms.Textarea(attrs={"rows": 3}),
            "evidence_rated_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "slug": _("The programme's address: small letters, digits and hyphens (pmto)."),
            "age_from_months": _("In months; pregnancy is negative (-9 is its start)."),
            "age_to_months": _(
                "In months: the birthday on which the programme ends (144 is 12 years)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("age_from_months"), data.get("age_to_months")
        if start is not None and end is not None and start > end:
            self.add_error(
                "age_to_months",
                _("The age the programme ends at comes before the age it starts at."),
            )
        if data.get("evidence_level") is not None and not data.get("evidence_source_name"):
            self.add_error(
                "evidence_source_name",
                _(
                    "Say who rated the evidence (for example Ungsinn), so that readers can "
                    "check it."
                ),
            )
        return data
