"""What people do with referrals: write a draft, send it, answer it, and follow it through.

Every change is one function, checked against the access policy (the referral is opened to
the staff of its two units only), the lifecycle (familiebro.referrals.lifecycle: which change
may follow which, and which side makes it) and the marks of a good referral before it is sent.
Each status change is an append-only ReferralEvent, an audit event, an entry in the case's
shared log, and a notice to the referrer and the case's coordinator, in Familiebro and by an
e-mail that says no more than that there is news.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.cases import participant_services
from familiebro.cases import permissions as case_permissions
from familiebro.cases.models import Case, IndividualPlan, LogEntry, Notification
from familiebro.cases.tasks import send_email
from familiebro.core.models import Person, ServiceUnit
from familiebro.privacy import audit, disclosure, policy
from familiebro.privacy.models import Consent, DataCategory, Purpose
from familiebro.privacy.models.disclosure import DISCLOSED

from . import lifecycle, marks, permissions
from .fields import FIELDS, as_id, field_key, question_key
from .models import Answer, Capacity, Referral, ReferralEvent, ReferralKind, Status
from .permissions import sides_of

PURPOSE = policy.Purpose.CASEWORK
MAX_TEXT = 5000
MIN_REASON = 10
Side = ReferralEvent.Side


# Receivers (no personal data) ---------------------------------------------------------------


@dataclass(frozen=True)
class Receiver:
    kind: ReferralKind
    capacity: str
    capacity_label: str
    note: str


def capacity_of(unit: ServiceUnit) -> tuple[str, str]:
    """The unit's capacity and its note to referrers (a unit that set none takes referrals)."""
    intake = getattr(unit, "referral_intake", None)
    if intake is None:
        return Capacity.OPEN, ""
    return intake.capacity, intake.note


def receivers(excluding_unit_id: int | None = None) -> list[Receiver]:
    """Every kind of referral a unit takes now, with the unit's capacity, for the referrer's
    choice (what the units publish of themselves: no personal data)."""
    kinds = (
        ReferralKind.objects.filter(taking=True)
        .exclude(unit_id=excluding_unit_id)
        .select_related("unit__organisation", "unit__referral_intake")
        .order_by("unit__organisation__name", "unit__name", "name")
    )
    found = []
    for kind in kinds:
        capacity, note = capacity_of(kind.unit)
        found.append(Receiver(kind, capacity, str(Capacity(capacity).label), note))
    return found


# Reading --------------------------------------------------------------------------------------


def get_referral(actor: Any, referral_id: Any) -> Referral:
    """One referral the actor may read (sending or receiving unit), audited; 404 otherwise."""
    return policy.get_or_404(actor, Referral, referral_id, PURPOSE)


def _locked(actor: Any, referral_id: Any) -> Referral:
    """The referral locked for a change, once the policy lets the actor change it."""
    referral = (
        policy.visible(actor, Referral, PURPOSE)
        .select_for_update(of=("self",))
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        # As for a read: nobody learns that a referral they may not see exists.
        raise Http404(_("Not found, or you do not have access."))
    policy.require(actor, policy.Action.CHANGE, referral, PURPOSE)
    return referral


# Who it is from -------------------------------------------------------------------------------


def referring_units_for_case(actor: Any, case: Case) -> list[ServiceUnit]:
    """The units the actor may refer the case's child from: the case's owning unit, once they
    may change the case."""
    case_permissions.require_write(actor, case)
    if case.unit_id in policy.scope_of(actor).unit_ids:
        return [case.unit]
    return []


def referring_units_for_person(actor: Any, person: Person) -> list[ServiceUnit]:
    """The units the actor may refer the person from: their units in the person's
    organisation, in whose domain they have a need to know about the person."""
    policy.require(actor, policy.Action.CHANGE, person, PURPOSE)
    return disclosure.asking_units(actor, person)


def _coordination_from_case(actor: Any, case: Case) -> tuple[str, str, str]:
    """(responsibility group, individual plan, coordinator) as the case records them."""
    plan = (
        policy.visible(actor, IndividualPlan, PURPOSE, few_rows=True)
        .filter(case_id=case.pk, ended_at__isnull=True)
        .first()
    )
    has_group = plan is not None and plan.responsibility_group.exists()
    coordinator = case.coordinator.display_name() if case.coordinator is not None else ""
    return (
        Answer.YES if has_group else Answer.NO,
        Answer.YES if plan is not None else Answer.NO,
        coordinator,
    )


# Writing a draft ------------------------------------------------------------------------------


def _check_receiver(
    to_kind_id: Any, from_unit: ServiceUnit, kind: str, case: Case | None
) -> ReferralKind:
    pk = as_id(to_kind_id)
    to_kind = (
        ReferralKind.objects.select_related("unit__organisation").filter(pk=pk, taking=True).first()
        if pk is not None
        else None
    )
    if to_kind is None:
        raise ValidationError({"to_kind": [_("Choose a service and a kind of referral it takes.")]})
    if to_kind.unit_id == from_unit.pk:
        raise ValidationError({"to_kind": [_("Choose another service than your own unit.")]})
    if kind not in Referral.Kind.values:
        raise ValidationError({"referral_type": [_("Choose a referral or a transfer.")]})
    if kind == Referral.Kind.TRANSFER:
        if case is None:
            raise ValidationError(
                {
                    "referral_type": [
                        _("Only a case's coordination can be transferred. Open a case first.")
                    ]
                }
            )
        same_service = (
            to_kind.unit.organisation_id == case.organisation_id
            and to_kind.unit.domain == case.unit.domain
        )
        if not same_service:
            raise ValidationError(
                {
                    "referral_type": [
                        _(
                            "A transfer hands the case's coordination over, which only a service "
                            "of the same organisation under the same duty of confidentiality can "
                            "take. Send a referral instead."
                        )
                    ]
                }
            )
    return to_kind


@transaction.atomic
def start_draft(
    actor: Any,
    *,
    to_kind_id: Any,
    kind: str = Referral.Kind.REFERRAL,
    case: Case | None = None,
    person: Person | None = None,
) -> Referral:
    """Start a referral (or a transfer) of the case's child, or of a person without a case,
    to a kind of referral a unit takes. What the case knows of coordination is filled in."""
    if case is not None:
        units = referring_units_for_case(actor, case)
        child = case.child
    elif person is not None:
        units = referring_units_for_person(actor, person)
        child = person
    else:
        raise ValueError("A referral is about a case's child or a person.")
    if not units:
        raise PermissionDenied(
            _(
                "Only staff who work with the child in their own unit can refer them. Ask the "
                "coordinator or your leader to assign you."
            )
        )
    from_unit = units[0]
    to_kind = _check_receiver(to_kind_id, from_unit, kind, case)
    if kind == Referral.Kind.TRANSFER and case is not None:
        _require_may_transfer(actor, case)
    now = timezone.now()
    group, plan, coordinator = ("", "", "")
    if case is not None:
        group, plan, coordinator = _coordination_from_case(actor, case)
    referral = Referral.objects.create(
        organisation_id=child.organisation_id,
        from_unit=from_unit,
        to_unit=to_kind.unit,
        to_kind=to_kind,
        kind=kind,
        person=child,
        case=case,
        child_name=f"{child.given_name} {child.family_name}",
        child_birth_date=child.birth_date,
        responsibility_group=group,
        individual_plan=plan,
        coordinator_name=coordinator,
        status=Status.DRAFT,
        status_changed_at=now,
        created_by=actor,
        created_at=now,
    )
    ReferralEvent.objects.create(
        referral=referral, to_status=Status.DRAFT, side=Side.REFERRER, by=actor, at=now
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, referral, status=Status.DRAFT)
    return referral


def _require_may_transfer(actor: Any, case: Case) -> None:
    if not case_permissions.may_hand_over(actor, case):
        raise PermissionDenied(
            _(
                "Only the case's coordinator or the owning unit's leader can transfer the "
                "coordination."
            )
        )


def _clean(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError({field: [_("Write at most %(n)d characters.") % {"n": limit}]})
    return text


@dataclass(frozen=True)
class DraftFields:
    question: str = ""
    assessment: str = ""
    tried: str = ""
    answers: dict[str, str] | None = None
    responsibility_group: str = ""
    individual_plan: str = ""
    coordinator_name: str = ""
    # DataCategory values the referrer attaches.
    attachments: tuple[str, ...] = ()


@transaction.atomic
def save_draft(actor: Any, referral_id: Any, fields: DraftFields) -> Referral:
    """Save what the referrer wrote. A draft may miss marks; sending checks them."""
    referral = _locked(actor, referral_id)
    _require_referrer(actor, referral)
    if referral.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed. This referral is already sent."))
    referral.question = _clean(fields.question, "question")
    referral.assessment = _clean(fields.assessment, "assessment")
    referral.tried = _clean(fields.tried, "tried")
    answers = {}
    kind = referral.to_kind
    expected = {field_key(k) for k in kind.required_fields if k in FIELDS} | {
        question_key(n) for n in range(1, len(kind.question_list()) + 1)
    }
    for key, value in (fields.answers or {}).items():
        if key in expected:
            answers[key] = _clean(value, key)
    referral.answers = answers
    if referral.case_id is None:
        # Without a case the referrer says what they know; with one, the case says it.
        for name in ("responsibility_group", "individual_plan"):
            value = getattr(fields, name)
            if value not in ("", *Answer.values):
                raise ValidationError({name: [_("Answer yes or no.")]})
            setattr(referral, name, value)
        referral.coordinator_name = _clean(fields.coordinator_name, "coordinator_name", 200)
    allowed = dict(allowed_attachments(actor, referral))
    outside = [c for c in fields.attachments if c not in allowed]
    if outside:
        raise ValidationError(
            {
                "attachments": [
                    _(
                        "No consent in force lets you send this to %(unit)s. Choose only among "
                        "the attachments offered."
                    )
                    % {"unit": referral.to_unit.name}
                ]
            }
        )
    referral.attachments = [
        {"category": c, "consent": allowed[c]} for c in sorted(set(fields.attachments))
    ]
    referral.save()
    _audit(actor, audit.AuditEvent.Action.CHANGE, referral, status=Status.DRAFT)
    return referral


# Consent: attachments and the disclosure itself ---------------------------------------------


def _consents_for(actor: Any, referral: Referral) -> QuerySet[Consent]:
    """The family's consents in force to referral, naming the receiving service, that open
    the sending service's records (read through the policy)."""
    consents: Any = policy.visible(actor, Consent, PURPOSE, few_rows=True)
    return (
        consents.filter(
            Q(recipient_units=referral.to_unit_id)
            | Q(recipient_organisations=referral.to_unit.organisation_id),
            Q(domain="") | Q(domain=referral.from_unit.domain),
            subject_id=referral.person_id,
            organisation_id=referral.organisation_id,
            purpose=Purpose.REFERRAL,
        )
        .valid_at()
        .distinct()
        .order_by("pk")
    )


def has_referral_consent(actor: Any, referral: Referral) -> bool:
    """Whether a consent in force lets the referral be sent to its receiver."""
    return _consents_for(actor, referral).exists()


def allowed_attachments(actor: Any, referral: Referral) -> list[tuple[str, int]]:
    """(category, consent id) of what a consent in force lets the referral carry to its
    receiver: the picker offers these and nothing else."""
    found: dict[str, int] = {}
    for consent in _consents_for(actor, referral):
        for category in consent.scope_categories:
            if category in DataCategory.values:
                found.setdefault(category, consent.pk)
    return sorted(found.items())


def prune_attachments(actor: Any, referral: Referral) -> int:
    """Take out of a draft the attachments whose consent is no longer in force (withdrawn or
    expired); how many were taken out. A sent referral keeps what was sent."""
    if referral.status != Status.DRAFT or not referral.attachments:
        return 0
    allowed = set(allowed_attachments(actor, referral))
    kept = [a for a in referral.attachments if (a.get("category"), a.get("consent")) in allowed]
    removed = len(referral.attachments) - len(kept)
    if removed:
        policy.require(actor, policy.Action.CHANGE, referral, PURPOSE)
        Referral.objects.filter(pk=referral.pk).update(attachments=kept)
        referral.attachments = kept
    return removed


def needs_disclosure_ground(referral: Referral) -> bool:
    """Whether sending crosses a duty of confidentiality: to another organisation or to a
    service under another duty. Within one service the need to know shares it already."""
    return (
        referral.to_unit.organisation_id != referral.organisation_id
        or referral.to_unit.domain != referral.from_unit.domain
    )


def missing_marks(actor: Any, referral: Referral) -> list[marks.Mark]:
    """The marks of a good referral the draft still misses."""
    return marks.missing(referral, referral.to_kind, allowed_attachments(actor, referral))


# Sending ----------------------------------------------------------------------------------------


class NotReady(ValidationError):
    """The referral misses marks of a good referral, or a ground to disclose: it stays a
    draft. `marks` names each missing mark."""

    def __init__(self, missing: list[marks.Mark], message: str) -> None:
        super().__init__(message)
        self.marks = missing


def _require_referrer(actor: Any, referral: Referral) -> None:
    if Side.REFERRER not in sides_of(actor, referral):
        raise PermissionDenied(_("Only the unit that sent the referral can do this."))


def _disclosure_ground(actor: Any, referral: Referral, ground: str, legal_basis: str) -> str:
    """The provision of law a referral without the family's consent is sent on, once the
    rules of familiebro.referrals.permissions hold: the sending unit's leader decides it, on
    a recognised ground that fits the receiver, naming the provision and why it applies."""
    if not permissions.may_send_without_consent(actor, referral):
        raise NotReady(
            [],
            _(
                "There is no consent in force from the family to refer to %(unit)s. Record the "
                "family's consent to referral naming the service, or ask your unit's leader: "
                "only the leader can decide to send it without consent, on a legal ground."
            )
            % {"unit": referral.to_unit.name},
        )
    if not permissions.may_refer_on(referral, ground):
        raise ValidationError(
            {
                "ground": [
                    _(
                        "There is no consent in force from the family to refer to %(unit)s. "
                        "Choose the legal ground that lets you send it without consent, or "
                        "record the family's consent first."
                    )
                    % {"unit": referral.to_unit.name}
                ]
            }
        )
    citation = _clean(legal_basis, "legal_basis", 300)
    if len(citation) < MIN_REASON:
        raise ValidationError(
            {
                "legal_basis": [
                    _("Name the provision of law and why it applies (at least %(n)s characters).")
                    % {"n": MIN_REASON}
                ]
            }
        )
    return citation


@transaction.atomic
def send(actor: Any, referral_id: Any, *, ground: str = "", legal_basis: str = "") -> Referral:
    """Send the draft to the receiving unit, once it has every mark of a good referral and the
    family's consent to send it there, or (the sending unit's leader's decision) a recognised
    ground with the provision of law it rests on. Otherwise nothing changes."""
    referral = _locked(actor, referral_id)
    _require_referrer(actor, referral)
    if referral.status != Status.DRAFT:
        raise ValidationError(_("This referral is already sent."))
    if not referral.to_kind.taking:
        raise ValidationError(
            _("%(unit)s no longer takes this kind of referral. Choose another kind or service.")
            % {"unit": referral.to_unit.name}
        )
    if referral.kind == Referral.Kind.TRANSFER and referral.case is not None:
        _require_may_transfer(actor, referral.case)
    prune_attachments(actor, referral)
    missing = missing_marks(actor, referral)
    if missing:
        raise NotReady(
            missing,
            _("The referral is saved as a draft. Before it can be sent: %(marks)s")
            % {"marks": " ".join(f"{m.label}: {m.missing}" for m in missing)},
        )
    consent = None
    citation = ""
    disclosed = needs_disclosure_ground(referral)
    if disclosed:
        consent = _consents_for(actor, referral).first()
        if consent is None:
            citation = _disclosure_ground(actor, referral, str(ground or ""), legal_basis)
    now = timezone.now()
    referral.consent = consent
    referral.ground = str(ground) if citation else ""
    referral.legal_basis = citation
    referral.sent_at = now
    _move(actor, referral, Status.SENT, Side.REFERRER, "", now, disclosed=disclosed)
    _tell_receiving_unit(referral)
    return referral


# Answering and following through ------------------------------------------------------------


@transaction.atomic
def change_status(actor: Any, referral_id: Any, to: str, reason: str = "") -> Referral:
    """Make one change of the lifecycle (not sending: see send()), by the side it belongs to,
    with its reason where one is required. A transfer accepted hands the case's coordination
    to the colleague who accepts it."""
    referral = _locked(actor, referral_id)
    change = lifecycle.transition(referral.status, to)
    if change is None or to == Status.SENT:
        raise ValidationError(
            _("A referral that is %(status)s cannot be changed that way. Reload the page.")
            % {"status": Status(referral.status).label.lower()}
        )
    if change.side not in sides_of(actor, referral):
        if change.side == Side.RECEIVER:
            raise PermissionDenied(_("Only the receiving unit can do this."))
        raise PermissionDenied(_("Only the unit that sent the referral can do this."))
    reason = _clean(reason, "reason")
    if change.needs_reason and len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reason": [
                    _("Say why (at least %(n)s characters): the other service reads it.")
                    % {"n": MIN_REASON}
                ]
            }
        )
    if not change.needs_reason:
        reason = ""
    now = timezone.now()
    _move(actor, referral, to, change.side, reason, now)
    if to == Status.ACCEPTED and referral.kind == Referral.Kind.TRANSFER and referral.case:
        _hand_over_coordination(actor, referral)
    return referral


def _hand_over_coordination(actor: Any, referral: Referral) -> None:
    """The transfer's acceptance: the referrer's offer of the coordinator role, accepted by
    the colleague who accepted the transfer (familiebro.cases' handover, as by hand)."""
    assert referral.case is not None
    case = referral.case
    if case.coordinator_id == actor.pk:
        return
    message = _("Transferred with a referral to %(unit)s.") % {"unit": referral.to_unit.name}
    try:
        handover = participant_services.offer_handover(
            referral.created_by, case, actor, message=message
        )
    except (PermissionDenied, ValidationError) as exc:
        raise ValidationError(
            _(
                "The coordination could not be handed over: %(why)s Ask the referrer to offer "
                "you the coordinator role on the case."
            )
            % {"why": " ".join(getattr(exc, "messages", [str(exc)]))}
        ) from exc
    participant_services.accept_handover(actor, handover.pk)


@transaction.atomic
def revise(actor: Any, referral_id: Any) -> Referral:
    """A returned referral, revised: a new draft version with what the old one said, which the
    referrer corrects and sends again. The returned version stays as it was."""
    referral = _locked(actor, referral_id)
    _require_referrer(actor, referral)
    if referral.status != Status.RETURNED:
        raise ValidationError(_("Only a returned referral is revised as a new version."))
    if Referral.objects.filter(previous=referral).exists():
        raise ValidationError(_("This referral has been revised already. Open the new version."))
    now = timezone.now()
    new = Referral.objects.create(
        organisation_id=referral.organisation_id,
        from_unit_id=referral.from_unit_id,
        to_unit_id=referral.to_unit_id,
        to_kind_id=referral.to_kind_id,
        kind=referral.kind,
        person_id=referral.person_id,
        case_id=referral.case_id,
        child_name=referral.child_name,
        child_birth_date=referral.child_birth_date,
        question=referral.question,
        assessment=referral.assessment,
        tried=referral.tried,
        answers=referral.answers,
        responsibility_group=referral.responsibility_group,
        individual_plan=referral.individual_plan,
        coordinator_name=referral.coordinator_name,
        attachments=referral.attachments,
        status=Status.DRAFT,
        status_changed_at=now,
        created_by=actor,
        created_at=now,
        series=referral.series,
        version=referral.version + 1,
        previous=referral,
    )
    ReferralEvent.objects.create(
        referral=new, to_status=Status.DRAFT, side=Side.REFERRER, by=actor, at=now
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, new, status=Status.DRAFT, version=new.version)
    return new


# What each change leaves behind -------------------------------------------------------------


def _audit(
    actor: Any, action: str, referral: Referral, *, disclosed: bool = False, **detail: Any
) -> None:
    """One audit event of the referral. Sending across a duty of confidentiality is audited
    as the disclosure it is: on the family's consent (named) or on the leader's ground, to the
    receiving unit and organisation, so the family's access log says "Disclosed information
    to ..." and on what basis. The provision the leader wrote stays on the referral (the
    family's export shows it): the audit trail keeps no free text."""
    basis = (
        policy.Basis.OWN_ORGANISATION
        if referral.organisation_id in policy.scope_of(actor).organisation_ids
        else policy.Basis.ADDRESSED_TO_THEM
    )
    consent_id = None
    if disclosed:
        to = referral.to_unit
        detail |= {
            "event": DISCLOSED,
            "recipient": f"{to.name}, {to.organisation.name}",
            "recipient_unit": to.pk,
            "recipient_organisation": to.organisation_id,
        }
        if referral.consent_id is not None:
            basis, consent_id = policy.Basis.CONSENT, referral.consent_id
        else:
            basis = referral.ground
            detail["ground"] = referral.ground
    audit.record(
        action,
        actor=actor,
        objects=[referral],
        subject_ids=[referral.person_id],
        organisation_id=referral.organisation_id,
        purpose=PURPOSE,
        legal_basis=basis,
        consent_id=consent_id,
        detail=detail,
    )


def referral_link(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _move(
    actor: Any,
    referral: Referral,
    to: str,
    side: str,
    reason: str,
    at: datetime.datetime,
    *,
    disclosed: bool = False,
) -> None:
    """Record one status change: the row, its event, the audit, the case's log, the news."""
    before = referral.status
    referral.status = to
    referral.status_changed_at = at
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        from_status=before,
        to_status=to,
        side=side,
        by=actor,
        at=at,
        reason=reason,
    )
    _audit(
        actor, audit.AuditEvent.Action.CHANGE, referral, disclosed=disclosed, status=[before, to]
    )
    with translation.override(settings.LANGUAGE_CODE):
        words = _status_words(referral, to, reason)
        if referral.case is not None:
            LogEntry.objects.create(
                case=referral.case,
                organisation_id=referral.case.organisation_id,
                # A log entry naming a service: hidden where a protected address keeps it.
                kind=LogEntry.Kind.DECISION,
                text=words,
                author=actor,
                created_at=at,
            )
        _tell_the_referrer(actor, referral, at)


def _status_words(referral: Referral, to: str, reason: str) -> str:
    noun = (
        _("The transfer to %(unit)s")
        if referral.kind == Referral.Kind.TRANSFER
        else _("The referral to %(unit)s")
    ) % {"unit": referral.to_unit.name}
    words = _("%(what)s (%(kind)s): %(status)s.") % {
        "what": noun,
        "kind": referral.to_kind.name,
        "status": Status(to).label,
    }
    if reason:
        words += " " + _("Reason: %(reason)s") % {"reason": reason}
    return words


def _tell_the_referrer(actor: Any, referral: Referral, at: datetime.datetime) -> None:
    """The referrer and the case's coordinator hear of each change they did not make
    themselves: in Familiebro, and by an e-mail that says only that there is news."""
    recipients = {referral.created_by}
    if referral.case is not None and referral.case.coordinator is not None:
        recipients.add(referral.case.coordinator)
    link = referral_link(referral)
    news = _("A referral you follow has a new status: %(status)s.") % {
        "status": Status(referral.status).label
    }
    emails = []
    for user in sorted(recipients, key=lambda u: u.pk):
        if user.pk == actor.pk:
            continue
        Notification.objects.create(user=user, text=news, link=link, created_at=at)
        if user.email:
            emails.append(user.email)
    if emails:
        _email(emails, _("News about a referral in Familiebro"), link)


def _tell_receiving_unit(referral: Referral) -> None:
    if referral.to_unit.email:
        with translation.override(settings.LANGUAGE_CODE):
            _email(
                [referral.to_unit.email],
                _("A new referral in Familiebro"),
                referral_link(referral),
            )


def _email(to: list[str], subject: str, link: str) -> None:
    body = "\n\n".join(
        [
            subject,
            _("Log in to Familiebro to read it:"),
            f"{getattr(settings, 'SITE_URL', '')}{link}",
            _(
                "This e-mail says nothing more, to protect the people it concerns. "
                "Do not answer it."
            ),
        ]
    )
    # A task row in the same transaction: nothing is sent for a change that rolls back.
    send_email.enqueue(to, subject, body)
