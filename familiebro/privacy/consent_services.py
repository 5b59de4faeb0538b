"""What people do with consent: record it with the givers the organisation's rule asks for,
and withdraw it, as recorded by staff or by the family on Min side.

Every function validates first, changes and audits in one transaction, and refuses with a
message that says what was wrong and what to do. What the consent screens read is in
consent_reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import GuardianRelation, Organisation, Person, ServiceUnit

from . import audit, family, policy
from .consent_reads import consent_rule, current_text
from .models import Consent, ConsentGiver, ConsentRule, DataCategory, Purpose


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


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
