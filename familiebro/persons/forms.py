"""Forms of the person pages. They parse input; the services decide and validate the rest."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import Form, StyledForm
from familiebro.core.identifiers import (
    birth_date_from_identity_number,
    normalise_identity_number,
)
from familiebro.core.models import (
    AddressProtection,
    GuardianRelation,
    Organisation,
    ParentInformationDecision,
    Person,
)
from familiebro.privacy.models import Assignment

from .family import Parent, PersonDetails, UnlinkReason
from .services import READING_PURPOSES

IDENTITY_NUMBER_DIGITS = 11


class PersonSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name"),
        help_text=_("Part of the given or family name."),
        max_length=100,
        required=False,
    )
    formål = forms.ChoiceField(
        label=_("Purpose"),
        help_text=_(
            "Persons of other organisations appear only for a purpose the family has consented to."
        ),
        choices=READING_PURPOSES,
        required=False,
    )

    enhet = forms.TypedChoiceField(
        label=_("Unit"),
        help_text=_("The persons one of your units works with."),
        coerce=int,
        empty_value=None,
        required=False,
    )
    type = forms.ChoiceField(label=_("The person is"), required=False)

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["enhet"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = [("", _("All units")), *((unit.pk, unit.name) for unit in units)]
        kind_field = self.fields["type"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [("", _("All")), *Person.Kind.choices]

    def purpose(self) -> str:
        purpose = self.cleaned_data.get("formål") if self.is_valid() else ""
        return purpose or READING_PURPOSES[0][0]

    def unit_id(self) -> int | None:
        return self.cleaned_data.get("enhet") if self.is_valid() else None

    def kind(self) -> str:
        return self.cleaned_data.get("type", "") if self.is_valid() else ""

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    def holds_identity_number(self) -> bool:
        """Whether the name search was given an identity number (11 digits, however spaced).

        This search is sent in the page's address, which browsers, proxies and servers keep:
        an identity number is never searched for here, only on the lookup page, which posts.
        """
        return sum(ch.isdigit() for ch in self.data.get("q", "")) >= IDENTITY_NUMBER_DIGITS


class PersonForm(StyledForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        help_text=_("The organisation that registers the person and is responsible for the data."),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(label=_("The person is"), choices=Person.Kind.choices)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    national_id = forms.CharField(
        label=_("National identity number or D-number (optional)"),
        help_text=_(
            "11 digits. With it, nobody registers the person twice, and the birth date is "
            "filled in for you."
        ),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        help_text=_("Not needed for an expectant parent, or when you enter the identity number."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("national_id")
        if number and not data.get("birth_date"):
            # The identity number holds the birth date; a wrong number is explained by the
            # service, which validates it once more when it registers the person.
            with contextlib.suppress(ValidationError, ValueError):
                data["birth_date"] = birth_date_from_identity_number(
                    normalise_identity_number(number)
                )
        return data


class ContactDetailsForm(StyledForm):
    phone = forms.CharField(
        label=_("Phone"),
        help_text=_("A Norwegian number has 8 digits; other countries start with +."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


END_REASONS = Assignment.EndReason.choices


class AddressProtectionForm(Form):
    """The population register's address protection, as staff record it on the person page."""

    address_protection = forms.ChoiceField(
        label=_("Address protection in the population register"),
        choices=AddressProtection.choices,
        required=False,
    )


class EndAssignmentForm(Form):
    """Ending a need to know from the person page: only why, chosen from a list."""

    grunn = forms.ChoiceField(label=_("Why does it end?"), choices=END_REASONS)

    def reason(self) -> str:
        return str(self.cleaned_data["grunn"])


def _messages(text: Any) -> dict[str, Any]:
    return {"required": text, "invalid_choice": text}


class ParentInformationForm(StyledForm):
    """A decision on a request for information from a parent without parental
    responsibility (barneloven § 47). The service checks the choices."""

    parent = forms.ChoiceField(
        label=_("Parent who asked"),
        error_messages=_messages(_("Choose the parent without parental responsibility who asked.")),
    )
    unit = forms.ChoiceField(
        label=_("Your service that decides"),
        error_messages=_messages(_("Choose the service of yours that decided.")),
    )
    asked = forms.CharField(
        label=_("What the parent asked for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the parent asked for.")},
    )
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("Choose")), *ParentInformationDecision.Outcome.choices],
        error_messages=_messages(_("Choose the decision.")),
    )
    given = forms.CharField(
        label=_("What the parent was told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Why anything was refused"),
        help_text=_(
            "Information may be refused where it could harm the child, or where the duty of "
            "confidentiality towards the parents applies. Tell the parent that a refusal can "
            "be appealed to the county governor (statsforvalteren)."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, parents: list[Person], units: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(p.pk, str(p)) for p in parents]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


YES_NO = [("ja", _("Yes")), ("nei", _("No"))]


def _yes_no(label: Any, help_text: Any, message: Any) -> forms.ChoiceField:
    # A radio with no answer chosen in advance: staff must say it, not pass a default by.
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=_messages(message),
    )


class FamilyPersonForm(StyledForm):
    """Who one member of the family is. The identity number is optional."""

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    national_id = forms.CharField(
        label=_("National identity number or D-number (optional)"),
        help_text=_(
            "11 digits. Leave it empty if the person has none or you do not know it yet. With "
            "it, a person already registered is found instead of registered twice."
        ),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        help_text=_("Needed without the identity number; with it, it is filled in for you."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("national_id")
        if number and not data.get("birth_date"):
            # As on PersonForm: the number holds the birth date; the service explains a
            # wrong number when it registers the person.
            with contextlib.suppress(ValidationError, ValueError):
                data["birth_date"] = birth_date_from_identity_number(
                    normalise_identity_number(number)
                )
        if not data.get("birth_date") and not self.has_error("birth_date") and not number:
            # Every person but an expectant parent has a birth date on record (Person.clean).
            self.add_error(
                "birth_date", _("Enter the birth date, or the identity number, which holds it.")
            )
        return data

    def details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            given_name=data["given_name"],
            family_name=data["family_name"],
            national_id=data["national_id"],
            birth_date=data["birth_date"],
            phone=data["phone"],
            email=data["email"],
        )


class ChildForm(FamilyPersonForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        help_text=_("The organisation that registers the family and is responsible for the data."),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(
        label=_("The child is"),
        choices=[
            (Person.Kind.CHILD, _("A child")),
            (Person.Kind.YOUNG_PERSON, _("A young person")),
        ],
        initial=Person.Kind.CHILD,
    )
    field_order = ["organisation", "kind", "given_name", "family_name", "national_id"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()


class ParentForm(FamilyPersonForm):
    """A parent and their relation to the child."""

    relation = forms.ChoiceField(
        label=_("Relation to the child"),
        choices=GuardianRelation.Kind.choices,
        initial=GuardianRelation.Kind.BIOLOGICAL,
    )
    parental_responsibility = _yes_no(
        _("Parental responsibility"),
        _(
            "A parent with parental responsibility gives consent for the child and sees the "
            "child on Min side."
        ),
        _("Say whether the parent has parental responsibility."),
    )
    same_address = _yes_no(
        _("Lives at the same address as the child"),
        "",
        _("Say whether the parent lives at the same address as the child."),
    )
    known_from = forms.ChoiceField(
        label=_("How do you know?"),
        choices=[("", _("Choose")), *GuardianRelation.KnownFrom.choices],
        error_messages=_messages(_("Choose how you know the relation.")),
    )

    def is_blank(self) -> bool:
        """Whether nothing names this parent: the family form's optional second parent."""
        return not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("given_name", "family_name", "national_id")
        )

    def parent(self) -> Parent:
        data = self.cleaned_data
        return Parent(
            details=self.details(),
            kind=data["relation"],
            has_parental_responsibility=data["parental_responsibility"] == "ja",
            lives_with_child=data["same_address"] == "ja",
            known_from=data["known_from"],
        )


class FamilyForm:
    """The child and up to two parents on one page: each part a prefixed form."""

    PARENTS = ("forelder1", "forelder2")

    def __init__(
        self,
        data: Any = None,
        *,
        organisations: Any,
        parent_initial: dict[str, Any] | None = None,
    ) -> None:
        self.child = ChildForm(data, prefix="barn", organisations=organisations)
        self.parents = [
            ParentForm(data, prefix=prefix, initial=parent_initial if i == 0 else None)
            for i, prefix in enumerate(self.PARENTS)
        ]
        # A parent left without names is not registered, so it is shown again empty rather
        # than bound: a bound form would show "required" on every field of it.
        self.parents = [
            ParentForm(prefix=form.prefix) if data is not None and form.is_blank() else form
            for form in self.parents
        ]
        self.is_bound = data is not None
        self.non_field_errors: list[str] = []

    def forms(self) -> list[Any]:
        return [self.child, *self.parents]

    def named_parents(self) -> list[ParentForm]:
        return [form for form in self.parents if not form.is_blank()]

    def is_valid(self) -> bool:
        valid = self.child.is_valid()
        for form in self.named_parents():
            valid = form.is_valid() and valid
        return valid

    @property
    def errors(self) -> bool:
        return bool(
            self.non_field_errors
            or self.child.errors
            or any(form.errors for form in self.named_parents())
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put the service's errors ("barn-national_id", "forelder2-known_from") on the
        field they name, the rest above the form."""
        if not hasattr(exc, "error_dict"):
            self.non_field_errors.extend(exc.messages)
            return
        forms_by_prefix = {form.prefix: form for form in self.forms()}
        for key, errors in exc.message_dict.items():
            prefix, _sep, field = key.partition("-")
            form = forms_by_prefix.get(prefix)
            if form is not None and field in form.fields:
                form.add_error(field, errors)
            else:
                self.non_field_errors.extend(errors)


class LinkGuardianForm(ParentForm):
    """Linking a guardian on the child's page."""


class UnlinkGuardianForm(Form):
    grunn = forms.ChoiceField(
        label=_("Why is the guardian unlinked?"),
        choices=[],
        error_messages=_messages(_("Choose why the guardian is unlinked.")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grunn"].choices = [("", _("Choose")), *UnlinkReason.choices]  # type: ignore[attr-defined]

    def reason(self) -> str:
        return str(self.cleaned_data["grunn"]) if self.is_valid() else ""
