"""Who may edit which offers: the catalogue's one place for its role rules.

Every member of staff with a role in the offer's unit may edit its offers: worker,
coordinator, leader and unit administrator alike. Offers are public texts about the unit's own
work, not personal data, and the people who run a course are the ones who know when its dates
or contact person change; keeping the offer right is part of running it, so the editing right
follows the unit, not the role. Instance administrators may edit every offer, including offers
imported from other systems, which have no unit, and they alone keep the instance's
national registers (programmes, crisis lines). Passing `actor=None` to `require_can_edit`
means a trusted caller without a user (a management command, the demo data) and skips the
check.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit
from familiebro.privacy import policy

from .models import Offer


def is_instance_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_instance_admin)


def can_edit_register(user: Any) -> bool:
    """The national registers the instance publishes (the programme register, the crisis
    lines): instance administrators, who answer for the instance's public content. They are
    not any one unit's work, so no unit role gives the right."""
    return is_instance_admin(user)


def require_can_edit_register(actor: Any) -> None:
    if actor is None or can_edit_register(actor):
        return
    raise PermissionDenied(
        _(
            "Only the instance's administrators can change the programme register and the "
            "crisis numbers. Ask one of them to make the change."
        )
    )


def can_edit_unit(user: Any, unit_id: int | None) -> bool:
    if is_instance_admin(user):
        return True
    return unit_id is not None and unit_id in policy.scope_of(user).unit_ids


def can_edit_thesaurus(user: Any) -> bool:
    """The finder's thesaurus is the instance's: its administrators and everyone who edits
    offers keep it, as they know the words their offers use. Every version records who
    saved it."""
    if is_instance_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(policy.scope_of(user).unit_ids)


def require_can_edit(actor: Any, unit_id: int | None) -> None:
    if actor is None or can_edit_unit(actor, unit_id):
        return
    raise PermissionDenied(
        _(
            "Only staff of the unit that runs this offer can change it. Ask a colleague in "
            "that unit, or an administrator, to make the change."
        )
    )


def editable_units(user: Any) -> QuerySet[ServiceUnit]:
    """The units whose offers `user` may edit: their own, or all for an instance admin."""
    units = ServiceUnit.objects.select_related("organisation").order_by("name")
    if is_instance_admin(user):
        return units
    return units.filter(pk__in=policy.scope_of(user).unit_ids)


def editable_offers(user: Any) -> QuerySet[Offer]:
    offers = Offer.objects.all()
    if is_instance_admin(user):
        return offers
    return offers.filter(unit_id__in=policy.scope_of(user).unit_ids)


def get_editable_offer(user: Any, offer_id: uuid.UUID | str) -> Offer:
    """The offer, if `user` may edit it; otherwise 404, so other units' ids reveal nothing."""
    offer = (
        editable_offers(user)
        .select_related("unit__organisation", "provider", "programme", "verified_by")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404(_("No offer you can edit has this address."))
    return offer


def register_role_rules() -> None:
    """The rules above that depend on the role alone, for the table of what each role may
    do (privacy.role_rules)."""
    from django.utils.translation import gettext_lazy

    from familiebro.privacy import role_rules

    role_rules.register(
        gettext_lazy("Edits the unit's offers in the public finder"),
        lambda user, example: can_edit_unit(user, example.unit.pk),
    )
    role_rules.register(
        gettext_lazy("Keeps the finder's thesaurus"),
        lambda user, _example: can_edit_thesaurus(user),
    )
    role_rules.register(
        gettext_lazy("Edits the national programme register"),
        lambda user, _example: can_edit_register(user),
    )
