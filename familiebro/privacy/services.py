"""What people do with consent, need-to-know and exceptional access.

Every function validates first, changes and audits in one transaction, and refuses with a
message that says what was wrong and what to do.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import GuardianRelation, Membership, Organisation, Person, ServiceUnit

from . import audit, family, policy
from .models import (
    Assignment,
    Consent,
    ConsentGiver,
    ConsentRule,
    ConsentText,
    DataCategory,
    ExceptionalAccess,
    Purpose,
)

# Break-glass access lasts at most this long; a legal basis at most a month before renewal.
BREAK_GLASS_MAX = datetime.timedelta(hours=4)
LEGAL_BASIS_MAX = datetime.timedelta(days=31)
MIN_REASON_LENGTH = 20


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def consent_rule(organisation: Organisation, purpose: str) -> ConsentRule:
    """The organisation's rule for the purpose, or the safe default: every guardian with
    parental responsibility must consent."""
    rule = ConsentRule.objects.filter(organisation=organisation, purpose=purpose).first()
    return rule or ConsentRule(
        organisation=organisation, purpose=purpose, givers=ConsentRule.Givers.ALL_GUARDIANS
    )


def current_text(purpose: str, language: str) -> ConsentText:
    text = (
        ConsentText.objects.filter(purpose=purpose, language=language).order_by("-version").first()
    )
    if text is None:
        raise ValidationError(
            _(
                "There is no consent text for this purpose in this language. An administrator "
                "must publish one before consent can be recorded."
            )
        )
    return text


def _check_givers(subject: Person, givers: Sequence[Person], rule: ConsentRule) -> list[tuple]:
    """Return (person, role) pairs, or raise ValidationError naming who is missing or wrong."""
    today = timezone.localdate()
    relations = {r.guardian_id: r for r in GuardianRelation.objects.filter(child=subject)}
    responsible = {gid for gid, r in relations.items() if r.has_parental_responsibility}
    young_person_old_enough = (
        subject.birth_date is not None
        and age_on(subject.birth_date, today) >= rule.young_person_age
    )
    pairs: list[tuple] = []
    errors: list[str] = []
    for giver in givers:
        if giver.pk == subject.pk:
            if rule.givers == ConsentRule.Givers.ALL_GUARDIANS:
                errors.append(_("For this purpose the guardians consent, not the child."))
            elif not young_person_old_enough:
                errors.append(
                    _(
                        "%(name)s is under %(age)s and cannot consent alone for this purpose. "
                        "Ask the guardians with parental responsibility."
                    )
                    % {"name": subject, "age": rule.young_person_age}
                )
            else:
                pairs.append((giver, "young_person"))
        elif giver.pk in relations:
            if giver.pk not in responsible:
                errors.append(
                    _(
                        "%(name)s does not have parental responsibility and cannot consent on the "
                        "child's behalf."
                    )
                    % {"name": giver}
                )
            elif rule.givers == ConsentRule.Givers.YOUNG_PERSON:
                errors.append(_("For this purpose the young person consents alone."))
            else:
                pairs.append((giver, "guardian"))
        else:
            errors.append(
                _("%(name)s is not registered as the child's guardian.") % {"name": giver}
            )
    given = {p.pk for p, _role in pairs}
    if rule.givers in (
        ConsentRule.Givers.ALL_GUARDIANS,
        ConsentRule.Givers.YOUNG_PERSON_AND_GUARDIANS,
    ):
        if not responsible:
            errors.append(
                _(
                    "No guardian with parental responsibility is registered for the child. "
                    "Register the guardians first."
                )
            )
        missing = responsible - given
        if missing:
            names = ", ".join(str(relations[g].guardian) for g in sorted(missing))
            errors.append(
                _("Every guardian with parental responsibility must consent. Missing: %(names)s.")
                % {"names": names}
            )
    if rule.givers in (
        ConsentRule.Givers.YOUNG_PERSON,
        ConsentRule.Givers.YOUNG_PERSON_AND_GUARDIANS,
    ):
        if not young_person_old_enough:
            errors.append(
                _("The young person must be at least %(age)s to consent for this purpose.")
                % {"age": rule.young_person_age}
            )
        elif subject.pk not in given:
            errors.append(_("The young person's own consent is required for this purpose."))
    if errors:
        raise ValidationError(errors)
    return pairs


@transaction.atomic
def record_consent(
    actor: Any,
    subject: Person,
    *,
    purpose: str,
    givers: Sequence[Person],
    recipient_organisations: Sequence[Organisation] = (),
    recipient_units: Sequence[ServiceUnit] = (),
    scope: Sequence[str],
    channel: str,
    valid_from: datetime.datetime | None = None,
    valid_to: datetime.datetime | None = None,
    language: str = "nb",
    witness: str = "",
    attachment: Any = None,
) -> Consent:
    """Record a family's consent. Staff record paper and oral consent; a person may give
    their own digitally."""
    policy.require(actor, policy.Action.CHANGE, subject, policy.Purpose.CASEWORK)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if not recipient_organisations and not recipient_units:
        errors["recipients"] = [
            _("Name at least one service or organisation that may receive the information.")
        ]
    unknown = set(scope) - set(DataCategory.values)
    if not scope or unknown:
        errors["scope"] = [_("Choose which parts of the information the consent covers.")]
    now = timezone.now()
    valid_from = valid_from or now
    if valid_to is not None and valid_to <= valid_from:
        errors["valid_to"] = [_("The end date must be after the start date.")]
    if valid_to is not None and valid_to <= now:
        errors["valid_to"] = [_("The end date has passed. Choose a date in the future.")]
    if channel in (Consent.Channel.PAPER, Consent.Channel.ORAL) and not (witness or attachment):
        errors["witness"] = [
            _("Consent given on paper or orally needs the scanned form or a witness.")
        ]
    if channel not in (Consent.Channel.PAPER, Consent.Channel.ORAL):
        # Digital consent is given by the family themselves, never entered by staff.
        errors["channel"] = [_("Choose how the consent was given: on paper or orally.")]
    pairs: list[tuple] = []
    try:
        pairs = _check_givers(subject, givers, consent_rule(subject.organisation, purpose))
    except ValidationError as exc:
        errors["givers"] = exc.messages
    if errors:
        # Every problem at once, so staff can fix the form in one round.
        raise ValidationError(errors)
    consent = Consent.objects.create(
        organisation=subject.organisation,
        subject=subject,
        purpose=purpose,
        scope=Consent.encode_scope(list(scope)),
        text=current_text(purpose, language),
        valid_from=valid_from,
        valid_to=valid_to,
        channel=channel,
        recorded_by=actor,
        witness=witness,
        attachment=attachment or "",
    )
    consent.recipient_organisations.set(recipient_organisations)
    consent.recipient_units.set(recipient_units)
    ConsentGiver.objects.bulk_create(
        ConsentGiver(consent=consent, person=person, role=role) for person, role in pairs
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[consent],
        subject_ids=[subject.pk, *(p.pk for p, _role in pairs)],
        organisation_id=subject.organisation_id,
        purpose=purpose,
        legal_basis="consent",
        consent_id=consent.pk,
    )
    return consent


@transaction.atomic
def withdraw_consent(actor: Any, consent: Consent, *, withdrawn_by: Person) -> Consent:
    """Withdraw with immediate effect, as recorded by staff. What was shared stays with the
    recipient; nothing more is shared from now on."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    policy.require(actor, policy.Action.CHANGE, consent, policy.Purpose.CASEWORK)
    return _withdraw(actor, consent, withdrawn_by, recorded_by=actor, basis="consent")


def may_withdraw(consent: Consent, person_ids: set[int]) -> bool:
    """Whether one of these persons gave the consent or is the child it is about."""
    if consent.subject_id in person_ids:
        return True
    return any(giver.person_id in person_ids for giver in consent.givers.all())


def family_may_withdraw(consent: Consent, own_person_ids: set[int]) -> bool:
    """Whether Min side offers the citizen to withdraw it: it is in force (or yet to start),
    and they gave it or are the young person it is about."""
    return consent.state() in ("valid", "pending") and may_withdraw(consent, own_person_ids)


@transaction.atomic
def withdraw_consent_as_family(citizen: family.Citizen, consent_id: int) -> Consent:
    """The person who gave the consent (or the young person it is about) withdraws it on Min
    side, logged in with ID-porten: with immediate effect, as if told to the service."""
    members = family.family_of(citizen)
    consent = family.visible(Consent, members).select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise Http404(_("Not found, or you do not have access."))
    own = family.own_records(members)
    withdrawer = next((p for p in own if family_may_withdraw(consent, {p.pk})), None)
    if withdrawer is None:
        raise ValidationError(
            _(
                "This consent cannot be withdrawn here: it is no longer in force, or someone "
                "else gave it. Ask the service if something is wrong."
            )
        )
    return _withdraw(citizen, consent, withdrawer, recorded_by=None, basis=family.FAMILY_READ_BASIS)


def _withdraw(
    actor: Any, consent: Consent, withdrawn_by: Person, *, recorded_by: Any, basis: str
) -> Consent:
    if consent.withdrawn_at is not None:
        raise ValidationError(
            _("This consent was already withdrawn on %(date)s.")
            % {"date": f"{timezone.localtime(consent.withdrawn_at):%d.%m.%Y}"}
        )
    if not may_withdraw(consent, {withdrawn_by.pk}):
        raise ValidationError(
            _("Only someone who gave the consent, or the child it is about, can withdraw it.")
        )
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = withdrawn_by
    consent.withdrawal_recorded_by = recorded_by
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_recorded_by"])
    detail: dict[str, Any] = {"event": "withdrawn"}
    if recorded_by is None:  # the family themselves, on Min side: say who of them it was
        detail[family.ROLE_KEY] = {
            str(pk): family.Relation.SELF if pk == withdrawn_by.pk else family.Relation.PARENT
            for pk in {consent.subject_id, withdrawn_by.pk}
        }
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[consent],
        subject_ids=[consent.subject_id, withdrawn_by.pk],
        organisation_id=consent.organisation_id,
        purpose=consent.purpose,
        legal_basis=basis,
        consent_id=consent.pk,
        detail=detail,
    )
    return consent


@transaction.atomic
def assign(
    actor: Any, person: Person, *, user: Any = None, unit: ServiceUnit | None = None, reason: str
) -> Assignment:
    """Give a colleague or a unit a need to know about a person of the own organisation."""
    policy.require(actor, policy.Action.CHANGE, person, policy.Purpose.CASEWORK)
    if user is None and unit is None:
        raise ValidationError(_("Choose a colleague or a unit."))
    target_orgs = (
        {unit.organisation_id}
        if unit is not None
        else set(
            Membership.objects.filter(user=user).values_list("unit__organisation_id", flat=True)
        )
    )
    if person.organisation_id not in target_orgs:
        raise ValidationError(
            _(
                "Only colleagues in the person's own organisation can be "
                "assigned. Other services need the family's consent."
            )
        )
    if unit is None:
        # A colleague's need to know is given in the domain the two of them share: the actor's
        # own need to know cannot open another service's duty of confidentiality.
        shared = sorted(
            set(policy.domains_of(user, person.organisation_id))
            & set(policy.domains_of(actor, person.organisation_id))
        )
        if not shared:
            raise ValidationError(
                _(
                    "This colleague works in another service, under another duty of "
                    "confidentiality. Other services need the family's consent."
                )
            )
        if len(shared) > 1:
            raise ValidationError(
                _("This colleague works in more than one of your services: choose the unit.")
            )
        domain = shared[0]
    else:
        domain = unit.domain
        if domain not in policy.domains_of(actor, person.organisation_id):
            raise ValidationError(
                _(
                    "This unit works in another service, under another duty of "
                    "confidentiality. Other services need the family's consent."
                )
            )
    assignment = Assignment.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        user=user,
        unit=unit,
        domain=domain,
        reason=reason,
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[assignment],
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
    )
    return assignment


# Checks from other apps whose records keep a need to know open: each returns why the
# assignment must stay (and what to do instead), or None. The cases app registers one for
# the participants of an open case.
_keepers: list[Callable[[Assignment], str | None]] = []


def register_keeper(check: Callable[[Assignment], str | None]) -> None:
    """Let an app refuse the ending of an assignment its records depend on."""
    _keepers.append(check)


def kept_open_by(assignment: Assignment) -> str | None:
    """Why the assignment cannot be ended by hand, if something still depends on it."""
    for check in _keepers:
        reason = check(assignment)
        if reason:
            return reason
    return None


def _refusal_to_end(actor: Any, assignment: Assignment) -> str | None:
    scope = policy.scope_of(actor)
    if assignment.organisation_id in scope.organisation_ids:
        if assignment.user_id is not None and assignment.user_id == actor.pk:
            return None
        if assignment.unit_id is not None and assignment.unit_id in scope.unit_ids:
            return None
        if scope.leader_unit_ids and (
            assignment.unit_id in scope.leader_unit_ids
            or (
                assignment.user_id is not None
                and Membership.objects.filter(
                    user_id=assignment.user_id, unit_id__in=scope.leader_unit_ids
                ).exists()
            )
        ):
            return None
    return _(
        "You can end only your own or your unit's need to know of a person. Ask the colleague "
        "it belongs to, or the leader of their unit, to end it."
    )


def may_end_assignment(actor: Any, assignment: Assignment) -> bool:
    """Whether the actor may end it: their own, their unit's, or (as its leader) one given to
    their unit or to one of its members."""
    return _refusal_to_end(actor, assignment) is None


@transaction.atomic
def end_assignment(actor: Any, assignment: Assignment, reason: str) -> Assignment:
    """End a staff member's or a unit's need to know of a person: the work with them is over.

    From the next request they see the person no more (unless another assignment, a consent
    or an exceptional access opens them), and retention counts the person's last activity
    from now. A need to know an open case depends on ends with the participation or the
    case instead, so that nobody working on a case loses sight of it by accident.
    """
    if reason not in Assignment.EndReason.values:
        raise ValidationError({"reason": [_("Choose why the need to know ends.")]})
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    refusal = _refusal_to_end(actor, assignment)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if assignment.ended_at is not None:
        raise ValidationError(
            _("This need to know already ended on %(date)s. There is nothing more to do.")
            % {"date": f"{timezone.localtime(assignment.ended_at):%d.%m.%Y}"}
        )
    kept = kept_open_by(assignment)
    if kept is not None:
        raise ValidationError(kept)
    now = timezone.now()
    assignment.ended_at = now
    # The work may have ended earlier (a closed case it came from); never later than now.
    assignment.work_ended_at = assignment.work_ended_at or now
    assignment.end_reason = reason
    assignment.save(update_fields=["ended_at", "work_ended_at", "end_reason"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[assignment],
        subject_ids=[assignment.person_id],
        organisation_id=assignment.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail={"event": "ended", "end_reason": reason},
    )
    return assignment


@transaction.atomic
def open_exceptional_access(
    actor: Any,
    person: Person,
    *,
    basis: str,
    reason: str,
    duration: datetime.timedelta | None = None,
    hidden_from_family: bool = False,
    hiding_justification: str = "",
) -> ExceptionalAccess:
    """Open a person's data without consent, on a legal basis or by breaking the glass.

    The access is time-limited, audited with its basis and reported to the actor's unit
    leaders at once.
    """
    if not policy.scope_of(actor).organisation_ids:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
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
