"""A municipality with the services a family meets, and a family with a case, for case tests.

Names are made up. Everything is made through the product's own services, so the need to
know, the audit trail and the deadlines are what a real case would have.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from familiebro.cases import case_services
from familiebro.cases.models import Case, PathwayDefinition
from familiebro.core.models import Membership, Organisation, Person, ServiceUnit, User
from familiebro.privacy.models import Consent, Purpose
from tests import factories
from tests.privacy import factories as make
from tests.privacy.factories_consent import family


@dataclass
class Municipality:
    organisation: Organisation
    kindergarten: ServiceUnit
    health_centre: ServiceUnit
    team: ServiceUnit  # a low-threshold team (Familiehjelpa)
    teacher: User  # kindergarten teacher
    educator: User  # the kindergarten's special educator, a colleague of the teacher
    nurse: User  # public health nurse
    nurse_leader: User
    therapist: User  # in the team
    team_leader: User
    bup: ServiceUnit  # another organisation: the health trust's BUP
    psychiatrist: User


def municipality() -> Municipality:
    organisation = factories.OrganisationFactory(name="Stange kommune")
    kindergarten = factories.ServiceUnitFactory(
        organisation=organisation, name="Tangen barnehage", kind=ServiceUnit.Kind.KINDERGARTEN
    )
    health_centre = factories.ServiceUnitFactory(
        organisation=organisation, name="Helsestasjonen i Stange", phone="+4762562000"
    )
    team = factories.ServiceUnitFactory(
        organisation=organisation, name="Familiehjelpa", kind=ServiceUnit.Kind.LOW_THRESHOLD_TEAM
    )
    trust = make.organisation(name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST)
    bup = factories.ServiceUnitFactory(organisation=trust, name="BUP Hamar", kind="bup")
    return Municipality(
        organisation=organisation,
        kindergarten=kindergarten,
        health_centre=health_centre,
        team=team,
        teacher=make.member(
            kindergarten, first_name="Siri", last_name="Barnehagelærer", email="siri@example.no"
        ),
        educator=make.member(kindergarten, first_name="Pia", last_name="Spesialpedagog"),
        nurse=make.member(
            health_centre, first_name="Hanne", last_name="Helsesykepleier", email="hanne@example.no"
        ),
        nurse_leader=make.member(
            health_centre, Membership.Role.LEADER, first_name="Lise", last_name="Leder"
        ),
        therapist=make.member(team, first_name="Tor", last_name="Terapeut"),
        team_leader=make.member(
            team, Membership.Role.LEADER, first_name="Tone", last_name="Teamleder"
        ),
        bup=bup,
        psychiatrist=make.member(bup, first_name="Berit", last_name="Psykiater"),
    )


def child_of(staff: User) -> Person:
    """A child with two guardians and a step-parent, registered by `staff`."""
    return family(staff).child


def open_concern(
    staff: User,
    unit: ServiceUnit,
    *,
    child: Person | None = None,
    pathway: str = "bti",
    concern: str = "Trekker seg unna i lek og virker lei seg.",
    **fields: Any,
) -> Case:
    child = child or child_of(staff)
    version = PathwayDefinition.objects.get(key=pathway).versions.get(number=1)
    return case_services.open_case(
        staff,
        child=child,
        unit=unit,
        origin=Case.Origin.STAFF_CONCERN,
        concern=concern,
        pathway=version,
        **fields,
    )


def coordination_consent(
    case: Case,
    unit: ServiceUnit,
    *,
    scope: tuple[str, ...] = ("measures_and_plans", "log_entries", "meeting_minutes"),
    **fields: Any,
) -> Consent:
    guardian = case.child.guardians_rel.filter(has_parental_responsibility=True).first().guardian
    return make.consent(
        case.child,
        purpose=Purpose.COORDINATION,
        scope=scope,
        recipient_units=[unit],
        giver=guardian,
        **fields,
    )


def plan_consent(case: Case, *units: ServiceUnit) -> Consent:
    """The family's consent to the case's individual plan, naming `units` (the case's own
    unit when none): what plans.services.start_plan needs."""
    guardian = case.child.guardians_rel.filter(has_parental_responsibility=True).first().guardian
    return make.consent(
        case.child,
        purpose=Purpose.COORDINATION,
        scope=("measures_and_plans",),
        recipient_units=list(units) or [case.unit],
        giver=guardian,
    )


def start_plan(
    staff: Any,
    case: Case,
    members: list[int],
    *units: ServiceUnit,
    consent: Consent | None = None,
) -> Any:
    """Start the case's plan with `members`, under `consent` or a new consent to the plan."""
    from familiebro.cases.plans import services as plan_services

    consent = consent or plan_consent(case, *units)
    return plan_services.start_plan(staff, case, members, consent.pk)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
