"""Right of access (innsyn, GDPR art. 15): everything the organisation holds about a person.

`export_person` gathers the person record in full (the identity number too: it is the
person's own), guardian relations, consents with the exact text agreed to and who gave them,
assignments, exceptional accesses, the access log (who read or changed the person's data,
when, why and on which basis), and one section for every other kind of record the access
policy knows (cases and everything in them, requests for help). The same content is offered
as JSON and as a PDF in bokmål.

The export walks the policy's registry: every model registered there holds personal data,
and each has a section here, built in or registered by its app with `register_section()`. An
export is refused while a registered model has none, so a new kind of record cannot be left
out of people's right of access by mistake. Items a service marked internal (kept from the
family on Min side) are in the export, marked as internal with the reason, for the staff
member who prepares it to review before it is handed over.

Only the data controller's own staff with a need to know export, for the purpose
`data_subject_request`; the export is refused rather than silently incomplete when some of
the person's records are outside the actor's need to know, and the export itself is audited.
Exceptional accesses hidden from the family (a documented exception, for example while a
child welfare investigation would be harmed) are left out while they stay hidden, together
with the access log entries made under them.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core.models import (
    ConfidentialityDomain,
    GuardianRelation,
    Municipality,
    Organisation,
    Person,
    ServiceUnit,
    User,
)

from . import access_log, audit, consent_reads, family, policy, protected
from .models import Assignment, AuditEvent, Consent, ConsentGiver, DataCategory, ExceptionalAccess
from .models import Purpose as ConsentPurpose

FORMAT = "familiebro-innsyn/3"
PURPOSE = policy.Purpose.DATA_SUBJECT_REQUEST

PURPOSE_LABELS: dict[str, Any] = {
    policy.Purpose.CASEWORK: gettext_lazy("Casework"),
    policy.Purpose.REGISTRATION: gettext_lazy("Registration"),
    policy.Purpose.IDENTITY_LOOKUP: gettext_lazy("Search by identity number"),
    policy.Purpose.ACCESS_LOG: gettext_lazy("Showing the access log"),
    policy.Purpose.DATA_SUBJECT_REQUEST: gettext_lazy("The person's request for access"),
    policy.Purpose.RETENTION: gettext_lazy("Deletion after the retention period"),
    **dict(ConsentPurpose.choices),
}


CATEGORY_LABELS: dict[str, Any] = dict(DataCategory.choices)


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _user_name(user: User | None) -> str:
    return user.display_name() if user is not None else ""


def _refuse_if_incomplete(
    actor: Any, model: type[models.Model], condition: Q, shown: int, kind: Any
) -> None:
    """Refuse unless the actor sees every row matching `condition` that their own services
    hold: an export that quietly left records out would break the person's right of access.
    (What services under another duty of confidentiality hold, they answer for themselves;
    the export says so, whether or not they hold anything.)"""
    held = (
        model._default_manager.filter(condition & policy.held_in_own_domains(actor, model))
        .distinct()
        .count()
    )
    if held <= shown:
        return
    rule = policy.rule_for(model)
    if rule.unit_field is not None:
        raise PermissionDenied(
            _(
                "The export would be incomplete: %(n)s of the person's records (%(kind)s) are "
                "in the inbox of a unit you are not a member of. Ask a member of that unit "
                "who works with the person to make the export."
            )
            % {"n": held - shown, "kind": str(kind).lower()}
        )
    raise PermissionDenied(
        _(
            "The export would be incomplete: %(n)s of the person's records (%(kind)s) are "
            "outside your need to know, for example a relation to a child you do not work "
            "with. Ask your leader to assign you to the family members concerned, then "
            "export again."
        )
        % {"n": held - shown, "kind": str(kind).lower()}
    )


def _all_visible(actor: Any, model: type[models.Model], condition: Q) -> list[int]:
    """Ids of the rows matching `condition`, read through the access policy, or a refusal."""
    rows = list(
        policy.visible(actor, model, PURPOSE)
        .filter(condition & policy.held_in_own_domains(actor, model))
        .values_list("pk", flat=True)
    )
    _refuse_if_incomplete(actor, model, condition, len(rows), model._meta.verbose_name_plural)
    return rows


# Sections registered by the apps ---------------------------------------------------------


# A staff member, a unit, an organisation or a municipality tells where a family is served.
_WHEREABOUTS_MODELS: tuple[type[models.Model], ...] = (
    User,
    ServiceUnit,
    Organisation,
    Municipality,
)


@dataclass(frozen=True)
class Column:
    """One fact about each row of a section.

    `path` is a field of the row, or a lookup through its foreign keys ("case__reference");
    the JSON holds its value under `key` (the path with "__" as "_" unless given), a choice
    also its display text under `<key>_display`. `value` computes the fact instead (a phase's
    name from the pathway); `kind` then says how the PDF shows it ("date", "bool", "text").
    `label` is what the PDF calls it; a column without one is in the JSON only (a rule's
    internal key, say)."""

    path: str
    label: Any = None
    value: Callable[[Any], Any] | None = None
    kind: str | None = None
    key: str | None = None
    # Tells where the family lives (a meeting's place, the name and e-mail of someone
    # invited): hidden where a protected address keeps it from the reader. Columns that name
    # a staff member, a unit or an organisation (through a relation) are found without it.
    reveals_whereabouts: bool = False
    # The same for some rows only (a log entry Familiebro wrote naming a unit).
    reveals_in: Callable[[Any], bool] | None = None

    @property
    def json_key(self) -> str:
        return self.key or self.path.replace("__", "_")

    def field(self, model: type[models.Model]) -> Any:
        field: Any = None
        for part in self.path.split("__"):
            field = model._meta.get_field(part)
            if field.is_relation:
                model = field.related_model
        return field

    def reveals(self, model: type[models.Model]) -> bool:
        """Whether the column could tell where the person lives (privacy.protected)."""
        if self.reveals_whereabouts:
            return True
        current: Any = model
        for part in self.path.split("__"):
            field = current._meta.get_field(part)
            if not field.is_relation:
                return False
            current = field.related_model
            if current in _WHEREABOUTS_MODELS:
                return True
        return False

    def kind_for(self, model: type[models.Model]) -> str:
        if self.kind is not None:
            return self.kind
        if self.value is not None:
            return "text"
        field = self.field(model)
        if field.choices:
            return "choice"
        if isinstance(field, models.DateField):  # DateTimeField is one too
            return "date"
        if isinstance(field, models.BooleanField):
            return "bool"
        return "text"


@dataclass(frozen=True)
class Section:
    """One kind of record in the export: the rows of `model` that name the person.

    `about` gives the condition for the person's rows; by default, the rows whose subject
    (the policy rule's `subject_field`) is the person, in the person's organisation. A model
    whose rows reach a person only through a unit's inbox must say how it names a person.
    `internal_reason` names the field that holds why a row is kept from the family."""

    key: str
    heading: Any
    model: type[models.Model]
    columns: tuple[Column, ...]
    about: Callable[[Person], Q] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)
    internal_reason: str | None = None

    def condition(self, person: Person) -> Q:
        if self.about is not None:
            return self.about(person)
        rule = policy.rule_for(self.model)
        assert rule.subject_field is not None  # register_section() checked it
        return Q(**{rule.subject_field: person.pk, rule.organisation_field: person.organisation_id})


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add a kind of record to every export. Its model must be registered with the policy,
    which reads it: the export shows only what the policy lets the staff member see."""
    rule = policy.rule_for(section.model)
    if rule.subject_field is None and section.about is None:
        raise ValueError(
            f"{section.model._meta.label} rows name no person in the policy: say with "
            "`about` which rows name the person."
        )
    if section.key in _sections and _sections[section.key].model is not section.model:
        raise ValueError(f"The export already has a section {section.key!r}.")
    _sections[section.key] = section


def sections() -> list[Section]:
    return list(_sections.values())


def _built_in_models() -> set[type[models.Model]]:
    """The records this module exports itself: the person, their relations, consents (with
    their givers), assignments and exceptional accesses."""
    return {Person, GuardianRelation, Consent, ConsentGiver, Assignment, ExceptionalAccess}


# Models the policy registers that name no person, so the product cannot tell whose export
# they belong in, each with the reason (an anonymous consultation: GDPR art. 11).
_not_exported: dict[type[models.Model], str] = {}


def register_not_exported(model: type[models.Model], reason: str) -> None:
    """A model held by the policy whose rows never name a person: no export shows them."""
    if policy.rule_for(model).subject_field is not None:
        raise ValueError(f"{model._meta.label} names a person: register a section for it.")
    _not_exported[model] = reason


def models_without_section() -> list[str]:
    """Models the policy registers (they hold personal data) that no section exports and that
    are not registered as naming nobody."""
    covered = _built_in_models() | {s.model for s in _sections.values()} | set(_not_exported)
    return sorted(m._meta.label for m in policy.registered_models() if m not in covered)


def _section_rows(actor: Any, person: Person, section: Section) -> list[models.Model]:
    """The person's rows of one section, in one query (plus one per prefetched relation),
    read through the access policy; a refusal if any is outside the actor's access."""
    condition = section.condition(person)
    rows = list(
        policy.visible(actor, section.model, PURPOSE)
        # What the exporter's own services hold: another service's records, even if an
        # exceptional access lets the exporter read them, are that service's to answer for.
        .filter(condition & policy.held_in_own_domains(actor, section.model))
        .select_related(*section.select_related)
        .prefetch_related(*section.prefetch_related)
        .order_by(*section.order_by)
    )
    _refuse_if_incomplete(actor, section.model, condition, len(rows), section.heading)
    return rows


def _at(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _plain(value: Any) -> Any:
    """A value as JSON holds it: people and units by name, moments in ISO 8601."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, User):
        return value.display_name()
    if isinstance(value, datetime.date):
        return _iso(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def _section_row(section: Section, obj: models.Model, conceal: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"id": obj.pk}
    if section.internal_reason is not None:
        row["internal"] = bool(getattr(obj, section.internal_reason))
    for column in section.columns:
        if conceal and (
            column.reveals(section.model) or (column.reveals_in and column.reveals_in(obj))
        ):
            row[column.json_key] = str(protected.HIDDEN)
            continue
        raw = column.value(obj) if column.value is not None else _at(obj, column.path)
        row[column.json_key] = _plain(raw)
        if column.kind_for(section.model) == "choice":
            choices = dict(column.field(section.model).flatchoices)
            row[f"{column.json_key}_display"] = str(choices.get(raw, raw or ""))
    return row


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "kind": person.kind,
        "kind_display": str(person.get_kind_display()),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": _iso(person.birth_date),
        "national_id": person.national_id,
        "phone": person.phone,
        "email": person.email,
        "registered_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
    }


def _visible_ids(actor: Any, person: Person) -> dict[str, list[int]]:
    """Per kind of record, the ids of the person's records, all of them or a refusal."""
    own = Q(organisation_id=person.organisation_id)
    given = ConsentGiver.objects.filter(person=person).values("consent_id")
    return {
        "relations": _all_visible(
            actor, GuardianRelation, own & (Q(child=person) | Q(guardian=person))
        ),
        "consents": _all_visible(actor, Consent, own & (Q(subject=person) | Q(pk__in=given))),
        "assignments": _all_visible(actor, Assignment, own & Q(person=person)),
        # Accesses hidden from the family are withheld while they stay hidden.
        "accesses": _all_visible(
            actor,
            ExceptionalAccess,
            own
            & Q(person=person)
            & ~Q(pk__in=ExceptionalAccess.objects.hidden_from_family_now().values("pk")),
        ),
    }


def _relations(person: Person, ids: list[int]) -> list[dict[str, Any]]:
    rows = GuardianRelation.objects.filter(pk__in=ids).select_related("guardian", "child")
    result = []
    for relation in rows.order_by("pk"):
        is_guardian = relation.guardian_id == person.pk
        other = relation.child if is_guardian else relation.guardian
        result.append(
            {
                "id": relation.pk,
                "role": "guardian_of" if is_guardian else "child_of",
                "other_person_id": other.pk,
                "other_person_name": str(other),
                "kind": relation.kind,
                "kind_display": str(relation.get_kind_display()),
                "has_parental_responsibility": relation.has_parental_responsibility,
                "lives_with_child": relation.lives_with_child,
            }
        )
    return result


def _conceal_consent(consent: dict[str, Any]) -> dict[str, Any]:
    """A consent without the services it names (in its recipients and its wording) and who
    recorded it: they tell where the family is served."""
    hidden = str(protected.HIDDEN)
    return {
        **consent,
        "recipient_organisations": [hidden] if consent["recipient_organisations"] else [],
        "recipient_units": [hidden] if consent["recipient_units"] else [],
        "text": {**consent["text"], "blocks": [{"kind": "paragraph", "text": hidden}]},
        "recorded_by": hidden if consent["recorded_by"] else "",
    }


def _consents(ids: list[int]) -> list[dict[str, Any]]:
    consents = (
        Consent.objects.filter(pk__in=ids)
        .select_related("subject", "text", "recorded_by", "withdrawn_by")
        .prefetch_related(
            "givers__person", "recipient_organisations", "recipient_units__organisation"
        )
        .order_by("valid_from", "pk")
    )
    result = []
    for consent in consents:
        # The exact words the givers agreed to, with this consent's names and dates filled in.
        wording = consent_reads.render_consent_text(consent)
        result.append(
            {
                "id": consent.pk,
                "subject_id": consent.subject_id,
                "subject_name": str(consent.subject),
                "purpose": consent.purpose,
                "purpose_display": str(consent.get_purpose_display()),
                "scope": consent.scope_categories,
                "scope_display": [str(CATEGORY_LABELS.get(c, c)) for c in consent.scope_categories],
                "recipient_organisations": [o.name for o in consent.recipient_organisations.all()],
                "recipient_units": [u.name for u in consent.recipient_units.all()],
                "text": {
                    "title": wording.title,
                    "version": wording.version,
                    "language": wording.language,
                    "published_at": _iso(wording.published_at),
                    "blocks": [{"kind": b.kind, "text": b.text} for b in wording.blocks],
                },
                "givers": [
                    {
                        "person_id": g.person_id,
                        # A service or representative in the guardians' place has no person.
                        "name": str(g),
                        "role": g.role,
                        "capacity": g.capacity,
                        "capacity_display": str(g.get_capacity_display()),
                    }
                    for g in consent.givers.all()
                ],
                "domain": consent.domain,
                "child_view": consent.child_view,
                "lapses_at": _iso(consent.lapses_at),
                "channel": consent.channel,
                "channel_display": str(consent.get_channel_display()),
                "witness": consent.witness,
                "recorded_by": _user_name(consent.recorded_by),
                "valid_from": _iso(consent.valid_from),
                "valid_to": _iso(consent.valid_to),
                "ends": consent_reads.consent_end(consent.valid_to),
                "withdrawn_at": _iso(consent.withdrawn_at),
                "withdrawn_by": str(consent.withdrawn_by) if consent.withdrawn_by else "",
                "state": consent.state(),
            }
        )
    return result


def _assignments(ids: list[int]) -> list[dict[str, Any]]:
    assignments = (
        Assignment.objects.filter(pk__in=ids)
        .select_related("user", "unit")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": a.pk,
            "staff_member": _user_name(a.user),
            "unit": a.unit.name if a.unit else "",
            "reason": a.reason,
            "from": _iso(a.created_at),
            "ended_at": _iso(a.ended_at),
            "work_ended_at": _iso(a.work_ended_at),
        }
        for a in assignments
    ]


def _exceptional_accesses(ids: list[int]) -> list[dict[str, Any]]:
    accesses = (
        ExceptionalAccess.objects.filter(pk__in=ids)
        .select_related("user")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": a.pk,
            "basis": a.basis,
            "basis_display": str(a.get_basis_display()),
            "staff_member": _user_name(a.user),
            "reason": a.reason,
            "starts_at": _iso(a.starts_at),
            "expires_at": _iso(a.expires_at),
            "revoked_at": _iso(a.revoked_at),
        }
        for a in accesses
    ]


def _conceal_access(entry: dict[str, Any]) -> dict[str, Any]:
    """An access log entry without who read and where they work."""
    hidden = str(protected.HIDDEN)
    # The sentence may name a unit (a list at it, a disclosure to it): the bare action stays.
    concealed = {**entry, "unit": "", "organisation": "", "what": ""}
    if entry["username"] and not entry["username"].startswith("citizen:"):
        concealed.update(who=hidden, username=hidden)
    try:  # a disclosure's words name the unit it went to or came from
        concealed["action_display"] = str(AuditEvent.Action(entry["action"]).label)
    except ValueError:
        concealed["action_display"] = entry["action"]
    return concealed


def _access_log(actor: Any, person: Person) -> list[dict[str, Any]]:
    """The family's version of the person's access log (privacy.access_log), which leaves
    out everything done under an exceptional access hidden from the family."""
    # Every event on its own line: the export is the full record, not the page's summary.
    return _access_log_rows(
        [
            e
            for e in access_log.access_log_for(actor, person, per_day=False)
            if not e.hidden_from_family
        ]
    )


def _access_log_rows(entries: list[access_log.AccessLogEntry]) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(pk__in=[e.event_id for e in entries]).only(
        "pk", "action", "actor_label", "purpose", "legal_basis", "object_type", "consent_id"
    )
    by_id = {event.pk: event for event in events}
    result = []
    for entry in entries:
        event = by_id[entry.event_id]
        result.append(
            {
                "id": entry.event_id,
                "when": _iso(entry.occurred_at),
                "who": entry.actor_name,
                "username": event.actor_label,
                "role": entry.actor_role,
                "unit": entry.actor_unit,
                "organisation": entry.actor_organisation,
                "action": event.action,
                "action_display": entry.action,
                "record_type": event.object_type,
                "record_type_display": entry.record_type,
                "what": entry.what,
                "purpose": event.purpose,
                "purpose_display": str(PURPOSE_LABELS.get(event.purpose, event.purpose)),
                "legal_basis": event.legal_basis,
                "legal_basis_display": entry.basis,
                "consent_id": event.consent_id,
            }
        )
    return result


def export_readers(person: Person) -> list[Person]:
    """Whom an export of `person` can be made for: the person and their guardians (a parent
    asking on a child's behalf). Which of them get where the family lives is
    privacy.protected's rule."""
    guardians = Person.objects.filter(children_rel__child=person).order_by("pk")
    return [person, *guardians]


def _conceal(data: dict[str, Any]) -> dict[str, Any]:
    """The export without what could tell where the person lives (privacy.protected)."""
    hidden = str(protected.HIDDEN)
    data["data_controller"] = {"name": hidden, "organisation_number": hidden}
    # Even the kind of service (a crisis shelter) says too much.
    data["services"] = [{"domain": "", "name": hidden}] if data["services"] else []
    # A phone number or an e-mail address is a way to find someone.
    data["person"] = {
        **data["person"],
        "phone": hidden if data["person"]["phone"] else "",
        "email": hidden if data["person"]["email"] else "",
    }
    data["generated_by"] = hidden
    data["consents"] = [_conceal_consent(c) for c in data["consents"]]
    data["assignments"] = [
        {**a, "staff_member": hidden, "unit": hidden if a["unit"] else ""}
        for a in data["assignments"]
    ]
    data["exceptional_accesses"] = [
        {**a, "staff_member": hidden} for a in data["exceptional_accesses"]
    ]
    data["access_log"] = [_conceal_access(e) for e in data["access_log"]]
    return data


def _document(
    person: Person,
    *,
    language: str,
    generated_by: str,
    domains: Iterable[str],
    ids: dict[str, list[int]],
    rows: dict[str, list[models.Model]],
    access_log_rows: Callable[[], list[dict[str, Any]]],
    conceal: bool,
) -> dict[str, Any]:
    """The export document from the rows the reader may have: the same for staff answering a
    request and for the family downloading their own (export_for_family)."""
    with translation.override(language):
        data: dict[str, Any] = {
            "format": FORMAT,
            "language": language,
            "generated_at": _iso(timezone.now()),
            "generated_by": generated_by,
            "data_controller": {
                "name": person.organisation.name,
                "organisation_number": person.organisation.org_number,
            },
            # The duties of confidentiality whose records this export holds: each service
            # answers for what it holds (docs/data-protection.md, "The right of access").
            "services": [
                {"domain": domain, "name": str(ConfidentialityDomain(domain).label)}
                for domain in domains
            ],
            "person": _person(person),
            "guardian_relations": _relations(person, ids["relations"]),
            "consents": _consents(ids["consents"]),
            "assignments": _assignments(ids["assignments"]),
            "exceptional_accesses": _exceptional_accesses(ids["accesses"]),
            **{
                section.key: [_section_row(section, obj, conceal) for obj in rows[section.key]]
                for section in sections()
            },
            "access_log": access_log_rows(),
            "whereabouts_hidden": conceal,
        }
        if conceal:
            data = _conceal(data)
    return data


def _concerned(person: Person, data: dict[str, Any]) -> list[int]:
    """Everyone whose data the export shows: the person, their relations, the consents'."""
    concerned = {person.pk}
    concerned |= {r["other_person_id"] for r in data["guardian_relations"]}
    for consent in data["consents"]:
        concerned.add(consent["subject_id"])
        concerned |= {g["person_id"] for g in consent["givers"] if g["person_id"] is not None}
    return sorted(concerned)


def _record_counts(data: dict[str, Any]) -> dict[str, int]:
    return {
        key: len(data[key])
        for key in (
            "guardian_relations",
            "consents",
            "assignments",
            "exceptional_accesses",
            *(section.key for section in sections()),
            "access_log",
        )
    }


@transaction.atomic
def export_person(
    actor: Any,
    person: Person,
    *,
    language: str = "nb",
    reader: protected.Reader = protected.ANYONE,
) -> dict[str, Any]:
    """Everything the person's organisation holds about `person`, for their right of access.

    Raises PermissionDenied with the reason unless `actor` works for the data controller and
    may see all of it; writes one audit event (action export) naming every person whose data
    the export shows. Where a protected address keeps the person's whereabouts from `reader`
    (by default anyone: the export does not know who will get it), everything that could
    tell them is left out (`whereabouts_hidden` in the JSON says so).
    """
    basis = policy.require(actor, policy.Action.VIEW, person, PURPOSE)
    if not basis.by_need_to_know:
        raise PermissionDenied(
            _(
                "Only the organisation that holds the person's data can answer a request for "
                "access. Ask the person to contact %(organisation)s."
            )
            % {"organisation": person.organisation.name}
        )
    missing = models_without_section()
    if missing:
        raise ImproperlyConfigured(
            f"The right-of-access export has no section for {', '.join(missing)}: register "
            "one with familiebro.privacy.export.register_section()."
        )
    # Refusals come before the export's language is switched on, so they reach the staff
    # member in their own language.
    ids = _visible_ids(actor, person)
    rows = {section.key: _section_rows(actor, person, section) for section in sections()}
    data = _document(
        person,
        language=language,
        generated_by=_user_name(actor),
        domains=policy.domains_of(actor, person.organisation_id),
        ids=ids,
        rows=rows,
        access_log_rows=lambda: _access_log(actor, person),
        conceal=protected.hidden_from(person, reader),
    )
    audit.record(
        AuditEvent.Action.EXPORT,
        actor=actor,
        objects=[person],
        subject_ids=_concerned(person, data),
        organisation_id=person.organisation_id,
        purpose=PURPOSE,
        legal_basis=basis.kind,
        detail={"records": _record_counts(data), **basis.audit_detail()},
    )
    return data


# The family's own download on Min side ------------------------------------------------------

# The built-in kinds the family's download leaves out: not read on Min side, they are the
# service's to review before handing them over (the staff export above holds them).
_NOT_IN_FAMILY_DOWNLOAD = {
    "assignments": gettext_lazy("Who is assigned to work with the person"),
    "exceptional_accesses": gettext_lazy("Exceptional accesses"),
}


@transaction.atomic
def export_for_family(
    citizen: family.Citizen, member: family.FamilyMember, *, language: str = "nb"
) -> dict[str, Any]:
    """The right-of-access export of one of the citizen's family records (their own, or a
    child's under 18 they have parental responsibility for), as they download it on Min
    side: the same document staff produce, with the rows the family reads on Min side
    (family.visible: nothing marked internal, nothing a service keeps from the parents of a
    young person). The kinds of record the family does not read there are left out and named
    in `left_out`, to ask the service for. Audited as the family's own read."""
    person = member.person
    own = Q(organisation_id=person.organisation_id)
    given = ConsentGiver.objects.filter(person=person).values("consent_id")
    consent_ids = set(
        family.visible(Consent, [member])
        .filter(own & Q(subject=person))
        .values_list("pk", flat=True)
    )
    # The consents they gave themselves (for a child) are their own acts.
    if member.relation == family.Relation.SELF:
        consent_ids |= set(
            Consent.objects.filter(own & Q(pk__in=given)).values_list("pk", flat=True)
        )
    ids = {
        "relations": list(
            GuardianRelation.objects.filter(
                own & (Q(child=person) | Q(guardian=person))
            ).values_list("pk", flat=True)
        ),
        "consents": sorted(consent_ids),
        "assignments": [],
        "accesses": [],
    }
    left_out = [
        {"key": key, "heading": heading} for key, heading in _NOT_IN_FAMILY_DOWNLOAD.items()
    ]
    rows: dict[str, list[models.Model]] = {}
    for section in sections():
        try:
            policy.hidden_from_family(section.model)
        except PermissionDenied:
            rows[section.key] = []
            left_out.append({"key": section.key, "heading": section.heading})
            continue
        rows[section.key] = list(
            family.visible(section.model, [member])
            .filter(section.condition(person))
            .select_related(*section.select_related)
            .prefetch_related(*section.prefetch_related)
            .order_by(*section.order_by)
        )
    domains = sorted(
        set(
            ServiceUnit.objects.filter(organisation_id=person.organisation_id).values_list(
                "domain", flat=True
            )
        )
        - {""}
    )
    conceal = person.organisation_id in protected.hidden_organisations(citizen.identity_hash)
    data = _document(
        person,
        language=language,
        generated_by="Min side",
        domains=domains,
        ids=ids,
        rows=rows,
        access_log_rows=lambda: _access_log_rows(
            access_log.family_access_log(citizen, member, per_day=False)
        ),
        conceal=conceal,
    )
    with translation.override(language):
        data["left_out"] = [{"key": o["key"], "heading": str(o["heading"])} for o in left_out]
    family.record_read(
        citizen,
        AuditEvent.Action.EXPORT,
        [person],
        [member],
        PURPOSE,
        detail={"records": _record_counts(data)},
    )
    return data


# The PDF -----------------------------------------------------------------------------------

_UNICODE_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _font_for(data: dict[str, Any]) -> tuple[str, str]:
    """Helvetica covers Norwegian and Western European names. Names in other scripts
    (Łukasz, Олена) need a Unicode font; DejaVu Sans is used when the system has it."""
    try:
        for text in _strings(data):
            text.encode("cp1252")
    except UnicodeEncodeError:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for path in _UNICODE_FONT_PATHS:
            if path.exists():
                bold = path.with_name("DejaVuSans-Bold.ttf")
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(path)))
                pdfmetrics.registerFont(
                    TTFont("DejaVuSans-Bold", str(bold if bold.exists() else path))
                )
                return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value)
    if len(value) == 10:
        return f"{moment:%d.%m.%Y}"
    return f"{moment:%d.%m.%Y %H:%M}"


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _shown(column: Column, model: type[models.Model], row: dict[str, Any]) -> str:
    """A column's value as the reader of the PDF reads it."""
    value = row.get(column.json_key)
    kind = column.kind_for(model)
    if kind == "choice":
        value = row.get(f"{column.json_key}_display")
    elif kind == "date":
        value = _when(value)
    elif kind == "bool" and value is not None:
        value = _yes_no(value)
    elif isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return str(value) if value not in (None, "") else "–"


def _section_story(
    section: Section, rows: list[dict[str, Any]], p: Callable, facts: Callable
) -> list[Any]:
    """Each row of a section as a table of its facts, an internal row marked as such first."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    if not rows:
        return [p(_("None registered."))]
    story: list[Any] = []
    for row in rows:
        pairs = [
            (column.label, _shown(column, section.model, row))
            for column in section.columns
            if column.label is not None
        ]
        if row.get("internal"):
            pairs.insert(0, (_("INTERNAL"), _("Marked internal: not shown to the family.")))
        story += [facts(pairs), Spacer(1, 2 * mm)]
    return story


def _internal_notice(data: dict[str, Any], p: Callable) -> list[Any]:
    """A word to the staff member who prepares the export, when it holds internal items."""
    count = sum(
        1 for section in sections() for row in data.get(section.key, []) if row.get("internal")
    )
    if not count:
        return []
    return [
        p(
            _(
                "For the staff member who prepares this export: it holds items marked "
                "INTERNAL (%(n)s), kept from the family on Min side. The right of access covers "
                "them too. Hand them over unless an exception in the law applies to them (for "
                "example forvaltningsloven § 19 or pasient- og brukerrettighetsloven § 5-1, or "
                "another person's right to confidentiality); record the reason for anything "
                "you hold back."
            )
            % {"n": count}
        )
    ]


def _protected_notice(data: dict[str, Any], p: Callable) -> list[Any]:
    """A word to whoever reads it, when a protected address kept something out."""
    if not data.get("whereabouts_hidden"):
        return []
    return [
        p(
            _(
                "The person or someone in their family has a protected address. This copy "
                "leaves out what could tell where they live: the names of services, units, "
                "staff and places, and contact details (each marked: %(hidden)s). A copy "
                "for the protected person themselves is made by choosing them as its recipient."
            )
            % {"hidden": protected.HIDDEN}
        )
    ]


def _family_notice(data: dict[str, Any], p: Callable) -> list[Any]:
    """A word to the family, on the copy they downloaded themselves."""
    if "left_out" not in data:
        return []
    return [
        p(
            _(
                "You downloaded this copy on Min side. It holds what you can read there. "
                "These kinds of records are not in it, because the service goes through them "
                "before handing them over: %(kinds)s. Ask the service for a full copy."
            )
            % {"kinds": ", ".join(o["heading"].lower() for o in data["left_out"])}
        )
    ]


def render_pdf(data: dict[str, Any]) -> bytes:
    """The export as a readable document in the export's language (bokmål by default).

    Pages are not compressed, so the text can be searched and checked without a PDF reader.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _font_for(data)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=regular, fontSize=9.5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=bold)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=bold)
    h3 = ParagraphStyle("h3", parent=styles["Heading3"], fontName=bold)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    def table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
        cells = [[c if isinstance(c, Paragraph) else p(c, small) for c in row] for row in rows]
        # splitInRow: a long reason or consent text may be taller than a page.
        t = Table(cells, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
        t.setStyle(TableStyle(style))
        return t

    def facts(pairs: list[tuple[Any, Any]]) -> Table:
        return table([[p(k, small), p(v, small)] for k, v in pairs], [45 * mm, 125 * mm], False)

    language = data.get("language", "nb")
    with translation.override(language):
        person = data["person"]
        full_name = f"{person['given_name']} {person['family_name']}"
        story: list[Any] = [
            p(_("Access to personal data"), h1),
            p(
                _(
                    "This is everything %(controller)s holds about %(name)s in Familiebro in "
                    "these services: %(services)s. It was made on %(when)s at the person's "
                    "request (the right of access, GDPR article 15)."
                )
                % {
                    "controller": data["data_controller"]["name"],
                    "name": full_name,
                    "services": ", ".join(service["name"] for service in data["services"]),
                    "when": _when(data["generated_at"]),
                }
            ),
            p(
                _(
                    "Other services of %(controller)s work under their own duty of "
                    "confidentiality and answer for what they hold themselves. To have "
                    "everything, the request goes to each of them, or to the data protection "
                    "officer of %(controller)s, who sends it on."
                )
                % {"controller": data["data_controller"]["name"]}
            ),
            *_internal_notice(data, p),
            *_protected_notice(data, p),
            *_family_notice(data, p),
            Spacer(1, 4 * mm),
            p(_("The person"), h2),
            facts(
                [
                    (_("Name"), full_name),
                    (_("Kind"), person["kind_display"]),
                    (_("Birth date"), _when(person["birth_date"])),
                    (_("National identity number"), person["national_id"] or "–"),
                    (_("Phone"), person["phone"] or "–"),
                    (_("E-mail"), person["email"] or "–"),
                    (_("Registered"), _when(person["registered_at"])),
                    (_("Last changed"), _when(person["updated_at"])),
                    (
                        _("Data controller"),
                        f"{data['data_controller']['name']} "
                        f"({data['data_controller']['organisation_number']})",
                    ),
                ]
            ),
            p(_("Guardians and children"), h2),
        ]
        relations = data["guardian_relations"]
        if relations:
            story.append(
                table(
                    [
                        [_("Relation"), _("Person"), _("Kind"), _("Parental responsibility")],
                        *[
                            [
                                _("Guardian of") if r["role"] == "guardian_of" else _("Child of"),
                                r["other_person_name"],
                                r["kind_display"],
                                _yes_no(r["has_parental_responsibility"]),
                            ]
                            for r in relations
                        ],
                    ],
                    [35 * mm, 55 * mm, 45 * mm, 35 * mm],
                )
            )
        else:
            story.append(p(_("None registered.")))
        story.append(p(_("Consents"), h2))
        if not data["consents"]:
            story.append(p(_("None registered.")))
        for consent in data["consents"]:
            recipients = consent["recipient_organisations"] + consent["recipient_units"]
            story += [
                p(
                    f"{consent['purpose_display']} – {_when(consent['valid_from'])}",
                    h3,
                ),
                facts(
                    [
                        (_("About"), consent["subject_name"]),
                        (_("Given by"), ", ".join(g["name"] for g in consent["givers"]) or "–"),
                        (_("Recipients"), ", ".join(recipients) or "–"),
                        (_("Covers"), ", ".join(consent["scope_display"])),
                        (_("How it was given"), consent["channel_display"]),
                        (
                            _("Valid"),
                            f"{_when(consent['valid_from'])} – {consent['ends']}",
                        ),
                        (_("Withdrawn"), _when(consent["withdrawn_at"]) or "–"),
                        (
                            _("Text agreed to"),
                            f"{consent['text']['title']} "
                            f"({_('version')} {consent['text']['version']})",
                        ),
                    ]
                ),
                Spacer(1, 2 * mm),
                *[
                    p(block["text"], h3 if block["kind"] == "heading" else small)
                    for block in consent["text"]["blocks"]
                ],
            ]
        story.append(p(_("Who works with the person"), h2))
        if data["assignments"]:
            story.append(
                table(
                    [
                        [_("Staff member or unit"), _("Reason"), _("From"), _("Ended")],
                        *[
                            [
                                a["staff_member"] or a["unit"],
                                a["reason"],
                                _when(a["from"]),
                                _when(a["ended_at"]) or "–",
                            ]
                            for a in data["assignments"]
                        ],
                    ],
                    [55 * mm, 55 * mm, 30 * mm, 30 * mm],
                )
            )
        else:
            story.append(p(_("None registered.")))
        story.append(p(_("Access without consent"), h2))
        if data["exceptional_accesses"]:
            story.append(
                table(
                    [
                        [_("Basis"), _("Staff member"), _("Reason"), _("Period")],
                        *[
                            [
                                a["basis_display"],
                                a["staff_member"],
                                a["reason"],
                                f"{_when(a['starts_at'])} – {_when(a['expires_at'])}",
                            ]
                            for a in data["exceptional_accesses"]
                        ],
                    ],
                    [35 * mm, 35 * mm, 60 * mm, 40 * mm],
                )
            )
        else:
            story.append(p(_("None registered.")))
        for section in sections():
            story.append(p(section.heading, h2))
            story += _section_story(section, data.get(section.key, []), p, facts)
        story.append(p(_("Who has read or changed the data (access log)"), h2))
        if data["access_log"]:
            story.append(
                table(
                    [
                        [_("When"), _("Who"), _("What"), _("Purpose"), _("Basis")],
                        *[
                            [
                                _when(e["when"]),
                                "\n".join(
                                    part
                                    for part in (e["who"], e["unit"], e["organisation"])
                                    if part
                                ),
                                e.get("what")
                                or f"{e['action_display']}: {e['record_type_display']}",
                                e["purpose_display"],
                                e["legal_basis_display"],
                            ]
                            for e in data["access_log"]
                        ],
                    ],
                    [28 * mm, 35 * mm, 37 * mm, 35 * mm, 35 * mm],
                )
            )
        else:
            story.append(p(_("No entries.")))
        title = _("Access to personal data")

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=data["data_controller"]["name"],
        lang=language,
        displayDocTitle=True,
        pageCompression=0,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
