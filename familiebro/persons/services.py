"""What staff do with persons: register them and their guardians, find them by identity
number, and on the person pages list, look at and change the persons they work with.

Every read goes through the access policy, which decides which rows the user may see and
audits them; every change checks the policy and is audited in the same transaction. The
purpose a page is read for is chosen by the reader (casework by default, or one of the
consent purposes), because a consent opens data for its purpose only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core import crypto
from familiebro.core.identifiers import normalise_identity_number, normalise_phone_number
from familiebro.core.models import (
    AddressProtection,
    GuardianRelation,
    Membership,
    Organisation,
    ParentInformationDecision,
    Person,
    User,
)
from familiebro.privacy import audit, export, policy, protected
from familiebro.privacy import services as privacy_services
from familiebro.privacy.models import Assignment, Consent, DataCategory
from familiebro.privacy.models import Purpose as ConsentPurpose

from . import permissions

PAGE_SIZE = 50

# The purposes a staff member can read the person pages for: their own casework, or one of
# the purposes a family can consent to (which is how another organisation's persons appear).
READING_PURPOSES: list[tuple[str, Any]] = [
    (policy.Purpose.CASEWORK, gettext_lazy("Casework in my own service")),
    *ConsentPurpose.choices,
]


@transaction.atomic
def register_person(
    actor: User | None,
    organisation: Organisation,
    *,
    kind: str,
    given_name: str,
    family_name: str,
    birth_date: datetime.date | None = None,
    national_id: str | None = None,
    phone: str = "",
    email: str = "",
) -> Person:
    """Register a person with an organisation. Raises ValidationError with what to fix."""
    if actor is not None and organisation.pk not in policy.organisation_ids_of(actor):
        raise ValidationError(_("You can only register persons in your own organisation."))
    person = Person(
        organisation=organisation,
        kind=kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        birth_date=birth_date,
        phone=phone,
        email=email,
    )
    if national_id:
        try:
            person.set_national_id(national_id)
        except ValidationError as exc:
            raise ValidationError({"national_id": exc.messages}) from exc
    if actor is not None and person.national_id_hash is not None:
        known = _known_to_another_service(actor, organisation, person.national_id_hash)
        if known is not None:
            return _start_working_with(actor, known)
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        # The unique constraint is the last line of defence against a concurrent duplicate.
        raise ValidationError(
            {
                "national_id": [
                    _(
                        "A person with this identity number is already registered in "
                        "this organisation. Search for the person instead."
                    )
                ]
            }
        ) from exc
    if actor is not None:
        _assign_registrar(actor, person)
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[person],
        subject_ids=[person.pk],
        organisation_id=organisation.pk,
        purpose=policy.Purpose.REGISTRATION,
    )
    return person


def _assign_registrar(actor: User, person: Person) -> list[Assignment]:
    # Whoever registers a person works with them: that is their need to know, in each
    # domain they work in (registering is not yet work in one service; a case is).
    return [
        Assignment.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            user=actor,
            domain=domain,
            reason=REGISTERED_REASON,
        )
        for domain in policy.domains_of(actor, person.organisation_id)
    ]


def _known_to_another_service(
    actor: User, organisation: Organisation, national_id_hash: str
) -> Person | None:
    """The organisation's registration of the number when the actor's own services cannot
    find it: another service (another confidentiality domain) already works with the person.

    A registration the actor's own services can find is a duplicate, refused as such.
    """
    registered = Person.objects.filter(organisation=organisation, national_id_hash=national_id_hash)
    findable = policy.visible(actor, Person, policy.Purpose.IDENTITY_LOOKUP)
    if findable.filter(national_id_hash=national_id_hash, organisation=organisation).exists():
        return None
    return registered.first()


def _start_working_with(actor: User, person: Person) -> Person:
    """Registering a person the organisation already holds, for another service: the actor's
    service starts working with the same person instead of registering them twice.

    The organisation's person register is one per data controller (one row per identity
    number), but finding a person by number is limited to one's own services, so the actor
    is not told which service holds the person; their need to know opens the person's
    identity and their own service's records, nothing another service keeps.
    """
    assignments = _assign_registrar(actor, person)
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=assignments,
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=policy.Purpose.REGISTRATION,
    )
    return person


@transaction.atomic
def relate_guardian(
    actor: User | None,
    guardian: Person,
    child: Person,
    *,
    kind: str,
    has_parental_responsibility: bool,
    lives_with_child: bool = True,
    known_from: str = "",
) -> GuardianRelation:
    """Make `guardian` a guardian of `child`. Callers check who may (persons.family)."""
    relation = GuardianRelation(
        organisation_id=child.organisation_id,
        guardian=guardian,
        child=child,
        kind=kind,
        has_parental_responsibility=has_parental_responsibility,
        lives_with_child=lives_with_child,
        known_from=known_from,
        registered_at=timezone.now(),
        registered_by=actor,
    )
    relation.full_clean()
    relation.save()
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[relation],
        subject_ids=[guardian.pk, child.pk],
        organisation_id=child.organisation_id,
        purpose=policy.Purpose.REGISTRATION,
        detail={"event": "guardian_linked", "known_from": known_from} if known_from else None,
    )
    return relation


@transaction.atomic
def find_person_by_identity_number(actor: Any, number: str) -> Person | None:
    """Look up a person by identity number among the persons the actor may see.

    The number is hashed with the lookup key, never compared in clear. The search itself is
    audited (without the number), and so is the hit.
    """
    normalised = normalise_identity_number(number)
    person = (
        policy.visible(actor, Person, policy.Purpose.IDENTITY_LOOKUP)
        .filter(national_id_hash=crypto.lookup_hash(normalised))
        .select_related("organisation")
        .first()
    )
    audit.record(
        audit.AuditEvent.Action.SEARCH,
        actor=actor,
        object_type="core.person",
        object_ids=[person.pk] if person else [],
        subject_ids=[person.pk] if person else [],
        organisation_id=person.organisation_id if person else None,
        purpose=policy.Purpose.IDENTITY_LOOKUP,
        detail={"found": person is not None},
    )
    return person


@transaction.atomic
def person_list_page(
    actor: Any,
    *,
    query: str = "",
    purpose: str = policy.Purpose.CASEWORK,
    page_number: Any = 1,
    unit_id: int | None = None,
    kind: str = "",
) -> Page:
    """One page of the persons the actor may see for `purpose`, audited as one event.

    `query` narrows by name: every word must be part of the given or the family name.
    `unit_id` narrows to the persons one of the actor's own units works with, `kind` to
    children, young persons, parents and so on.
    """
    rows = (
        policy.visible(actor, Person, purpose)
        .select_related("organisation")
        .order_by("family_name", "given_name", "pk")
    )
    for word in query.split():
        rows = rows.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    if unit_id is not None:
        rows = rows.filter(pk__in=policy.persons_of_own_unit(actor, unit_id))
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    page.object_list = policy.list_page(actor, page.object_list, purpose)
    return page


@dataclass(frozen=True)
class OpenAssignment:
    """Someone's need to know of the person, as the person page shows it."""

    assignment: Assignment
    why: str
    can_end: bool  # the reader may end it, and nothing depends on it
    kept_open_by: str  # why the reader cannot end it here, when they otherwise could


# Registering a person assigns whoever registered them, with this reason (register_person).
REGISTERED_REASON = "registered"
# The reasons a case writes on the need to know it gives (cases.case_services): the role
# only, never the case, which another service reading the person page may not know of.
# Stored as keys and translated when shown; a participant's own role is stored as typed.
CASE_OWNING_UNIT_REASON = "case:owning_unit"
CASE_COORDINATOR_REASON = "case:coordinator"
CASE_OFFERED_COORDINATOR_REASON = "case:offered_coordinator"
CASE_PARTICIPANT_REASON = "case:participant"


def _why(assignment: Assignment) -> str:
    words = {
        REGISTERED_REASON: _("Registered the person"),
        CASE_OWNING_UNIT_REASON: _("Owning unit of a case"),
        CASE_COORDINATOR_REASON: _("Coordinator of a case"),
        CASE_OFFERED_COORDINATOR_REASON: _("Offered the coordinator role of a case"),
        CASE_PARTICIPANT_REASON: _("Participant in a case"),
    }
    return words.get(assignment.reason, assignment.reason)


def _open_assignments(actor: Any, person: Person, purpose: str) -> list[OpenAssignment]:
    """Who works with the person, for readers the policy lets see it (never by consent)."""
    assignments = policy.list_page(
        actor,
        policy.visible(actor, Assignment, purpose, few_rows=True)
        .filter(person_id=person.pk, organisation_id=person.organisation_id, ended_at=None)
        .select_related("user", "unit")
        .order_by("created_at", "pk"),
        purpose,
    )
    rows = []
    for assignment in assignments:
        may_end = privacy_services.may_end_assignment(actor, assignment)
        kept = (privacy_services.kept_open_by(assignment) or "") if may_end else ""
        rows.append(
            OpenAssignment(
                assignment=assignment,
                why=_why(assignment),
                can_end=may_end and not kept,
                kept_open_by=kept,
            )
        )
    return rows


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    basis: policy.Basis
    guardians: list[GuardianRelation]  # the person is the child
    children: list[GuardianRelation]  # the person is the guardian
    linkable_person_ids: frozenset[int]  # related persons the reader may open as well
    shows_identity_number: bool
    shows_contact_details: bool
    can_change: bool
    assignments: list[OpenAssignment]
    # Whom the right-of-access export can be made for where a protected address is around
    # the person, each with whether they get where the family lives (privacy.protected).
    export_readers: list[ExportReader]
    # Barneloven § 47: decisions on information to a parent without parental responsibility.
    parent_information: list[ParentInformationDecision]
    has_parent_without_responsibility: bool

    @property
    def is_child(self) -> bool:
        """Whether guardians can be linked to the person (a child or young person)."""
        return self.person.kind in (Person.Kind.CHILD, Person.Kind.YOUNG_PERSON)


@dataclass(frozen=True)
class ExportReader:
    person: Person
    sees_whereabouts: bool


def _export_readers(person: Person) -> list[ExportReader]:
    if not protected.protected_around(person):
        return []
    return [
        ExportReader(reader, not protected.hidden_from(person, protected.reader_of(reader)))
        for reader in export.export_readers(person)
    ]


def _consent_covers(consent_id: int | None, category: str) -> bool:
    if consent_id is None:
        return False
    return Consent.objects.filter(pk=consent_id, scope__contains=f" {category} ").exists()


@transaction.atomic
def person_detail(actor: Any, person_id: Any, purpose: str) -> PersonDetail:
    """One person with their guardians or children, as far as the actor may see them.

    A consent opens the person's name and birth date; contact details only when the consent
    covers them, and the identity number never (it is not part of any consent's scope).
    """
    person = policy.get_or_404(actor, Person, person_id, purpose)
    basis = policy.bases_for(actor, [person], purpose)[0]
    relations = policy.list_page(
        actor,
        policy.visible(actor, GuardianRelation, purpose)
        .filter(Q(child_id=person.pk) | Q(guardian_id=person.pk))
        .select_related("guardian", "child")
        .order_by("pk"),
        purpose,
    )
    others = {r.guardian_id for r in relations} | {r.child_id for r in relations}
    others.discard(person.pk)
    linkable = frozenset(
        policy.visible(actor, Person, purpose).filter(pk__in=others).values_list("pk", flat=True)
        if others
        else ()
    )
    by_consent = basis.kind == policy.Basis.CONSENT
    try:
        policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
        can_change = True
    except PermissionDenied:
        can_change = False
    return PersonDetail(
        person=person,
        basis=basis,
        guardians=[r for r in relations if r.child_id == person.pk],
        children=[r for r in relations if r.guardian_id == person.pk],
        linkable_person_ids=linkable,
        shows_identity_number=not by_consent,
        shows_contact_details=not by_consent
        or _consent_covers(basis.consent_id, DataCategory.CONTACT_DETAILS),
        can_change=can_change,
        assignments=_open_assignments(actor, person, purpose),
        export_readers=[] if by_consent else _export_readers(person),
        parent_information=[] if by_consent else parent_information_decisions(actor, person),
        has_parent_without_responsibility=any(
            r.child_id == person.pk
            and not r.has_parental_responsibility
            and r.kind in (GuardianRelation.Kind.BIOLOGICAL, GuardianRelation.Kind.ADOPTIVE)
            for r in relations
        ),
    )


@dataclass(frozen=True)
class EndedNeedToKnow:
    person: Person
    still_visible: bool  # through another assignment, a leader's oversight, a consent…


@transaction.atomic
def end_need_to_know(
    actor: Any, person_id: Any, assignment_id: Any, reason: str
) -> EndedNeedToKnow:
    """End one of the person's assignments from the person page, and say whether the actor
    still sees the person afterwards (if not, the page is closed to them from now on)."""
    person = policy.get_or_404(actor, Person, person_id, policy.Purpose.CASEWORK)
    assignment = policy.get_or_404(actor, Assignment, assignment_id, policy.Purpose.CASEWORK)
    if assignment.person_id != person.pk:
        raise Http404(_("Not found, or you do not have access."))
    privacy_services.end_assignment(actor, assignment, reason)
    still_visible = (
        policy.visible(actor, Person, policy.Purpose.CASEWORK, few_rows=True)
        .filter(pk=person.pk)
        .exists()
    )
    return EndedNeedToKnow(person=person, still_visible=still_visible)


@transaction.atomic
def person_for_change(actor: Any, person_id: Any) -> Person:
    """The person whose details the actor is about to change: 404 if they may not see them,
    PermissionDenied with the reason if they may see but not change them."""
    person = policy.get_or_404(actor, Person, person_id, policy.Purpose.CASEWORK)
    policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    return person


@transaction.atomic
def update_contact_details(actor: Any, person: Person, phone: str, email: str) -> list[str]:
    """Change a person's phone and e-mail. Returns the names of the fields that changed.

    Only the data controller's own staff with a need to know may do it. The audit event names
    the changed fields, never the old or new values: the trail must not become a second copy
    of the personal data.
    """
    basis = policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    errors: dict[str, list[str]] = {}
    phone = phone.strip()
    email = email.strip()
    if phone:
        try:
            phone = normalise_phone_number(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [
                _("Enter a valid e-mail address, for example navn@eksempel.no, or leave it empty.")
            ]
    if errors:
        raise ValidationError(errors)
    new_values = {"phone": phone, "email": email}
    locked = Person.objects.select_for_update().get(pk=person.pk)
    changed = [field for field, value in new_values.items() if getattr(locked, field) != value]
    if not changed:
        return []
    for field in changed:
        setattr(locked, field, new_values[field])
        setattr(person, field, new_values[field])
    locked.save(update_fields=[*changed, "updated_at"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[locked],
        subject_ids=[locked.pk],
        organisation_id=locked.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        detail={"changed_fields": changed},
    )
    return changed


@transaction.atomic
def set_address_protection(actor: Any, person_id: Any, level: str) -> Person:
    """Record the population register's address protection of a person (or that it is
    lifted), with who did it and when. Anyone who may change the person records or raises
    it; lowering or lifting it is a unit leader's (persons.permissions). Audited as a change
    of the person naming the field, never the level, which the trail must not spread."""
    person = policy.get_or_404(actor, Person, person_id, policy.Purpose.CASEWORK)
    basis = policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    if level not in AddressProtection.values:
        raise ValidationError(
            {"address_protection": [_("Choose the protection the population register shows.")]}
        )
    locked = Person.objects.select_for_update().get(pk=person.pk)
    permissions.require_may_set_address_protection(actor, locked, level)
    if locked.address_protection == level:
        return locked
    locked.address_protection = level
    locked.address_protection_set_at = timezone.now()
    locked.address_protection_set_by = actor
    locked.save(
        update_fields=[
            "address_protection",
            "address_protection_set_at",
            "address_protection_set_by",
            "updated_at",
        ]
    )
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[locked],
        subject_ids=[locked.pk],
        organisation_id=locked.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        detail={"changed_fields": ["address_protection"]},
    )
    return locked


# Barneloven § 47 ------------------------------------------------------------------------------


def _parents_without_responsibility(child: Person) -> list[Person]:
    """The child's parents without parental responsibility, whose requests for information
    a service decides (barneloven § 47): they have no access on Min side."""
    return list(
        # A parent (barneloven § 47 is about the child's parents, not a step-parent).
        Person.objects.filter(
            children_rel__child=child,
            children_rel__has_parental_responsibility=False,
            children_rel__kind__in=[
                GuardianRelation.Kind.BIOLOGICAL,
                GuardianRelation.Kind.ADOPTIVE,
            ],
        ).order_by("pk")
    )


def parent_information_decisions(actor: Any, child: Person) -> list[ParentInformationDecision]:
    """The decisions on information about the child that the actor's services made, audited."""
    purpose = policy.Purpose.CASEWORK
    return policy.list_page(
        actor,
        policy.visible(actor, ParentInformationDecision, purpose, few_rows=True)
        .filter(child_id=child.pk)
        .select_related("unit", "parent", "decided_by"),
        purpose,
    )


@dataclass(frozen=True)
class ParentInformationChoices:
    parents: list[Person]  # without parental responsibility
    units: list[Any]  # the actor's units in the child's organisation


def parent_information_choices(actor: Any, child: Person) -> ParentInformationChoices:
    """Who may have asked, and which of the actor's services decides."""
    policy.require(actor, policy.Action.CHANGE, child, policy.Purpose.CASEWORK)
    units = [
        m.unit
        for m in Membership.objects.filter(
            user=actor, unit__organisation_id=child.organisation_id
        ).select_related("unit")
    ]
    return ParentInformationChoices(
        _parents_without_responsibility(child), list({u.pk: u for u in units}.values())
    )


@transaction.atomic
def record_parent_information_decision(
    actor: Any,
    child_id: Any,
    *,
    parent_id: Any,
    unit_id: Any,
    asked: str,
    outcome: str,
    given: str,
    reason: str,
) -> ParentInformationDecision:
    """Record what a parent without parental responsibility asked about the child and what the
    service decided (barneloven § 47): what was given, or why (part of) it was refused, which
    may be appealed to the county governor. Only the child's own service with a need to know
    records it, for one of its own units in the child's organisation."""
    child = policy.get_or_404(actor, Person, child_id, policy.Purpose.CASEWORK)
    basis = policy.require(actor, policy.Action.CHANGE, child, policy.Purpose.CASEWORK)
    errors: dict[str, list[str]] = {}
    parents = {str(p.pk): p for p in _parents_without_responsibility(child)}
    parent = parents.get(str(parent_id))
    if parent is None:
        errors["parent"] = [_("Choose the parent without parental responsibility who asked.")]
    unit = (
        Membership.objects.filter(user=actor, unit_id=unit_id if str(unit_id).isdigit() else None)
        .filter(unit__organisation_id=child.organisation_id)
        .select_related("unit")
        .first()
    )
    if unit is None:
        errors["unit"] = [_("Choose the service of yours that decided.")]
    asked, given, reason = asked.strip(), given.strip(), reason.strip()
    if not asked:
        errors["asked"] = [_("Write what the parent asked for.")]
    if outcome not in ParentInformationDecision.Outcome.values:
        errors["outcome"] = [_("Choose the decision.")]
    if outcome != ParentInformationDecision.Outcome.REFUSED and not given:
        errors["given"] = [_("Write what the parent was told.")]
    if outcome != ParentInformationDecision.Outcome.GIVEN and not reason:
        errors["reason"] = [
            _(
                "Write why it was refused: information may be refused only where it could "
                "harm the child, or where the duty of confidentiality towards the parents "
                "applies."
            )
        ]
    if errors:
        raise ValidationError(errors)
    assert parent is not None and unit is not None
    decision = ParentInformationDecision.objects.create(
        organisation_id=child.organisation_id,
        unit=unit.unit,
        child=child,
        parent=parent,
        asked=asked,
        outcome=outcome,
        given=given,
        reason=reason,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[decision],
        subject_ids=[child.pk, parent.pk],
        organisation_id=child.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        detail={"outcome": outcome},
    )
    return decision
