"""What the administration area's start page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from familiebro.core.models import Organisation, ServiceUnit

from . import permissions
from .sections import SectionLink, sections_for


@dataclass(frozen=True)
class AdministrationHome:
    sections: list[SectionLink]
    is_instance_admin: bool
    # The organisations the user runs (every one for an instance administrator).
    organisations: list[Organisation]
    # The units the user runs as their unit administrator.
    units: list[ServiceUnit]


def administration_home(user: Any) -> AdministrationHome:
    if not permissions.is_administrator(user):
        raise PermissionDenied(
            _(
                "The administration pages are for administrators. Ask your unit's or your "
                "organisation's administrator if something needs changing."
            )
        )
    instance_admin = permissions.is_instance_admin(user)
    organisations = Organisation.objects.order_by("name")
    if not instance_admin:
        organisations = organisations.filter(pk__in=permissions.administered_organisation_ids(user))
    units = (
        ServiceUnit.objects.filter(pk__in=permissions.administered_unit_ids(user))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    return AdministrationHome(
        sections=sections_for(user),
        is_instance_admin=instance_admin,
        organisations=list(organisations),
        units=list(units),
    )
