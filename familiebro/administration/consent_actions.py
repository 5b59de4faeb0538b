"""What an administrator does to consent texts, consent rules and retention periods: one
function each, each in one transaction, each audited. The rules themselves are the privacy
layer's (consent_reads.text_problems and rule_problems, retention_rules.set_rule): these
functions ask who may, and write."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ConfidentialityDomain, Organisation
from familiebro.privacy import audit, consent_reads, retention_rules
from familiebro.privacy.models import AuditEvent, ConsentRule, ConsentText, Purpose, RetentionRule

from . import permissions

# What the trail says these changes were for: setting up a data controller, no family's data.
ADMINISTRATION_PURPOSE = "administration"


def _require(actor: Any, organisation_id: int | None) -> None:
    if organisation_id is None:
        permissions.require_publish_instance_defaults(actor)
    else:
        permissions.require_administer_organisation(actor, organisation_id)


@transaction.atomic
def publish_consent_text(
    actor: Any,
    organisation_id: int | None,
    *,
    purpose: str,
    language: str,
    title: str,
    body: str,
) -> ConsentText:
    """Publish a new version of the text for the purpose and language: the organisation's
    own, or with no organisation the instance's. The text in force is never edited; the new
    one is in force from now, and every consent given before keeps the words it was given on."""
    _require(actor, organisation_id)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if language not in {code for code, _name in consent_languages()}:
        errors["language"] = [_("Choose the language of the text.")]
    if not title.strip():
        errors["title"] = [_("Write the title.")]
    if not body.strip():
        errors["body"] = [_("Write the text.")]
    problems = consent_reads.text_problems(title, body)
    if problems:
        errors.setdefault("body", []).extend(problems)
    if errors:
        raise ValidationError(errors)
    # Lock the slot's versions, so two publishing at once cannot take the same number.
    versions = ConsentText.objects.select_for_update().filter(purpose=purpose, language=language)
    versions = (
        versions.filter(organisation__isnull=True)
        if organisation_id is None
        else versions.filter(organisation_id=organisation_id)
    )
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    try:
        with transaction.atomic():
            text = ConsentText.objects.create(
                organisation_id=organisation_id,
                purpose=purpose,
                language=language,
                version=latest + 1,
                title=title.strip(),
                body=body.strip(),
                published_at=timezone.now(),
            )
    except IntegrityError:
        # Someone published the same version in the same moment.
        raise ValidationError(
            _("Someone else published a version of this text just now. Look at it, then try again.")
        ) from None
    audit.record(
        AuditEvent.Action.CREATE,
        actor=actor,
        objects=[text],
        organisation_id=organisation_id,
        purpose=ADMINISTRATION_PURPOSE,
        detail={
            "event": "consent_text_published",
            "consent_purpose": purpose,
            "language": language,
            "version": text.version,
        },
    )
    return text


def consent_languages() -> list[tuple[str, Any]]:
    return list(settings.LANGUAGES)


@transaction.atomic
def set_consent_rule(
    actor: Any,
    organisation: Organisation,
    *,
    purpose: str,
    domain: str,
    givers: str,
    young_person_age: int | None,
    child_heard_from_age: int | None,
) -> ConsentRule:
    """Set who consents for the purpose to sharing a service's information (its domain; empty:
    every service without a rule of its own), within what the law allows."""
    permissions.require_administer_organisation(actor, organisation.pk)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if domain and domain not in ConfidentialityDomain.values:
        errors["domain"] = [_("Choose the service.")]
    if young_person_age is None:
        errors["young_person_age"] = [_("Give the age limit in years.")]
    if errors:
        raise ValidationError(errors)
    assert young_person_age is not None
    problems = consent_reads.rule_problems(domain, givers, young_person_age, child_heard_from_age)
    if problems:
        raise ValidationError(problems)
    before = ConsentRule.objects.filter(
        organisation=organisation, domain=domain, purpose=purpose
    ).first()
    rule, _created = ConsentRule.objects.update_or_create(
        organisation=organisation,
        domain=domain,
        purpose=purpose,
        defaults={
            "givers": givers,
            "young_person_age": young_person_age,
            "child_heard_from_age": child_heard_from_age,
        },
    )
    audit.record(
        AuditEvent.Action.CHANGE if before else AuditEvent.Action.CREATE,
        actor=actor,
        objects=[rule],
        organisation_id=organisation.pk,
        purpose=ADMINISTRATION_PURPOSE,
        detail={
            "event": "consent_rule_set",
            "consent_purpose": purpose,
            "domain": domain,
            "givers": givers,
            "young_person_age": young_person_age,
            "child_heard_from_age": child_heard_from_age,
            "before": (
                {
                    "givers": before.givers,
                    "young_person_age": before.young_person_age,
                    "child_heard_from_age": before.child_heard_from_age,
                }
                if before
                else None
            ),
        },
    )
    return rule


@transaction.atomic
def remove_consent_rule(actor: Any, organisation: Organisation, rule_id: int) -> None:
    """Remove one of the organisation's rules: the law's rule (or its rule for every service)
    holds again."""
    permissions.require_administer_organisation(actor, organisation.pk)
    rule = ConsentRule.objects.filter(pk=rule_id, organisation=organisation).first()
    if rule is None:
        raise ValidationError(_("The rule is already gone. The page shows the rules in force."))
    detail = {
        "event": "consent_rule_removed",
        "consent_purpose": rule.purpose,
        "domain": rule.domain,
        "givers": rule.givers,
        "young_person_age": rule.young_person_age,
        "child_heard_from_age": rule.child_heard_from_age,
    }
    audit.record(
        AuditEvent.Action.DELETE,
        actor=actor,
        objects=[rule],
        organisation_id=organisation.pk,
        purpose=ADMINISTRATION_PURPOSE,
        detail=detail,
    )
    rule.delete()


def set_retention_period(
    actor: Any,
    organisation: Organisation | None,
    *,
    category: str,
    unit_kind: str,
    days: int | None,
    outcome: str,
    reference: str,
) -> RetentionRule:
    """Set how long the organisation (or with none, every organisation by default) keeps a
    category of data, through the same function the retention-rule command uses."""
    _require(actor, organisation.pk if organisation else None)
    return retention_rules.set_rule(
        category=category,
        organisation=organisation,
        unit_kind=unit_kind,
        days=days,
        outcome=outcome,
        reference=reference,
        actor=actor,
    )
