"""Forms for recording, printing and withdrawing consent.

The forms only parse. Whether a consent may be given (recipients, scope, who consents, the
witness rule) is decided by privacy.consent_services.record_consent; `add_service_errors` puts
its messages next to the fields they are about.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import ConfidentialityDomain, Organisation, Person, ServiceUnit

from . import consent_reads
from .consent_reads import ConsentDraft, GiverOption, end_of_day
from .consent_services import InPlaceOfGuardians
from .models import Consent, DataCategory, Purpose
from .models.consent import IN_PLACE_OF_GUARDIANS

ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# record_consent names "recipients" for the two recipient lists together.
SERVICE_FIELD_NAMES = {"recipients": "recipient_organisations"}


class CheckboxGroup(forms.CheckboxSelectMultiple):
    """Checkboxes that carry Designsystemet's input class (StyledForm skips choice widgets)."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"class": "ds-input", **(attrs or {})}, choices=choices)


class RadioGroup(forms.RadioSelect):
    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"class": "ds-input", **(attrs or {})}, choices=choices)


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceUnit) -> str:
        return f"{obj.name} ({obj.organisation.name})"


def _language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class ConsentForm(StyledForm):
    """What a consent says and, when recording, how it was given and by whom.

    With `for_print` the form prepares the printed form for signature: only the purpose and
    language are needed, and anything left open becomes a line to fill in by hand.
    """

    purpose = forms.ChoiceField(
        label=_("What is the consent for?"),
        choices=[("", _("Choose a purpose")), *Purpose.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the consent text"),
        help_text=_("The family reads and agrees to the text in this language."),
        choices=_language_choices,
    )
    domain = forms.ChoiceField(
        label=_("Whose information does the consent cover?"),
        help_text=_(
            "Who consents depends on the service: for health information a young person of "
            "16 decides alone, in child welfare a young person of 15 consents with the "
            "guardians. Only the chosen service's information is shared."
        ),
        choices=[("", _("Every service of the organisation")), *ConfidentialityDomain.choices],
        required=False,
    )
    recipient_organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.order_by("name"),
        widget=CheckboxGroup,
        required=False,
    )
    recipient_units = UnitChoiceField(
        label=_("Services"),
        queryset=ServiceUnit.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        ),
        widget=CheckboxGroup,
        required=False,
    )
    scope = forms.MultipleChoiceField(
        label=_("Which information may they see?"),
        help_text=_("The child's name and date of birth are always shared with a consent."),
        choices=DataCategory.choices,
        widget=CheckboxGroup,
        required=False,
    )
    valid_to = forms.DateField(
        label=_("Last day the consent is valid"),
        help_text=_("A consent always has an end date. It can be withdrawn before that."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the last day the consent is valid."),
            "invalid": _("Enter the date as day.month.year, for example 31.12.2026."),
        },
    )
    channel = forms.ChoiceField(
        label=_("How was the consent given?"),
        choices=[c for c in Consent.Channel.choices if c[0] != Consent.Channel.DIGITAL],
        widget=RadioGroup,
        required=False,
    )
    givers = forms.MultipleChoiceField(
        label=_("Who gave the consent?"),
        help_text=_(
            "Unless the service's rule says otherwise, every guardian with parental "
            "responsibility must consent."
        ),
        widget=CheckboxGroup,
        required=False,
    )
    in_place_of_guardians = forms.ChoiceField(
        label=_("Does someone consent in the guardians' place?"),
        help_text=_(
            "After a care order the child welfare service consents in the guardians' place; "
            "for a child who came to Norway without parents, the appointed representative."
        ),
        choices=[
            ("", _("No, the guardians or the young person consent")),
            *((c.value, c.label) for c in IN_PLACE_OF_GUARDIANS),
        ],
        widget=RadioGroup,
        required=False,
    )
    in_place_of_guardians_name = forms.CharField(
        label=_("Name of the service or the representative"),
        max_length=200,
        required=False,
    )
    child_view = forms.CharField(
        label=_("The child's own view"),
        help_text=_(
            "When the guardians consent for a child who is to be heard, write what the child "
            "said about sharing the information, in the child's own words where you can."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    witness = forms.CharField(
        label=_("Witness"),
        help_text=_("For oral consent: the colleague who heard it. Not needed with a scan."),
        max_length=200,
        required=False,
    )
    attachment = forms.FileField(
        label=_("Scanned consent form"),
        help_text=_("The signed paper form as PDF, JPEG or PNG, at most 10 MB."),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        givers: Sequence[GiverOption] = (),
        for_print: bool = False,
        domains: Sequence[str] | None = None,
        first_units: Sequence[int] = (),
        home_organisation_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        """`domains`: the services whose information the user may record a consent for (the
        ones they work in); None offers every service. The recipient services start with
        `first_units` (a case's participants), then those of `home_organisation_id` (the
        family's municipality): the ones a consent most often names, before the rest of the
        country."""
        super().__init__(*args, **kwargs)
        self.for_print = for_print
        self.home_organisation_id = home_organisation_id
        units = consent_reads.recipient_units(first_units, home_organisation_id)
        cast(forms.ModelMultipleChoiceField, self.fields["recipient_units"]).queryset = units
        # The first of them are offered apart; the rest behind a search.
        self.suggested_unit_ids = consent_reads.suggested_units(first_units, home_organisation_id)
        if domains is not None:
            cast(forms.ChoiceField, self.fields["domain"]).choices = [
                ("", _("Every service of the organisation")),
                *(c for c in ConfidentialityDomain.choices if c[0] in domains),
            ]
        self.giver_options = {str(o.person.pk): o for o in givers}
        cast(forms.MultipleChoiceField, self.fields["givers"]).choices = [
            (key, self._giver_label(option)) for key, option in self.giver_options.items()
        ]
        if not self.is_bound and "language" not in self.initial:
            current = get_language() or settings.LANGUAGE_CODE
            self.initial["language"] = current if current in dict(settings.LANGUAGES) else "nb"
        if for_print:
            self.fields["valid_to"].required = False

    @staticmethod
    def _giver_label(option: GiverOption) -> str:
        if option.is_child:
            return f"{option.person} ({_('the child')})"
        responsibility = (
            _("has parental responsibility")
            if option.has_parental_responsibility
            else _("no parental responsibility")
        )
        return f"{option.person} ({option.relation_label}, {responsibility})"

    def clean_valid_to(self) -> datetime.date | None:
        day = self.cleaned_data.get("valid_to")
        if day is not None and day < timezone.localdate():
            raise ValidationError(_("The end date has passed. Choose a date in the future."))
        return day

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return upload
        if Path(upload.name).suffix.lower() not in ATTACHMENT_TYPES:
            raise ValidationError(_("Upload the scan as a PDF, JPEG or PNG file."))
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB. Scan at a lower resolution."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        purpose, language = cleaned.get("purpose"), cleaned.get("language")
        if self.for_print and not purpose:
            self.add_error("purpose", _("Choose what the consent is for."))
        if purpose and language:
            try:
                consent_reads.current_text(purpose, language, self.home_organisation_id)
            except ValidationError as exc:
                self.add_error("language", exc)
        return cleaned

    def draft(self, subject: Person) -> ConsentDraft:
        data = self.cleaned_data
        return ConsentDraft(
            subject=subject,
            purpose=data["purpose"],
            language=data["language"],
            recipient_organisations=list(data["recipient_organisations"]),
            recipient_units=list(data["recipient_units"]),
            scope=data["scope"],
            valid_to=end_of_day(data["valid_to"]) if data.get("valid_to") else None,
            domain=data.get("domain", ""),
        )

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for consent_services.record_consent."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "givers": [self.giver_options[key].person for key in data["givers"]],
            "recipient_organisations": list(data["recipient_organisations"]),
            "recipient_units": list(data["recipient_units"]),
            "scope": data["scope"],
            "channel": data["channel"],
            "valid_to": end_of_day(data["valid_to"]),
            "language": data["language"],
            "witness": data["witness"].strip(),
            "attachment": data["attachment"],
            "domain": data["domain"],
            "in_place_of_guardians": (
                InPlaceOfGuardians(
                    data["in_place_of_guardians"], data["in_place_of_guardians_name"]
                )
                if data["in_place_of_guardians"]
                else None
            ),
            "child_view": data["child_view"],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show record_consent's refusal next to the fields it is about.

        It raises a dict for the consent's own fields and a list when the people who gave
        it may not, or not alone, consent: those messages belong to the givers field.
        """
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = SERVICE_FIELD_NAMES.get(name, name)
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error("givers", exc.error_list)


class WithdrawConsentForm(StyledForm):
    withdrawn_by = forms.ChoiceField(
        label=_("Who withdraws the consent?"),
        help_text=_("Someone who gave the consent, or the child it is about."),
        widget=RadioGroup,
        error_messages={"required": _("Choose who withdraws the consent.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm that this person has withdrawn the consent. From now on nothing more is "
            "shared; what was shared stays with the recipients."
        ),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )

    def __init__(self, *args: Any, people: Sequence[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        cast(forms.ChoiceField, self.fields["withdrawn_by"]).choices = [
            (k, str(p)) for k, p in self.people.items()
        ]

    def withdrawing_person(self) -> Person:
        return self.people[self.cleaned_data["withdrawn_by"]]


# What the family fills in themselves on Min side, or what only paper and oral consent has.
_NOT_ASKED_DIGITALLY = (
    "channel",
    "givers",
    "in_place_of_guardians",
    "in_place_of_guardians_name",
    "witness",
    "attachment",
)


class ConsentRequestForm(ConsentForm):
    """What a consent the family is to give on Min side says. Who must give it follows from
    the rule; the family gives it themselves, so there is no channel, witness or scan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in _NOT_ASKED_DIGITALLY:
            del self.fields[name]
        self.fields["child_view"].help_text = _(
            "When the guardians are asked for a child who is to be heard, write what the child "
            "said about sharing the information, before you send it to the family."
        )

    def request_arguments(self) -> dict[str, Any]:
        """Keyword arguments for consent_requests.prepare_consent_request."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "recipient_organisations": list(data["recipient_organisations"]),
            "recipient_units": list(data["recipient_units"]),
            "scope": data["scope"],
            "valid_to": end_of_day(data["valid_to"]),
            "language": data["language"],
            "domain": data["domain"],
            "child_view": data["child_view"],
        }
