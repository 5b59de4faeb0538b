"""What people do with consent: record it with the givers the organisation's rule asks for,
and withdraw it, as recorded by staff or by the family on Min side.

Every function validates first, changes and audits in one transaction, and refuses with a
message that says what was wrong and what to do. What the consent screens read is in
consent_reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
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

from . import audit, family, policy
from .consent_reads import (
    HEALTH_DOMAINS,
    child_to_be_heard,
    consent_rule,
    current_text,
    end_of_day,
    young_person_consents,
)
from .family import birthday
from .models import Capacity, Consent, ConsentGiver, ConsentRule, DataCategory, Purpose
from .models.consent import IN_PLACE_OF_GUARDIANS


@dataclass(frozen=True)
class InPlaceOfGuardians:
    """Who consents in the guardians' place: the child welfare service after a care order,
    or a representative for an unaccompanied minor, named as the consent records them."""

    capacity: str
    name: str


@dataclass(frozen=True)
class Given:
    """One giver as the consent records them: a person, or a service or representative named
    in the guardians' place; their role and capacity."""

    person: Person | None
    role: str
    capacity: str
    name: str = ""


def _check_givers(
    subject: Person,
    givers: Sequence[Person],
    rule: ConsentRule,
    in_place_of_guardians: InPlaceOfGuardians | None = None,
    child_view: str = "",
) -> list[Given]:
    """Who gave the consent, in which capacity, by the rule for the purpose and service at
    the child's age today; ValidationError naming who is missing or wrong. From the rule's age
    limit the young person consents (alone, or with the guardians); below it the guardians
    with parental responsibility, or in their place the child welfare service after a care
    order or a representative for an unaccompanied minor, with the child's own view recorded
    when the child is to be heard."""
    today = timezone.localdate()
    relations = {r.guardian_id: r for r in GuardianRelation.objects.filter(child=subject)}
    responsible = {gid for gid, r in relations.items() if r.has_parental_responsibility}
    young_person_asked = young_person_consents(subject, rule, today)
    guardians_asked = not (young_person_asked and rule.givers == ConsentRule.Givers.YOUNG_PERSON)
    given: list[Given] = []
    errors: list[str] = []
    for giver in givers:
        if giver.pk == subject.pk:
            if rule.givers == ConsentRule.Givers.ALL_GUARDIANS:
                errors.append(_("For this purpose the guardians consent, not the child."))
            elif not young_person_asked:
                errors.append(
                    _(
                        "%(name)s is under %(age)s and cannot consent alone for this purpose. "
                        "Ask the guardians with parental responsibility."
                    )
                    % {"name": subject, "age": rule.young_person_age}
                )
            else:
                given.append(Given(giver, "young_person", Capacity.YOUNG_PERSON))
        elif giver.pk in relations:
            if giver.pk not in responsible:
                errors.append(
                    _(
                        "%(name)s does not have parental responsibility and cannot consent on the "
                        "child's behalf."
                    )
                    % {"name": giver}
                )
            elif not guardians_asked:
                errors.append(_("For this purpose the young person consents alone."))
            elif in_place_of_guardians is not None:
                errors.append(
                    _(
                        "%(name)s is consenting in the guardians' place. Choose either the "
                        "guardians or the one who consents in their place, not both."
                    )
                    % {"name": in_place_of_guardians.name}
                )
            else:
                given.append(Given(giver, "guardian", Capacity.PARENTAL_RESPONSIBILITY))
        else:
            errors.append(
                _("%(name)s is not registered as the child's guardian.") % {"name": giver}
            )
    if in_place_of_guardians is not None:
        if in_place_of_guardians.capacity not in IN_PLACE_OF_GUARDIANS:
            errors.append(_("Choose who consents in the guardians' place."))
        elif not in_place_of_guardians.name.strip():
            errors.append(_("Write the name of the service or the representative who consents."))
        elif not guardians_asked:
            errors.append(_("For this purpose the young person consents alone."))
        else:
            given.append(
                Given(
                    None,
                    "in_place_of_guardians",
                    in_place_of_guardians.capacity,
                    in_place_of_guardians.name.strip()[:200],
                )
            )
    persons_given = {g.person.pk for g in given if g.person is not None}
    if guardians_asked and in_place_of_guardians is None:
        if not responsible:
            errors.append(
                _(
                    "No guardian with parental responsibility is registered for the child. "
                    "Register the guardians first."
                )
            )
        missing = responsible - persons_given
        if missing:
            names = ", ".join(str(relations[g].guardian) for g in sorted(missing))
            errors.append(
                _("Every guardian with parental responsibility must consent. Missing: %(names)s.")
                % {"names": names}
            )
    if young_person_asked and subject.pk not in persons_given:
        errors.append(_("The young person's own consent is required for this purpose."))
    if child_to_be_heard(subject, rule, today) and not child_view.strip():
        errors.append(
            _(
                "Record the child's own view: a child of %(age)s or older is to be heard before "
                "the guardians decide. If the child did not want to say anything, write that."
            )
            % {"age": rule.child_heard_from_age}
        )
    if errors:
        raise ValidationError(errors)
    return given


def lapses_at(subject: Person, domain: str, given: Sequence[Given]) -> datetime.datetime | None:
    """When a consent given without the young person stops because they come of age: for
    the health service's information at 16, when the young person consents alone
    (pasient- og brukerrettighetsloven § 4-3), and for every service at 18, when the
    guardians' authority ends and the consent is asked again of the young person. None when
    the young person gave it, or when the birth date is unknown."""
    if subject.birth_date is None or any(g.capacity == Capacity.YOUNG_PERSON for g in given):
        return None
    age = 16 if domain in HEALTH_DOMAINS else 18
    return end_of_day(birthday(subject.birth_date, age) - datetime.timedelta(days=1))


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
    domain: str = "",
    in_place_of_guardians: InPlaceOfGuardians | None = None,
    child_view: str = "",
) -> Consent:
    """Record a family's consent. Staff record paper and oral consent; a person may give
    their own digitally. `domain` names the service whose information the consent opens
    (empty: every service of the data controller), whose rule says who consents."""
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
    if domain and domain not in ConfidentialityDomain.values:
        errors["domain"] = [_("Choose whose information the consent covers.")]
    elif domain and domain not in policy.domains_of(actor, subject.organisation_id):
        # The service that holds the information asks for the consent to share it.
        errors["domain"] = [
            _(
                "You can record a consent for the information of your own services only. Ask "
                "the service that holds the information to record it."
            )
        ]
    given: list[Given] = []
    try:
        given = _check_givers(
            subject,
            givers,
            consent_rule(subject.organisation, purpose, domain),
            in_place_of_guardians,
            child_view,
        )
    except ValidationError as exc:
        errors["givers"] = exc.messages
    if errors:
        # Every problem at once, so staff can fix the form in one round.
        raise ValidationError(errors)
    consent = _store_consent(
        actor,
        subject,
        purpose=purpose,
        scope=scope,
        text=current_text(purpose, language, subject.organisation_id),
        valid_from=valid_from,
        valid_to=valid_to,
        channel=channel,
        recorded_by=actor,
        recipient_organisations=recipient_organisations,
        recipient_units=recipient_units,
        given=given,
        domain=domain,
        child_view=child_view,
        witness=witness,
        attachment=attachment,
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[consent],
        subject_ids=[subject.pk, *(g.person.pk for g in given if g.person is not None)],
        organisation_id=subject.organisation_id,
        purpose=purpose,
        legal_basis="consent",
        consent_id=consent.pk,
    )
    return consent


def _store_consent(
    actor: Any,
    subject: Person,
    *,
    purpose: str,
    scope: Sequence[str],
    text: Any,
    valid_from: datetime.datetime,
    valid_to: datetime.datetime | None,
    channel: str,
    recorded_by: Any,
    recipient_organisations: Sequence[Organisation],
    recipient_units: Sequence[ServiceUnit],
    given: Sequence[Given],
    domain: str = "",
    child_view: str = "",
    witness: str = "",
    attachment: Any = None,
) -> Consent:
    """Write a consent whose givers were checked (`_check_givers`), with them; the caller
    audits it, as staff recording it or as the family giving it on Min side."""
    consent = Consent.objects.create(
        organisation=subject.organisation,
        subject=subject,
        purpose=purpose,
        scope=Consent.encode_scope(list(scope)),
        text=text,
        valid_from=valid_from,
        valid_to=valid_to,
        channel=channel,
        recorded_by=recorded_by,
        witness=witness,
        attachment=attachment or "",
        domain=domain,
        lapses_at=lapses_at(subject, domain, given),
        child_view=child_view.strip(),
    )
    consent.recipient_organisations.set(recipient_organisations)
    consent.recipient_units.set(recipient_units)
    ConsentGiver.objects.bulk_create(
        ConsentGiver(
            consent=consent, person=g.person, role=g.role, capacity=g.capacity, name=g.name
        )
        for g in given
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
