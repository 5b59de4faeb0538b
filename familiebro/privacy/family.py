"""What parents and young people see of their own data, logged in with ID-porten.

A citizen is known only by the keyed hash of the identity number the login provider vouched
for; they have no staff account and no other way in. They see
- the person records registered with their own identity number, in every organisation, and
- the records of their children: a guardian relation with parental responsibility links them,
  and the child is under 18 (from then on the young person logs in themselves).
Only models opened with `policy.open_to_family()` can be read, without the rows the policy
knows as internal (internal measures and log entries) and those hidden from the family there
(the earlier text of corrected log entries). Every
read is audited with the family's own right of access as its basis (GDPR art. 15), saying
whether the person themselves or a parent read it, so it shows in the access log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Person

from . import audit, policy

# The basis the audit trail records for the family's own reads.
FAMILY_READ_BASIS = "data_subject"
ADULT_AGE = 18
# In an audit event of the family's, who of them it was for each person concerned.
ROLE_KEY = "family_role"


class Relation:
    SELF = "self"
    PARENT = "parent"


CITIZEN_LABEL_PREFIX = "citizen:"


@dataclass(frozen=True)
class Citizen:
    """A parent or young person logged in with ID-porten."""

    identity_hash: str
    # Not a staff account: the audit trail records no user id.
    pk: ClassVar[None] = None

    @property
    def audit_label(self) -> str:
        """Who it was, for the audit trail: the keyed hash of the identity number, which
        names one person without holding the number."""
        return f"{CITIZEN_LABEL_PREFIX}{self.identity_hash}"


def is_citizen_label(label: str) -> bool:
    return label.startswith(CITIZEN_LABEL_PREFIX)


@dataclass(frozen=True)
class FamilyMember:
    """One person record the citizen may read, and why: it is theirs, or their child's."""

    person: Person
    relation: str


def _adult_birth_date(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


def family_of(citizen: Citizen) -> list[FamilyMember]:
    """The citizen's own records and their children's, by organisation and name."""
    own = list(
        Person.objects.filter(national_id_hash=citizen.identity_hash).select_related("organisation")
    )
    children = (
        Person.objects.filter(
            guardians_rel__guardian__in=own,
            guardians_rel__has_parental_responsibility=True,
            birth_date__gt=_adult_birth_date(timezone.localdate()),
        )
        .exclude(pk__in=[p.pk for p in own])
        .select_related("organisation")
        .distinct()
    )
    members = [FamilyMember(p, Relation.SELF) for p in own]
    members += [FamilyMember(p, Relation.PARENT) for p in children]
    return sorted(
        members,
        key=lambda m: (m.person.organisation.name, m.relation != Relation.SELF, str(m.person)),
    )


def own_records(family: Sequence[FamilyMember]) -> list[Person]:
    """The citizen's own person records (not their children's)."""
    return [m.person for m in family if m.relation == Relation.SELF]


def member_or_404(family: Sequence[FamilyMember], person_id: int) -> FamilyMember:
    """One of the citizen's family records; 404 for anyone else's, so nothing leaks."""
    for member in family:
        if member.person.pk == person_id:
            return member
    raise Http404(_("Not found, or you do not have access."))


def visible(model: type[models.Model], family: Iterable[FamilyMember]) -> models.QuerySet:
    """The rows of `model` about the family, without those hidden from the family."""
    hidden = policy.hidden_from_family(model)
    subject_field = policy.rule_for(model).subject_field
    rows = model._default_manager.filter(**{f"{subject_field}__in": [m.person.pk for m in family]})
    return rows.exclude(hidden) if hidden is not None else rows


def record_read(
    citizen: Citizen,
    action: str,
    objs: Sequence[models.Model],
    family: Iterable[FamilyMember],
    purpose: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit event per organisation for what a family page showed; `detail` adds the
    ids of the parts shown with them (never their content)."""
    if not objs:
        return
    relation = {m.person.pk: m.relation for m in family}
    rule = policy.rule_for(type(objs[0]))
    by_organisation: dict[int, list[models.Model]] = {}
    for obj in objs:
        by_organisation.setdefault(policy.value_at(obj, rule.organisation_field), []).append(obj)
    for organisation_id, rows in by_organisation.items():
        subjects = sorted({policy.value_at(o, str(rule.subject_field)) for o in rows})
        audit.record(
            action,
            actor=citizen,
            objects=rows,
            subject_ids=subjects,
            organisation_id=organisation_id,
            purpose=purpose,
            legal_basis=FAMILY_READ_BASIS,
            detail={
                **(detail or {}),
                ROLE_KEY: {str(s): relation.get(s, Relation.PARENT) for s in subjects},
            },
        )
