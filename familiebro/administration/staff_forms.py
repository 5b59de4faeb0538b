"""Forms of the staff pages. They collect input; staff_actions decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm
from familiebro.core.models import Membership, User

from . import staff_reads
from .staff_actions import RoleAuthorisation


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        message = _("Choose one of the units you administer.")
        super().__init__(
            queryset=None,  # type: ignore[arg-type]
            empty_label=_("Choose a unit"),
            error_messages={"required": message, "invalid_choice": message},
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class SearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search by name, username or e-mail"), required=False, max_length=100
    )


class AuthorisationFields(StyledForm):
    """For an instance administrator giving a role in an organisation they do not run."""

    authorised_by = forms.CharField(
        label=_("Authorised by (name and position at the organisation)"),
        help_text=_(
            "Only when you give a role as the instance's administrator in an organisation you "
            "do not administer yourself."
        ),
        required=False,
        max_length=200,
    )
    reference = forms.CharField(
        label=_("Reference of the written authorisation"),
        help_text=_("For example the organisation's case number."),
        required=False,
        max_length=100,
    )

    def __init__(self, *args: Any, admin: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin
        if "unit" in self.fields:
            self.fields["unit"].queryset = staff_reads.administered_units(admin)  # type: ignore[attr-defined]
        if not getattr(admin, "is_instance_admin", False):
            del self.fields["authorised_by"]
            del self.fields["reference"]

    def authorisation(self) -> RoleAuthorisation:
        return RoleAuthorisation(
            authorised_by=self.cleaned_data.get("authorised_by", ""),
            reference=self.cleaned_data.get("reference", ""),
        )


_ROLE_CHOICES = [("", _("Choose a role")), *Membership.Role.choices]


class InviteForm(AuthorisationFields):
    field_order = ["first_name", "last_name", "email", "professional_title", "unit", "role"]

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.CharField(
        label=_("E-mail"),
        help_text=_("The invitation is sent here. Use the person's work address."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    professional_title = forms.ChoiceField(
        label=_("Professional title"),
        choices=[("", _("No title")), *User.Title.choices],
        required=False,
    )
    unit = UnitChoiceField(label=_("Unit"))
    role = forms.ChoiceField(label=_("Role"), choices=_ROLE_CHOICES)


class RoleForm(AuthorisationFields):
    field_order = ["unit", "role"]

    unit = UnitChoiceField(label=_("Unit"))
    role = forms.ChoiceField(label=_("Role"), choices=_ROLE_CHOICES)


class MoveForm(AuthorisationFields):
    field_order = ["membership", "unit"]

    membership = forms.ChoiceField(label=_("Move from"))
    unit = UnitChoiceField(label=_("To the unit"))

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.unit.name} ({m.get_role_display()})") for m in memberships
        ]


class AcceptInvitationForm(StyledForm):
    username = forms.CharField(
        label=_("Username"),
        help_text=_("You log in with it. Letters, digits and @ . + - _ only; your e-mail works."),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 12 characters. A few unrelated words make a good password."),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("password")
            and data.get("password_again")
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ. Type the same twice."))
        return data
