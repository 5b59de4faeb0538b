"""What parents and young people see of their own data, logged in with ID-porten.

A citizen is known only by the keyed hash of the identity number the login provider vouched
for; they have no staff account and no other way in. They see
- the person records registered with their own identity number, in every organisation, and
- the records of their children: a guardian relation with parental responsibility links them,
  and the child is under 18 (from then on the young person logs in themselves).
Only models opened with `policy.open_to_family()` can be read, without the rows the policy
knows as internal (internal measures and log entries) and those hidden from the family there
(the earlier text of corrected log entries). Of a child of 12 to 17, a parent sees the
records held by a service that keeps them from the parents by default (health, specialist
health and child welfare, unless the organisation's FamilyAccessRule says otherwise) only once
the service has released them; from 16, only what it released from the 16th birthday on, as
needed to exercise parental responsibility (pasient- og brukerrettighetsloven § 3-4). The
child's age is counted on the day of reading. Every
read is audited with the family's own right of access as its basis (GDPR art. 15), saying
whether the person themselves or a parent read it, so it shows in the access log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import GuardianRelation, Person

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


# The session key under which Min side keeps the logged-in citizen (portal.session).
CITIZEN_SESSION_KEY = "familiebro_citizen"


def citizen_in(session: Any) -> Citizen | None:
    """The citizen logged in with ID-porten in this session, if any (no database read)."""
    value = session.get(CITIZEN_SESSION_KEY)
    return Citizen(identity_hash=value["identity_hash"]) if value else None


# Records a citizen sent themselves while logged in (a request for help), found by the keyed
# hash of the identity number they were logged in with: model -> the field holding the hash.
_SENT_BY: dict[type[models.Model], str] = {}


def open_to_sender(model: type[models.Model], identity_field: str) -> None:
    """Let the citizen who sent a row read it on Min side, and no one else through it."""
    _SENT_BY[model] = identity_field


def sent_by(citizen: Citizen, model: type[models.Model]) -> models.QuerySet:
    """The rows of `model` the citizen sent: matched by identity, never by name or address.
    A model not opened to its sender gives nothing."""
    field = _SENT_BY.get(model)
    if field is None or not citizen.identity_hash:
        return model._default_manager.none()
    return model._default_manager.filter(**{field: citizen.identity_hash})


def record_sent_read(
    citizen: Citizen, action: str, objs: Sequence[models.Model], purpose: str
) -> None:
    """One audit event per organisation for what the citizen read of what they sent. Such a
    row is about no registered person, so the events name none."""
    if not objs:
        return
    rule = policy.rule_for(type(objs[0]))
    by_organisation: dict[int, list[models.Model]] = {}
    for obj in objs:
        by_organisation.setdefault(policy.value_at(obj, rule.organisation_field), []).append(obj)
    for organisation_id, rows in by_organisation.items():
        audit.record(
            action,
            actor=citizen,
            objects=rows,
            organisation_id=organisation_id,
            purpose=purpose,
            legal_basis=FAMILY_READ_BASIS,
            detail={ROLE_KEY: {}},
        )


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


# Relations made before staff linked guardians themselves have no source recorded; they came
# from the population register.
TRUSTED_RELATIONS = (
    "",
    GuardianRelation.KnownFrom.POPULATION_REGISTER,
    GuardianRelation.KnownFrom.DOCUMENT,
)


def family_of(citizen: Citizen) -> list[FamilyMember]:
    """The citizen's own records and their children's, by organisation and name."""
    own = list(
        Person.objects.filter(national_id_hash=citizen.identity_hash).select_related("organisation")
    )
    children = (
        Person.objects.filter(
            guardians_rel__guardian__in=own,
            guardians_rel__has_parental_responsibility=True,
            # A relation known only from what someone told a service opens nothing on Min
            # side: the population register or a document must back it first.
            guardians_rel__known_from__in=TRUSTED_RELATIONS,
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
    """The rows of `model` about the family, without those hidden from the family and
    those a service keeps from the parents of a young person (`withheld_from_parents`)."""
    family = list(family)
    hidden = policy.hidden_from_family(model)
    subject_field = policy.rule_for(model).subject_field
    rows = model._default_manager.filter(**{f"{subject_field}__in": [m.person.pk for m in family]})
    withheld = withheld_from_parents(model, family)
    if withheld is not None:
        hidden = withheld if hidden is None else hidden | withheld
    return rows.exclude(hidden) if hidden is not None else rows


# Young people --------------------------------------------------------------------------------


class AgeBand:
    """What the parents see of a child's records held by a service the organisation's
    FamilyAccessRule names (privacy.models.FamilyAccessRule)."""

    # Under 12 (by default): everything not marked internal, as of any child.
    CHILD = "child"
    # 12 to 15: only what the service released (§ 3-4 second paragraph: the child may have
    # reasons that should be respected for keeping it from the parents).
    YOUNG_PERSON = "young_person"
    # 16 and 17: only what the service released from the 16th birthday on, as needed to
    # exercise parental responsibility (§ 3-4 first and fourth paragraphs).
    PARENTAL_RESPONSIBILITY = "parental_responsibility"


@dataclass(frozen=True)
class YoungPersonRule:
    """An organisation's FamilyAccessRule, or the safe default where it has none."""

    young_person_age: int
    parental_responsibility_age: int
    domains: tuple[str, ...]


def young_person_rules(organisation_ids: Iterable[int]) -> dict[int, YoungPersonRule]:
    """The rule of each organisation: its own FamilyAccessRule, else the default."""
    from .models import FamilyAccessRule

    default = YoungPersonRule(
        FamilyAccessRule.YOUNG_PERSON_AGE,
        FamilyAccessRule.PARENTAL_RESPONSIBILITY_AGE,
        tuple(str(d) for d in FamilyAccessRule.DEFAULT_DOMAINS),
    )
    rules = dict.fromkeys(set(organisation_ids), default)
    for rule in FamilyAccessRule.objects.filter(organisation_id__in=rules):
        rules[rule.organisation_id] = YoungPersonRule(
            rule.young_person_age, rule.parental_responsibility_age, tuple(rule.domain_list())
        )
    return rules


def birthday(birth_date: datetime.date, age: int) -> datetime.date:
    """The day a person born on `birth_date` turns `age` (28 February for 29 February in a
    year that has none, as for the age of majority above)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return birth_date.replace(year=birth_date.year + age, day=28)


def age_band(
    person: Person, rule: YoungPersonRule, today: datetime.date | None = None
) -> tuple[str, datetime.date | None]:
    """The child's age band on `today` (the day of reading), and the day from which a release
    counts (the birthday that began the parental-responsibility band; None: any release)."""
    today = today or timezone.localdate()
    if person.birth_date is None:
        # Without a birth date nothing tells how old the child is, so the parents get what
        # they would of a young person (only what was released), never more: the safe side.
        # (family_of only finds children with a birth date under 18, so this guards any
        # other caller.)
        return AgeBand.YOUNG_PERSON, None
    if today < birthday(person.birth_date, rule.young_person_age):
        return AgeBand.CHILD, None
    from_16 = birthday(person.birth_date, rule.parental_responsibility_age)
    if today < from_16:
        return AgeBand.YOUNG_PERSON, None
    return AgeBand.PARENTAL_RESPONSIBILITY, from_16


def parents_band(person: Person, domain: str, today: datetime.date | None = None) -> str | None:
    """For staff: the age band that limits what the parents see of the records a unit of
    `domain` holds about `person` (AgeBand.YOUNG_PERSON or PARENTAL_RESPONSIBILITY), with the
    organisation's rule; None when they see them as any child's."""
    rule = young_person_rules([person.organisation_id])[person.organisation_id]
    if domain not in rule.domains:
        return None
    band, _released_from = age_band(person, rule, today)
    return None if band == AgeBand.CHILD else band


def releases_count_from(
    person: Person, today: datetime.date | None = None
) -> datetime.datetime | None:
    """From when a release to the parents of `person` counts today: the start of the 16th
    birthday from then on, else any release (None). Read once for a page of rows."""
    rule = young_person_rules([person.organisation_id])[person.organisation_id]
    _band, released_from = age_band(person, rule, today)
    return None if released_from is None else _start_of(released_from)


def counts_as_released(
    released_at: datetime.datetime | None, counts_from: datetime.datetime | None
) -> bool:
    """Whether a row released at `released_at` is shown to the parents, `counts_from` being
    what releases_count_from() gave: the rule of `withheld_from_parents` for a row read."""
    return released_at is not None and (counts_from is None or released_at >= counts_from)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def withheld_from_parents(
    model: type[models.Model], family: Sequence[FamilyMember], today: datetime.date | None = None
) -> Q | None:
    """The rows of `model` about the citizen's children of 12 to 17 that a service keeps from
    the parents: held by a unit in one of the domains the organisation's rule names, and not
    released (from 16: not released since the 16th birthday). None when nothing is withheld.
    The young person's own records are never withheld from themselves."""
    domain_field = policy.holder_domain_field(model)
    if domain_field is None:
        return None  # held by no unit: the person's identity, consents
    released_field = policy.released_to_family_field(model)
    subject_field = str(policy.rule_for(model).subject_field)
    children = [m.person for m in family if m.relation == Relation.PARENT]
    if not children:
        return None
    rules = young_person_rules(p.organisation_id for p in children)
    withheld: Q | None = None
    for child in children:
        rule = rules[child.organisation_id]
        band, released_from = age_band(child, rule, today)
        if band == AgeBand.CHILD or not rule.domains:
            continue
        if released_field is None:
            # A kind of record the service cannot release (only named in the access log).
            not_released = Q()
        elif released_from is None:
            not_released = Q(**{f"{released_field}__isnull": True})
        else:
            not_released = Q(**{f"{released_field}__isnull": True}) | Q(
                **{f"{released_field}__lt": _start_of(released_from)}
            )
        about = Q(**{subject_field: child.pk, f"{domain_field}__in": rule.domains})
        withheld = (about & not_released) if withheld is None else withheld | (about & not_released)
    return withheld


def staff_of_withheld_services(member: FamilyMember, actor_ids: Iterable[int]) -> set[int]:
    """Of the staff in `actor_ids`, those who work only in services whose records of the child
    are kept from this parent (a health nurse, a child welfare worker): that they read the
    child's identity tells the parent what the service's records would. For the access log;
    empty for the young person themselves and for a child the rule does not cover."""
    from familiebro.core.models import Membership

    if member.relation != Relation.PARENT:
        return set()
    person = member.person
    rule = young_person_rules([person.organisation_id])[person.organisation_id]
    band, _released_from = age_band(person, rule)
    if band == AgeBand.CHILD or not rule.domains:
        return set()
    domains: dict[int, set[str]] = {}
    for user_id, domain in Membership.objects.filter(user_id__in=set(actor_ids)).values_list(
        "user_id", "unit__domain"
    ):
        domains.setdefault(user_id, set()).add(domain)
    return {user_id for user_id, held in domains.items() if held <= set(rule.domains)}


def disclosures_withheld(member: FamilyMember, ids: Iterable[str]) -> set[str]:
    """Of the ids of disclosure requests about `member`, those that name a service whose
    records of the child are kept from this parent, as the asking or as the holding service:
    that the health centre was asked about a 14-year-old, or answered, tells what its records
    would. For the access log; empty for the young person and for a child the rule does not
    cover."""
    from .models import DisclosureRequest

    if member.relation != Relation.PARENT:
        return set()
    person = member.person
    rule = young_person_rules([person.organisation_id])[person.organisation_id]
    band, _released_from = age_band(person, rule)
    if band == AgeBand.CHILD or not rule.domains:
        return set()
    naming_a_kept_service = Q(requesting_unit__domain__in=rule.domains) | Q(
        holder_unit__domain__in=rule.domains
    )
    pks = [int(i) for i in ids if i.isdigit()]
    return {
        str(pk)
        for pk in DisclosureRequest.objects.filter(naming_a_kept_service, pk__in=pks).values_list(
            "pk", flat=True
        )
    }


def withheld_ids(model: type[models.Model], member: FamilyMember, ids: Iterable[str]) -> set[str]:
    """Of the ids of `model` rows about `member`, those the parent may not know of: rows kept
    from them (`withheld_from_parents`), and, while the child is 12 to 17, rows since deleted
    (nothing tells any more in which service they were held). For the access log."""
    ids = set(ids)
    if member.relation != Relation.PARENT or policy.holder_domain_field(model) is None:
        return set()
    withheld = withheld_from_parents(model, [member])
    if withheld is None:
        return set()
    pks = [int(i) for i in ids if i.isdigit()]
    existing = {
        str(pk) for pk in model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
    }
    kept = {
        str(pk)
        for pk in model._default_manager.filter(withheld, pk__in=pks).values_list("pk", flat=True)
    }
    return kept | (ids - existing)


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
