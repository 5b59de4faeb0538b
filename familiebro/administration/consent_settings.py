"""What the consent texts, consent rules and retention pages show. None of it is a family's
data: texts, rules and periods are the data controller's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core.models import ConfidentialityDomain, Organisation, ServiceUnit
from familiebro.privacy import consent_reads, retention
from familiebro.privacy.models import ConsentRule, ConsentText, Purpose, RetentionRule

from . import permissions


def organisations_to_set_up(user: Any) -> list[Organisation]:
    """The organisations whose consent texts, rules and retention the user sets."""
    permissions.require_administer_some_organisation(user)
    organisations = Organisation.objects.order_by("name")
    if permissions.is_instance_admin(user):
        return list(organisations)
    return list(organisations.filter(pk__in=permissions.administered_organisation_ids(user)))


def organisation_for(user: Any, organisation_id: int | None) -> Organisation | None:
    """The organisation a page sets up (None: the instance's defaults), if the user may."""
    if organisation_id is None:
        permissions.require_publish_instance_defaults(user)
        return None
    permissions.require_administer_organisation(user, organisation_id)
    return get_object_or_404(Organisation, pk=organisation_id)


# --- Consent texts ---------------------------------------------------------------------


@dataclass
class TextSlot:
    """The text for one purpose in one language: the one in force and every earlier version."""

    purpose: str
    purpose_label: str
    language: str
    language_label: str
    in_force: ConsentText | None
    # The organisation uses the instance's text, having published none of its own.
    from_instance: bool
    earlier: list[ConsentText] = field(default_factory=list)


def consent_texts(organisation: Organisation | None) -> list[TextSlot]:
    """Every purpose in every language: the text in force (the organisation's own, else the
    instance's, as consent_reads.current_text reads it) and the earlier versions."""
    organisation_id = organisation.pk if organisation else None
    texts = ConsentText.objects.filter(organisation=organisation).order_by("-version")
    own: dict[tuple[str, str], list[ConsentText]] = {}
    for text in texts:
        own.setdefault((text.purpose, text.language), []).append(text)
    defaults: dict[tuple[str, str], ConsentText] = {}
    if organisation_id is not None:
        for text in ConsentText.objects.filter(organisation__isnull=True).order_by("version"):
            defaults[(text.purpose, text.language)] = text
    slots = []
    for purpose, purpose_label in Purpose.choices:
        for language, language_label in settings.LANGUAGES:
            versions = own.get((purpose, language), [])
            in_force = versions[0] if versions else defaults.get((purpose, language))
            slots.append(
                TextSlot(
                    purpose=purpose,
                    purpose_label=str(purpose_label),
                    language=language,
                    language_label=str(language_label),
                    in_force=in_force,
                    from_instance=not versions and in_force is not None,
                    earlier=versions[1:],
                )
            )
    return slots


def text_in_force(
    organisation: Organisation | None, purpose: str, language: str
) -> ConsentText | None:
    """What a new version starts from: the text in force for the slot, if any."""
    try:
        return consent_reads.current_text(
            purpose, language, organisation.pk if organisation else None
        )
    except ValidationError:  # no text yet: the form starts empty
        return None


PLACEHOLDERS = consent_reads.PLACEHOLDERS


# --- Consent rules -----------------------------------------------------------------------

# Why the law says what it says, in plain words, per service (consent_reads.STATUTORY_RULES).
LAW_EXPLANATIONS: dict[str, Promise] = {
    ConfidentialityDomain.HEALTH: gettext_lazy(
        "From 16 the young person decides alone about their own health care, and so about "
        "sharing what the health service knows (pasient- og brukerrettighetsloven § 4-3). The "
        "guardians are not asked."
    ),
    ConfidentialityDomain.SPECIALIST_HEALTH: gettext_lazy(
        "As for the health and care services: from 16 the young person decides alone "
        "(pasient- og brukerrettighetsloven § 4-3)."
    ),
    ConfidentialityDomain.CHILD_WELFARE: gettext_lazy(
        "From 15 the young person is a party in their own child welfare case, beside the "
        "guardians, and both consent (barnevernsloven § 12-3)."
    ),
    "": gettext_lazy(
        "Elsewhere every guardian with parental responsibility consents until the child is "
        "of age. The organisation may let young people consent themselves from an age it "
        "chooses."
    ),
}


@dataclass(frozen=True)
class LawRow:
    service: str
    givers: str
    young_person_age: int | None
    child_heard_from_age: int | None
    explanation: str


def law_rows() -> list[LawRow]:
    rows = []
    for domain in [*consent_reads.STATUTORY_RULES, ""]:
        givers, age, heard = consent_reads.law_for(domain)
        rows.append(
            LawRow(
                service=(
                    str(ConfidentialityDomain(domain).label) if domain else _("Every other service")
                ),
                givers=str(ConsentRule.Givers(givers).label),
                young_person_age=None if givers == ConsentRule.Givers.ALL_GUARDIANS else age,
                child_heard_from_age=heard,
                explanation=str(LAW_EXPLANATIONS[domain]),
            )
        )
    return rows


def consent_rules(organisation: Organisation) -> list[ConsentRule]:
    return list(ConsentRule.objects.filter(organisation=organisation).order_by("purpose", "domain"))


# --- Retention ---------------------------------------------------------------------------

# What each retention category holds, as administrators read it.
CATEGORY_LABELS: dict[str, Promise] = {
    "anonymous_consultation": gettext_lazy("Anonymous consultations"),
    "inactive_person": gettext_lazy("Persons no service has worked with for a long time"),
    "ended_consent": gettext_lazy("Consents that have ended"),
    "ended_exceptional_access": gettext_lazy("Break-glass accesses that have ended"),
    "ended_assignment": gettext_lazy("Ended need-to-know assignments"),
    "closed_help_request": gettext_lazy("Requests for help that never became a case"),
    "closed_case": gettext_lazy("Closed cases"),
}


def category_label(name: str) -> str:
    label = CATEGORY_LABELS.get(name)
    if label is not None:
        return str(label)
    category = retention.CATEGORIES[name]
    return str(category.model._meta.verbose_name_plural).capitalize()


@dataclass(frozen=True)
class RetentionLine:
    unit_kind: str
    period_days: int
    outcome: str
    legal_reference: str
    rule_id: int


@dataclass
class RetentionRow:
    category: str
    label: str
    defaults: list[RetentionLine]
    own: list[RetentionLine]


def _line(rule: RetentionRule) -> RetentionLine:
    kinds = dict(ServiceUnit.Kind.choices)
    kind = str(kinds.get(rule.unit_kind, rule.unit_kind)) if rule.unit_kind else _("Every kind")
    return RetentionLine(
        kind, rule.period_days, rule.get_outcome_display(), rule.legal_reference, rule.pk
    )


def retention_rows(organisation: Organisation | None) -> list[RetentionRow]:
    """Each category: the instance's default rules and the organisation's own."""
    rows = {name: RetentionRow(name, category_label(name), [], []) for name in retention.CATEGORIES}
    rules = RetentionRule.objects.filter(organisation__isnull=True)
    if organisation is not None:
        rules = RetentionRule.objects.filter(organisation__in=[organisation]) | rules
    for rule in rules.order_by("category", "unit_kind"):
        row = rows.get(rule.category)
        if row is None:
            continue
        (row.defaults if rule.organisation_id is None else row.own).append(_line(rule))
    return list(rows.values())
