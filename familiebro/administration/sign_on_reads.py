"""What the sign-on pages show: the organisations an administrator sets logins up for, the
logins a member of staff may link, and the buttons on the staff login page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from familiebro.accounts.login_options import LoginOption
from familiebro.core.models import Organisation

from . import permissions
from .models import OrganisationSignOn, StaffIdentity
from .sections import organisation_administrators
from .sign_on import form_action_origins


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    sign_on: OrganisationSignOn | None


def organisations_to_set_up(user: Any) -> list[OrganisationRow]:
    if not organisation_administrators(user):
        raise PermissionDenied(
            _(
                "Only an organisation's administrators set up its login. Ask your "
                "organisation's administrator."
            )
        )
    organisations = Organisation.objects.select_related("sign_on").order_by("name")
    if not permissions.is_instance_admin(user):
        organisations = organisations.filter(pk__in=permissions.administered_organisation_ids(user))
    return [OrganisationRow(o, getattr(o, "sign_on", None)) for o in organisations]


def organisation_to_set_up(user: Any, organisation_id: int) -> OrganisationRow:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    permissions.require_administer_organisation(user, organisation.pk)
    return OrganisationRow(
        organisation, OrganisationSignOn.objects.filter(organisation=organisation).first()
    )


def _enabled() -> list[OrganisationSignOn]:
    return list(
        OrganisationSignOn.objects.filter(enabled=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def login_options() -> list[LoginOption]:
    """The organisations' logins for the staff login page (registered in apps.py)."""
    action = reverse("administration:sign-on-start")
    return [
        LoginOption(
            label=sign_on.label,
            action_url=action,
            field="organisasjon",
            value=str(sign_on.pk),
            origins=tuple(form_action_origins([sign_on])),
        )
        for sign_on in _enabled()
    ]


@dataclass(frozen=True)
class AccountSignOns:
    linked: list[StaffIdentity]
    # Logins the user may link (or link again, replacing the identity linked before).
    linkable: list[OrganisationSignOn]

    @property
    def form_action_origins(self) -> list[str]:
        return form_action_origins(self.linkable)


def account_sign_ons(user: Any) -> AccountSignOns:
    """The user's linked logins, and the logins of the organisations they work in or
    administer."""
    organisations = Q(organisation__units__memberships__user=user) | Q(
        organisation_id__in=permissions.administered_organisation_ids(user)
    )
    linkable = list(
        OrganisationSignOn.objects.filter(organisations, enabled=True)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name")
    )
    linked = list(
        StaffIdentity.objects.filter(user=user)
        .select_related("sign_on__organisation")
        .order_by("sign_on__organisation__name")
    )
    return AccountSignOns(linked=linked, linkable=linkable)
