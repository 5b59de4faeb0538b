"""The access log: who has seen or changed a person's data, when, and on what basis.

It is read from the audit trail, so it shows exactly what was recorded. Families see their
own log (with citizen login); staff who work with the person see it too, with a mark on the
entries the family does not see. Entries of an exceptional access that the data controller
has decided to hide from the family, for a documented reason and up to an end date, are left
out of the family's version until that date: the access itself, its reads, the decisions on
it, and the identity-number search that led to it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, Person, User

from . import exceptional, family, policy, protected
from .access_log_words import Words
from .models import AuditEvent, Consent, DisclosureRequest, ExceptionalAccess
from .models import disclosure as disclosure_events

EXCEPTIONAL_ACCESS_TYPE = ExceptionalAccess._meta.label_lower
DISCLOSURE_REQUEST = DisclosureRequest._meta.label_lower
# The data controller's review of the access log (privacy.access_review, which reads this
# module: the names are kept here).
REVIEW_PURPOSE = "access_log_review"
REVIEW_BASIS = "controller_review"


@dataclass(frozen=True)
class AccessLogEntry:
    event_id: int
    occurred_at: datetime.datetime
    actor_name: str
    actor_role: str
    actor_unit: str
    actor_organisation: str
    record_type: str
    action: str
    basis: str
    hidden_from_family: bool
    # What was done, as one plain sentence (the action and record type above, in words).
    what: str = ""
    # A list the person appeared in again the same day, by the same person for the same
    # purpose, is one entry: how many times.
    times: int = 1

    @property
    def actor_place(self) -> str:
        """Role, unit and organisation, as far as they are known."""
        return ", ".join(
            p for p in (self.actor_role, self.actor_unit, self.actor_organisation) if p
        )


def events_about(person_id: int) -> QuerySet[AuditEvent]:
    """Audit events whose persons concerned include `person_id`.

    PostgreSQL answers with JSONB containment (which a GIN index on subject_ids can serve).
    Elsewhere the list is matched as JSON text: the id is looked for with its quotes, so 12
    never matches 123.
    """
    key = str(person_id)
    if connection.vendor == "postgresql":
        return AuditEvent.objects.filter(subject_ids__contains=[key])
    return AuditEvent.objects.annotate(subjects_text=Cast("subject_ids", TextField())).filter(
        subjects_text__contains=f'"{key}"'
    )


class _Hidden:
    """Which events of a person's log the family does not see."""

    def __init__(self, person: Person) -> None:
        accesses = list(
            ExceptionalAccess.objects.hidden_from_family_now()
            .filter(person=person)
            .values_list("pk", "user_id", "starts_at")
        )
        self.access_ids = {pk for pk, _user, _start in accesses}
        self.lookups = [
            (user_id, starts_at - exceptional.LOOKUP_VALID_FOR, starts_at)
            for _pk, user_id, starts_at in accesses
        ]

    def __call__(self, event: AuditEvent) -> bool:
        if not self.access_ids:
            return False
        if event.object_type == EXCEPTIONAL_ACCESS_TYPE and self.access_ids & {
            int(i) for i in event.object_ids
        }:
            return True
        if self.access_ids & {int(i) for i in event.detail.get("exceptional_access_ids", ())}:
            return True
        if event.purpose == exceptional.LOOKUP_PURPOSE:
            return any(
                event.actor_id == user_id and start <= event.occurred_at <= end
                for user_id, start, end in self.lookups
            )
        return False


def basis_words() -> dict[str, str]:
    """Each legal basis the audit trail records, in the words the access log shows it."""
    return {
        policy.Basis.OWN_ORGANISATION: _("Own service"),
        ExceptionalAccess.Basis.DUTY_TO_REPORT: _("Duty to inform child welfare"),
        ExceptionalAccess.Basis.EMERGENCY: _("Emergency"),
        ExceptionalAccess.Basis.COURT_ORDER: _("Court order"),
        ExceptionalAccess.Basis.BREAK_GLASS: _("Break-glass access"),
        exceptional.REPORT_BASIS: _("Leader's follow-up of exceptional access"),
        REVIEW_BASIS: _("The organisation's review of the access log"),
        family.FAMILY_READ_BASIS: _("The family's own right of access"),
        "retention_rule": _("The retention period had run out"),
        "archive_rule": _("Preserved for the archive under an archive rule"),
        "legal_hold": _("Legal hold against deletion"),
        policy.Basis.ADDRESSED_TO_THEM: _("Feedback to the person who raised the concern"),
        # A disclosure on request is shown with the ground it was asked and given on.
        **{ground.value: str(ground.label) for ground in DisclosureRequest.Ground},
        # A referral sent without consent, on the provision of law its sending leader named.
        "legal_provision": _("A provision of law that lets the service refer without consent"),
        "": _("Own service"),
    }


class _Describer:
    """Turns audit events into plain words, loading what it needs once per log."""

    def __init__(self, person: Person, events: list[AuditEvent], *, conceal: bool = False) -> None:
        self.conceal = conceal
        self.person = person
        self.subject = person.pk
        actor_ids = {e.actor_id for e in events if e.actor_id is not None}
        self.users = {u.pk: u for u in User.objects.filter(pk__in=actor_ids)}
        self.memberships: dict[int, list[Membership]] = {}
        for m in (
            Membership.objects.filter(user_id__in=actor_ids)
            .select_related("unit__organisation")
            .order_by("unit__organisation__name", "unit__name")
        ):
            self.memberships.setdefault(m.user_id, []).append(m)
        consent_ids = {e.consent_id for e in events if e.consent_id}
        for e in events:
            consent_ids.update(e.detail.get("consent_ids", ()))
        self.consents = {
            c.pk: c
            for c in Consent.objects.filter(pk__in=consent_ids).only("pk", "purpose", "subject")
        }
        self.basis_words = basis_words()
        self.record_types: dict[str, str] = {}
        self.words = Words()

    def who(self, event: AuditEvent) -> tuple[str, str, str, str]:
        if family.is_citizen_label(event.actor_label):
            role = event.detail.get(family.ROLE_KEY, {}).get(str(self.subject))
            if role == family.Relation.SELF:
                return _("The person themselves, logged in with ID-porten"), _("Family"), "", ""
            return _("A parent with parental responsibility, with ID-porten"), _("Family"), "", ""
        if event.actor_id is None:
            return _("Familiebro (automatic)"), "", "", ""
        user = self.users.get(event.actor_id)
        name = user.display_name() if user else event.actor_label
        memberships = self.memberships.get(event.actor_id, [])
        # The membership in the organisation whose data it was says best in which role.
        chosen = next(
            (m for m in memberships if m.unit.organisation_id == event.organisation_id),
            memberships[0] if memberships else None,
        )
        if chosen is None:
            return name, "", "", ""
        return name, chosen.get_role_display(), chosen.unit.name, chosen.unit.organisation.name

    def record_type(self, object_type: str) -> str:
        if object_type not in self.record_types:
            try:
                model = apps.get_model(object_type)
                words = str(capfirst(model._meta.verbose_name))
            except (LookupError, ValueError):
                words = object_type
            self.record_types[object_type] = words
        return self.record_types[object_type]

    def action(self, event: AuditEvent) -> str:
        special = self._special(event)
        if special:
            return special
        try:
            return str(AuditEvent.Action(event.action).label)
        except ValueError:
            return event.action

    def what(self, event: AuditEvent, unit: str) -> str:
        """The entry as one sentence: what was done to which record, or in which list the
        person appeared (at `unit`, when the reader may know it)."""
        special = self._special(event)
        if special:
            return special
        if event.action == AuditEvent.Action.LIST:
            return self.words.listed(
                event.object_type,
                unit=unit,
                on_min_side=event.purpose == policy.Purpose.FAMILY_PORTAL,
            )
        return self.words.done(event.action, event.object_type)

    def _special(self, event: AuditEvent) -> str:
        # A disclosure says to (or of) whom: "X disclosed information to Y on ground Z".
        other = {"unit": event.detail.get("recipient") or event.detail.get("holder", "")}
        if self.conceal:
            other["unit"] = str(protected.HIDDEN)
        disclosure = {
            disclosure_events.REQUESTED: _("Asked %(unit)s for information"),
            disclosure_events.DISCLOSED: _("Disclosed information to %(unit)s"),
            disclosure_events.REFUSED: _("Refused to disclose information to %(unit)s"),
        }.get(event.detail.get("event", ""))
        if disclosure:
            return disclosure % other
        if event.purpose == disclosure_events.DISCLOSURE_PURPOSE:
            return _("Read a request for information")
        special = {
            "exceptional_access_opened": _("Opened an exceptional access"),
            exceptional.HIDING_DECIDED: _("Decided to hide an exceptional access from the family"),
            exceptional.HIDING_LIFTED: _("Decided to show an exceptional access to the family"),
            "withdrawn": _("Recorded the withdrawal"),
        }.get(event.detail.get("event", ""))
        if special:
            return special
        if event.purpose == exceptional.LOOKUP_PURPOSE:
            return _("Searched by identity number before an exceptional access")
        if event.purpose == policy.Purpose.IDENTITY_LOOKUP:
            return _("Searched by identity number")
        if event.purpose == policy.Purpose.ACCESS_LOG:
            return _("Read the access log")
        if event.purpose == exceptional.REPORT_PURPOSE:
            return _("Followed up an exceptional access")
        if event.purpose == REVIEW_PURPOSE:
            return _("Checked the access log for the organisation")
        return ""

    def _kinds(self, event: AuditEvent) -> list[str]:
        # A page of persons records each row's basis; take this person's own.
        per_row = event.detail.get("bases", {})
        if event.object_type == "core.person" and str(self.person.pk) in per_row:
            return [per_row[str(self.person.pk)]]
        return event.legal_basis.split(",") if event.legal_basis else [""]

    def _consent_words(self, event: AuditEvent) -> str:
        ids = [event.consent_id] if event.consent_id else list(event.detail.get("consent_ids", ()))
        own = [i for i in ids if i in self.consents and self.consents[i].subject_id == self.subject]
        words = [
            _("Consent no. %(number)s for %(purpose)s")
            % {
                "number": i,
                "purpose": self.consents[i].get_purpose_display().lower()
                if i in self.consents
                else "",
            }
            for i in (own or ids)
        ]
        return "; ".join(words) or _("Consent")

    def basis(self, event: AuditEvent) -> str:
        if event.purpose == exceptional.LOOKUP_PURPOSE:
            return _("Search before an exceptional access")
        words = []
        for kind in self._kinds(event):
            if kind == policy.Basis.CONSENT:
                words.append(self._consent_words(event))
            else:
                words.append(self.basis_words.get(kind, kind))
        return "; ".join(dict.fromkeys(words))


def _entries(
    person: Person,
    events: Iterable[AuditEvent],
    *,
    for_family: bool,
    conceal: bool = False,
    per_day: bool = True,
) -> list[Any]:
    """The events in words. With `conceal`, no staff member's name, unit or organisation and
    no unit a disclosure went to or came from (a protected address, privacy.protected)."""
    events = list(events)
    hidden = _Hidden(person)
    shown = [e for e in events if not (for_family and hidden(e))]
    describe = _Describer(person, shown, conceal=conceal)
    entries = []
    for event in shown:
        name, role, unit, organisation = describe.who(event)
        if conceal and event.actor_id is not None:
            name, unit, organisation = str(protected.HIDDEN), "", ""
        entries.append(
            AccessLogEntry(
                event_id=event.pk,
                occurred_at=event.occurred_at,
                actor_name=name,
                actor_role=role,
                actor_unit=unit,
                actor_organisation=organisation,
                record_type=describe.record_type(event.object_type),
                action=describe.action(event),
                basis=describe.basis(event),
                hidden_from_family=hidden(event),
                what=describe.what(event, unit),
            )
        )
    if not per_day:
        return entries
    return _lists_grouped_per_day(entries, [e.action for e in shown])


def _lists_grouped_per_day(entries: list[AccessLogEntry], actions: list[str]) -> list[Any]:
    """One entry per day for the same list seen again: a page of persons read ten times in a
    morning is one line with "10 times", not ten lines that hide the rest of the log. The
    newest appearance stays, in its place; entries of any other kind are never merged."""
    grouped: list[AccessLogEntry] = []
    first_of: dict[tuple[Any, ...], int] = {}
    for entry, action in zip(entries, actions, strict=True):
        if action != AuditEvent.Action.LIST:
            grouped.append(entry)
            continue
        key = (
            timezone.localdate(entry.occurred_at),
            entry.actor_name,
            entry.actor_place,
            entry.what,
            entry.basis,
            entry.hidden_from_family,
        )
        if key in first_of:
            index = first_of[key]
            grouped[index] = replace(grouped[index], times=grouped[index].times + 1)
        else:
            first_of[key] = len(grouped)
            grouped.append(entry)
    return grouped


@transaction.atomic
def access_log_for(actor: Any, person: Person, *, per_day: bool = True) -> list[AccessLogEntry]:
    """The person's access log as staff who may see the person read it, newest first; with
    `per_day`, a list seen again the same day is one entry (see _lists_grouped_per_day).

    The policy decides whether they may; the caller fetched the person with
    `policy.get_or_404`, which audited the read.
    """
    policy.require(actor, policy.Action.VIEW, person, policy.Purpose.ACCESS_LOG)
    events = _held_where_the_reader_sees(actor, list(_events_newest_first(person)))
    return _entries(person, events, for_family=False, per_day=per_day)


def _held_where_the_reader_sees(actor: Any, events: list[AuditEvent]) -> list[AuditEvent]:
    """Leave out the events on rows a unit holds (a case and its parts) that the reader may
    not see: that another service reads a case on the person is itself what its duty of
    confidentiality keeps (policy, confidentiality domains). One query per kind of held row;
    an event on a row since deleted is left out too, as nothing tells in whose domain it was.
    """
    rules = policy.registered_models()
    held_ids: dict[str, set[str]] = {}
    for event in events:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            continue
        if model in rules and rules[model].held_in_a_domain:
            held_ids.setdefault(event.object_type, set()).update(map(str, event.object_ids))
    if not held_ids:
        return events
    seen: dict[str, set[str]] = {}
    for object_type, ids in held_ids.items():
        model = apps.get_model(object_type)
        rows = policy.visible(actor, model, policy.Purpose.ACCESS_LOG, few_rows=True)
        seen[object_type] = {str(pk) for pk in rows.filter(pk__in=ids).values_list("pk", flat=True)}
    return [
        e
        for e in events
        if e.object_type not in seen or {str(i) for i in e.object_ids} <= seen[e.object_type]
    ]


@transaction.atomic
def family_access_log(
    citizen: family.Citizen, member: family.FamilyMember, *, per_day: bool = True
) -> list[AccessLogEntry]:
    """The access log of the citizen's own record or their child's, newest first.

    Reading it is audited; exceptional accesses hidden from the family are left out.
    """
    family.record_read(
        citizen, AuditEvent.Action.VIEW, [member.person], [member], policy.Purpose.ACCESS_LOG
    )
    events = _held_where_the_family_sees(member, list(_events_newest_first(member.person)))
    # Who read, in which unit and organisation, tells where the child is: not to a parent
    # from whom a protected address keeps it (privacy.protected).
    conceal = member.person.organisation_id in protected.hidden_organisations(citizen.identity_hash)
    return _entries(member.person, events, for_family=True, conceal=conceal, per_day=per_day)


def _held_where_the_family_sees(
    member: family.FamilyMember, events: list[AuditEvent]
) -> list[AuditEvent]:
    """For a parent of a child of 12 to 17: leave out the events on records a service keeps
    from the parents (family.withheld_from_parents), since that the health centre read or
    wrote in a case on the child tells what the record would. One query per kind of record."""
    if member.relation != family.Relation.PARENT:
        return events
    rules = policy.registered_models()
    held_ids: dict[str, set[str]] = {}
    for event in events:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            continue
        if model in rules and rules[model].held_in_a_domain:
            held_ids.setdefault(event.object_type, set()).update(map(str, event.object_ids))
    withheld = {
        object_type: family.withheld_ids(apps.get_model(object_type), member, ids)
        for object_type, ids in held_ids.items()
    }
    if disclosures := held_ids.get(DISCLOSURE_REQUEST):
        withheld[DISCLOSURE_REQUEST] |= family.disclosures_withheld(member, disclosures)
    # On the records no service holds (the child's identity, guardians, consents): the reads
    # by staff who work only in a service whose records are kept from the parent.
    quiet_staff = family.staff_of_withheld_services(
        member,
        {e.actor_id for e in events if e.actor_id is not None and e.object_type not in held_ids},
    )
    return [
        e
        for e in events
        if (
            not withheld.get(e.object_type)
            or not {str(i) for i in e.object_ids} & withheld[e.object_type]
        )
        and not (e.object_type not in held_ids and e.actor_id in quiet_staff)
    ]


def _events_newest_first(person: Person) -> QuerySet[AuditEvent]:
    return events_about(person.pk).order_by("-occurred_at", "-pk")
