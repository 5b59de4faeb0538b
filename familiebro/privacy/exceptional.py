"""Break-glass access inside one's own organisation, and the leaders' review of it.

Breaking the glass is the one way a staff member reaches a person of their own organisation
they are not assigned to, when waiting for an assignment would put the person at risk (an
emergency at the health centre, an acute child welfare situation out of hours). It never
reaches another organisation: information another data controller holds is disclosed by that
controller on request (familiebro.privacy.disclosure), and the legal grounds that once opened
access here (the duty to inform child welfare, a court's order, danger to life or health) are
grounds for the holder to disclose. The flow is: find the person by identity number in one's
own organisation, give the reason, confirm. It opens what the user's own services (their
confidentiality domains) hold; it is time-limited, audited, reported to the leaders of the
user's units at once, and reviewed by one of them. Whether the family sees it is not the
opener's choice: a leader of the opener's units decides, for the data controller, to hide it
for a documented reason up to an end date (decide_hiding; docs/data-protection.md, §12).
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
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import crypto
from familiebro.core.identifiers import normalise_identity_number
from familiebro.core.models import ConfidentialityDomain, Membership, Person

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

# Break-glass access lasts at most this long.
BREAK_GLASS_MAX = datetime.timedelta(hours=4)
MIN_REASON_LENGTH = 20

# The services whose staff may break the glass: those where the law lets a professional act on
# a person's information before anyone has assigned them, in an emergency: health services
# (helsepersonelloven § 7, the duty to give urgent help, and pasientjournalloven § 19 read
# with the journal regulation's access rules) and child welfare (barnevernsloven § 4-1 and
# § 4-2, emergency decisions). Kindergartens, schools, NAV, family counselling and voluntary
# organisations have no such ground: they ask the service that knows the family instead.
BREAK_GLASS_DOMAINS = frozenset(
    {
        ConfidentialityDomain.HEALTH,
        ConfidentialityDomain.SPECIALIST_HEALTH,
        ConfidentialityDomain.CHILD_WELFARE,
    }
)


def _own_organisation_only() -> str:
    return _(
        "You can break the glass only in your own organisation. Another organisation "
        "discloses what it holds when you ask it."
    )


@dataclass(frozen=True)
class Candidate:
    """A registration of the person in one of the user's own organisations, as the lookup
    shows it: the organisation only. Nothing more is shown before an access is opened."""

    person_id: int
    organisation_id: int
    organisation_name: str


def break_glass_organisations(actor: Any) -> set[int]:
    """The organisations in which the actor works in a service that may break the glass."""
    return {org for org, domain in policy.scope_of(actor).domains if domain in BREAK_GLASS_DOMAINS}


def may_break_the_glass(actor: Any) -> bool:
    return bool(break_glass_organisations(actor))


def _require_break_glass_role(actor: Any) -> set[int]:
    if not policy.scope_of(actor).organisation_ids:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
    organisations = break_glass_organisations(actor)
    if not organisations:
        raise PermissionDenied(
            _(
                "Only staff of health and child welfare services can break the glass. To get "
                "information another service holds, open the person and ask that service for "
                "it."
            )
        )
    return organisations


@transaction.atomic
def find_for_exceptional_access(actor: Any, number: str) -> list[Candidate]:
    """The registrations of the identity number in the actor's own organisations (those where
    they work in a service that may break the glass).

    The identity lookup of the access policy, which searches the user's own organisation and
    nothing else: which other organisations hold the person is their confidential matter. It
    is audited with the persons found (so the families see it in their access log), and leads
    nowhere except to `open_access`, which demands a reason and reports to the leaders.
    """
    organisations = _require_break_glass_role(actor)
    try:
        normalised = normalise_identity_number(number)
    except ValidationError as exc:
        raise ValidationError({"national_id": exc.messages}) from exc
    rows = list(
        policy.visible(actor, Person, policy.Purpose.IDENTITY_LOOKUP)
        .filter(national_id_hash=crypto.lookup_hash(normalised), organisation_id__in=organisations)
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
    reason: str,
    basis: str = ExceptionalAccess.Basis.BREAK_GLASS,
    duration: datetime.timedelta | None = None,
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
    # Part of the lookup above: the id came from it, in this user's session.
    person = (
        policy.visible(actor, Person, policy.Purpose.IDENTITY_LOOKUP)
        .select_related("organisation")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise PermissionDenied(_own_organisation_only())
    return _open(actor, person, basis=basis, reason=reason, duration=duration)


@transaction.atomic
def _open(
    actor: Any,
    person: Person,
    *,
    reason: str,
    basis: str = ExceptionalAccess.Basis.BREAK_GLASS,
    duration: datetime.timedelta | None = None,
) -> ExceptionalAccess:
    """Break the glass to a person of the actor's own organisation: the step after the lookup
    that open_access() checks.

    The access is time-limited, audited with its basis and reported to the actor's unit
    leaders at once.
    """
    organisations = _require_break_glass_role(actor)
    if person.organisation_id not in organisations:
        raise PermissionDenied(_own_organisation_only())
    if basis != ExceptionalAccess.Basis.BREAK_GLASS:
        raise ValidationError(
            {
                "basis": [
                    _(
                        "The duty to inform child welfare, a court's order and danger to life or "
                        "health are grounds for the service holding the information to disclose "
                        "it: send it a disclosure request."
                    )
                ]
            }
        )
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
    limit = BREAK_GLASS_MAX
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
    now = timezone.now()
    access = ExceptionalAccess.objects.create(
        basis=basis,
        user=actor,
        person=person,
        organisation_id=person.organisation_id,
        reason=reason.strip(),
        starts_at=now,
        expires_at=now + duration,
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
    reviewed_at: datetime.datetime | None = None
    reviewed_by: str = ""
    # The reader may mark it reviewed: not yet reviewed, and opened by someone else.
    may_review: bool = False
    hidden_until: datetime.date | None = None
    hiding_decided_by: str = ""
    # The reader may decide whether the family sees it: they did not open it themself.
    may_decide_hiding: bool = False

    @property
    def hidden_now(self) -> bool:
        return (
            self.hidden_from_family
            and self.hidden_until is not None
            and self.hidden_until >= timezone.localdate()
        )

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
        .select_related("user", "organisation", "reviewed_by", "hiding_decided_by")
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
            reviewed_at=a.reviewed_at,
            reviewed_by=a.reviewed_by.display_name() if a.reviewed_by else "",
            may_review=a.reviewed_at is None and a.user_id != actor.pk,
            hidden_until=a.hidden_until,
            hiding_decided_by=a.hiding_decided_by.display_name() if a.hiding_decided_by else "",
            may_decide_hiding=a.user_id != actor.pk,
        )
        for a in rows
    ]
    return page


def _led_access(actor: Any, access_id: Any, *, lock: bool = False) -> ExceptionalAccess:
    """An access opened by a member of a unit the actor leads, not by the actor: the ones they
    follow up for the data controller. 404 for any other."""
    scope = policy.scope_of(actor)
    members = Membership.objects.filter(unit_id__in=scope.leader_unit_ids).values("user_id")
    accesses = ExceptionalAccess.objects.select_related("user", "organisation")
    if lock:
        accesses = accesses.select_for_update(of=("self",))
    access = accesses.filter(pk=access_id, user_id__in=members).exclude(user_id=actor.pk).first()
    if access is None:
        raise Http404(_("Not found, or you do not have access."))
    return access


@transaction.atomic
def review(actor: Any, access_id: Any) -> ExceptionalAccess:
    """A leader of a unit the opener works in records that they have followed the access up.
    Nobody reviews their own; 404 for an access outside the leader's units."""
    access = _led_access(actor, access_id, lock=True)
    if access.reviewed_at is None:
        access.reviewed_at = timezone.now()
        access.reviewed_by = actor
        access.save(update_fields=["reviewed_at", "reviewed_by"])
        _record_leader_decision(actor, access, {"event": "exceptional_access_reviewed"})
    return access


# Hiding an access from the family ------------------------------------------------------------

# A decision to hide reaches this far ahead at most; keeping it hidden longer takes a new
# decision before it ends, which is its review. Six months is the longest a child welfare
# investigation may last (barnevernsloven § 2-2: three months, six in special cases).
HIDING_MAX = datetime.timedelta(days=183)
HIDING_DECIDED = "exceptional_access_hidden_from_family"
HIDING_LIFTED = "exceptional_access_shown_to_family"


def access_for_hiding(actor: Any, access_id: Any) -> ExceptionalAccess:
    """The access whose hiding the actor may decide on: one opened by a member of a unit they
    lead, never by themself (the opener does not decide what the family sees of their own
    access). 404 otherwise."""
    return _led_access(actor, access_id)


@transaction.atomic
def decide_hiding(
    actor: Any, access_id: Any, *, justification: str, until: datetime.date | None
) -> ExceptionalAccess:
    """The data controller's decision, by a leader of the opener's units, that the family does
    not see an exceptional access in their access log (nor the reads under it and the search
    before it) up to and including `until`, for the documented reason.

    Only where telling the family would harm the child or the purpose of the access (for
    example a child welfare investigation: personopplysningsloven § 16, read with
    barnevernsloven § 13-1 and forvaltningsloven § 19); it ends on its date, at
    most HIDING_MAX ahead, and the access then shows. A new decision before then reviews it
    and may keep it hidden longer. Audited."""
    access = _led_access(actor, access_id, lock=True)
    justification = justification.strip()
    errors: dict[str, list[str]] = {}
    if len(justification) < MIN_REASON_LENGTH:
        errors["justification"] = [
            _(
                "Write why telling the family would do harm (at least %(n)s characters). It is "
                "kept with the decision."
            )
            % {"n": MIN_REASON_LENGTH}
        ]
    today = timezone.localdate()
    latest = today + HIDING_MAX
    if until is None:
        errors["until"] = [_("Choose the last day the family is not to see the access.")]
    elif until < today:
        errors["until"] = [_("The end date has passed. Choose today or a later day.")]
    elif until > latest:
        errors["until"] = [
            _(
                "Choose a day no later than %(date)s. To keep it hidden longer, decide again "
                "before then."
            )
            % {"date": f"{latest:%d.%m.%Y}"}
        ]
    if errors:
        raise ValidationError(errors)
    assert until is not None
    now = timezone.now()
    access.hidden_from_family = True
    access.hiding_justification = justification
    access.hidden_until = until
    access.hiding_decided_by = actor
    access.hiding_decided_at = now
    access.save(
        update_fields=[
            "hidden_from_family",
            "hiding_justification",
            "hidden_until",
            "hiding_decided_by",
            "hiding_decided_at",
        ]
    )
    _record_leader_decision(
        actor, access, {"event": HIDING_DECIDED, "hidden_until": until.isoformat()}
    )
    return access


@transaction.atomic
def show_to_family(actor: Any, access_id: Any) -> ExceptionalAccess:
    """The controller's leader ends a hiding before its date: the family sees the access from
    now on. Audited."""
    access = _led_access(actor, access_id, lock=True)
    if access.hidden_from_family:
        access.hidden_from_family = False
        access.hiding_decided_by = actor
        access.hiding_decided_at = timezone.now()
        access.save(update_fields=["hidden_from_family", "hiding_decided_by", "hiding_decided_at"])
        _record_leader_decision(actor, access, {"event": HIDING_LIFTED})
    return access


def _record_leader_decision(actor: Any, access: ExceptionalAccess, detail: dict[str, Any]) -> None:
    """A leader's decision on an exceptional access (reviewed, hidden, shown), audited about
    the person it opened."""
    audit.record(
        audit.AuditEvent.Action.SECURITY,
        actor=actor,
        objects=[access],
        subject_ids=[access.person_id],
        organisation_id=access.organisation_id,
        purpose=REPORT_PURPOSE,
        legal_basis=REPORT_BASIS,
        detail=detail,
    )
