"""Forms of the offer editor: the offer itself, its schedule, translations and file imports.

The forms only parse and check what was typed; the services decide and save. The offer form
is a ModelForm so labels and limits come from the model, but it is never given the offer
itself (a ModelForm writes into its instance while validating): it starts from the offer's
values as `initial` and hands `offer_data()` to the service.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core import forms as core_forms
from familiebro.core.models import Municipality, ServiceUnit

from . import actions, programme_data, reads
from .models import (
    RIGHT_TO_LEFT_LANGUAGES,
    Offer,
    OfferTranslation,
    OpeningHours,
    Programme,
    TaxonomyTerm,
)

# A contact photo is a face on a web page, not a print original.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A model choice field of the form, typed as one."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def style(form: forms.BaseForm) -> None:
    """Designsystemet's input class on every input, check boxes included."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.FileInput):
            continue
        widget.attrs.setdefault("class", "ds-input")


class OfferForm(core_forms.ModelForm):
    """Every field of an offer, grouped in fieldsets (see FIELDSETS) on the page."""

    unit = forms.ModelChoiceField(
        label=_("Unit that runs the offer"),
        queryset=ServiceUnit.objects.none(),
        empty_label=None,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the offer is given in"),
        choices=actions.SPOKEN_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages"),
        required=False,
        max_length=100,
        help_text=_("Two-letter language codes separated by spaces, for example ku ps."),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities the offer is for"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Residents of these municipalities may use the offer. Leave all unticked on a new "
            "offer to use the municipalities your unit serves."
        ),
    )
    other_municipalities = forms.CharField(
        label=_("Other municipalities"),
        required=False,
        max_length=500,
        help_text=_("Four-digit municipality numbers separated by spaces, for example 3403 3411."),
    )
    url = forms.URLField(label=_("Web page"), required=False, max_length=200, assume_scheme="https")
    place_name = forms.CharField(label=_("Name of the place"), required=False, max_length=300)
    place_address = forms.CharField(label=_("Street address"), required=False, max_length=300)
    place_postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=10)
    place_city = forms.CharField(label=_("Postal town"), required=False, max_length=100)
    place_municipality = forms.ModelChoiceField(
        label=_("Municipality of the place"),
        queryset=Municipality.objects.all(),
        required=False,
    )

    class Meta:
        model = Offer
        fields = [
            "programme",
            "title",
            "summary",
            "description",
            "topics",
            "target_groups",
            "age_from_months",
            "age_to_months",
            "is_digital",
            "format_group",
            "format_individual",
            "format_home_visit",
            "open_evenings",
            "open_weekends",
            "is_free",
            "cost",
            "referral_required",
            "capacity",
            "how_to_sign_up",
            "url",
            "contact_name",
            "contact_title",
            "contact_photo",
            "contact_phone",
            "contact_email",
            "phone_hours",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "summary": forms.TextInput,
            "description": forms.Textarea(attrs={"rows": 8}),
            "how_to_sign_up": forms.Textarea(attrs={"rows": 3}),
            "contact_photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }
        help_texts = {
            "title": _("What parents will see first. Say what it is, not the method's name."),
            "summary": _("One sentence shown in search results."),
            "description": _(
                "Plain words: what happens, for whom, how often, what it gives. Do not write "
                "about individual families."
            ),
            "programme": _("If the offer follows a national programme, choose it."),
            "age_from_months": _(
                "In months. Pregnancy counts as negative months: -9 is the start of pregnancy, "
                "0 is birth, 12 is one year."
            ),
            "age_to_months": _("In months; 216 is 18 years. Leave empty if there is no limit."),
            "open_evenings": _("Ticked automatically when the schedule includes evenings."),
            "open_weekends": _("Ticked automatically when the schedule includes weekends."),
            "cost": _("Only if the offer is not free: what it costs and what is included."),
            "referral_required": _("Most offers need no referral: parents can just get in touch."),
            "capacity": _("How many families or parents can take part at a time."),
            "contact_photo": _(
                "Parents say a face makes it easier to get in touch. JPEG or PNG, at most 5 MB. "
                "Only with the person's agreement."
            ),
            "contact_phone": _("A phone number parents can call, for example 62 56 10 00."),
        }

    FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_("About the offer"), ("unit", "title", "summary", "description", "programme")),
        (_("Who it is for"), ("age_from_months", "age_to_months")),
        (
            _("Where and how"),
            (
                "languages",
                "other_languages",
                "is_digital",
                "format_group",
                "format_individual",
                "format_home_visit",
                "open_evenings",
                "open_weekends",
            ),
        ),
        (
            _("Place"),
            (
                "place_name",
                "place_address",
                "place_postal_code",
                "place_city",
                "place_municipality",
            ),
        ),
        (_("Municipalities"), ("municipalities", "other_municipalities")),
        (
            _("Cost and signing up"),
            ("is_free", "cost", "referral_required", "capacity", "how_to_sign_up", "url"),
        ),
        (
            _("Contact person"),
            (
                "contact_name",
                "contact_title",
                "contact_photo",
                "contact_phone",
                "contact_email",
                "phone_hours",
            ),
        ),
    )
    CHOICE_FIELDS = frozenset({"languages", "municipalities"})

    def __init__(
        self,
        *args: Any,
        units: list[ServiceUnit],
        offer: Offer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        _choices(self, "topics").queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=programme_data.TAXONOMY_IDS[programme_data.TOPIC_TAXONOMY]
        ).order_by("name")
        _choices(self, "target_groups").queryset = TaxonomyTerm.objects.filter(
            taxonomy_id=programme_data.TAXONOMY_IDS[programme_data.TARGET_GROUP_TAXONOMY]
        ).order_by("name")
        self.fields["topics"].help_text = _("Choose every topic the offer helps with.")
        programme = _choices(self, "programme")
        programme.queryset = Programme.objects.order_by("name")
        programme.empty_label = _("No national programme")
        if offer is None:
            _choices(self, "unit").queryset = ServiceUnit.objects.filter(
                pk__in=[unit.pk for unit in units]
            )
            served_by = [unit.pk for unit in units]
        else:
            # An offer stays with its unit; the unit field is only for new offers.
            del self.fields["unit"]
            served_by = [offer.unit_id] if offer.unit_id else []
        chosen = self.initial.get("municipalities") or []
        _choices(self, "municipalities").queryset = Municipality.objects.filter(
            _served_or_chosen(served_by, chosen)
        ).distinct()
        style(self)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def clean_contact_photo(self) -> Any:
        photo = self.cleaned_data.get("contact_photo")
        if isinstance(photo, UploadedFile) and (photo.size or 0) > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB. Choose a smaller picture."))
        return photo

    def clean_other_languages(self) -> list[str]:
        value = self.cleaned_data["other_languages"]
        return value.replace(",", " ").split()

    def clean_other_municipalities(self) -> list[Municipality]:
        numbers = self.cleaned_data["other_municipalities"].replace(",", " ").split()
        if not numbers:
            return []
        found = Municipality.objects.in_bulk(numbers, field_name="number")
        unknown = [number for number in numbers if number not in found]
        if unknown:
            raise ValidationError(
                _("No municipality has the number %(numbers)s. Check the four digits.")
                % {"numbers": ", ".join(unknown)}
            )
        return list(found.values())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "languages" in cleaned and "other_languages" in cleaned:
            try:
                actions.normalise_languages([*cleaned["languages"], *cleaned["other_languages"]])
            except ValidationError as exc:
                self.add_error("other_languages", exc)
        return cleaned

    def offer_data(self) -> dict[str, Any]:
        """The cleaned values in the shape the services take."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name in data}
        values["languages"] = [*data["languages"], *data["other_languages"]]
        municipalities = {m.pk: m for m in [*data["municipalities"], *data["other_municipalities"]]}
        if municipalities or self.offer is not None:
            values["municipalities"] = list(municipalities.values())
        values["place"] = {
            "name": data["place_name"],
            "address": data["place_address"],
            "postal_code": data["place_postal_code"],
            "city": data["place_city"],
            "municipality": data["place_municipality"],
        }
        photo = data.get("contact_photo")
        if photo is not False and not isinstance(photo, UploadedFile):
            # Nothing uploaded and not cleared: keep the photo there is.
            values.pop("contact_photo", None)
        return values


def _served_or_chosen(unit_ids: list[int], chosen: list[Any]) -> Q:
    """Municipalities the units serve, and any the offer is already for."""
    return Q(units__in=unit_ids) | Q(pk__in=[getattr(m, "pk", m) for m in chosen])


def initial_for(offer: Offer) -> dict[str, Any]:
    """The offer's current values as the form's initial data."""
    initial: dict[str, Any] = {name: getattr(offer, name) for name in OfferForm.Meta.fields}
    initial["programme"] = offer.programme_id
    initial["topics"] = [term.pk for term in offer.topics.all()]
    initial["target_groups"] = [term.pk for term in offer.target_groups.all()]
    known = {code for code, _name in actions.SPOKEN_LANGUAGES}
    codes = reads.languages_of(offer)
    initial["languages"] = [code for code in codes if code in known]
    initial["other_languages"] = " ".join(code for code in codes if code not in known)
    initial["municipalities"] = [m.pk for m in offer.municipalities.all()]
    location = offer.locations.order_by("pk").first()
    if location is not None:
        initial.update(
            place_name=location.name,
            place_address=location.address,
            place_postal_code=location.postal_code,
            place_city=location.city,
            place_municipality=location.municipality_id,
        )
    return initial


class OpeningHoursForm(core_forms.Form):
    # An empty first choice: a row left untouched posts nothing, and is not a row to check.
    # Preselected Monday, every empty row of a new offer would ask for opening times.
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", _("Choose a day")), *OpeningHours.Weekday.choices],
        coerce=int,
        empty_value=None,
    )
    opens_at = forms.TimeField(
        label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return cleaned


class SessionForm(core_forms.Form):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if date and starts and ends:
            if ends <= starts:
                self.add_error("ends", _("The session must end after it starts."))
            else:
                cleaned["starts_at"] = timezone.make_aware(datetime.datetime.combine(date, starts))
                cleaned["ends_at"] = timezone.make_aware(datetime.datetime.combine(date, ends))
        return cleaned


# Two empty rows each: enough to add hours or sessions without JavaScript; saving shows two
# new empty rows again.
OpeningHoursFormSet = forms.formset_factory(
    OpeningHoursForm, extra=2, can_delete=True, max_num=28, validate_max=True
)
SessionFormSet = forms.formset_factory(
    SessionForm, extra=2, can_delete=True, max_num=100, validate_max=True
)


def opening_hours_initial(offer: Offer) -> list[dict[str, Any]]:
    return [
        dict(row) for row in offer.opening_hours.values("weekday", "opens_at", "closes_at", "note")
    ]


def sessions_initial(offer: Offer) -> list[dict[str, Any]]:
    rows = []
    for session in offer.sessions.all():
        starts = timezone.localtime(session.starts_at)
        ends = timezone.localtime(session.ends_at)
        rows.append(
            {
                "id": session.pk,
                "title": session.title,
                "date": starts.date(),
                "starts": starts.time().replace(second=0, microsecond=0),
                "ends": ends.time().replace(second=0, microsecond=0),
            }
        )
    return rows


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The filled-in rows not marked for deletion."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class TranslationForm(core_forms.ModelForm):
    class Meta:
        model = OfferTranslation
        fields = ["title", "summary", "description", "how_to_sign_up"]
        widgets = {
            "summary": forms.TextInput,
            "description": forms.Textarea(attrs={"rows": 8}),
            "how_to_sign_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed text is in the target language: the browser spell-checks and lays it out so.
        for field in self.fields.values():
            field.widget.attrs["lang"] = language
            field.widget.attrs["dir"] = "rtl" if language in RIGHT_TO_LEFT_LANGUAGES else "ltr"
        style(self)


class ImportForm(core_forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit the offers belong to"), queryset=ServiceUnit.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("At most 5 MB. Nothing is imported unless every row is valid."),
    )

    def __init__(self, *args: Any, units: list[ServiceUnit], accept: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "unit").queryset = ServiceUnit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["file"].widget.attrs["accept"] = accept
        style(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files and import each.")
            )
        return upload


class ThesaurusForm(core_forms.Form):
    text = forms.CharField(
        label=_("Thesaurus"),
        help_text=_(
            "One entry a line: language | words people use => words the offers use. "
            "Separate words with commas; name a theme as #code. Lines starting with # are notes."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=200_000,
    )
    note = forms.CharField(
        label=_("What did you change?"),
        help_text=_("Shown in the list of versions, so others can see why."),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
