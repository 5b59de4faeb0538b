"""The demo's referrals: what BUP Hamar, PPT and Familiehjelpa take, and Emma's referral from
Familiehjelpa to BUP Hamar (sent) with a draft to PPT, so every referral page has something
to show. Made through the part's own actions; a second run creates nothing."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from familiebro.cases.models import Case
from familiebro.core.models import ServiceUnit, User
from familiebro.privacy.consent_services import record_consent
from familiebro.privacy.models import Consent, DataCategory, Purpose

from . import services
from .models import Capacity, Intake, Referral, ReferralKind

STANGE = "Stange kommune"

KINDS = (
    (
        "BUP Hamar",
        ReferralKind.Topic.BUP_ASSESSMENT,
        "Utredning i BUP",
        ["family_view", "child_view", "urgency"],
        "Hvor lenge har vanskene vart?",
    ),
    (
        "PP-tjenesten i Stange",
        ReferralKind.Topic.PPT_EXPERT_ASSESSMENT,
        "Sakkyndig vurdering",
        ["day_care_or_school", "family_view"],
        "Hva har barnehagen prøvd av tilrettelegging?",
    ),
    ("Familiehjelpa", ReferralKind.Topic.LOW_THRESHOLD, "Familiehjelp", ["family_view"], ""),
)


def load_demo_referrals() -> int:
    """Create the demo's referral kinds and referrals that are missing; how many referrals
    were created. A second run costs one query: Emma's referral is made last, with the rest."""
    emma = Q(case__child__given_name="Emma", case__child__family_name="Haugen")
    if Referral.objects.filter(emma).exists():
        return 0
    units: dict[str, ServiceUnit] = {}
    for unit in ServiceUnit.objects.filter(
        Q(name="BUP Hamar") | Q(name__in=[n for n, *_rest in KINDS], organisation__name=STANGE)
    ).order_by("pk"):
        units.setdefault(unit.name, unit)
    case = (
        Case.objects.filter(child__given_name="Emma", child__family_name="Haugen")
        .select_related("unit", "coordinator")
        .first()
    )
    if len(units) < len(KINDS) or case is None or case.coordinator is None:
        return 0
    kinds = {}
    for unit_name, topic, name, fields, questions in KINDS:
        # What a unit takes is no personal data: set as its administrator would.
        kinds[unit_name], _created = ReferralKind.objects.get_or_create(
            unit=units[unit_name],
            name=name,
            defaults={"topic": topic, "required_fields": fields, "questions": questions},
        )
    Intake.objects.get_or_create(
        unit=units["BUP Hamar"],
        defaults={
            "capacity": Capacity.WAITING_LIST,
            "note": "Ventetid på om lag åtte uker.",
            "changed_at": timezone.now(),
            "changed_by": case.coordinator,
        },
    )
    if Referral.objects.filter(case=case).exists():
        return 0
    coordinator: User = case.coordinator
    to_bup = services.start_draft(coordinator, to_kind_id=kinds["BUP Hamar"].pk, case=case)
    services.save_draft(
        coordinator,
        to_bup.pk,
        services.DraftFields(
            question="Kan BUP utrede om Emmas søvnvansker og uro henger sammen med angst?",
            assessment=(
                "Emma har sovet dårlig i et halvt år og er urolig i barnehagen. Foreldrene er "
                "slitne, og samtalene har ikke hjulpet nok."
            ),
            tried="Foreldreveiledning hos Familiehjelpa og samtaler med helsesykepleier.",
            answers={
                "field:family_view": "Foreldrene ønsker utredning og vil delta.",
                "field:child_view": "Emma sier hun er redd om kvelden.",
                "field:urgency": "Ikke akutt, men søvnen blir verre.",
                "question:1": "Om lag seks måneder.",
            },
        ),
    )
    # The parents consented orally in the meeting: recorded as the consent to referral it is,
    # naming BUP Hamar, which the referral is then sent on.
    parents = [
        relation.guardian
        for relation in case.child.guardians_rel.filter(
            has_parental_responsibility=True
        ).select_related("guardian")
    ]
    record_consent(
        coordinator,
        case.child,
        purpose=Purpose.REFERRAL,
        givers=parents,
        recipient_units=[units["BUP Hamar"]],
        scope=[DataCategory.LOG_ENTRIES],
        channel=Consent.Channel.ORAL,
        valid_to=timezone.now() + datetime.timedelta(days=180),
        witness="Muntlig samtykke fra begge foreldrene i møtet 3. mars",
        domain=to_bup.from_unit.domain,
        child_view="Emma vil gjerne få hjelp til å sove bedre.",
    )
    services.send(coordinator, to_bup.pk)
    services.start_draft(coordinator, to_kind_id=kinds["PP-tjenesten i Stange"].pk, case=case)
    return 2
