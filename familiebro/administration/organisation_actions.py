"""What an administrator does to organisations and their units: one function per thing, each
in one transaction, each checked against permissions.py and audited with what the
configuration was before and after (organisations and units are configuration, not a
family's data, so their names and numbers may stand in the trail)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from familiebro.core.models import (
    Municipality,
    Organisation,
    OrganisationAdministrator,
    ServiceUnit,
    User,
)
from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

from . import permissions

PURPOSE = "administration"

ORGANISATION_FIELDS = ("name", "kind", "org_number", "municipality")
UNIT_FIELDS = (
    "name",
    "kind",
    "domain",
    "email",
    "phone",
    "phone_hours",
    "address",
    "first_contact_days",
    "external_id",
)
# What a unit's own administrator may change; the rest is the organisation's decision
# (permissions.may_change_unit_setup).
UNIT_SETUP_FIELDS = ("name", "kind", "domain", "external_id")


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        values[name] = value.number if isinstance(value, Municipality) else value
    if instance.pk is not None:
        values["municipalities_served"] = sorted(
            instance.municipalities_served.values_list("number", flat=True)  # type: ignore[attr-defined]
        )
    return values


def _difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def _record(
    action: str, actor: Any, instance: models.Model, organisation_id: int, detail: dict
) -> None:
    audit.record(
        action,
        actor=actor,
        objects=[instance],
        organisation_id=organisation_id,
        purpose=PURPOSE,
        detail=detail,
    )


@transaction.atomic
def create_organisation(
    admin: Any, organisation: Organisation, municipalities_served: Iterable[Municipality]
) -> Organisation:
    """`organisation` is unsaved and validated (the form did it)."""
    permissions.require_manage_organisations(admin)
    organisation.full_clean()
    organisation.save()
    organisation.municipalities_served.set(list(municipalities_served))
    _record(
        AuditEvent.Action.CREATE,
        admin,
        organisation,
        organisation.pk,
        {
            "event": "organisation_created",
            "after": snapshot(organisation, ORGANISATION_FIELDS),
        },
    )
    return organisation


@transaction.atomic
def change_organisation(
    admin: Any,
    organisation: Organisation,
    before: dict[str, Any],
    municipalities_served: Iterable[Municipality],
) -> dict[str, Any]:
    """Save the changed `organisation` (validated by the form). `before` is snapshot() of it
    as it was read. Returns what changed; nothing is written when nothing did."""
    permissions.require_manage_organisations(admin)
    organisation.full_clean()
    organisation.save()
    organisation.municipalities_served.set(list(municipalities_served))
    changes = _difference(before, snapshot(organisation, ORGANISATION_FIELDS))
    if changes:
        _record(
            AuditEvent.Action.CHANGE,
            admin,
            organisation,
            organisation.pk,
            {"event": "organisation_changed", "changes": changes},
        )
    return changes


def unknown_username_message(username: str) -> str:
    """The answer to a username that is no one's, and to one that is another organisation's
    staff member's: the two read the same, so the form tells nobody who works elsewhere."""
    return _("No staff account has the username “%(username)s”. Check the spelling.") % {
        "username": username[:150]
    }


@transaction.atomic
def appoint_administrator(admin: Any, organisation: Organisation, user: User) -> bool:
    """Make `user` an administrator of `organisation`. Returns False if they already were."""
    permissions.require_administer_organisation(admin, organisation.pk)
    if not permissions.may_appoint_administrator(admin, organisation.pk, user):
        raise ValidationError(unknown_username_message(user.username))
    if not user.is_active:
        raise ValidationError(
            _("%(name)s's account is closed. Only an active staff account can be appointed.")
            % {"name": user.display_name()}
        )
    appointment, created = OrganisationAdministrator.objects.get_or_create(
        user=user, organisation=organisation, defaults={"appointed_by": admin}
    )
    if created:
        _record(
            AuditEvent.Action.SECURITY,
            admin,
            appointment,
            organisation.pk,
            {"event": "organisation_administrator_appointed", "user_id": user.pk},
        )
    return created


@transaction.atomic
def remove_administrator(admin: Any, appointment: OrganisationAdministrator) -> None:
    permissions.require_administer_organisation(admin, appointment.organisation_id)
    locked = (
        OrganisationAdministrator.objects.select_for_update()
        .filter(organisation_id=appointment.organisation_id)
        .order_by("pk")
    )
    list(locked)  # two administrators removing each other at once leave one, not none
    if not permissions.may_remove_administrator(admin, appointment):
        raise ValidationError(last_administrator_message())
    _record(
        AuditEvent.Action.SECURITY,
        admin,
        appointment,
        appointment.organisation_id,
        {"event": "organisation_administrator_removed", "user_id": appointment.user_id},
    )
    appointment.delete()


def last_administrator_message() -> str:
    return _(
        "The organisation would be left without an administrator. Appoint another "
        "administrator first, or ask the instance's administrators to remove this one."
    )


# What points at a unit as its configuration, not as a record made under its confidentiality
# domain: its staff and the invitations to join it, its published offers, the pathway it
# uses and the organisation's choice of it as coordinating unit. Every other relation, the
# hidden ones and the many-to-many ones (a consent naming the unit as recipient, an anonymous
# consultation it took part in) included, counts as a record, so a relation added later
# locks the domain by default.
NOT_RECORDS = frozenset(
    {
        "core.membership",
        "administration.invitation",
        "catalogue.offer",
        "cases.pathwaychoice",
        "cases.plansettings",
    }
)


def unit_has_records(unit: ServiceUnit) -> bool:
    """Whether anything but its configuration points at the unit: cases, requests,
    assignments, consents naming it, consultations, disclosures, decisions. The
    confidentiality domain they were made under must then stay as it is."""
    for relation in unit._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue  # the unit's own fields: its organisation, the municipalities it serves
        model: Any = relation.related_model
        if model._meta.auto_created or model._meta.label_lower in NOT_RECORDS:
            continue  # a many-to-many's own table: the relation is walked from its model
        field: Any = relation.field  # type: ignore[union-attr]
        if model._base_manager.filter(**{field.name: unit}).exists():
            return True
    return False


@transaction.atomic
def save_unit(
    admin: Any,
    unit: ServiceUnit,
    before: dict[str, Any] | None,
    municipalities_served: Iterable[Municipality],
) -> dict[str, Any]:
    """Create (before is None) or change a unit (validated by the form). `before` is
    snapshot() of the unit as it was read. Returns what changed."""
    if before is None:
        permissions.require_administer_organisation(admin, unit.organisation_id)
    else:
        permissions.require_administer_unit(admin, unit)
        setup_changed = [
            name for name in UNIT_SETUP_FIELDS if before.get(name) != getattr(unit, name)
        ]
        if setup_changed and not permissions.may_change_unit_setup(admin, unit):
            raise PermissionDenied(
                _(
                    "Only the organisation's administrators change a unit's name, kind and "
                    "confidentiality domain."
                )
            )
        if before.get("domain") != unit.domain and unit_has_records(unit):
            raise ValidationError({"domain": domain_locked_message()})
    unit.full_clean()
    unit.save()
    unit.municipalities_served.set(list(municipalities_served))
    after = snapshot(unit, UNIT_FIELDS)
    if before is None:
        _record(
            AuditEvent.Action.CREATE,
            admin,
            unit,
            unit.organisation_id,
            {"event": "unit_created", "after": after},
        )
        return {name: {"before": None, "after": value} for name, value in after.items()}
    changes = _difference(before, after)
    if changes:
        _record(
            AuditEvent.Action.CHANGE,
            admin,
            unit,
            unit.organisation_id,
            {"event": "unit_changed", "changes": changes},
        )
    return changes


def domain_locked_message() -> str:
    return _(
        "The unit already holds cases or other records, made under its present "
        "confidentiality domain, so the domain cannot be changed. Create a new unit for the "
        "new domain and move the staff there."
    )
