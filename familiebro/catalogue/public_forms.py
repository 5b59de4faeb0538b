"""Forms of the public finder: plain GET forms that work without JavaScript."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm

from .finder.criteria import (
    EXPECTING,
    SPOKEN_LANGUAGES,
    AgeRange,
    FinderCriteria,
    Format,
    age_choices,
    filter_choices,
    municipality_of,
    term_name,
    topic_value,
)
from .finder.guide import NEEDS, Asker


class FinderForm(StyledForm):
    """The finder's search and filters. Field names are the Norwegian URL parameters."""

    q = forms.CharField(
        label=_("What do you need help with?"),
        help_text=_(
            "Use your own words, for example “sleep”, “separation” or “course for fathers”."
        ),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # A text field checked against the municipalities, not a ChoiceField: normalising 357
    # choices on every request was a good part of the finder's time. The select is drawn by
    # catalogue/_select.html from `municipality_choices`.
    kommune = forms.CharField(label=_("Municipality"), required=False, max_length=4)
    alder = forms.ChoiceField(label=_("The child's age"), required=False)
    tema = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Drawn by catalogue/_select.html, which marks each option with its language.
    språk = forms.ChoiceField(label=_("Language spoken"), required=False)
    format = forms.ChoiceField(label=_("How the help is given"), required=False)
    gratis = forms.BooleanField(label=_("Free of charge"), required=False)
    uten_henvisning = forms.BooleanField(label=_("No referral needed"), required=False)
    kveld_helg = forms.BooleanField(label=_("Open evenings or weekends"), required=False)
    # Set by the link back to the parent's own words, after "Showing results for ...": the
    # form itself does not draw it, so a new search reads the words forgivingly again.
    ordrett = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict, *, remembered_municipality: str = "") -> None:
        # Read from the database at most once a minute per process (see filter_choices).
        choices = filter_choices()
        topics = choices.topics
        language = get_language() or "nb"
        self._municipalities = choices.municipalities_by_number
        self.municipality_choices = [("", _("All of Norway")), *choices.municipality_options]
        # The municipality chosen on an earlier visit is the default; an explicit choice in
        # the address (even "All of Norway") wins.
        self.uses_remembered_municipality = (
            "kommune" not in data and remembered_municipality in self._municipalities
        )
        if self.uses_remembered_municipality:
            data = data.copy()
            data["kommune"] = remembered_municipality
        super().__init__(data)
        for name in ("tema", "gratis", "uten_henvisning", "kveld_helg"):
            # Designsystemet styles checkboxes as input.ds-input[type=checkbox].
            self.fields[name].widget.attrs["class"] = "ds-input"
        self._choice_field("alder").choices = [("", _("Any age")), *age_choices()]
        self._choice_field("tema").choices = [
            (topic_value(t), term_name(t, language)) for t in topics
        ]
        self._choice_field("språk").choices = [
            ("", _("Any language")),
            *SPOKEN_LANGUAGES.items(),
        ]
        self._choice_field("format").choices = [("", _("Any way")), *Format.CHOICES]
        self.fields["tema"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not one of the topics. Choose topics from the list."
        )
        for name in ("alder", "språk", "format"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "“%(value)s” is not one of the choices. Choose one from the list."
            )

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean_kommune(self) -> str:
        number = self.cleaned_data["kommune"].strip()
        if number and number not in self._municipalities:
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not a municipality number we know. "
                    "Choose a municipality from the list."
                ),
                params={"value": number},
            )
        return number

    def criteria(self) -> FinderCriteria:
        """The finder's criteria from a valid form."""
        data = self.cleaned_data
        age = data["alder"]
        return FinderCriteria(
            text=data["q"].strip(),
            municipality=municipality_of(self._municipalities.get(data["kommune"])),
            age=AgeRange.from_choice(age) if age else None,
            topics=tuple(data["tema"]),
            language=data["språk"],
            format=data["format"],
            free_only=data["gratis"],
            no_referral=data["uten_henvisning"],
            evenings_or_weekends=data["kveld_helg"],
            literal=data["ordrett"],
        )

    def filters_chosen(self) -> int:
        """How many of the filters behind "More choices" are in use (words and municipality
        are always shown), for the panel's summary when it is closed."""
        data = self.cleaned_data
        return sum(
            [
                bool(data["alder"]),
                len(data["tema"]),
                bool(data["språk"]),
                bool(data["format"]),
                bool(data["gratis"]),
                bool(data["uten_henvisning"]),
                bool(data["kveld_helg"]),
            ]
        )

    def knows_municipality(self, number: str) -> bool:
        return number in self._municipalities


class GuideAskerForm(StyledForm):
    hvem = forms.ChoiceField(
        label=_("Who are you?"),
        choices=Asker.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the answer that fits you best.")},
    )


class GuideAgeForm(StyledForm):
    hvem = forms.ChoiceField(choices=Asker.CHOICES, widget=forms.HiddenInput)
    alder = forms.ChoiceField(
        label=_("How old is the child?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose the child's age. If you have several children, choose the one it is about."
            )
        },
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [c for c in age_choices() if c[0] != EXPECTING]
        cast(forms.ChoiceField, self.fields["alder"]).choices = choices
        asker = self.data.get("hvem") or self.initial.get("hvem")
        if asker == Asker.YOUNG_PERSON:
            self.fields["alder"].label = _("How old are you?")
            self.fields["alder"].error_messages["required"] = _("Choose your age.")


class GuideNeedForm(StyledForm):
    hvem = forms.ChoiceField(choices=Asker.CHOICES, widget=forms.HiddenInput)
    alder = forms.CharField(required=False, widget=forms.HiddenInput)
    hjelp = forms.ChoiceField(
        label=_("What is it about?"),
        help_text=_("Choose what fits best. You can search with your own words afterwards."),
        choices=[(need.value, need.label) for need in NEEDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what fits best, even if it does not fit exactly.")},
    )

    def clean_alder(self) -> str:
        value = self.cleaned_data["alder"]
        if value and value not in dict(age_choices()):
            raise forms.ValidationError(
                _("The age was not one of the choices. Go back and choose it again.")
            )
        return value
