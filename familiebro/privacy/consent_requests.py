"""Digital consent: staff prepare a consent, the family gives it on Min side.

A staff member who works with the child prepares what the consent says (purpose, recipients,
categories, period) on the exact text version the family will read; the organisation's rule
for the purpose and service says who must give it (every guardian with parental
responsibility, the young person from the rule's age, or both). Each of them logs in on Min
side with ID-porten, reads what it covers and gives it, or declines. The consent comes to
exist, and so opens anything, only when the last of them has given it: the access policy
never reads a request. One who declines closes it. Once in force it is an ordinary consent
given digitally, with each of them as a giver, and any of them withdraws it on Min side as
before.

Every family act is audited with the citizen as the actor, saying which of the family it
was; staff reads go through the policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import (
    ConfidentialityDomain,
    GuardianRelation,
    Organisation,
    Person,
    ServiceUnit,
)

from . import audit, consent_reads, family, policy, protected
from .consent_services import Given, _check_givers, _store_consent
from .models import (
    Capacity,
    Consent,
    ConsentRequest,
    ConsentRequestAnswer,
    ConsentRule,
    DataCategory,
    Purpose,
)

# Sent once a consent is asked of the family and saved, with the keyed hashes of the identity
# numbers of those asked (`identity_hashes`): Min side tells them as they chose (portal).
consent_requested = Signal()

Answer = ConsentRequestAnswer.Answer
Status = ConsentRequest.Status


def required_givers(subject: Person, rule: ConsentRule, day: datetime.date) -> list[Given]:
    """Who the rule asks on `day`: from the rule's age limit the young person (alone, or with
    the guardians), below it every guardian with parental responsibility."""
    young_person = consent_reads.young_person_consents(subject, rule, day)
    given: list[Given] = []
    if young_person:
        given.append(Given(subject, "young_person", Capacity.YOUNG_PERSON))
    if not (young_person and rule.givers == ConsentRule.Givers.YOUNG_PERSON):
        relations = (
            GuardianRelation.objects.filter(child=subject, has_parental_responsibility=True)
            .select_related("guardian")
            .order_by("guardian__family_name", "guardian__given_name", "pk")
        )
        given += [
            Given(r.guardian, "guardian", Capacity.PARENTAL_RESPONSIBILITY) for r in relations
        ]
    return given


def _reachable_on_min_side(subject: Person, given: Sequence[Given]) -> list[str]:
    """Why one of the givers could not give it on Min side: without an identity number they
    cannot log in, and a guardian relation only told to a service opens nothing there."""
    problems = []
    trusted = set(
        GuardianRelation.objects.filter(
            child=subject, known_from__in=family.TRUSTED_RELATIONS
        ).values_list("guardian_id", flat=True)
    )
    for giver in given:
        person = giver.person
        assert person is not None
        if not person.national_id_hash:
            problems.append(
                _(
                    "%(name)s has no identity number registered and cannot log in on Min "
                    "side. Record the consent on paper or orally instead."
                )
                % {"name": person}
            )
        elif giver.role == "guardian" and protected.hidden_from(
            subject, protected.reader_of(person)
        ):
            # The text names the services and the data controller: where the child is.
            problems.append(
                _(
                    "%(name)s must not learn where the child lives, and the consent names the "
                    "services. Ask for this consent outside Min side."
                )
                % {"name": person}
            )
        elif giver.role == "guardian" and person.pk not in trusted:
            problems.append(
                _(
                    "%(name)s is registered as guardian only from what someone told the "
                    "service. Check it in the population register or a document first, or "
                    "record the consent on paper."
                )
                % {"name": person}
            )
    return problems


@transaction.atomic
def prepare_consent_request(
    actor: Any,
    subject: Person,
    *,
    purpose: str,
    recipient_organisations: Sequence[Organisation] = (),
    recipient_units: Sequence[ServiceUnit] = (),
    scope: Sequence[str],
    valid_to: datetime.datetime | None,
    language: str = "nb",
    domain: str = "",
    child_view: str = "",
) -> ConsentRequest:
    """Prepare a consent for the family to give on Min side; ValidationError (a dict by
    field, "givers" for who must give it) says everything wrong at once."""
    basis = policy.require(actor, policy.Action.CHANGE, subject, policy.Purpose.CASEWORK)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if not recipient_organisations and not recipient_units:
        errors["recipients"] = [
            _("Name at least one service or organisation that may receive the information.")
        ]
    if not scope or set(scope) - set(DataCategory.values):
        errors["scope"] = [_("Choose which parts of the information the consent covers.")]
    if valid_to is None:
        errors["valid_to"] = [_("Enter the last day the consent is valid.")]
    elif valid_to <= timezone.now():
        errors["valid_to"] = [_("The end date has passed. Choose a date in the future.")]
    if domain and domain not in ConfidentialityDomain.values:
        errors["domain"] = [_("Choose whose information the consent covers.")]
    elif domain and domain not in policy.domains_of(actor, subject.organisation_id):
        errors["domain"] = [
            _(
                "You can ask for a consent for the information of your own services only. Ask "
                "the service that holds the information to ask for it."
            )
        ]
    today = timezone.localdate()
    if subject.birth_date is None or consent_reads.age_on(subject.birth_date, today) >= 18:
        errors["givers"] = [
            _(
                "Digital consent on Min side is for children and young people under 18 with a "
                "registered date of birth. Ask an adult to consent themselves, or record it."
            )
        ]
    given: list[Given] = []
    if "purpose" not in errors and "givers" not in errors:
        rule = consent_reads.consent_rule(subject.organisation, purpose, domain)
        given = required_givers(subject, rule, today)
        try:
            _check_givers(subject, [g.person for g in given if g.person], rule, None, child_view)
        except ValidationError as exc:
            errors["givers"] = exc.messages
        else:
            problems = _reachable_on_min_side(subject, given)
            if problems:
                errors["givers"] = problems
    text = None
    if "purpose" not in errors:
        try:
            text = consent_reads.current_text(purpose, language, subject.organisation_id)
        except ValidationError as exc:
            errors["language"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert valid_to is not None and text is not None
    request = ConsentRequest.objects.create(
        organisation=subject.organisation,
        subject=subject,
        purpose=purpose,
        domain=domain,
        scope=Consent.encode_scope(list(scope)),
        text=text,
        valid_to=valid_to,
        child_view=child_view.strip(),
        prepared_by=actor,
    )
    request.recipient_organisations.set(recipient_organisations)
    request.recipient_units.set(recipient_units)
    ConsentRequestAnswer.objects.bulk_create(
        ConsentRequestAnswer(request=request, person=g.person, role=g.role, capacity=g.capacity)
        for g in given
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[request],
        subject_ids=[subject.pk, *(g.person.pk for g in given if g.person is not None)],
        organisation_id=subject.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        detail={"event": "consent_requested", **basis.audit_detail()},
    )
    hashes = [g.person.national_id_hash for g in given if g.person is not None]
    transaction.on_commit(
        lambda: consent_requested.send(sender=ConsentRequest, identity_hashes=hashes)
    )
    return request


def _requests(user: Any) -> Any:
    return (
        policy.visible(user, ConsentRequest, policy.Purpose.CASEWORK)
        .select_related("subject", "text", "prepared_by", "consent")
        .prefetch_related(
            "recipient_organisations",
            Prefetch(
                "recipient_units", queryset=ServiceUnit.objects.select_related("organisation")
            ),
            Prefetch("answers", queryset=ConsentRequestAnswer.objects.select_related("person")),
        )
    )


def requests_for(user: Any, child: Person) -> list[ConsentRequest]:
    """The consents prepared for the child's family to give, newest first, audited."""
    return policy.list_page(
        user,
        _requests(user).filter(subject=child).order_by("-prepared_at", "-pk"),
        policy.Purpose.CASEWORK,
    )


def request_of(user: Any, child: Person, request_id: int) -> ConsentRequest:
    """One of them, audited; 404 if it is not the child's or not visible."""
    request = _requests(user).filter(pk=request_id, subject=child).first()
    if request is None:
        raise Http404(_("Not found, or you do not have access."))
    policy.record_access(user, policy.Action.VIEW, [request], policy.Purpose.CASEWORK)
    return request


@transaction.atomic
def cancel_request(actor: Any, request: ConsentRequest) -> ConsentRequest:
    """The service takes back a consent still waiting for the family."""
    request = ConsentRequest.objects.select_for_update().get(pk=request.pk)
    basis = policy.require(actor, policy.Action.CHANGE, request, policy.Purpose.CASEWORK)
    if request.status != Status.WAITING:
        raise ValidationError(_("Only a consent still waiting for the family can be cancelled."))
    request.status = Status.CANCELLED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[request],
        subject_ids=[request.subject_id],
        organisation_id=request.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        detail={"event": "cancelled", **basis.audit_detail()},
    )
    return request


# The family on Min side ----------------------------------------------------------------------


@dataclass
class FamilyRequest:
    """A consent the citizen is asked to give, as Min side shows it."""

    request: ConsentRequest
    # The citizen's own answer row (a young person and a parent are never the same login).
    mine: ConsentRequestAnswer
    recipients: list[str]
    categories: list[str]
    text: consent_reads.RenderedConsentText

    @property
    def waiting_for_me(self) -> bool:
        return self.request.status == Status.WAITING and self.mine.answer == Answer.WAITING


def _family_requests(citizen: family.Citizen) -> tuple[Any, list[family.FamilyMember], set[int]]:
    """The requests that ask one of the citizen's own records to answer, about themselves or
    a child they have parental responsibility for (under 18): nobody else's, and never a
    request only the other parent or the young person is asked to give."""
    members = family.family_of(citizen)
    own = {p.pk for p in family.own_records(members)}
    rows = (
        # The family's records, as family.visible reads them, and only those that ask them.
        ConsentRequest.objects.filter(subject_id__in=[m.person.pk for m in members])
        .filter(answers__person_id__in=own)
        # Defence in depth: never one naming services kept from the citizen (protected).
        .exclude(organisation_id__in=protected.hidden_organisations(citizen.identity_hash))
        .distinct()
        .select_related("subject", "organisation", "text")
        .prefetch_related(
            "recipient_organisations",
            Prefetch(
                "recipient_units", queryset=ServiceUnit.objects.select_related("organisation")
            ),
            Prefetch("answers", queryset=ConsentRequestAnswer.objects.select_related("person")),
        )
    )
    return rows, members, own


def _for_family(request: ConsentRequest, own: set[int]) -> FamilyRequest | None:
    answers = list(request.answers.all())
    mine = next((a for a in answers if a.person_id in own), None)
    if mine is None:
        return None
    # A parent answers for the child, the young person for themselves: the row must match.
    if (mine.role == "young_person") != (mine.person_id == request.subject_id):
        return None
    return FamilyRequest(
        request,
        mine,
        consent_reads.recipient_names(
            list(request.recipient_organisations.all()), list(request.recipient_units.all())
        ),
        consent_reads.category_labels(request.scope_categories, request.text.language),
        consent_reads.render_consent_text(request),
    )


@transaction.atomic
def waiting_for(citizen: family.Citizen) -> list[FamilyRequest]:
    """The consents waiting for the citizen's own answer, for Min side's front page."""
    rows, members, own = _family_requests(citizen)
    waiting = [
        r
        for r in (_for_family(req, own) for req in rows.filter(status=Status.WAITING))
        if r is not None and r.waiting_for_me
    ]
    family.record_read(
        citizen,
        audit.AuditEvent.Action.LIST,
        [r.request for r in waiting],
        members,
        policy.Purpose.FAMILY_PORTAL,
    )
    return waiting


@transaction.atomic
def request_for_family(citizen: family.Citizen, request_id: int) -> FamilyRequest:
    """One request the citizen is asked to answer, audited; 404 for anyone else's."""
    rows, members, own = _family_requests(citizen)
    request = rows.filter(pk=request_id).first()
    shown = _for_family(request, own) if request is not None else None
    if shown is None:
        raise Http404(_("Not found, or you do not have access."))
    family.record_read(
        citizen, audit.AuditEvent.Action.VIEW, [request], members, policy.Purpose.FAMILY_PORTAL
    )
    return shown


def _locked(citizen: family.Citizen, request_id: int) -> tuple[FamilyRequest, set[int]]:
    rows, _members, own = _family_requests(citizen)
    ids = list(rows.filter(pk=request_id).values_list("pk", flat=True))
    if not ids:
        raise Http404(_("Not found, or you do not have access."))
    # One answer at a time: two guardians giving at once must not both see the other missing.
    ConsentRequest.objects.select_for_update().filter(pk=ids[0]).first()
    shown = _for_family(rows.get(pk=ids[0]), own)
    if shown is None:
        raise Http404(_("Not found, or you do not have access."))
    if shown.request.status != Status.WAITING:
        raise ValidationError(
            _("This consent is no longer waiting for an answer: %(status)s.")
            % {"status": shown.request.get_status_display().lower()}
        )
    if shown.mine.answer != Answer.WAITING:
        raise ValidationError(
            _("You have already answered. Ask the service if something is wrong.")
        )
    return shown, own


def _family_detail(request: ConsentRequest, answer: ConsentRequestAnswer) -> dict[str, Any]:
    relation = (
        family.Relation.SELF if answer.person_id == request.subject_id else family.Relation.PARENT
    )
    return {
        family.ROLE_KEY: {
            str(request.subject_id): relation,
            str(answer.person_id): family.Relation.SELF,
        }
    }


def _audit_answer(
    citizen: family.Citizen, request: ConsentRequest, answer: ConsentRequestAnswer
) -> None:
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=citizen,
        objects=[request],
        subject_ids=sorted({request.subject_id, answer.person_id}),
        organisation_id=request.organisation_id,
        purpose=request.purpose,
        legal_basis=family.FAMILY_READ_BASIS,
        detail={"event": f"consent_{answer.answer}", **_family_detail(request, answer)},
    )


@transaction.atomic
def give(citizen: family.Citizen, request_id: int) -> ConsentRequest:
    """The citizen gives the consent. When they are the last the rule asks for, it comes into
    force now, as a consent given digitally by all of them; until then it opens nothing."""
    shown, _own = _locked(citizen, request_id)
    request, mine = shown.request, shown.mine
    now = timezone.now()
    mine.answer, mine.answered_at = Answer.GIVEN, now
    mine.save(update_fields=["answer", "answered_at"])
    _audit_answer(citizen, request, mine)
    answers = list(request.answers.select_related("person"))
    if any(a.answer != Answer.GIVEN for a in answers):
        return request
    if request.valid_to <= now:
        raise ValidationError(
            _("The period of this consent has ended. Ask the service to prepare a new one.")
        )
    # The rule and the guardians may have changed since the service asked: check again, and
    # write nothing if the consent would not hold.
    rule = consent_reads.consent_rule(request.subject.organisation, request.purpose, request.domain)
    try:
        given = _check_givers(
            request.subject, [a.person for a in answers], rule, None, request.child_view
        )
    except ValidationError:
        raise ValidationError(
            _(
                "Who must consent has changed since the service asked, so the consent cannot "
                "come into force. Ask the service to prepare it again."
            )
        ) from None
    consent = _store_consent(
        None,
        request.subject,
        purpose=request.purpose,
        scope=request.scope_categories,
        text=request.text,
        valid_from=now,
        valid_to=request.valid_to,
        channel=Consent.Channel.DIGITAL,
        recorded_by=None,
        recipient_organisations=list(request.recipient_organisations.all()),
        recipient_units=list(request.recipient_units.all()),
        given=given,
        domain=request.domain,
        child_view=request.child_view,
    )
    request.status, request.closed_at, request.consent = Status.IN_FORCE, now, consent
    request.save(update_fields=["status", "closed_at", "consent"])
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=citizen,
        objects=[consent],
        subject_ids=sorted({request.subject_id, *(a.person_id for a in answers)}),
        organisation_id=request.organisation_id,
        purpose=request.purpose,
        legal_basis="consent",
        consent_id=consent.pk,
        detail={"event": "given_digitally", **_family_detail(request, mine)},
    )
    return request


@transaction.atomic
def decline(citizen: family.Citizen, request_id: int) -> ConsentRequest:
    """The citizen says no: the consent never comes into force."""
    shown, _own = _locked(citizen, request_id)
    request, mine = shown.request, shown.mine
    now = timezone.now()
    mine.answer, mine.answered_at = Answer.DECLINED, now
    mine.save(update_fields=["answer", "answered_at"])
    request.status, request.closed_at = Status.DECLINED, now
    request.save(update_fields=["status", "closed_at"])
    _audit_answer(citizen, request, mine)
    return request
