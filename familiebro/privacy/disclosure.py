"""Disclosure on request: the holding service decides what another service learns.

The duty to inform child welfare, a court's order and danger to life or health are grounds for
the service that holds information to disclose it, not rights for others to read it
(docs/data-protection.md, §12). So a service that needs another's information asks: it sends a
request about a person it has registered itself, to the service it names, with the legal
ground and what it needs to know. The holding unit's leader answers: they disclose what the
ground requires, in their own words, or refuse with a reason. The answer is kept as the asking
unit's record (DisclosureRequest), never as access to the holder's records; each step is
audited, and the family sees the disclosure in their access log.

Sending reveals nothing about the holder: the product does not look the person up in the
holding organisation until the holder's leader opens the request, and then only there (by the
keyed hash of the identity number, or by name and birth date), so an asker cannot learn from
the flow which organisations hold the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core.models import ConfidentialityDomain, Person, ServiceUnit

from . import audit, policy
from .export import Column, Section
from .models import DisclosureRequest
from .models.disclosure import DISCLOSED, DISCLOSURE_PURPOSE, REFUSED, REQUESTED

PURPOSE = DISCLOSURE_PURPOSE
MIN_TEXT_LENGTH = 20
PAGE_SIZE = 50

Ground = DisclosureRequest.Ground

# Who may ask on which ground. The duty to inform is owed to child welfare (barnevernsloven
# § 13-2): only a child welfare service asks on it. A court's order and danger to life or
# health may be any service's reason to ask; whether the ground holds is the holder's to judge.
GROUNDS_FOR_ASKER: dict[str, set[str]] = {
    Ground.CHILD_WELFARE: {ConfidentialityDomain.CHILD_WELFARE},
    Ground.COURT_ORDER: set(ConfidentialityDomain.values),
    Ground.DANGER: set(ConfidentialityDomain.values),
}


# In the asking organisation's right-of-access export: what it asked, and what it was told.
EXPORT_SECTION = Section(
    key="disclosure_requests",
    heading=gettext_lazy("Information asked of other services"),
    model=DisclosureRequest,
    columns=(
        Column("requesting_unit__name", gettext_lazy("Asked by"), key="asked_by"),
        Column("holder_unit__name", gettext_lazy("Service asked"), key="service_asked"),
        Column("ground", gettext_lazy("Legal ground")),
        Column("question", gettext_lazy("What was asked")),
        Column("created_at", gettext_lazy("Asked")),
        Column("status", gettext_lazy("Status")),
        Column("disclosed_text", gettext_lazy("Information disclosed")),
        Column("refusal_reason", gettext_lazy("Why it was refused")),
        Column("decided_at", gettext_lazy("Answered")),
    ),
    select_related=("requesting_unit", "holder_unit"),
    order_by=("created_at", "pk"),
)


def may_ask_on(domain: str, ground: str) -> bool:
    """Whether a unit of `domain` may ask another service on `ground`."""
    return domain in GROUNDS_FOR_ASKER.get(ground, set())


def asking_units(actor: Any, person: Person) -> list[ServiceUnit]:
    """The units the actor may ask on behalf of about the person: units of the person's
    organisation they work in, in whose domain they have a need to know about the person."""
    units = ServiceUnit.objects.filter(
        memberships__user=actor, organisation_id=person.organisation_id
    ).distinct()
    return [u for u in units.order_by("name") if policy.knows_in_domain(actor, person.pk, u.domain)]


def units_to_ask(asking: ServiceUnit | None = None) -> QuerySet[ServiceUnit]:
    """Every service that can be asked: all units of every organisation (no personal data),
    except the asking unit's own service (same organisation and domain), which shares its
    records through need to know instead."""
    units = ServiceUnit.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if asking is not None:
        units = units.exclude(organisation_id=asking.organisation_id, domain=asking.domain)
    return units


def _check_text(field: str, text: str, message: str) -> str:
    text = text.strip()
    if len(text) < MIN_TEXT_LENGTH:
        raise ValidationError({field: [message % {"n": MIN_TEXT_LENGTH}]})
    return text


@transaction.atomic
def send_request(
    actor: Any,
    person: Person,
    *,
    asking_unit_id: int,
    holder_unit_id: int,
    ground: str,
    question: str,
) -> DisclosureRequest:
    """Send a disclosure request about `person` (the actor's own organisation's registration,
    which they have a need to know about) to the holding unit. Answers the same whether or
    not the holder has the person."""
    policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    asking = next((u for u in asking_units(actor, person) if u.pk == asking_unit_id), None)
    if asking is None:
        raise ValidationError(
            {"asking_unit": [_("Choose a unit of yours that works with the person.")]}
        )
    holder = units_to_ask(asking).filter(pk=holder_unit_id).first()
    if holder is None:
        raise ValidationError(
            {
                "holder_unit": [
                    _(
                        "Choose the service you ask. Your own service shares its records "
                        "through assignments, not by request."
                    )
                ]
            }
        )
    if ground not in Ground.values:
        raise ValidationError({"ground": [_("Choose the legal ground of the request.")]})
    if not may_ask_on(asking.domain, ground):
        raise ValidationError(
            {
                "ground": [
                    _(
                        "Only a child welfare service can ask on the duty to inform child "
                        "welfare. Choose another ground, or ask child welfare to send the request."
                    )
                ]
            }
        )
    question = _check_text(
        "question",
        question,
        _("Say what you need to know and why (at least %(n)s characters)."),
    )
    request = DisclosureRequest.objects.create(
        organisation_id=person.organisation_id,
        requesting_unit=asking,
        subject=person,
        requested_by=actor,
        holder_unit=holder,
        ground=ground,
        question=question,
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[request],
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=PURPOSE,
        legal_basis=ground,
        detail={"event": REQUESTED, "holder": _unit_words(holder)},
    )
    return request


def _unit_words(unit: ServiceUnit) -> str:
    """A unit as the access log names it: unit names hold no personal data."""
    return f"{unit.name}, {unit.organisation.name}"


@transaction.atomic
def sent_requests(actor: Any) -> list[DisclosureRequest]:
    """The requests the actor may read as the asking side, newest first (audited)."""
    rows = (
        policy.visible(actor, DisclosureRequest, policy.Purpose.CASEWORK)
        .select_related("subject", "holder_unit__organisation", "requesting_unit")
        .order_by("-created_at", "-pk")[:PAGE_SIZE]
    )
    return policy.list_page(actor, rows, policy.Purpose.CASEWORK)


def sent_request(actor: Any, pk: int) -> DisclosureRequest:
    """One request as the asking side reads it: 404 unless the policy opens it."""
    return policy.get_or_404(actor, DisclosureRequest, pk, policy.Purpose.CASEWORK)


def answers_requests(actor: Any) -> bool:
    """Whether the actor answers requests: the leaders of the units asked."""
    return bool(policy.scope_of(actor).leader_unit_ids)


def _received(actor: Any) -> QuerySet[DisclosureRequest]:
    """The requests addressed to the units the actor leads: the sanctioned read of the
    asking organisation's request by the holder, who must read it to answer it."""
    leads = policy.scope_of(actor).leader_unit_ids
    return DisclosureRequest.objects.filter(holder_unit_id__in=leads).select_related(
        "subject", "requesting_unit__organisation", "holder_unit__organisation", "requested_by"
    )


def waiting_count(actor: Any) -> int:
    """How many requests to the units the actor leads await an answer (a count, no rows)."""
    return _received(actor).filter(status=DisclosureRequest.Status.SENT).count()


def _audit_holder_read(actor: Any, action: str, rows: list[DisclosureRequest]) -> None:
    audit.record(
        action,
        actor=actor,
        objects=rows,
        subject_ids=sorted({r.subject_id for r in rows}),
        organisation_id=rows[0].holder_unit.organisation_id if len(rows) == 1 else None,
        purpose=PURPOSE,
        legal_basis=",".join(sorted({r.ground for r in rows})),
    )


@transaction.atomic
def received_requests(actor: Any) -> list[DisclosureRequest]:
    """The requests to the units the actor leads, unanswered first (audited)."""
    if not answers_requests(actor):
        return []
    rows = list(_received(actor).order_by("-status", "-created_at", "-pk")[:PAGE_SIZE])
    rows.sort(key=lambda r: r.status != DisclosureRequest.Status.SENT)
    if rows:
        _audit_holder_read(actor, audit.AuditEvent.Action.LIST, rows)
    return rows


@dataclass(frozen=True)
class Received:
    request: DisclosureRequest
    # The holder's own registrations that match what the asker knows.
    matches: list[Person]


def _matches(request: DisclosureRequest) -> list[Person]:
    """The holder organisation's registrations of the person the request is about: by the
    keyed hash of the identity number when the asker has it, else by name and birth date.
    Only ever inside the holding organisation, for its leader."""
    subject = request.subject
    people = Person.objects.filter(organisation_id=request.holder_unit.organisation_id)
    if subject.national_id_hash:
        people = people.filter(national_id_hash=subject.national_id_hash)
    elif subject.birth_date:
        people = people.filter(
            birth_date=subject.birth_date,
            given_name__iexact=subject.given_name,
            family_name__iexact=subject.family_name,
        )
    else:
        return []
    return list(people.order_by("pk")[:5])


@transaction.atomic
def received_request(actor: Any, pk: Any) -> Received:
    """One request as the holding unit's leader reads it; 404 for anyone else."""
    request = _received(actor).filter(pk=pk).first()
    if request is None:
        raise Http404(_("Not found, or you do not have access."))
    matches = _matches(request)
    audit.record(
        audit.AuditEvent.Action.VIEW,
        actor=actor,
        objects=[request],
        subject_ids=[request.subject_id, *(p.pk for p in matches)],
        organisation_id=request.holder_unit.organisation_id,
        purpose=PURPOSE,
        legal_basis=request.ground,
    )
    return Received(request, matches)


@transaction.atomic
def answer(
    actor: Any,
    pk: Any,
    *,
    disclose: bool,
    text: str,
    holder_person_id: int | None = None,
) -> DisclosureRequest:
    """The holding unit's leader discloses `text` to the asking unit, or refuses with `text`
    as the reason. Recorded once: an answered request cannot be answered again."""
    request = _received(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if request is None:
        raise Http404(_("Not found, or you do not have access."))
    if request.status != DisclosureRequest.Status.SENT:
        raise ValidationError(_("This request has already been answered."))
    matches = {p.pk: p for p in _matches(request)}
    if holder_person_id is not None and holder_person_id not in matches:
        raise ValidationError(
            {"holder_person": [_("Choose one of your own registrations shown, or none.")]}
        )
    if disclose:
        request.disclosed_text = _check_text(
            "text",
            text,
            _(
                "Write what you disclose (at least %(n)s characters): only what the ground "
                "requires."
            ),
        )
        request.status = DisclosureRequest.Status.DISCLOSED
    else:
        request.refusal_reason = _check_text(
            "text", text, _("Say why you refuse (at least %(n)s characters).")
        )
        request.status = DisclosureRequest.Status.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.holder_person = matches.get(holder_person_id) if holder_person_id else None
    request.save()
    subjects = [request.subject_id]
    if request.holder_person_id:
        subjects.append(request.holder_person_id)
    audit.record(
        audit.AuditEvent.Action.CREATE if disclose else audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[request],
        subject_ids=subjects,
        organisation_id=request.holder_unit.organisation_id,
        purpose=PURPOSE,
        legal_basis=request.ground,
        detail={
            "event": DISCLOSED if disclose else REFUSED,
            "recipient": _unit_words(request.requesting_unit),
        },
    )
    return request


def require_answerer(actor: Any) -> None:
    if not answers_requests(actor):
        raise PermissionDenied(
            _("Only the leader of the service asked answers disclosure requests. Ask your leader.")
        )
