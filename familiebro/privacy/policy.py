"""The access policy: the one place that decides who may see or change personal data.

Views never filter personal data themselves. They ask `visible()` for the rows a user may see
for a purpose, `get_or_404()` for one row, or `require()` before acting on one; every path
refuses by default and every granted read is audited with its basis. Each model that holds
personal data registers here how its rows reach their data controller and the person they are
about, and which consent category covers them.

The rules:
- In their own organisation and their own confidentiality domain, staff see a person's data on
  need-to-know: they (or their unit) are assigned to the person; a leader also sees the
  persons the members of their units are assigned to only where the organisation has turned
  leaders' oversight on (OversightRule; off by default). Finding a person by identity
  number searches the whole organisation, so nobody registers a person twice.
- The duty of confidentiality follows the service: every unit works in a domain (health, child
  welfare, education, NAV, …; core.models.ConfidentialityDomain). A row held by a unit (a case
  and its parts: the case's owning unit) is in that unit's domain, and the need to know opens
  it only to staff of a unit in the same domain of the same organisation. Rows held by no unit
  (a person's identity and guardians, the privacy records) belong to the organisation as a
  whole, and the need to know opens them in any of its domains.
- Another domain's data, in the user's own organisation or another, is visible only through a
  consent in force that names the purpose, covers the category and names the user's
  organisation or unit as recipient, and only to the recipients' staff who work on the
  person: a participant of the person's case (named, or their unit taking part as a whole) or
  holding an assignment for the person in the data controller's register. A consent opens
  data to the people who need it, never to a whole organisation or unit
  (`_participating_under_consent`). A consent for one service's data (its domain) opens only
  the rows held in that domain. Another organisation's information otherwise reaches a
  service only as its holder discloses it on request (privacy.disclosure), never as reading.
- A break-glass access (exceptional access) of the user's own opens a person of their own
  organisation they have no assignment for, in their own domains only.
- Consent and exceptional access open data for reading. Changing data is for the holding
  service's own staff with a need to know: the data controller's, in the row's domain.
- What the holding service marks internal (a log entry or measure with the reason why, and
  what belongs to an internal measure) is opened only by the need to know in the holding
  organisation and domain: never by a consent, an exceptional access or the family's own login.
- A row addressed to one staff member (the feedback to whoever raised a concern) is also
  opened to that staff member, whatever their organisation or domain, read for the purpose
  `reporter_feedback` only; the row itself is made only where the law or a consent allows it.
- A row sent from one unit to another (a referral) is the two services' shared record of what
  was sent: it is opened to the casework staff of the units it names (`between_units`),
  whatever their organisation, and to nobody else (no consent, exceptional access or need to
  know opens it). Sending it was the disclosure, made on the family's consent or a recorded
  legal basis by the sending service (familiebro.referrals).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.http import Http404
from django.utils.translation import gettext as _

from .basis import Basis


class Purpose:
    """Why personal data is read. Consent purposes (privacy.models.Purpose) are purposes too."""

    CASEWORK = "casework"
    REGISTRATION = "registration"
    IDENTITY_LOOKUP = "identity_lookup"
    ACCESS_LOG = "access_log"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    RETENTION = "retention"
    # A parent or young person reading their own family's data (familiebro.privacy.family).
    FAMILY_PORTAL = "family_portal"
    # The person who raised a concern reading the feedback addressed to them.
    REPORTER_FEEDBACK = "reporter_feedback"


class Action:
    VIEW = "view"
    LIST = "list"
    CHANGE = "change"
    CREATE = "create"


READ_ACTIONS = {Action.VIEW, Action.LIST}


@dataclass(frozen=True)
class Rule:
    organisation_field: str  # lookup path to the owning organisation's id
    subject_field: str | None  # lookup path to the id of the person the row is about
    category: str | None  # consent category that covers it; None: never opened by consent
    # For rows that belong to a unit's inbox before they concern a registered person (a
    # request for help): the unit's members have the need to know; nothing else opens them.
    unit_field: str | None = None
    # Lookup path to the id of the unit that holds the row, whose confidentiality domain it is
    # in (a case's parts: the case's owning unit). None: the row belongs to the organisation
    # as a whole (a person's identity, the privacy records), in every one of its domains.
    holder_field: str | None = None
    # The rows the owning organisation marked internal: only its own need to know opens them.
    internal: Q | None = None
    # Rows that also hold data of another category, by the value of one field: (field,
    # {value: category}). A consent opens such a row only when it covers that category too
    # (a log entry recording a new measure repeats the measure's title).
    also_category: tuple[str, dict[str, str]] | None = None
    # Lookup path to the id of the staff member a row is addressed to, who reads it for the
    # purpose REPORTER_FEEDBACK whatever their organisation (feedback to a reporter).
    recipient_field: str | None = None
    # For rows that carry their confidentiality domain themselves rather than through a
    # holding unit (a need to know, given in one domain): the lookup path to that domain.
    domain_field: str | None = None
    # For rows sent from one unit to another (a referral): the lookup paths to the ids of the
    # units it is between, the sender first, whose casework staff alone read and change it;
    # `unsent` selects the rows not sent yet (a draft), which only the sender's staff see.
    between_units: tuple[str, ...] = ()
    unsent: Q | None = None

    @property
    def held_in_a_domain(self) -> bool:
        return self.holder_field is not None or self.domain_field is not None


_registry: dict[type[models.Model], Rule] = {}


@dataclass(frozen=True)
class Participation:
    """Where a part of the product records who works on a person (a case's participants):
    lookup paths from a row of `model` to the person, their data controller, the staff member
    named (None: the unit takes part as a whole) and the unit; `active` selects the rows in
    force."""

    model: type[models.Model]
    person_field: str
    organisation_field: str
    user_field: str
    unit_field: str
    active: Q


_participations: list[Participation] = []


def register_participation(
    model: type[models.Model],
    *,
    person_field: str,
    organisation_field: str,
    user_field: str,
    unit_field: str,
    active: Q,
) -> None:
    """Name a model whose rows make a staff member (or their unit) one who works on a person,
    so that a consent naming their service opens the person's data to them."""
    _participations.append(
        Participation(model, person_field, organisation_field, user_field, unit_field, active)
    )


def register(
    model: type[models.Model],
    *,
    organisation_field: str,
    subject_field: str | None = None,
    category: str | None = None,
    unit_field: str | None = None,
    holder_field: str | None = None,
    internal: Q | None = None,
    also_category: tuple[str, dict[str, str]] | None = None,
    recipient_field: str | None = None,
    domain_field: str | None = None,
    between_units: tuple[str, ...] = (),
    unsent: Q | None = None,
) -> None:
    """`holder_field` names the unit that holds a row (its confidentiality domain); `internal`
    selects the rows the holding service marked internal (for itself only); `also_category`
    names the rows a consent opens only when it covers a second category too;
    `recipient_field` names the staff member a row is addressed to; `domain_field` names the
    domain a row is held in when no unit holds it; `between_units` names the units a row was
    sent between (the sender first), whose casework staff alone read and change it, and
    `unsent` the rows not sent yet, which the sender's staff alone see."""
    if between_units and (unit_field is not None or category is not None):
        raise ValueError("A row between units is opened by its units only: no inbox, no consent.")
    if (subject_field is None) == (unit_field is None):
        raise ValueError("Name either the person a row is about or the unit whose inbox holds it.")
    if holder_field is not None and domain_field is not None:
        raise ValueError("Name the unit that holds a row or its domain, not both.")
    if unit_field is not None and holder_field is not None:
        raise ValueError("An inbox row is held by its unit already: name the unit_field only.")
    _registry[model] = Rule(
        organisation_field,
        subject_field,
        category,
        unit_field,
        holder_field,
        internal,
        also_category,
        recipient_field,
        domain_field,
        between_units,
        unsent,
    )


def _between_own_units(scope: StaffScope, rule: Rule) -> Q:
    """The rows sent from one of the user's own units (casework roles only), and those sent
    to one of them once they are sent: a draft is the sender's alone."""
    sender, *receivers = rule.between_units
    addressed = Q(pk__in=[])
    for field in receivers:
        addressed |= Q(**{f"{field}__in": scope.unit_ids})
    if rule.unsent is not None:
        addressed &= ~rule.unsent
    return Q(**{f"{sender}__in": scope.unit_ids}) | addressed


# Models the family reads with citizen login (familiebro.privacy.family), each with the rows
# they never see besides those marked internal (e.g. the earlier text of a corrected log
# entry). A model not listed here is closed to them.
_open_to_family: dict[type[models.Model], Q | None] = {}
# For the models held by a unit: the lookup path to when the holding service released a row
# to the parents of a young person (familiebro.privacy.family withholds the rest).
_released_to_family: dict[type[models.Model], str] = {}


def open_to_family(
    model: type[models.Model], *, hidden: Q | None = None, released: str | None = None
) -> None:
    """`released` names the field (a lookup path) holding when the holding service released
    a row to the parents of a young person; a model held by a unit must name one."""
    rule = rule_for(model)
    if rule.subject_field is None:
        raise ValueError(f"{model._meta.label} is about no person; the family cannot read it.")
    if rule.holder_field is not None and released is None:
        raise ValueError(
            f"{model._meta.label} is held by a unit: name the field that releases it to parents."
        )
    _open_to_family[model] = hidden
    if released is not None:
        _released_to_family[model] = released


def released_to_family_field(model: type[models.Model]) -> str | None:
    """The lookup path to when a row of `model` was released to the parents of a young
    person; None for a model no unit holds (the rule for young people does not apply)."""
    return _released_to_family.get(model)


def holder_domain_field(model: type[models.Model]) -> str | None:
    """The lookup path to the confidentiality domain of the unit holding a row of `model`."""
    rule = rule_for(model)
    return _holder_domain(rule) if rule.held_in_a_domain else None


def hidden_from_family(model: type[models.Model]) -> Q | None:
    """The rows of `model` the family does not see (what is marked internal among them);
    PermissionDenied if it is closed to them."""
    try:
        hidden = _open_to_family[model]
    except KeyError:
        raise PermissionDenied(
            f"{model._meta.label} is not open to the family; "
            "open it with familiebro.privacy.policy.open_to_family()."
        ) from None
    internal = rule_for(model).internal
    if internal is None:
        return hidden
    return internal if hidden is None else internal | hidden


def registered_models() -> dict[type[models.Model], Rule]:
    return dict(_registry)


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return _registry[model]
    except KeyError:
        raise PermissionDenied(
            f"{model._meta.label} holds personal data but has no access rule; "
            "register it in familiebro.privacy.policy."
        ) from None


@dataclass(frozen=True)
class StaffScope:
    """Where a staff member works: read once per request from their memberships.

    The organisations, units and domains are those of the user's casework roles only: a unit
    administrator sets the unit up and reads none of its families' data (what an
    administrator may configure is in familiebro/administration/permissions.py)."""

    organisation_ids: frozenset[int]
    unit_ids: frozenset[int]
    leader_unit_ids: frozenset[int]
    # (organisation id, confidentiality domain) of each unit the user works in.
    domains: frozenset[tuple[int, str]] = frozenset()
    # (unit id, confidentiality domain) of each unit the user leads.
    led_domains: frozenset[tuple[int, str]] = frozenset()
    # The roles the user holds in any unit (Membership.Role values): what the menu offers.
    roles: frozenset[str] = frozenset()
    # (unit id, role) of each membership, the unit administrator's too: which unit each
    # role is held in.
    unit_roles: frozenset[tuple[int, str]] = frozenset()
    # The organisations whose units and staff the user administers (no data of families).
    administered_organisation_ids: frozenset[int] = frozenset()
    # The organisations the user holds any role in, a unit administrator's included.
    member_organisation_ids: frozenset[int] = frozenset()


def scope_of(user: Any) -> StaffScope:
    if not getattr(user, "is_authenticated", False):
        return StaffScope(frozenset(), frozenset(), frozenset())
    cached = getattr(user, "_familiebro_scope", None)
    if cached is None:
        rows = _scope_rows(user)
        memberships = [
            (unit, org, role, domain) for unit, org, role, domain in rows if unit is not None
        ]
        casework = [row for row in memberships if row[2] != UNIT_ADMIN]
        cached = StaffScope(
            organisation_ids=frozenset(org for _, org, _, _ in casework),
            unit_ids=frozenset(unit for unit, _, _, _ in casework),
            leader_unit_ids=frozenset(unit for unit, _, role, _ in casework if role == "leader"),
            domains=frozenset((org, domain) for _, org, _, domain in casework),
            led_domains=frozenset(
                (unit, domain) for unit, _, role, domain in casework if role == "leader"
            ),
            roles=frozenset(role for _, _, role, _ in memberships),
            unit_roles=frozenset((unit, role) for unit, _, role, _ in memberships),
            administered_organisation_ids=frozenset(
                org for _, org, role, _ in rows if role == ORGANISATION_ADMIN
            ),
            member_organisation_ids=frozenset(org for _, org, _, _ in memberships),
        )
        user._familiebro_scope = cached
    return cached


# Not a Membership role: an organisation's administrator holds no place in a unit.
ORGANISATION_ADMIN = "organisation_admin"
# The membership role that configures a unit and opens none of its data (Membership.Role).
UNIT_ADMIN = "unit_admin"


def _scope_rows(user: Any) -> list[tuple[int | None, int, str, str]]:
    """(unit, organisation, role, domain) of each membership, and (None, organisation,
    ORGANISATION_ADMIN, "") of each organisation the user administers: one query, as every
    staff page asks for the scope. Every column is an annotation, so both halves of the
    union select them in the same order."""
    from familiebro.core.models import Membership, OrganisationAdministrator

    columns = ("scope_unit", "scope_organisation", "scope_role", "scope_domain")
    memberships = (
        Membership.objects.filter(user_id=user.pk)
        .annotate(
            scope_unit=F("unit_id"),
            scope_organisation=F("unit__organisation_id"),
            scope_role=F("role"),
            scope_domain=F("unit__domain"),
        )
        .values_list(*columns)
    )
    administered = (
        OrganisationAdministrator.objects.filter(user_id=user.pk)
        .annotate(
            scope_unit=Value(None, output_field=models.IntegerField()),
            scope_organisation=F("organisation_id"),
            scope_role=Value(ORGANISATION_ADMIN, output_field=models.CharField()),
            scope_domain=Value("", output_field=models.CharField()),
        )
        .values_list(*columns)
    )
    return list(memberships.union(administered, all=True))


def organisation_ids_of(user: Any) -> frozenset[int]:
    return scope_of(user).organisation_ids


def domains_of(user: Any, organisation_id: int) -> list[str]:
    """The confidentiality domains a staff member works in within one organisation."""
    return sorted(domain for org, domain in scope_of(user).domains if org == organisation_id)


def knows_in_domain(user: Any, person_id: int, domain: str) -> bool:
    """Whether the user has a need to know about the person given in `domain`: what they must
    have to pass a need to know in that domain on to a colleague."""
    return _need_to_know(user, scope_of(user)).filter(person_id=person_id, domain=domain).exists()


def persons_of_own_unit(user: Any, unit_id: int) -> models.QuerySet:
    """The ids of the persons one of the user's own units has an open need to know about: what
    a list narrowed to "my unit's persons" may filter by. Another unit's persons are not the
    user's to narrow by, so a unit the user is not a member of gives no one."""
    from .models import Assignment

    if unit_id not in scope_of(user).unit_ids:
        return Assignment.objects.none().values("person_id")
    return Assignment.objects.filter(unit_id=unit_id, ended_at__isnull=True).values("person_id")


def _need_to_know(user: Any, scope: StaffScope) -> models.QuerySet:
    """The assignments that give this user a need to know in their own organisations: their
    own, their units', and (for leaders) those of the units they oversee. Each is given in one
    confidentiality domain; `person_id` and `domain` say about whom and where."""
    from .models import Assignment

    assigned = Q(user_id=user.pk) | Q(unit_id__in=scope.unit_ids)
    if scope.leader_unit_ids:
        # A leader oversees the need to know of the units they lead and of those units'
        # members, in the led unit's domain only: a member's need to know from another job in
        # another service is not the leader's to see.
        oversees = Q(unit_id__in=scope.leader_unit_ids)
        for domain in sorted({domain for _unit, domain in scope.led_domains}):
            led_here = [unit for unit, led in scope.led_domains if led == domain]
            oversees |= Q(user__memberships__unit_id__in=led_here, domain=domain)
        # Only where the data controller has decided that its leaders need it: a leader sees
        # figures and their units' own work by default, not each member's persons.
        assigned |= oversees & Q(organisation__oversight_rule__leaders_see_unit_persons=True)
    # An assignment recorded before domains were, of someone who had left, opens nothing.
    return Assignment.objects.filter(assigned, ended_at__isnull=True).exclude(domain="")


def _holder_domain(rule: Rule) -> str:
    """The lookup path to the domain of the unit that holds a row ("case__unit__domain")."""
    if rule.domain_field is not None:
        return rule.domain_field
    assert rule.holder_field is not None
    return rule.holder_field.removesuffix("_id") + "__domain"


def _need_to_know_probe(user: Any, scope: StaffScope, rule: Rule) -> Exists:
    """Per row: whether the user has a need to know about its person, given in the domain of
    the unit that holds the row (for a row no unit holds: given in any domain)."""
    assert rule.subject_field is not None
    probe = _need_to_know(user, scope).filter(person_id=OuterRef(rule.subject_field))
    if rule.held_in_a_domain:
        probe = probe.filter(domain=OuterRef(_holder_domain(rule)))
    return Exists(probe)


def _known_in_held_domain(user: Any, scope: StaffScope, rule: Rule) -> Q:
    """The rows whose person the user has a need to know about in the row's domain, as an
    IN-subquery per domain: one read of the user's assignments rather than a probe per row."""
    assert rule.subject_field is not None
    need_to_know = _need_to_know(user, scope)
    if not rule.held_in_a_domain:
        return Q(**{f"{rule.subject_field}__in": need_to_know.values("person_id")})
    known = Q(pk__in=[])
    for domain in sorted({held for _org, held in scope.domains}):
        known |= Q(
            **{
                _holder_domain(rule): domain,
                f"{rule.subject_field}__in": need_to_know.filter(domain=domain).values("person_id"),
            }
        )
    return known


def _category_filter(rule: Rule) -> Q:
    from .models.consent import IDENTITY_CATEGORY

    # Every consent lets its recipients know whom it is about; other categories must be named.
    if rule.category == IDENTITY_CATEGORY:
        return Q()
    return Q(scope__contains=f" {rule.category} ")


def _covers_what_the_row_repeats(rule: Rule, consent: models.QuerySet) -> Q:
    """Per row: a row that also holds another category's data (rule.also_category) is opened
    only when one of the consents in `consent` covers that category too."""
    if rule.also_category is None:
        return Q()
    field, categories = rule.also_category
    covered = Q()
    for value, category in categories.items():
        covered &= ~Q(**{field: value}) | Q(Exists(consent.filter(scope__contains=f" {category} ")))
    return covered


def _repeated_category(rule: Rule, obj: models.Model) -> str | None:
    """The second category one row holds data of (rule.also_category), if any."""
    if rule.also_category is None:
        return None
    field, categories = rule.also_category
    return categories.get(getattr(obj, field))


def _works_on(user: Any, scope: StaffScope) -> list[models.QuerySet]:
    """Querysets of (person_id, organisation_id) pairs the user works on, for a consent to
    open: the cases they (or their unit as a whole) take part in, and their own or their
    unit's assignments. A leader's oversight of their unit's assignments is not work on the
    person: under consent, a leader reads only what they take part in themselves."""
    from .models import Assignment

    works: list[models.QuerySet] = [
        Assignment.objects.filter(
            Q(user_id=user.pk) | Q(unit_id__in=scope.unit_ids), ended_at__isnull=True
        ).values_list("person_id", "organisation_id")
    ]
    for part in _participations:
        named = Q(**{part.user_field: user.pk})
        unit_as_whole = Q(
            **{f"{part.unit_field}__in": scope.unit_ids, f"{part.user_field}__isnull": True}
        )
        works.append(
            part.model._default_manager.filter(part.active, named | unit_as_whole).values_list(
                part.person_field, part.organisation_field
            )
        )
    return works


def _participating_under_consent(user: Any, scope: StaffScope, rule: Rule) -> Q:
    """Per row: whether the user works on the row's person (see _works_on), in the row's data
    controller: the second half of the rule that a consent opens data to the people who need
    it. With _persons_worked_on(), which reads the same _works_on(), the one place this rule
    is written."""
    assert rule.subject_field is not None
    opened = Q(pk__in=[])
    for works in _works_on(user, scope):
        person_field, organisation_field = works.query.values_select
        opened |= Q(
            Exists(
                works.filter(
                    **{
                        person_field: OuterRef(rule.subject_field),
                        organisation_field: OuterRef(rule.organisation_field),
                    }
                )
            )
        )
    return opened


def _persons_worked_on(user: Any, scope: StaffScope, person_ids: set[Any]) -> set[Any]:
    """Of `person_ids`, those the user works on (bases_for()'s reading of the same rule)."""
    found: set[Any] = set()
    for works in _works_on(user, scope):
        person_field, _organisation_field = works.query.values_select
        found |= set(
            works.filter(**{f"{person_field}__in": person_ids}).values_list(person_field, flat=True)
        )
    return found


def _recipients(scope: StaffScope) -> Q:
    """The consents naming the user's organisation or one of their units as recipient."""
    return Q(recipient_organisations__in=scope.organisation_ids) | Q(
        recipient_units__in=scope.unit_ids
    )


def _domain_of_consent_filter(rule: Rule) -> Q:
    """A consent for one service's data (its domain) opens the rows held in that domain, and
    the rows no unit holds (whom it is about); a consent naming no domain, every domain."""
    if rule.holder_field is None:
        return Q()
    return Q(domain="") | Q(domain=OuterRef(_holder_domain(rule)))


def _consent_covering(
    user: Any, scope: StaffScope, rule: Rule, purpose: str
) -> models.QuerySet | None:
    """Consents in force that open `rule.category` for `purpose` to this user's service, per
    row (visible() adds that the user must work on the person)."""
    from .models import Consent

    if rule.category is None or rule.subject_field is None:
        return None
    return Consent.objects.valid_at().filter(
        _recipients(scope),
        _category_filter(rule),
        _domain_of_consent_filter(rule),
        subject_id=OuterRef(rule.subject_field),
        organisation_id=OuterRef(rule.organisation_field),
        purpose=purpose,
    )


def _exceptional_access(user: Any, scope: StaffScope, rule: Rule) -> Q:
    """The rows a break-glass access of the user's opens: their own organisation's, held in
    their own domains (another organisation's data is disclosed by its holder, not read)."""
    from .models import ExceptionalAccess

    if rule.subject_field is None:
        raise ValueError("Exceptional access opens a person's data; this row names no person.")
    access = ExceptionalAccess.objects.active().filter(
        user_id=user.pk,
        person_id=OuterRef(rule.subject_field),
        organisation_id=OuterRef(rule.organisation_field),
        organisation_id__in=scope.organisation_ids,
    )
    return Q(Exists(access)) & _held_in_own_domains(scope, rule)


def _not_internal(rule: Rule, opened: Q) -> Q:
    """What a basis other than the owning organisation's need to know opens: never the rows it
    marked internal."""
    return opened if rule.internal is None else opened & ~rule.internal


def _units_in_own_domains(scope: StaffScope) -> models.QuerySet:
    """The units, in the user's own organisations, of the domains the user works in: a small
    table, read as a subquery of the query that asks."""
    from familiebro.core.models import ServiceUnit

    same_domain = Q(pk__in=[])
    for organisation_id in scope.organisation_ids:
        domains = [domain for org, domain in scope.domains if org == organisation_id]
        same_domain |= Q(organisation_id=organisation_id, domain__in=domains)
    return ServiceUnit.objects.filter(same_domain).values("pk")


def _held_in_own_domains(scope: StaffScope, rule: Rule) -> Q:
    """Rows held in one of the user's own domains; every row of a model no domain holds."""
    if rule.domain_field is not None:
        own = Q(pk__in=[])
        for organisation_id, domain in sorted(scope.domains):
            own |= Q(**{rule.organisation_field: organisation_id, rule.domain_field: domain})
        return own
    if rule.holder_field is None:
        return Q()
    return Q(**{f"{rule.holder_field}__in": _units_in_own_domains(scope)})


def held_in_own_domains(user: Any, model: type[models.Model]) -> Q:
    """The rows of `model` held in one of the user's own domains (every row of a model no unit
    holds): what the user's own services keep, whatever the user may read of it."""
    return _held_in_own_domains(scope_of(user), rule_for(model))


def _searches_whole_organisation(model: type[models.Model], purpose: str) -> bool:
    # Only finding a person by identity number looks past need-to-know, and only at persons.
    return purpose == Purpose.IDENTITY_LOOKUP and model._meta.label == "core.Person"


def _known_in_own_domains_or_to_none(scope: StaffScope) -> Q:
    """Persons a service in one of the user's own domains has worked with (now or before),
    and persons no service works with yet: what finding by identity number may reveal.

    That another service of the same organisation knows a person is that service's
    confidential matter (a family known to child welfare, say), so the lookup does not find
    them; registering the number then joins the organisation's one record of the person."""
    from .models import Assignment

    own_domains = Q(pk__in=[])
    for organisation_id, domain in sorted(scope.domains):
        own_domains |= Q(organisation_id=organisation_id, domain=domain)
    # Probes per person found: the lookup finds one person per organisation at most.
    assignments = Assignment.objects.filter(person_id=OuterRef("pk")).exclude(domain="")
    return Q(Exists(assignments.filter(own_domains))) | ~Q(Exists(assignments))


def _own_organisation(
    user: Any,
    scope: StaffScope,
    model: type[models.Model],
    rule: Rule,
    purpose: str,
    few_rows: bool = False,
) -> Q:
    """Rows of the user's own organisations and domains that they have a need to know about."""
    own = Q(**{f"{rule.organisation_field}__in": scope.organisation_ids})
    if rule.unit_field is not None:
        return own & Q(**{f"{rule.unit_field}__in": scope.unit_ids})
    own &= _held_in_own_domains(scope, rule)
    if _searches_whole_organisation(model, purpose):
        own &= _known_in_own_domains_or_to_none(scope)
    else:
        assert rule.subject_field is not None  # every rule names a unit or a person
        if few_rows:
            # A probe of the person's assignments per row, instead of reading the user's
            # whole caseload (tens of thousands of assignments for a large unit) each time.
            own &= Q(_need_to_know_probe(user, scope, rule))
        else:
            own &= _known_in_held_domain(user, scope, rule)
    return own


# The annotation visible(…, with_basis=True) puts on each row: whether the user has a need to
# know about the row's person in the row's domain, which bases_for() would otherwise ask the
# database again.
NEED_TO_KNOW = "policy_need_to_know"


def visible(
    user: Any,
    model: type[models.Model],
    purpose: str,
    *,
    few_rows: bool = False,
    with_basis: bool = False,
) -> models.QuerySet:
    """The rows of `model` that `user` may read for `purpose`, in one SQL query.

    `few_rows` says the caller narrows the rows to a handful (one case's parts, one user's
    caseload, one primary key): the need to know is then checked row by row with an index
    probe, which is much cheaper than reading all of the user's assignments, and much dearer
    when thousands of rows are candidates (a whole organisation's persons). Same rows either
    way.

    `with_basis` (with `few_rows`) has each row say whether the user's need to know opens it,
    so that bases_for() and record_access() for this user find the basis without a query of
    their own."""
    rule = rule_for(model)
    if not purpose:
        raise ValueError("A purpose is required to read personal data.")
    scope = scope_of(user)
    manager = model._default_manager
    if not scope.organisation_ids:
        return manager.none()
    if rule.between_units:
        return manager.filter(_between_own_units(scope, rule))
    allowed: Q = _own_organisation(user, scope, model, rule, purpose, few_rows)
    if rule.unit_field is not None:
        return manager.filter(allowed)
    opened_otherwise = _exceptional_access(user, scope, rule)
    consent = _consent_covering(user, scope, rule, purpose)
    if consent is not None:
        opened_otherwise |= (
            Q(Exists(consent))
            & _covers_what_the_row_repeats(rule, consent)
            & _participating_under_consent(user, scope, rule)
        )
    allowed |= _not_internal(rule, opened_otherwise)
    if _addressed(rule, purpose):
        allowed |= Q(**{str(rule.recipient_field): user.pk})
    rows = manager.filter(allowed)
    if with_basis:
        if not few_rows:
            raise ValueError("with_basis probes each row: use it with few_rows.")
        if not _searches_whole_organisation(model, purpose):
            assert rule.subject_field is not None  # rules without a person returned above
            known_here = Q(_need_to_know_probe(user, scope, rule)) & _held_in_own_domains(
                scope, rule
            )
            rows = rows.annotate(
                **{NEED_TO_KNOW: ExpressionWrapper(known_here, output_field=models.BooleanField())}
            )
    return rows


def _addressed(rule: Rule, purpose: str) -> bool:
    """Whether rows addressed to a staff member are opened to them in this read."""
    return rule.recipient_field is not None and purpose == Purpose.REPORTER_FEEDBACK


def visible_about(
    user: Any,
    model: type[models.Model],
    purpose: str,
    *,
    subject_id: int,
    organisation_id: int,
    basis: Basis,
) -> models.QuerySet:
    """The rows of `model` about one person in one organisation that `user` may read, when
    `basis` is what bases_for() gave for that person's record (e.g. the parts of a case once
    the case is read). Exactly the rows visible() gives for that person, but when the basis is
    the need to know in the user's own organisation, which opens every category of the user's
    own domains, without asking again row by row: a page with a dozen kinds of parts asks once.
    (Rows of another domain that a consent would open are then left out: read the parts of
    one record, held where the record is, as the case page does.)"""
    rule = rule_for(model)
    if rule.subject_field is None:
        raise ValueError(f"{model._meta.label} rows name no person.")
    about = Q(**{rule.subject_field: subject_id, rule.organisation_field: organisation_id})
    scope = scope_of(user)
    if basis.by_need_to_know and organisation_id in scope.organisation_ids:
        return model._default_manager.filter(about & _held_in_own_domains(scope, rule))
    return visible(user, model, purpose, few_rows=True).filter(about)


def value_at(obj: models.Model, path: str) -> Any:
    """The value a lookup path ("case__child_id") reaches from a row already read."""
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def bases_for(user: Any, objs: Sequence[models.Model], purpose: str) -> list[Basis]:
    """The basis for each visible object: own organisation, a consent, or an exception.

    A row of the user's own organisation has the own organisation as its basis only when the
    user has a need to know and the row is held in one of the user's domains; otherwise (an
    unassigned colleague who broke the glass, a school reading the health centre's case under
    consent) the consent or exception that opened it is the basis, as for another
    organisation's row. Costs one query for the need to know and one for the holders' domains
    (none for rows read with visible(…, with_basis=True)), and one or two more for rows opened
    otherwise.
    """
    if not objs:
        return []
    from .models import Consent, ExceptionalAccess

    model = type(objs[0])
    rule = rule_for(model)
    scope = scope_of(user)
    if rule.subject_field is None:
        # Inbox rows open only to the unit's own members (see visible()).
        return [Basis(Basis.OWN_ORGANISATION) for _ in objs]
    if rule.between_units:
        # The sending organisation's staff read their own record; the receiving unit's, what
        # was addressed to them.
        return [
            Basis(Basis.OWN_ORGANISATION)
            if value_at(o, rule.organisation_field) in scope.organisation_ids
            else Basis(Basis.ADDRESSED_TO_THEM)
            for o in objs
        ]
    subject_field: str = rule.subject_field
    own_rows = [o for o in objs if value_at(o, rule.organisation_field) in scope.organisation_ids]
    own_subjects = {value_at(o, subject_field) for o in own_rows}
    # (person, domain) of each need to know the user has about the persons of their own rows.
    known: set[tuple[Any, str]] = set()
    if own_subjects and _searches_whole_organisation(model, purpose):
        known = {(subject, "") for subject in own_subjects}
    elif own_subjects and not all(hasattr(o, NEED_TO_KNOW) for o in objs):
        known = set(
            _need_to_know(user, scope)
            .filter(person_id__in=own_subjects)
            .values_list("person_id", "domain")
        )
    # The domain of each holding unit of the user's own rows that is in one of their domains.
    domain_held_in: dict[Any, str] = {}
    if rule.holder_field is not None and known:
        holder_field: str = rule.holder_field
        domain_held_in = dict(
            _units_in_own_domains(scope)
            .filter(pk__in={value_at(o, holder_field) for o in own_rows})
            .values_list("pk", "domain")
        )
    known_anywhere = {subject for subject, _ in known}

    def by_own_organisation(obj: models.Model) -> bool:
        if value_at(obj, rule.organisation_field) not in scope.organisation_ids:
            return False
        if hasattr(obj, NEED_TO_KNOW) and not _searches_whole_organisation(model, purpose):
            # Read with visible(…, with_basis=True): the row has said it already.
            return bool(getattr(obj, NEED_TO_KNOW))
        subject = value_at(obj, subject_field)
        if rule.domain_field is not None:
            domain = value_at(obj, rule.domain_field)
            held_in_own = (value_at(obj, rule.organisation_field), domain) in scope.domains
            return held_in_own and (subject, domain) in known
        if rule.holder_field is None:
            return subject in known_anywhere
        domain = domain_held_in.get(value_at(obj, rule.holder_field))
        return domain is not None and (subject, domain) in known

    foreign = {value_at(o, subject_field) for o in objs if not by_own_organisation(o)}
    consents_by_subject: dict[int, list[int]] = {}
    scope_of_consent: dict[int, str] = {}
    domain_of_consent: dict[int, str] = {}
    holder_domains: dict[Any, str] = {}
    exception_by_subject: dict[int, tuple[int, str]] = {}
    if own_rows or foreign:
        # A break-glass access of the reader's is the basis of every row it opens, also of
        # those their need to know opens too: what was read in its window is recorded, shown
        # to the family and reviewed as read under it (docs/data-protection.md, section 12).
        for access_id, person_id, basis in (
            ExceptionalAccess.objects.active()
            .filter(
                user_id=user.pk,
                person_id__in=own_subjects | foreign,
                organisation_id__in=scope.organisation_ids,
            )
            .order_by("starts_at", "pk")
            .values_list("id", "person_id", "basis")
        ):
            exception_by_subject.setdefault(person_id, (access_id, basis))
    # The reader's own rows, known to them, that an exceptional access of theirs opens as
    # well: never what the holding service marked internal, which the access does not open.
    also_excepted: set[Any] = set()
    if exception_by_subject and not _searches_whole_organisation(model, purpose):
        candidates = [
            o
            for o in own_rows
            if value_at(o, subject_field) in exception_by_subject and by_own_organisation(o)
        ]
        if candidates and rule.internal is not None:
            internal_ids = set(
                model._default_manager.filter(
                    rule.internal, pk__in=[o.pk for o in candidates]
                ).values_list("pk", flat=True)
            )
            candidates = [o for o in candidates if o.pk not in internal_ids]
        also_excepted = {o.pk for o in candidates}
    # A consent opens data only to those who work on the person.
    worked_on = (
        _persons_worked_on(user, scope, foreign) if foreign and rule.category is not None else set()
    )
    if worked_on:
        for consent_id, subject_id, consent_scope, consent_domain in (
            Consent.objects.valid_at()
            .filter(
                _recipients(scope),
                _category_filter(rule),
                subject_id__in=worked_on,
                purpose=purpose,
            )
            .values_list("id", "subject_id", "scope", "domain")
            .order_by("id")
            .distinct()
        ):
            consents_by_subject.setdefault(subject_id, []).append(consent_id)
            scope_of_consent[consent_id] = consent_scope
            domain_of_consent[consent_id] = consent_domain
        if rule.holder_field is not None and any(domain_of_consent.values()):
            from familiebro.core.models import ServiceUnit

            holder_field = rule.holder_field
            holder_domains = dict(
                ServiceUnit.objects.filter(
                    pk__in={value_at(o, holder_field) for o in objs}
                ).values_list("pk", "domain")
            )

    def consents_opening(obj: models.Model, subject: Any) -> list[int]:
        """The consents that open the row: for a row that repeats another category's data,
        only those covering that category too; for a row a unit holds, only those for its
        domain or for none."""
        repeated = _repeated_category(rule, obj)
        ids = consents_by_subject.get(subject, [])
        if rule.holder_field is not None:
            held_in = holder_domains.get(value_at(obj, rule.holder_field))
            ids = [i for i in ids if domain_of_consent[i] in ("", held_in)]
        if repeated is None:
            return ids
        return [i for i in ids if f" {repeated} " in scope_of_consent[i]]

    bases = []
    for obj in objs:
        subject = value_at(obj, subject_field)
        if obj.pk in also_excepted:
            access_id, kind = exception_by_subject[subject]
            bases.append(Basis(kind, exceptional_access_id=access_id, need_to_know=True))
        elif by_own_organisation(obj):
            bases.append(Basis(Basis.OWN_ORGANISATION))
        elif ids := consents_opening(obj, subject):
            bases.append(Basis(Basis.CONSENT, consent_id=ids[0], consent_ids=tuple(ids)))
        elif subject in exception_by_subject:
            access_id, kind = exception_by_subject[subject]
            bases.append(Basis(kind, exceptional_access_id=access_id))
        elif _addressed(rule, purpose) and value_at(obj, str(rule.recipient_field)) == user.pk:
            bases.append(Basis(Basis.ADDRESSED_TO_THEM))
        else:
            # visible() let it through, so this only happens if access ended in between.
            raise PermissionDenied(_("Your access to this record has just ended."))
    return bases


def require(user: Any, action: str, obj: models.Model, purpose: str) -> Basis:
    """Raise PermissionDenied with the reason unless `user` may do `action` on `obj`."""
    rule = rule_for(type(obj))
    scope = scope_of(user)
    own_organisation = value_at(obj, rule.organisation_field) in scope.organisation_ids
    if rule.between_units:
        between = type(obj)._default_manager.filter(_between_own_units(scope, rule), pk=obj.pk)
        if not between.exists():
            raise PermissionDenied(
                _("Only the staff of the two services it was sent between can see or change it.")
            )
        return bases_for(user, [obj], purpose)[0]
    if action not in READ_ACTIONS:
        if not own_organisation:
            raise PermissionDenied(
                _(
                    "Only the organisation that owns this record can change it. A consent lets "
                    "you read, not change."
                )
            )
        # Consent and exceptional access open for reading only: a change needs the need to know.
        purpose = Purpose.CASEWORK
        changeable = type(obj)._default_manager.filter(
            _own_organisation(user, scope, type(obj), rule, purpose, few_rows=True), pk=obj.pk
        )
        if not changeable.exists():
            if not _held_in_own_domain(scope, rule, obj):
                raise PermissionDenied(_another_service_holds_it(obj, rule, changing=True))
            raise PermissionDenied(
                _(
                    "You are not assigned to this person, so you cannot change their data. Ask "
                    "the person's coordinator or your leader to add you. Exceptional access "
                    "lets you read, not change."
                )
            )
        return Basis(Basis.OWN_ORGANISATION)
    if not visible(user, type(obj), purpose, few_rows=True).filter(pk=obj.pk).exists():
        if not scope.organisation_ids:
            raise PermissionDenied(
                _("You have no role in any unit. Ask your unit's administrator.")
            )
        if own_organisation and not _held_in_own_domain(scope, rule, obj):
            raise PermissionDenied(_another_service_holds_it(obj, rule, changing=False))
        if own_organisation:
            raise PermissionDenied(
                _(
                    "You are not assigned to this person. Ask the person's coordinator or your "
                    "leader to add you, or record a legal basis if the law requires access."
                )
            )
        raise PermissionDenied(
            _(
                "This record belongs to another organisation, and there is no consent in force "
                "that gives your service access for this purpose."
            )
        )
    return bases_for(user, [obj], purpose)[0]


def _held_in_own_domain(scope: StaffScope, rule: Rule, obj: models.Model) -> bool:
    """Whether one row is held in one of the user's domains (asked only to explain a refusal)."""
    if rule.domain_field is not None:
        domain = value_at(obj, rule.domain_field)
        return (value_at(obj, rule.organisation_field), domain) in scope.domains
    if rule.holder_field is None:
        return True
    holder_id = value_at(obj, rule.holder_field)
    return _units_in_own_domains(scope).filter(pk=holder_id).exists()


def _another_service_holds_it(obj: models.Model, rule: Rule, *, changing: bool) -> str:
    from familiebro.core.models import ConfidentialityDomain, ServiceUnit

    if rule.domain_field is not None:
        domain = value_at(obj, rule.domain_field)
        holder_name = str(dict(ConfidentialityDomain.choices).get(domain, domain))
    else:
        assert rule.holder_field is not None  # only rows held by a unit are in another domain
        holder_name = ServiceUnit.objects.get(pk=value_at(obj, rule.holder_field)).name
    if changing:
        message = _(
            "This record is held by %(unit)s, which works under another duty of "
            "confidentiality than your service. Only its own staff can change it."
        )
    else:
        message = _(
            "This record is held by %(unit)s, which works under another duty of "
            "confidentiality than your service. You can read it only with the family's consent "
            "naming your service, or on a recorded legal basis."
        )
    return message % {"unit": holder_name}


def may_change_on(user: Any, obj: models.Model, basis: Basis, purpose: str) -> bool:
    """Whether `user` may change `obj`, which they have just read on `basis` (what bases_for()
    or require() gave for `purpose`). Same answer as require(CHANGE), without asking again.

    For a row about a person, the basis of the own organisation means the user's need to know
    there, which is exactly what a change requires; any other basis (a consent, an exceptional
    access) opens reading only. Where the basis says less (the identity lookup opens the whole
    organisation; a unit's inbox), the change is checked in full."""
    rule = rule_for(type(obj))
    if rule.subject_field is None or _searches_whole_organisation(type(obj), purpose):
        try:
            require(user, Action.CHANGE, obj, purpose)
        except PermissionDenied:
            return False
        return True
    own_organisation = value_at(obj, rule.organisation_field) in scope_of(user).organisation_ids
    return basis.by_need_to_know and own_organisation


def record_access(
    user: Any,
    action: str,
    objs: Sequence[models.Model],
    purpose: str,
    bases: Sequence[Basis] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit event for reading or changing `objs` (one event per page of a list).
    `detail` adds what else the page showed of them, e.g. the ids of a case's parts."""
    from . import audit

    if objs:
        audit.append([_access_event(user, action, objs, purpose, bases, detail)])


def _access_event(
    user: Any,
    action: str,
    objs: Sequence[models.Model],
    purpose: str,
    bases: Sequence[Basis] | None = None,
    detail: dict[str, Any] | None = None,
) -> Any:  # audit.AuditEvent, not yet written
    from . import audit

    bases = list(bases) if bases is not None else bases_for(user, objs, purpose)
    rule = rule_for(type(objs[0]))
    subject_field = rule.subject_field
    subjects = sorted({str(value_at(o, subject_field)) for o in objs}) if subject_field else []
    organisations = {value_at(o, rule.organisation_field) for o in objs}
    kinds = sorted({b.kind for b in bases})
    consent_ids = sorted({i for b in bases for i in (b.consent_ids or [b.consent_id]) if i})
    exception_ids = sorted({b.exceptional_access_id for b in bases if b.exceptional_access_id})
    detail = dict(detail or {})
    if len(objs) > 1:
        detail["bases"] = {str(o.pk): b.kind for o, b in zip(objs, bases, strict=True)}
    if exception_ids:
        detail["exceptional_access_ids"] = exception_ids
    if len(consent_ids) > 1:
        detail["consent_ids"] = consent_ids
    return audit.new_event(
        action,
        actor=user,
        objects=objs,
        subject_ids=subjects,
        organisation_id=organisations.pop() if len(organisations) == 1 else None,
        purpose=purpose,
        legal_basis=",".join(kinds),
        consent_id=consent_ids[0] if len(consent_ids) == 1 else None,
        detail=detail,
    )


def get_or_404(user: Any, model: type[models.Model], pk: Any, purpose: str) -> Any:
    """One row the user may read, audited; 404 otherwise, so no one learns it exists."""
    obj = visible(user, model, purpose, few_rows=True).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("Not found, or you do not have access."))
    record_access(user, Action.VIEW, [obj], purpose)
    return obj


def list_page(user: Any, rows: Iterable[models.Model], purpose: str) -> list[Any]:
    """Evaluate one page of visible rows and audit them as one event."""
    return list_pages(user, [(rows, purpose)])[0]


def list_pages(user: Any, lists: Sequence[tuple[Iterable[models.Model], str]]) -> list[list[Any]]:
    """Evaluate the lists of visible rows one page shows, each with its purpose, and audit
    each list as one event; the events are written together."""
    from . import audit

    pages = [list(rows) for rows, _ in lists]
    audit.append(
        [
            _access_event(user, Action.LIST, objs, purpose)
            for objs, (_, purpose) in zip(pages, lists, strict=True)
            if objs
        ]
    )
    return pages
