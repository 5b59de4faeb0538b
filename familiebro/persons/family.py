"""Registering a family: a child with the parents, and linking or unlinking a guardian.

A guardian relation is what consent, Min side and a parent's access hang on: a parent with
parental responsibility gives consent for the child and sees the child on Min side. So only
staff who may change the child (their own organisation's need to know, policy CHANGE) link or
unlink a guardian, each link says how the service knows it, and an unlink says why; both are
audited with the relation, the child and the guardian as subjects.

Identity numbers are optional (a family new to Norway, a number not yet known). When one is
given it is matched by its keyed hash: a person the actor can already find is joined, not
registered twice, and one another service of the organisation holds is joined as
register_person does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core import crypto
from familiebro.core.identifiers import (
    birth_date_from_identity_number,
    normalise_identity_number,
)
from familiebro.core.models import GuardianRelation, Organisation, Person, User
from familiebro.privacy import audit, policy

from . import services


class UnlinkReason(models.TextChoices):
    """Why a guardian is no longer linked to a child: chosen from a list, so the audit trail
    holds the reason without free text (which could hold personal data)."""

    MISTAKE = "mistake", gettext_lazy("Linked by mistake, or to the wrong person")
    RESPONSIBILITY_CHANGED = (
        "responsibility_changed",
        gettext_lazy("The parental responsibility has changed (agreement or court decision)"),
    )
    REGISTER_SAYS_OTHERWISE = (
        "register_says_otherwise",
        gettext_lazy("The population register shows otherwise"),
    )
    NO_LONGER_GUARDIAN = (
        "no_longer_guardian",
        gettext_lazy("No longer a guardian (foster care or step-parent relation ended)"),
    )


@dataclass(frozen=True)
class PersonDetails:
    """Who a person is, as staff type it in (the identity number optional)."""

    given_name: str
    family_name: str
    national_id: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Parent:
    """A parent to register or join, and their relation to the child."""

    details: PersonDetails
    kind: str
    has_parental_responsibility: bool
    lives_with_child: bool
    known_from: str


@dataclass(frozen=True)
class RegisteredFamily:
    child: Person
    relations: list[GuardianRelation]


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    """The service's errors, named after the form fields of the person they are about."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {f"{prefix}-{field}": errors for field, errors in exc.error_dict.items()}
    )


def _register_or_join(
    actor: User, organisation: Organisation, kind: str, details: PersonDetails
) -> Person:
    """The person with this identity number whom the actor can already find, or a new
    registration (which joins another service's record of the number, see register_person)."""
    if details.national_id:
        try:
            number = normalise_identity_number(details.national_id)
        except ValidationError as exc:
            raise ValidationError({"national_id": exc.messages}) from exc
        known = (
            policy.visible(actor, Person, policy.Purpose.IDENTITY_LOOKUP)
            .filter(organisation=organisation, national_id_hash=crypto.lookup_hash(number))
            .first()
        )
        if known is not None:
            audit.record(
                audit.AuditEvent.Action.SEARCH,
                actor=actor,
                object_type="core.person",
                object_ids=[known.pk],
                subject_ids=[known.pk],
                organisation_id=organisation.pk,
                purpose=policy.Purpose.IDENTITY_LOOKUP,
                detail={"found": True, "event": "joined_on_registration"},
            )
            return known
        if details.birth_date is None:
            # The number holds the birth date (a D-number's too).
            details = replace(details, birth_date=birth_date_from_identity_number(number))
    return services.register_person(
        actor,
        organisation,
        kind=kind,
        given_name=details.given_name,
        family_name=details.family_name,
        birth_date=details.birth_date,
        national_id=details.national_id or None,
        phone=details.phone,
        email=details.email,
    )


def _link(actor: User, child: Person, guardian: Person, parent: Parent) -> GuardianRelation:
    if guardian.pk == child.pk:
        raise ValidationError(_("A person cannot be their own guardian."))
    if guardian.kind in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON):
        # A number that leads to a child (a sibling, say) is a mistake, and a guardian opens
        # the child's records on Min side.
        raise ValidationError(
            _("This identity number belongs to a child or young person, who cannot be a guardian.")
        )
    if GuardianRelation.objects.filter(guardian=guardian, child=child).exists():
        raise ValidationError(
            _(
                "%(guardian)s is already linked to %(child)s as a guardian. To change the "
                "relation, unlink it on the child's page and link it again."
            )
            % {"guardian": guardian, "child": child}
        )
    if parent.known_from not in GuardianRelation.KnownFrom.values:
        raise ValidationError({"known_from": [_("Choose how you know the relation.")]})
    return services.relate_guardian(
        actor,
        guardian,
        child,
        kind=parent.kind,
        has_parental_responsibility=parent.has_parental_responsibility,
        lives_with_child=parent.lives_with_child,
        known_from=parent.known_from,
    )


@transaction.atomic
def register_family(
    actor: User,
    organisation: Organisation,
    *,
    child_kind: str,
    child: PersonDetails,
    parents: list[Parent],
) -> RegisteredFamily:
    """Register a child together with their parents (none, one or two), all in one step.

    Errors name the form field they are about, prefixed "barn-" for the child and
    "forelder1-"/"forelder2-" for the parents, and nothing is stored when any is wrong.
    """
    if child_kind not in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON):
        raise ValidationError({"barn-kind": [_("Choose child or young person.")]})
    try:
        registered_child = _register_or_join(actor, organisation, child_kind, child)
    except ValidationError as exc:
        raise _prefixed(exc, "barn") from exc
    if registered_child.kind not in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON):
        raise ValidationError(
            {"barn-national_id": [_("This identity number belongs to an adult, not a child.")]}
        )
    if parents:
        # Linking is changing the child: a child found by number whom the actor may not
        # change (another service's, read under a consent) gets no guardian from them.
        try:
            policy.require(actor, policy.Action.CHANGE, registered_child, policy.Purpose.CASEWORK)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
    relations = []
    for number, parent in enumerate(parents, start=1):
        prefix = f"forelder{number}"
        try:
            guardian = _register_or_join(actor, organisation, Person.Kind.GUARDIAN, parent.details)
            if GuardianRelation.objects.filter(guardian=guardian, child=registered_child).exists():
                # Registering a family already known: the link is there, as it was.
                continue
            relations.append(_link(actor, registered_child, guardian, parent))
        except ValidationError as exc:
            raise _prefixed(exc, prefix) from exc
    return RegisteredFamily(child=registered_child, relations=relations)


@transaction.atomic
def link_guardian(actor: User, child_id: object, parent: Parent) -> GuardianRelation:
    """Link a parent (registered now, or joined by identity number) to a child the actor may
    change. 404 for a child the actor may not see; PermissionDenied with the reason for one
    they may see but not change."""
    child = services.person_for_change(actor, child_id)
    if child.kind not in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON):
        raise ValidationError(_("Guardians are linked to a child or young person only."))
    guardian = _register_or_join(actor, child.organisation, Person.Kind.GUARDIAN, parent.details)
    return _link(actor, child, guardian, parent)


@transaction.atomic
def unlink_guardian(
    actor: User, child_id: object, relation_id: object, reason: str
) -> GuardianRelation:
    """Remove a guardian relation from a child the actor may change, with why. Consents the
    guardian gave stay as they were given; from now on the guardian no longer sees the child
    on Min side nor gives consent for them."""
    child = services.person_for_change(actor, child_id)
    relation = (
        policy.visible(actor, GuardianRelation, policy.Purpose.CASEWORK, few_rows=True)
        .filter(pk=relation_id, child=child)
        .select_related("guardian")
        .first()
    )
    if relation is None:
        raise Http404(_("Not found, or you do not have access."))
    if reason not in UnlinkReason.values:
        raise ValidationError({"reason": [_("Choose why the guardian is unlinked.")]})
    policy.require(actor, policy.Action.CHANGE, relation, policy.Purpose.CASEWORK)
    relation_pk = relation.pk
    relation.delete()
    relation.pk = relation_pk
    audit.record(
        audit.AuditEvent.Action.DELETE,
        actor=actor,
        objects=[relation],
        subject_ids=[child.pk, relation.guardian_id],
        organisation_id=child.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail={"event": "guardian_unlinked", "reason": reason},
    )
    return relation
