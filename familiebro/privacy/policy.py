"""The access policy: the one place that decides who may see or change personal data.

Views never filter personal data themselves. They ask `visible()` for the rows a user may see
for a purpose, or `require()` before acting on one row; both refuse by default. Each model
holding personal data registers a rule here that names how its rows reach their owning
organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _


class Purpose:
    """Why personal data is read. Every audit event names one."""

    CASEWORK = "casework"
    REGISTRATION = "registration"
    IDENTITY_LOOKUP = "identity_lookup"
    FAMILY_ACCESS_LOG = "family_access_log"


class Action:
    VIEW = "view"
    LIST = "list"
    CHANGE = "change"
    CREATE = "create"


@dataclass(frozen=True)
class Rule:
    """How rows of one model reach their data controller."""

    organisation_field: str  # lookup path from the model to the owning organisation's id


_registry: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model], *, organisation_field: str) -> None:
    _registry[model] = Rule(organisation_field=organisation_field)


def registered_models() -> dict[type[models.Model], Rule]:
    return dict(_registry)


def _rule(model: type[models.Model]) -> Rule:
    try:
        return _registry[model]
    except KeyError:
        raise PermissionDenied(
            f"{model._meta.label} holds personal data but has no access rule; "
            "register it in familiebro.privacy.policy."
        ) from None


def organisation_ids_of(user: Any) -> set[int]:
    """Organisations where the user holds any role (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_familiebro_org_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("unit__organisation_id", flat=True))
        user._familiebro_org_ids = cached
    return cached


def visible(user: Any, model: type[models.Model], purpose: str) -> models.QuerySet:
    """The rows of `model` that `user` may see for `purpose`; none for anyone without a role."""
    rule = _rule(model)
    if not purpose:
        raise ValueError("A purpose is required to read personal data.")
    org_ids = organisation_ids_of(user)
    if not org_ids:
        return model._default_manager.none()
    return model._default_manager.filter(**{f"{rule.organisation_field}__in": org_ids})


def require(user: Any, action: str, obj: models.Model, purpose: str) -> None:
    """Raise PermissionDenied, with the reason, unless `user` may do `action` on `obj`."""
    rule = _rule(type(obj))
    org_id = obj
    for part in rule.organisation_field.split("__"):
        org_id = getattr(org_id, part)
    if org_id not in organisation_ids_of(user):
        raise PermissionDenied(
            _("You have no role in the organisation that owns this record.")
        )

