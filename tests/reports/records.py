"""Raw records with known timestamps for the figures' tests: requests for help, cases,
decisions, meetings and individual plans written straight to the tables, as years of work
would have left them. Names are made up.

The known data set (`stange`) is the team Familiehjelpa in Stange in March 2026, read on
15 April 2026; the expected numbers are worked out by hand in the tests beside each figure.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from familiebro.cases.models import (
    Case,
    Decision,
    HelpRequest,
    IndividualPlan,
    Meeting,
    Participant,
    PathwayDefinition,
)
from familiebro.core.models import Membership, Organisation, ServiceUnit, User
from tests import factories
from tests.privacy import factories as make

_references = itertools.count(1)

NOW = timezone.make_aware(datetime.datetime(2026, 4, 15, 12, 0))


def at(day: str, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment in Norwegian time: "2026-03-02" at 09:00."""
    date = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, minute)))


def days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def later(moment: datetime.datetime, n: float) -> datetime.datetime:
    """`n` days of elapsed time after `moment` (across the change to summer time, 20 days
    after 09:00 is 10:00 on the clock)."""
    return (moment.astimezone(datetime.UTC) + days(n)).astimezone(moment.tzinfo)


def request(
    unit: ServiceUnit,
    received_at: datetime.datetime,
    *,
    channel: str = HelpRequest.Channel.WEB,
    role: str = HelpRequest.RequesterRole.PARENT,
    contact_after: float | None = None,
) -> HelpRequest:
    return HelpRequest.objects.create(
        reference=f"FB-TALL-{next(_references):05d}",
        organisation=unit.organisation,
        unit=unit,
        channel=channel,
        requester_role=role,
        requester_name="Forelder Testesen",
        received_at=received_at,
        first_contact_due_at=later(received_at, unit.first_contact_days),
        first_contacted_at=None if contact_after is None else later(received_at, contact_after),
    )


def case(
    unit: ServiceUnit,
    opened_at: datetime.datetime,
    staff: User,
    *,
    origin: str = Case.Origin.HELP_REQUEST,
    help_request: HelpRequest | None = None,
    phase: str = "level0",
    closed_at: datetime.datetime | None = None,
    coordinator: User | None = None,
) -> Case:
    version = PathwayDefinition.objects.get(key="bti").versions.get(number=1)
    return Case.objects.create(
        reference=f"FB-SAK-{next(_references):05d}",
        organisation=unit.organisation,
        unit=unit,
        child=factories.PersonFactory(organisation=unit.organisation),
        pathway_version=version,
        phase=phase,
        status=Case.Status.CLOSED if closed_at else Case.Status.OPEN,
        origin=origin,
        help_request=help_request,
        received_at=help_request.received_at if help_request else opened_at,
        opened_at=opened_at,
        opened_by=staff,
        coordinator=coordinator,
        closed_at=closed_at,
    )


def decision(case: Case, at_: datetime.datetime, phase: str, to_phase: str, staff: User) -> None:
    Decision.objects.create(
        case=case,
        organisation=case.organisation,
        phase=phase,
        option="test",
        to_phase=to_phase,
        reason="Avklart i møte.",
        decided_by=staff,
        decided_at=at_,
    )


def meeting(
    case: Case, starts_at: datetime.datetime, staff: User, *, cancelled: bool = False
) -> Meeting:
    return Meeting.objects.create(
        case=case,
        organisation=case.organisation,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        place="Familiens hus",
        created_by=staff,
        created_at=starts_at - days(3),
        cancelled_at=starts_at - days(1) if cancelled else None,
    )


def take_part(
    case: Case,
    unit: ServiceUnit,
    added_at: datetime.datetime,
    staff: User,
    ended_at: datetime.datetime | None = None,
) -> Participant:
    """Another unit takes part in the case (under the family's consent, in real life)."""
    return Participant.objects.create(
        case=case,
        organisation=case.organisation,
        unit=unit,
        added_by=staff,
        added_at=added_at,
        ended_at=ended_at,
    )


def plan(
    case: Case,
    created_at: datetime.datetime,
    staff: User,
    ended_at: datetime.datetime | None = None,
) -> IndividualPlan:
    return IndividualPlan.objects.create(
        case=case,
        organisation=case.organisation,
        unit=case.unit,
        created_by=staff,
        created_at=created_at,
        ended_at=ended_at,
    )


@dataclass
class Stange:
    organisation: Organisation
    team: ServiceUnit  # Familiehjelpa
    health_centre: ServiceUnit
    team_leader: User
    nurse_leader: User
    therapist: User
    nav: ServiceUnit  # another organisation's
    child_welfare: ServiceUnit  # an inter-municipal service's
    cases: dict[str, Case] = field(default_factory=dict)


# The requests to the team in March 2026: channel, who asked, day received, days to the first
# contact (None: none yet), days from the request to the first meeting (None: none held).
P, Y, PRO = "parent", "young_person", "professional"
MARCH: list[tuple[str, str, Any, float | None, float | None]] = [
    ("web", P, at("2026-03-02"), 1, 8),
    ("web", P, at("2026-03-03"), 2, 10),
    ("web", P, at("2026-03-04"), 3, 12),
    ("web", Y, at("2026-03-05"), 1, None),
    ("web", Y, at("2026-03-06"), 2, None),
    ("web", PRO, at("2026-03-09"), 9, 20),  # first contact late (7 days)
    ("phone", P, at("2026-03-10"), 0.5, 5),
    ("phone", P, at("2026-03-11"), 1, None),
    ("phone", P, at("2026-03-12"), 4, None),
    ("phone", PRO, at("2026-03-13"), 8, None),  # late
    ("phone", P, at("2026-03-16"), None, None),  # never contacted: overdue
    ("gp", PRO, at("2026-03-17"), 2, None),
    ("gp", P, at("2026-03-18"), 3, None),
    ("letter", P, at("2026-03-31", 23, 30), 1, None),  # the period's last half hour
]


def stange() -> Stange:
    organisation = factories.OrganisationFactory(name="Stange kommune")
    team = factories.ServiceUnitFactory(
        organisation=organisation, name="Familiehjelpa", kind=ServiceUnit.Kind.LOW_THRESHOLD_TEAM
    )
    health_centre = factories.ServiceUnitFactory(
        organisation=organisation, name="Helsestasjonen i Stange"
    )
    town = Stange(
        organisation=organisation,
        team=team,
        health_centre=health_centre,
        nav=factories.ServiceUnitFactory(
            organisation=make.organisation(name="NAV", kind="state_service"),
            name="NAV Stange",
            kind=ServiceUnit.Kind.NAV,
        ),
        child_welfare=factories.ServiceUnitFactory(
            organisation=make.organisation(
                name="Hamar og Stange barnevern", kind="inter_municipal"
            ),
            name="Barneverntjenesten",
            kind=ServiceUnit.Kind.CHILD_WELFARE,
        ),
        team_leader=make.member(team, Membership.Role.LEADER, first_name="Tone"),
        nurse_leader=make.member(health_centre, Membership.Role.LEADER, first_name="Lise"),
        therapist=make.member(team, first_name="Tor"),
    )
    staff = town.therapist
    made = []
    for channel, role, received, contact, _first_meeting in MARCH:
        made.append(request(team, received, channel=channel, role=role, contact_after=contact))
    # Outside the period: the first moment of April, and one in February (the period before).
    request(team, at("2026-04-01", 0, 0))
    request(team, at("2026-02-10"), contact_after=1)
    # The health centre's own requests: in the organisation's figures, never in the team's.
    request(health_centre, at("2026-03-05"), contact_after=1)
    request(health_centre, at("2026-03-06"), contact_after=1)

    # Cases from requests 1, 2, 3, 6 and 7, opened at the first contact, with their meetings.
    for number in (1, 2, 3, 6, 7):
        _channel, _role, received, contact, first_meeting = MARCH[number - 1]
        assert contact is not None and first_meeting is not None
        town.cases[f"r{number}"] = made_case = case(
            team, later(received, contact), staff, help_request=made[number - 1]
        )
        meeting(made_case, later(received, first_meeting), staff)
    # A cancelled meeting before the first held one does not count; nor does one still ahead.
    meeting(town.cases["r1"], later(MARCH[0][2], 3), staff, cancelled=True)
    town.cases["r4"] = case(team, later(MARCH[3][2], 1), staff, help_request=made[3])
    meeting(town.cases["r4"], NOW + days(2), staff)
    # r4's only meeting is still ahead, and the case closed the day it opened.
    Case.objects.filter(pk=town.cases["r4"].pk).update(
        status=Case.Status.CLOSED, closed_at=later(MARCH[3][2], 1.5)
    )
    town.cases["concern"] = case(team, at("2026-03-20"), staff, origin=Case.Origin.STAFF_CONCERN)
    town.cases["february"] = case(team, at("2026-02-10"), staff, origin=Case.Origin.PARENT_CONCERN)

    # Phases: r1 moved to level 1 in March; r2 moved to level 2 only in April (level 0 at the
    # end of March); r6 moved to level 1 and on to level 2 in March.
    decision(town.cases["r1"], at("2026-03-15"), "level0", "level1", staff)
    decision(town.cases["r2"], at("2026-04-03"), "level0", "level2", staff)
    decision(town.cases["r6"], at("2026-03-20"), "level0", "level1", staff)
    decision(town.cases["r6"], at("2026-03-28"), "level1", "level2", staff)
    Case.objects.filter(pk=town.cases["r1"].pk).update(phase="level1")
    Case.objects.filter(pk=town.cases["r2"].pk).update(phase="level2")
    Case.objects.filter(pk=town.cases["r6"].pk).update(phase="level2")
    # r7 closed in March; r3 closed in April, so still open at the end of March.
    Case.objects.filter(pk=town.cases["r7"].pk).update(
        status=Case.Status.CLOSED, closed_at=at("2026-03-25"), close_reason="goal_reached"
    )
    Case.objects.filter(pk=town.cases["r3"].pk).update(
        status=Case.Status.CLOSED, closed_at=at("2026-04-05"), close_reason="family_withdrew"
    )
    Case.objects.filter(pk=town.cases["r4"].pk).update(close_reason="resolved_first_contact")

    # Other services: NAV and child welfare in r1, child welfare in r6; NAV took part in
    # February's case until 20 February only.
    take_part(town.cases["r1"], town.nav, at("2026-03-12"), staff)
    take_part(town.cases["r1"], town.child_welfare, at("2026-03-14"), staff)
    take_part(town.cases["r6"], town.child_welfare, at("2026-03-21"), staff)
    take_part(town.cases["february"], town.nav, at("2026-02-12"), staff, at("2026-02-20"))
    # The team itself taking part in its own case is no other service.
    take_part(town.cases["r2"], team, at("2026-03-05"), staff)

    # Individual plans: r1's with a coordinator, r6's without, February's ended in March.
    Case.objects.filter(pk=town.cases["r1"].pk).update(coordinator=staff)
    plan(town.cases["r1"], at("2026-03-20"), staff)
    plan(town.cases["r6"], at("2026-03-22"), staff)
    plan(town.cases["february"], at("2026-02-15"), staff, ended_at=at("2026-03-10"))
    return town
