"""Setting up what a unit takes: its kinds of referral, what each needs, and its capacity.

No personal data: what a unit takes and whether it has room is what it tells referrers. Only
the unit's administrators and leaders set it (permissions.may_set_intake); to anyone else the
unit's page is not found, as other parts' pages of another organisation's objects are.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit
from familiebro.privacy import audit

from . import permissions
from .fields import FIELDS, as_id
from .models import Capacity, Intake, ReferralKind


def unit_to_set_up(user: Any, unit_id: Any) -> ServiceUnit:
    """The unit, if the user sets its intake; 404 otherwise."""
    pk = as_id(unit_id)
    unit = (
        ServiceUnit.objects.select_related("organisation", "referral_intake").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if unit is None or not permissions.may_set_intake(user, unit):
        raise Http404(_("Not found, or you do not have access."))
    return unit


def kinds_of(unit: ServiceUnit) -> list[ReferralKind]:
    return list(ReferralKind.objects.filter(unit=unit).order_by("name"))


def _record(user: Any, obj: Any, unit: ServiceUnit, **detail: Any) -> None:
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=user,
        objects=[obj],
        organisation_id=unit.organisation_id,
        purpose="administration",
        detail=detail,
    )


@transaction.atomic
def set_capacity(user: Any, unit: ServiceUnit, capacity: str, note: str = "") -> Intake:
    permissions.require_set_intake(user, unit)
    if capacity not in Capacity.values:
        raise ValidationError({"capacity": [_("Choose the unit's capacity.")]})
    note = note.strip()
    if len(note) > 300:
        raise ValidationError({"note": [_("Write at most %(n)d characters.") % {"n": 300}]})
    intake, _created = Intake.objects.update_or_create(
        unit=unit,
        defaults={
            "capacity": capacity,
            "note": note,
            "changed_at": timezone.now(),
            "changed_by": user,
        },
    )
    _record(user, intake, unit, capacity=capacity)
    return intake


@transaction.atomic
def save_kind(
    user: Any,
    unit: ServiceUnit,
    *,
    kind_id: Any = None,
    topic: str,
    name: str,
    required_fields: list[str],
    questions: str,
    taking: bool = True,
) -> ReferralKind:
    """Add a kind of referral the unit takes, or change one (`kind_id`)."""
    permissions.require_set_intake(user, unit)
    if kind_id is not None:
        kind = ReferralKind.objects.filter(pk=kind_id, unit=unit).first()
        if kind is None:
            raise Http404(_("Not found, or you do not have access."))
    else:
        kind = ReferralKind(unit=unit)
    if topic not in ReferralKind.Topic.values:
        raise ValidationError({"topic": [_("Choose what kind of referral it is.")]})
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the kind of referral a name referrers know.")]})
    unknown = [key for key in required_fields if key not in FIELDS]
    if unknown:
        raise ValidationError({"required_fields": [_("Choose among the information listed.")]})
    if len(questions) > 2000:
        raise ValidationError({"questions": [_("Write at most %(n)d characters.") % {"n": 2000}]})
    kind.topic = topic
    kind.name = name[:200]
    kind.required_fields = sorted(set(required_fields))
    kind.questions = questions.strip()
    kind.taking = taking
    try:
        with transaction.atomic():
            kind.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": [_("The unit has a kind of referral with this name already.")]}
        ) from exc
    _record(user, kind, unit, kind=kind.topic, taking=taking)
    return kind
