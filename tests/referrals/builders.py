"""A municipality whose health centre refers a child to BUP in a health trust, for the
referral tests. Everything is made through the product's own actions, so the policy, the
audit trail and the case's log are what a real referral leaves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from familiebro.cases.models import Case
from familiebro.core.models import Membership, Person, ServiceUnit, User
from familiebro.privacy.models import Consent, Purpose
from familiebro.referrals import intake_services, services
from familiebro.referrals.models import Ground, Referral, ReferralKind
from tests.cases.builders import Municipality, municipality, open_concern
from tests.privacy import factories as make

QUESTION = "Kan BUP utrede om Åse har en angstlidelse, og gi råd til barnehagen?"
ASSESSMENT = "Åse har i et halvt år vært redd for å skilles fra mor og sover dårlig."
TRIED = "Samtaler på helsestasjonen og foreldreveiledning (ICDP) i høst, uten bedring."


@dataclass
class World:
    town: Municipality
    case: Case
    child: Person
    mother: Person
    bup_kind: ReferralKind
    bup_admin: User
    outsider: User  # staff of a third organisation


def world() -> World:
    town = municipality()
    make.ensure_consent_texts()
    case = open_concern(town.nurse, town.health_centre)
    # The nurse coordinates the case: she hears of every change.
    Case.objects.filter(pk=case.pk).update(coordinator=town.nurse)
    case.refresh_from_db()
    child = case.child
    mother = child.guardians_rel.filter(has_parental_responsibility=True).first().guardian
    bup_admin = make.member(town.bup, Membership.Role.UNIT_ADMIN)
    kind = intake_services.save_kind(
        bup_admin,
        town.bup,
        topic=ReferralKind.Topic.BUP_ASSESSMENT,
        name="Utredning i BUP",
        required_fields=["family_view"],
        questions="Hvor lenge har vanskene vart?",
    )
    outsider = make.member(make.unit(name="Tredje tjeneste"))
    return World(town, case, child, mother, kind, bup_admin, outsider)


def referral_consent(
    w: World, *, scope: tuple[str, ...] = ("log_entries",), **fields: Any
) -> Consent:
    return make.consent(
        w.child,
        purpose=Purpose.REFERRAL,
        scope=scope,
        recipient_units=[w.town.bup],
        giver=w.mother,
        **fields,
    )


def complete_fields(**changes: Any) -> services.DraftFields:
    values: dict[str, Any] = {
        "question": QUESTION,
        "assessment": ASSESSMENT,
        "tried": TRIED,
        "answers": {
            "field:family_view": "Mor ønsker utredning og er bekymret for vinteren.",
            "question:1": "Siden i vår, om lag seks måneder.",
        },
    }
    values.update(changes)
    return services.DraftFields(**values)


def draft(w: World, *, kind: str = Referral.Kind.REFERRAL, **changes: Any) -> Referral:
    referral = services.start_draft(w.town.nurse, to_kind_id=w.bup_kind.pk, kind=kind, case=w.case)
    return services.save_draft(w.town.nurse, referral.pk, complete_fields(**changes))


def sent(w: World, **changes: Any) -> Referral:
    referral_consent(w)
    referral = draft(w, **changes)
    return services.send(w.town.nurse, referral.pk)


def unit(w: World) -> ServiceUnit:
    return w.town.bup


def team_kind(w: World) -> ReferralKind:
    """A kind of referral the municipality's low-threshold team takes: the same organisation
    and duty of confidentiality as the health centre, so a case's coordination can go there."""
    return intake_services.save_kind(
        w.town.team_leader,
        w.town.team,
        topic=ReferralKind.Topic.LOW_THRESHOLD,
        name="Familiehjelp",
        required_fields=[],
        questions="",
    )


def referral_sent_by(nurse: User, case: Case, to_unit: ServiceUnit) -> Referral:
    """A referral of the case's child written by `nurse` and sent to `to_unit` by her unit's
    leader on a recorded legal ground (only a leader sends without consent), for the tests of
    other parts that need one of every record."""
    _kind, referral = referral_draft(nurse, case, to_unit)
    leader = User.objects.filter(
        memberships__unit_id=referral.from_unit_id,
        memberships__role=Membership.Role.LEADER,
        is_active=True,
    ).first() or make.member(referral.from_unit, Membership.Role.LEADER)
    return services.send(
        leader,
        referral.pk,
        ground=Ground.LEGAL_PROVISION,
        legal_basis="Pasient- og brukerrettighetsloven § 4-1",
    )


def referral_draft(nurse: User, case: Case, to_unit: ServiceUnit) -> tuple[ReferralKind, Referral]:
    """A kind of referral `to_unit` takes, and a draft to it with every mark of a good
    referral, for the tests of other parts that post to every page."""
    kind, _created = ReferralKind.objects.get_or_create(
        unit=to_unit,
        name="Utredning",
        defaults={"topic": ReferralKind.Topic.OTHER},
    )
    referral = services.start_draft(nurse, to_kind_id=kind.pk, case=case)
    return kind, services.save_draft(nurse, referral.pk, complete_fields(answers={}))
