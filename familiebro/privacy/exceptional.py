"""Exceptional access: finding the person across organisations, opening it, and the leaders'
report of what their staff opened.

Opening an exceptional access is the one way a staff member reaches a person the access
policy does not show them: another organisation's person without the family's consent, or a
person of their own organisation they are not assigned to. The flow is: find the person by
identity number, choose the basis, give the reason, confirm. Every rule of it is here: who may
open an access, on which basis, for how long and with what reason. Each step is audited, and the
leaders of the staff member's units see every access in their report.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import crypto
from familiebro.core.identifiers import normalise_identity_number
from familiebro.core.models import Membership, Person

from . import audit, policy
from .models import ExceptionalAccess

# Audit purposes of this flow, as the audit trail and the access log name them.
LOOKUP_PURPOSE = "exceptional_access_lookup"
REPORT_PURPOSE = "exceptional_access_report"
# The leader reads the report to follow up their staff's exceptional accesses.
REPORT_BASIS = "leader_follow_up"
# A lookup is good for opening access this long. The family's access log relies on it: a
# lookup that led to an access hidden from the family lies at most this long before it.
LOOKUP_VALID_FOR = datetime.timedelta(minutes=30)
REPORT_PAGE_SIZE = 50

# Break-glass access lasts at most this long; a legal basis at most a month before renewal.
BREAK_GLASS_MAX = datetime.timedelta(hours=4)
LEGAL_BASIS_MAX = datetime.timedelta(days=31)
MIN_REASON_LENGTH = 20


@dataclass(frozen=True)
class Candidate:
    """A registration of the person in one organisation, as the lookup shows it: the
    organisation only. Nothing more is shown before an access is opened."""

    person_id: int
    organisation_id: int
    organisation_name: str


def _require_membership(actor: Any) -> None:
    if not policy.scope_of(actor).organisation_ids:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))


@transaction.atomic
def find_for_exceptional_access(actor: Any, number: str) -> list[Candidate]:
    """Every registration of the identity number, in every organisation.

    This is the one sanctioned read of persons past the access policy: it uses
    `Person.objects` directly because the whole point is to reach a person the policy does
    not show. It is safe to allow because it needs the identity number (the staff member
    already knows whom they look for), returns only which organisations hold the person, is
    audited with the persons found (so the families see it in their access log), and leads
    nowhere except to `open_access`, which demands a basis and a reason and reports to the
    staff member's leaders.
    """
    _require_membership(actor)
    try:
        normalised = normalise_identity_number(number)
    except ValidationError as exc:
        raise ValidationError({"national_id": exc.messages}) from exc
    rows = list(
        Person.objects.filter(national_id_hash=crypto.lookup_hash(normalised))
        .order_by("organisation__name", "pk")
        .values_list("pk", "organisation_id", "organisation__name")
    )
    organisations = {org for _pk, org, _name in rows}
    audit.record(
        audit.AuditEvent.Action.SEARCH,
        actor=actor,
        object_type="core.person",
        object_ids=[pk for pk, _org, _name in rows],
        subject_ids=[pk for pk, _org, _name in rows],
        organisation_id=organisations.pop() if len(organisations) == 1 else None,
        purpose=LOOKUP_PURPOSE,
        detail={"found": len(rows)},
    )
    return [Candidate(pk, org, name) for pk, org, name in rows]


def lookup_still_valid(looked_up_at: datetime.datetime) -> bool:
    return timezone.now() - looked_up_at <= LOOKUP_VALID_FOR


@transaction.atomic
def open_access(
    actor: Any,
    *,
    person_id: int,
    found_person_ids: Collection[int],
    looked_up_at: datetime.datetime,
    basis: str,
    reason: str,
    duration: datetime.timedelta | None = None,
    hidden_from_family: bool = False,
    hiding_justification: str = "",
) -> ExceptionalAccess:
    """Open an exceptional access to a person found by `find_for_exceptional_access`.

    `found_person_ids` and `looked_up_at` are what that lookup returned, as the screen kept
    them: an access can only be opened to a person the actor looked up by identity number,
    and only shortly after.
    """
    if person_id not in found_person_ids:
        raise ValidationError({"person": [_("Choose one of the registrations the search found.")]})
    if not lookup_still_valid(looked_up_at):
        raise ValidationError(
            _("The search is more than %(minutes)s minutes old. Search for the person again.")
            % {"minutes": int(LOOKUP_VALID_FOR.total_seconds() // 60)}
        )
    # Part of the sanctioned lookup above: the id came from it, in this user's session.
    person = Person.objects.select_related("organisation").get(pk=person_id)
    return _open(
        actor,
        person,
        basis=basis,
        reason=reason,
        duration=duration,
        hidden_from_family=hidden_from_family,
        hiding_justification=hiding_justification,
    )


@transaction.atomic
def _open(
    actor: Any,
    person: Person,
    *,
    basis: str,
    reason: str,
    duration: datetime.timedelta | None = None,
    hidden_from_family: bool = False,
    hiding_justification: str = "",
) -> ExceptionalAccess:
    """Open a person's data without consent, on a legal basis or by breaking the glass: the
    step after the lookup that open_access() checks.

    The access is time-limited, audited with its basis and reported to the actor's unit
    leaders at once.
    """
    _require_membership(actor)
    if basis not in ExceptionalAccess.Basis.values:
        raise ValidationError({"basis": [_("Choose the legal basis for the access.")]})
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "Explain why you need access (at least %(n)s "
                        "characters). The reason is shown to your leader."
                    )
                    % {"n": MIN_REASON_LENGTH}
                ]
            }
        )
    limit = BREAK_GLASS_MAX if basis == ExceptionalAccess.Basis.BREAK_GLASS else LEGAL_BASIS_MAX
    duration = duration or limit
    if duration > limit:
        raise ValidationError(
            {
                "duration": [
                    _("This kind of access can last at most %(hours)s hours.")
                    % {"hours": int(limit.total_seconds() // 3600)}
                ]
            }
        )
    if hidden_from_family and len(hiding_justification.strip()) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "hiding_justification": [
                    _("Document why the family must not see this access in their access log.")
                ]
            }
        )
    now = timezone.now()
    access = ExceptionalAccess.objects.create(
        basis=basis,
        user=actor,
        person=person,
        organisation_id=person.organisation_id,
        reason=reason.strip(),
        starts_at=now,
        expires_at=now + duration,
        hidden_from_family=hidden_from_family,
        hiding_justification=hiding_justification.strip(),
        reported_to_leaders_at=now,
    )
    leaders = list(
        Membership.objects.filter(
            role=Membership.Role.LEADER,
            unit__in=Membership.objects.filter(user=actor).values("unit"),
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    audit.record(
        audit.AuditEvent.Action.SECURITY,
        actor=actor,
        objects=[access],
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis,
        detail={"event": "exceptional_access_opened", "reported_to_leader_ids": leaders},
    )
    return access


@dataclass(frozen=True)
class ReportRow:
    access_id: int
    opened_by: str
    opened_by_units: str
    person_id: int
    organisation_name: str
    person_name: str | None  # only when the leader may see the person themself
    basis: str
    reason: str
    starts_at: datetime.datetime
    expires_at: datetime.datetime
    revoked_at: datetime.datetime | None
    hidden_from_family: bool
    hiding_justification: str

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.expires_at


def is_leader(actor: Any) -> bool:
    return bool(policy.scope_of(actor).leader_unit_ids)


@transaction.atomic
def leader_report(actor: Any, page_number: Any = 1) -> Page:
    """The exceptional accesses opened by members of the units the actor leads, newest first.

    A leader sees who opened what, on which basis and why, so they can follow it up. They
    learn a person's name only if the access policy lets them see that person anyway; else
    the person is named by id and organisation. Reading the report is audited.
    """
    scope = policy.scope_of(actor)
    if not scope.leader_unit_ids:
        raise PermissionDenied(
            _(
                "Only unit leaders see the exceptional accesses of their staff. Ask your "
                "leader if you need to know about an access."
            )
        )
    members = Membership.objects.filter(unit_id__in=scope.leader_unit_ids).values("user_id")
    accesses = (
        ExceptionalAccess.objects.filter(user_id__in=members)
        .select_related("user", "organisation")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(accesses, REPORT_PAGE_SIZE).get_page(page_number)
    rows: list[ExceptionalAccess] = list(page.object_list)
    if not rows:
        page.object_list = []
        return page
    person_ids = {a.person_id for a in rows}
    names = {
        p.pk: str(p)
        for p in policy.list_page(
            actor,
            policy.visible(actor, Person, policy.Purpose.CASEWORK).filter(pk__in=person_ids),
            policy.Purpose.CASEWORK,
        )
    }
    units: dict[int, list[str]] = defaultdict(list)
    for user_id, unit_name in (
        Membership.objects.filter(
            user_id__in={a.user_id for a in rows}, unit_id__in=scope.leader_unit_ids
        )
        .order_by("unit__name")
        .values_list("user_id", "unit__name")
    ):
        if unit_name not in units[user_id]:
            units[user_id].append(unit_name)
    audit.record(
        audit.AuditEvent.Action.LIST,
        actor=actor,
        objects=rows,
        subject_ids=sorted(person_ids),
        purpose=REPORT_PURPOSE,
        legal_basis=REPORT_BASIS,
    )
    page.object_list = [
        ReportRow(
            access_id=a.pk,
            opened_by=a.user.display_name(),
            opened_by_units=", ".join(units[a.user_id]),
            person_id=a.person_id,
            organisation_name=a.organisation.name,
            person_name=names.get(a.person_id),
            basis=a.get_basis_display(),
            reason=a.reason,
            starts_at=a.starts_at,
            expires_at=a.expires_at,
            revoked_at=a.revoked_at,
            hidden_from_family=a.hidden_from_family,
            hiding_justification=a.hiding_justification,
        )
        for a in rows
    ]
    return page
