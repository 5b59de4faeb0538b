"""Forms of the consent texts, consent rules and retention pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import ConfidentialityDomain, ServiceUnit
from familiebro.privacy import retention
from familiebro.privacy.models import ConsentRule, Purpose, RetentionRule

from . import consent_settings


class ConsentTextForm(StyledForm):
    purpose = forms.ChoiceField(label=_("What the consent is for"), choices=Purpose.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Paragraphs are separated by a blank line. A paragraph that starts with ## is a "
            "heading."
        ),
        widget=forms.Textarea(attrs={"rows": 18}),
    )


class ConsentRuleForm(StyledForm):
    purpose = forms.ChoiceField(label=_("What the consent is for"), choices=Purpose.choices)
    domain = forms.ChoiceField(
        label=_("Whose information"),
        choices=[
            ("", _("Every service without a rule of its own")),
            *ConfidentialityDomain.choices,
        ],
        required=False,
    )
    givers = forms.ChoiceField(label=_("Who consents"), choices=ConsentRule.Givers.choices)
    young_person_age = forms.IntegerField(
        label=_("Age from which the young person consents"), min_value=0, max_value=99
    )
    child_heard_from_age = forms.IntegerField(
        label=_("Age from which the child's own view is recorded"),
        help_text=_("Leave empty if the child's view is not to be recorded."),
        min_value=0,
        max_value=99,
        required=False,
    )


class RetentionForm(StyledForm):
    category = forms.ChoiceField(label=_("Data category"))
    unit_kind = forms.ChoiceField(
        label=_("Kind of unit"),
        choices=[("", _("Every kind of unit")), *ServiceUnit.Kind.choices],
        required=False,
    )
    days = forms.IntegerField(label=_("Kept for (days)"), min_value=0)
    outcome = forms.ChoiceField(label=_("Then"), choices=RetentionRule.Outcome.choices)
    reference = forms.CharField(label=_("Legal reference"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (name, consent_settings.category_label(name)) for name in retention.CATEGORIES
        ]
