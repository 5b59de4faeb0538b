"""What the organisation and unit pages show, each read asking permissions.py first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from familiebro.core.models import (
    Municipality,
    Organisation,
    OrganisationAdministrator,
    ServiceUnit,
)
from familiebro.privacy import policy

from . import permissions


def _found(user: Any, organisation_id: int) -> None:
    """An organisation the user has no tie to (neither works in nor administers) is not
    found, as every staff page with an id answers for another organisation's object; its own
    staff without the right are refused with a reason."""
    if not (
        permissions.may_administer_organisation(user, organisation_id)
        or organisation_id in policy.scope_of(user).member_organisation_ids
    ):
        raise Http404


def organisations_for(user: Any) -> list[Organisation]:
    """Every organisation for an instance administrator; their own for an organisation's."""
    organisations: QuerySet[Organisation] = Organisation.objects.select_related(
        "municipality"
    ).order_by("name")
    if not permissions.is_instance_admin(user):
        administered = permissions.administered_organisation_ids(user)
        if not administered:
            raise PermissionDenied(
                _("The organisation pages are for the organisations' administrators.")
            )
        organisations = organisations.filter(pk__in=administered)
    return list(organisations)


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    administrators: list[OrganisationAdministrator]
    units: list[ServiceUnit]
    municipalities_served: list[Municipality]
    may_change: bool


def organisation_page(user: Any, organisation_id: int) -> OrganisationPage:
    organisation = get_object_or_404(
        Organisation.objects.select_related("municipality"), pk=organisation_id
    )
    _found(user, organisation.pk)
    permissions.require_administer_organisation(user, organisation.pk)
    return OrganisationPage(
        organisation=organisation,
        administrators=list(
            organisation.administrators.select_related("user", "appointed_by").order_by(
                "user__last_name", "user__first_name", "user__username"
            )
        ),
        units=list(
            organisation.units.prefetch_related(
                Prefetch("municipalities_served", Municipality.objects.order_by("name"))
            ).order_by("name")
        ),
        municipalities_served=list(organisation.municipalities_served.order_by("name")),
        may_change=permissions.may_manage_organisations(user),
    )


def organisation_to_manage(user: Any, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    _found(user, organisation.pk)
    permissions.require_manage_organisations(user)
    return organisation


def organisation_to_administer(user: Any, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    _found(user, organisation.pk)
    permissions.require_administer_organisation(user, organisation.pk)
    return organisation


def units_for(user: Any) -> list[ServiceUnit]:
    """The units the user may change: every unit of the organisations they administer (all
    of them for an instance administrator) and the units they are administrator of."""
    units = ServiceUnit.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if not permissions.is_instance_admin(user):
        organisations = permissions.administered_organisation_ids(user)
        own = permissions.administered_unit_ids(user)
        if not (organisations or own):
            raise PermissionDenied(_("The unit pages are for the units' administrators."))
        units = units.filter(organisation_id__in=organisations) | units.filter(pk__in=own)
    return list(units)


def unit_to_administer(user: Any, unit_id: int) -> ServiceUnit:
    unit = get_object_or_404(ServiceUnit.objects.select_related("organisation"), pk=unit_id)
    _found(user, unit.organisation_id)
    permissions.require_administer_unit(user, unit)
    return unit
