"""Synthetic cases for the benchmarks: the collaboration pathway at its real size.

Every case is what `familiebro.cases.case_services.open_case` and the later steps leave
behind: the case of one child, owned by a unit of the child's municipality, on a shipped
pathway version (BTI, Kvalitet i alle ledd, Familiehjelpa), with the need-to-know rows the
product gives (the owning unit and the coordinator assigned to the child and to the
guardians with parental responsibility), its participants, decisions, milestones, goals,
measures, meetings, deadlines, individual plans and the shared log.

Proportions: about 85 % of the cases are closed and 15 % open; shared logs follow a heavy
tail (most cases have 5–30 entries, a few hundreds), 20 per case on average (national:
250,000 cases and 5 million entries). Open cases have their open deadlines. Low-threshold
teams own Familiehjelpa cases, some waiting in the "allocation" phase, and have requests for
help: new ones waiting for first contact, and older ones converted or closed.

The bench user `bench.ansatt` coordinates 40 open cases (one with 240 log entries and
everything else a case page shows), takes part in 15 more and works in the low-threshold team
of the largest municipality, whose allocation view has cases and requests waiting.

Dates count back from the day of generation, so open deadlines are due around the run.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bench.common import BENCH_USERNAME, FAMILY_NAMES, GIVEN_NAMES, RowWriter
from bench.scales import Scale
from familiebro.cases.deadlines import rules as case_deadlines
from familiebro.cases.models import (
    Case,
    Deadline,
    Decision,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Measure,
    Meeting,
    Milestone,
    Participant,
    PathwayDefinition,
    PathwayVersion,
)
from familiebro.cases.pathway_library import install_shipped
from familiebro.cases.references import CASE_PREFIX, REFERENCE_ALPHABET, REQUEST_PREFIX
from familiebro.core.models import GuardianRelation, Membership, Person, ServiceUnit, User
from familiebro.persons import services as person_services
from familiebro.privacy.models import Assignment

OPEN_SHARE = 0.15
# Which units own cases, and how many of them.
OWNER_WEIGHTS = {
    ServiceUnit.Kind.HEALTH_CENTRE: 25,
    ServiceUnit.Kind.KINDERGARTEN: 20,
    ServiceUnit.Kind.SCHOOL: 20,
    ServiceUnit.Kind.LOW_THRESHOLD_TEAM: 20,
    ServiceUnit.Kind.PPT: 10,
    ServiceUnit.Kind.CHILD_WELFARE: 5,
}
# Health centres and PPT follow some children on the mental health pathway with the
# specialist service; the team works on Familiehjelpa; everyone else on BTI.
MENTAL_HEALTH_SHARE = 0.25
MENTAL_HEALTH_KINDS = {ServiceUnit.Kind.HEALTH_CENTRE, ServiceUnit.Kind.PPT}
# Where open cases are: early phases are most common; "allocation" waits a week at most.
OPEN_PHASE_WEIGHTS = {
    "level0": 50, "level1": 30, "level2": 15, "level3": 5,
    "concern": 40, "referral": 15, "diagnosis": 15, "treatment": 20, "follow_up": 10,
    "request": 20, "first_meeting": 25, "allocation": 5, "help": 50,
}  # fmt: skip
HELP_REQUEST_ORIGIN_SHARE = 0.6  # of the team's cases
EXTRA_PARTICIPANT_SHARE = 0.35
HANDOVER_SHARE = 0.05
GOALS_SHARE = 0.7
MEETING_SHARE = 0.3
PLAN_SHARE = 0.1  # of open cases from the third phase on
INTERNAL_SHARE = 0.05
CORRECTION_SHARE = 0.01
# Shared logs: most cases 5–30 entries, a tail of hundreds (mean about 20 overall).
LOG_TAIL_SHARE = 0.03
LOG_TAIL_CAP = 1000
# Requests for help waiting for first contact: about two weeks' worth of a team's intake
# (its cases over five years), closed ones without a case: 0.7 per converted one.
NEW_REQUESTS_PER_TEAM_CASE = 2 / (5 * 52)
CLOSED_REQUESTS_PER_CONVERTED = 0.7
FIRST_CONTACT_DAYS = 3
# The bench user's cases.
BENCH_COORDINATED = 40
BENCH_PARTICIPATING = 15
BENCH_ALLOCATION_CASES = 10
BENCH_NEW_REQUESTS = 10
BENCH_LONG_LOG = 240

LOG_TEXTS = {
    LogEntry.Kind.CONCERN: (
        "Barnet virker slitent og trist i barnehagen, og foreldrene er bekymret for søvnen.",
        "Læreren har sett at eleven trekker seg unna de andre og ofte er borte fra skolen.",
        "Foreldrene tok kontakt fordi det er mye sinne og konflikter hjemme om kveldene.",
    ),
    LogEntry.Kind.NOTE: (
        "Samtale med mor på telefon. Det går litt bedre med leggetiden denne uka.",
        "Far forteller at barnet har begynt å glede seg til barnehagen igjen.",
        "Kort samtale med kontaktlærer: eleven har vært på skolen hele uka.",
        "Foreldrene ønsker å ta opp samarbeidet med skolen på neste møte.",
        "Helsesykepleier har snakket med barnet alene. Barnet sier det er fint hjemme.",
    ),
    LogEntry.Kind.AGREEMENT: (
        "Vi avtalte at foreldrene prøver faste rutiner ved leggetid i tre uker.",
        "Avtalt at PPT observerer i barnehagen før neste møte.",
    ),
    LogEntry.Kind.DECISION: ("Beslutning på nivå: tiltakene fortsetter i egen tjeneste.",),
    LogEntry.Kind.GOAL: ("Nytt mål: «Vi vil ha roligere morgener før skolen.»",),
    LogEntry.Kind.MEASURE: ("Nytt tiltak: foreldreveiledning hver andre uke hos familieteamet.",),
    LogEntry.Kind.EVALUATION: ("Evaluering: tiltaket virker, og vi fortsetter til sommeren.",),
    LogEntry.Kind.MINUTES: ("Referat fra familiemøtet er godkjent og lagt i saken.",),
    LogEntry.Kind.COORDINATOR: ("Koordinatorrollen er overtatt etter avtale med familien.",),
    LogEntry.Kind.MILESTONE: ("Første kontakt med familien er gjennomført.",),
    LogEntry.Kind.CLOSING: (
        "Saken avsluttes: familien opplever at hverdagen fungerer, og målet er nådd.",
        "Saken avsluttes etter avtale med foreldrene. De vet hvor de kan ta kontakt igjen.",
    ),
}
MIDDLE_KINDS = (
    (LogEntry.Kind.NOTE, 60), (LogEntry.Kind.AGREEMENT, 12), (LogEntry.Kind.DECISION, 5),
    (LogEntry.Kind.GOAL, 5), (LogEntry.Kind.MEASURE, 6), (LogEntry.Kind.EVALUATION, 5),
    (LogEntry.Kind.MINUTES, 4), (LogEntry.Kind.COORDINATOR, 1), (LogEntry.Kind.MILESTONE, 2),
)  # fmt: skip
GOAL_TEXTS = (
    "Vi vil ha roligere morgener før skolen.",
    "Barnet skal sove hele natten de fleste dager.",
    "Vi vil krangle mindre foran barna.",
    "Eleven skal være på skolen hver dag.",
    "Barnet skal ha en venn å leke med i barnehagen.",
)
MEASURE_TITLES = (
    "Foreldreveiledning (ICDP)", "Samtaler med helsesykepleier", "Observasjon i barnehagen",
    "Tilrettelegging i klassen", "Søvnveiledning", "Fritidskontakt", "Samtalegruppe for barn",
)  # fmt: skip
MEETING_PLACES = ("Familiens hus", "Helsestasjonen, møterom 2", "Skolen, møterom 1")
REQUEST_MESSAGES = (
    "Vi trenger hjelp med sinne og grensesetting hjemme.",
    "Sønnen vår sover dårlig og er sliten på skolen. Hvem kan vi snakke med?",
    "Vi har gått fra hverandre og trenger hjelp til å samarbeide om barna.",
    "Jeg er bekymret for datteren min, hun vil ikke gå på skolen.",
)


@dataclass
class Organisation:
    pk: int
    units: dict[str, list[int]]  # kind -> unit ids
    members: dict[int, list[int]]  # unit id -> user ids
    children: list[int]
    next_child: int = 0
    team_cases: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    converted: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _staffed_units: list[int] | None = None

    def child(self) -> int:
        # Through the shuffled children; round again (a second case) only at the tiny scale.
        child = self.children[self.next_child % len(self.children)]
        self.next_child += 1
        return child

    def staff(self) -> list[int]:
        return [user for users in self.members.values() for user in users]

    def staffed_units(self) -> list[int]:
        if self._staffed_units is None:
            self._staffed_units = [unit for unit, users in self.members.items() if users]
        return self._staffed_units


def _code(prefix: str, number: int) -> str:
    """A unique reference from a running number, in the product's alphabet and shape."""
    chars = []
    base = len(REFERENCE_ALPHABET)
    # Spread consecutive numbers over the alphabet (an odd multiplier is a bijection).
    number = (number * 7**11) % base**8
    for _position in range(8):
        number, digit = divmod(number, base)
        chars.append(REFERENCE_ALPHABET[digit])
    return f"{prefix}-{''.join(chars[:4])}-{''.join(chars[4:])}"


class CaseGenerator:
    def __init__(self, writer: RowWriter, rng: random.Random, now: datetime.datetime) -> None:
        self.writer = writer
        self.rng = rng
        self.now = now
        # The newest version of each shipped definition (install_shipped seeds them all).
        newest = (
            PathwayVersion.objects.filter(definition=definition)
            .select_related("definition")
            .order_by("-number")
            .first()
            for definition in PathwayDefinition.objects.all()
        )
        self.versions = {
            version.definition.key: version for version in newest if version is not None
        }
        self.guardians: dict[int, list[int]] = defaultdict(list)
        for child_id, guardian_id in GuardianRelation.objects.filter(
            has_parental_responsibility=True
        ).values_list("child_id", "guardian_id"):
            self.guardians[child_id].append(guardian_id)
        self.reasons = {
            "unit": person_services.CASE_OWNING_UNIT_REASON,
            "coordinator": person_services.CASE_COORDINATOR_REASON,
            "participant": person_services.CASE_PARTICIPANT_REASON,
        }
        self.roles = {"unit": _("Owning unit"), "coordinator": _("Coordinator")}
        self.cases = 0
        self.requests = 0

    # Helpers -------------------------------------------------------------------------------

    def _between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        seconds = max(0.0, (end - start).total_seconds())
        return start + datetime.timedelta(seconds=self.rng.random() * seconds)

    def _days_ago(self, low: float, high: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(low, high))

    def _log_count(self) -> int:
        if self.rng.random() < LOG_TAIL_SHARE:
            return min(LOG_TAIL_CAP, 30 + int(25 * self.rng.paretovariate(1.6)))
        return self.rng.randint(5, 30)

    def _version_for(self, kind: str) -> PathwayVersion:
        if kind == ServiceUnit.Kind.LOW_THRESHOLD_TEAM:
            return self.versions["familiehjelpa"]
        if kind in MENTAL_HEALTH_KINDS and self.rng.random() < MENTAL_HEALTH_SHARE:
            return self.versions["kvalitet-i-alle-ledd"]
        return self.versions["bti"]

    def _assign(
        self, case: Case, family: list[int], why: str, domain: str, **who: Any
    ) -> Assignment:
        """The product's _give_need_to_know: the child's row first, then the guardians', in the
        domain of the unit that holds the case."""
        rows = [
            self.writer.add(
                Assignment(
                    organisation_id=case.organisation_id,
                    person_id=person_id,
                    domain=domain,
                    reason=why[:200],
                    **who,
                )
            )
            for person_id in family
        ]
        given = Case.need_to_know_given.through
        for row in rows:
            self.writer.add(given(case_id=case.pk, assignment_id=row.pk))
        return rows[0]

    # Requests for help ---------------------------------------------------------------------

    def add_request(
        self,
        organisation_id: int,
        unit_id: int,
        status: str,
        received: datetime.datetime,
        converted_at: datetime.datetime | None = None,
    ) -> HelpRequest:
        self.requests += 1
        pk = self.writer.next_id(HelpRequest)
        rng = self.rng
        due = received + datetime.timedelta(days=FIRST_CONTACT_DAYS)
        web = rng.random() < 0.6
        contacted = status != HelpRequest.Status.NEW
        first_contact = self._between(received, min(due, self.now)) if contacted else None
        request = HelpRequest(
            pk=pk,
            reference=_code(REQUEST_PREFIX, pk),
            organisation_id=organisation_id,
            unit_id=unit_id,
            channel=HelpRequest.Channel.WEB if web else HelpRequest.Channel.PHONE,
            requester_role=rng.choice(
                (HelpRequest.RequesterRole.PARENT,) * 8
                + (HelpRequest.RequesterRole.YOUNG_PERSON, HelpRequest.RequesterRole.PROFESSIONAL)
            ),
            requester_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
            phone=f"+47{rng.randrange(40_000_000, 99_999_999)}",
            email="" if rng.random() < 0.5 else f"forelder{self.requests}@example.no",
            child_age_months=rng.randrange(0, 216),
            message=rng.choice(REQUEST_MESSAGES),
            storage_notice_version="1" if web else "",
            received_at=received,
            first_contact_due_at=due,
            first_contacted_at=first_contact,
            status=status,
            converted_at=converted_at,
        )
        if status == HelpRequest.Status.CLOSED:
            request.closed_at = first_contact
            request.close_reason = HelpRequest.CloseReason.RESOLVED_FIRST_CONVERSATION
            request.note = "Foreldrene fikk råd i første samtale."
        return self.writer.add(request)

    # Cases ---------------------------------------------------------------------------------

    def add_case(
        self,
        org: Organisation,
        unit_id: int,
        kind: str,
        coordinator_id: int,
        *,
        is_open: bool,
        version: PathwayVersion | None = None,
        phase: str | None = None,
        log_entries: int | None = None,
        rich: bool = False,
        participants: tuple[tuple[int, int], ...] = (),
    ) -> Case:
        rng = self.rng
        writer = self.writer
        version = version or self._version_for(kind)
        spec = version.parsed
        phases = list(spec.phases)
        keys = [p.key for p in phases]
        if phase is not None:
            index = keys.index(phase)
        elif is_open:
            weights = [OPEN_PHASE_WEIGHTS.get(key, 1) for key in keys]
            index = rng.choices(range(len(keys)), weights)[0]
        else:
            index = rng.randrange(len(keys))
        if is_open:
            recent = keys[index] == "allocation"
            opened = self._days_ago(1, 14) if recent else self._days_ago(1, 365)
            end = self.now
            closed_at = None
        else:
            opened = self._days_ago(60, 5 * 365)
            closed_at = min(
                opened + datetime.timedelta(days=rng.uniform(14, 540)),
                self.now - datetime.timedelta(days=1),
            )
            end = closed_at
        received = opened - datetime.timedelta(days=rng.uniform(0, 14))
        child_id = org.child()
        family = [child_id, *self.guardians.get(child_id, ())]
        pk = writer.next_id(Case)
        help_request = None
        if kind == ServiceUnit.Kind.LOW_THRESHOLD_TEAM:
            org.team_cases[unit_id] += 1
            if rng.random() < HELP_REQUEST_ORIGIN_SHARE:
                help_request = self.add_request(
                    org.pk, unit_id, HelpRequest.Status.CONVERTED, received, converted_at=opened
                )
                org.converted[unit_id] += 1
        if help_request is not None:
            origin = Case.Origin.HELP_REQUEST
        else:
            origin = rng.choices(
                (Case.Origin.STAFF_CONCERN, Case.Origin.PARENT_CONCERN, Case.Origin.REFERRAL_IN),
                (60, 25, 15),
            )[0]
        case = writer.add(
            Case(
                pk=pk,
                reference=_code(CASE_PREFIX, pk),
                organisation_id=org.pk,
                unit_id=unit_id,
                child_id=child_id,
                pathway_version_id=version.pk,
                phase=keys[index],
                status=Case.Status.OPEN if is_open else Case.Status.CLOSED,
                origin=origin,
                help_request_id=help_request.pk if help_request else None,
                raised_by_user_id=coordinator_id if origin == Case.Origin.STAFF_CONCERN else None,
                raised_by_name=help_request.requester_name if help_request else "",
                received_at=received,
                opened_at=opened,
                opened_by_id=coordinator_id,
                coordinator_id=coordinator_id,
                closed_at=closed_at,
                close_reason=""
                if is_open
                else rng.choice(
                    (Case.CloseReason.GOAL_REACHED,) * 5
                    + (Case.CloseReason.REFERRED_ON, Case.CloseReason.MOVED)
                ),
                feedback_sent_at=closed_at if origin == Case.Origin.STAFF_CONCERN else None,
            )
        )
        self.cases += 1
        domain = ServiceUnit.default_domain(kind)
        # Phase boundaries: the case moved through phases[0..index] between opening and end.
        bounds = [opened + (end - opened) * i / (index + 1) for i in range(index + 2)]

        # Need to know and participants, as open_case and add_participant leave them.
        unit_row = self._assign(case, family, self.reasons["unit"], domain, unit_id=unit_id)
        own_row = self._assign(
            case, family, self.reasons["coordinator"], domain, user_id=coordinator_id
        )

        def participant(unit: int, user: int | None, role: str, row: Any, at: Any) -> Any:
            return writer.add(
                Participant(
                    case_id=pk,
                    organisation_id=org.pk,
                    unit_id=unit,
                    user_id=user,
                    role=role,
                    assignment_id=row.pk,
                    added_by_id=coordinator_id,
                    added_at=at,
                )
            )

        people = [
            participant(unit_id, None, self.roles["unit"], unit_row, opened),
            participant(unit_id, coordinator_id, self.roles["coordinator"], own_row, opened),
        ]
        extra = list(participants)
        wanted = 3 if rich else int(rng.random() < EXTRA_PARTICIPANT_SHARE)
        others = [u for u in org.staffed_units() if u != unit_id] if wanted else []
        for _n in range(wanted):
            if others:
                other = rng.choice(others)
                extra.append((other, rng.choice(org.members[other])))
        for other_unit, user_id in extra:
            row = self._assign(case, family, self.reasons["participant"], domain, user_id=user_id)
            role = self.reasons["participant"]
            people.append(participant(other_unit, user_id, role, row, self._between(opened, end)))
        authors = [coordinator_id, *(user for _unit, user in extra)]

        if rich or rng.random() < HANDOVER_SHARE:
            unit_staff = [u for u in org.members.get(unit_id, ()) if u != coordinator_id]
            if unit_staff:
                at = self._between(opened, end)
                writer.add(
                    Handover(
                        case_id=pk,
                        organisation_id=org.pk,
                        from_user_id=rng.choice(unit_staff),
                        to_user_id=coordinator_id,
                        offered_by_id=coordinator_id,
                        offered_at=at,
                        message="Jeg overtar som koordinator.",
                        accepted_at=at,
                    )
                )

        # Decisions into each later phase, and milestones of the phases passed.
        passed = index + (0 if is_open else 1)
        for j in range(index + (0 if is_open else 1)):
            point = phases[j].decision
            if point is None or not point.options:
                continue
            if j < index:
                option = next((o for o in point.options if o.to == keys[j + 1]), point.options[0])
            else:
                option = next((o for o in point.options if o.closes), None)
                if option is None:
                    continue
            writer.add(
                Decision(
                    case_id=pk,
                    organisation_id=org.pk,
                    phase=keys[j],
                    option=option.key,
                    to_phase=option.to or "",
                    reason="Drøftet med foreldrene, som er enige.",
                    decided_by_id=coordinator_id,
                    decided_at=bounds[j + 1],
                )
            )
        for j in range(passed):
            for milestone in phases[j].milestones:
                writer.add(
                    Milestone(
                        case_id=pk,
                        organisation_id=org.pk,
                        key=milestone.key,
                        recorded_by_id=coordinator_id,
                        occurred_at=self._between(bounds[j], bounds[j + 1]),
                    )
                )

        # Goals in the family's words, measures with their evaluation deadlines.
        open_deadlines: list[Deadline] = []
        if rich or ((index > 0 or not is_open) and rng.random() < GOALS_SHARE):
            for _g in range(3 if rich else rng.randint(1, 3)):
                created = self._between(bounds[min(1, index)], end)
                goal = writer.add(
                    Goal(
                        case_id=pk,
                        organisation_id=org.pk,
                        text=rng.choice(GOAL_TEXTS),
                        created_by_id=coordinator_id,
                        created_at=created,
                        achieved_at=None if is_open else end,
                    )
                )
                for _m in range(2 if rich else rng.randint(0, 2)):
                    start = self._between(created, end)
                    evaluation = start.date() + datetime.timedelta(days=rng.randint(30, 120))
                    measure = writer.add(
                        Measure(
                            case_id=pk,
                            organisation_id=org.pk,
                            goal_id=goal.pk,
                            title=rng.choice(MEASURE_TITLES),
                            description="Avtalt med familien og de som deltar i saken.",
                            responsible_unit_id=unit_id,
                            responsible_user_id=coordinator_id,
                            start_date=start.date(),
                            evaluation_date=evaluation,
                            status=Measure.Status.ACTIVE
                            if is_open
                            else rng.choice((Measure.Status.COMPLETED, Measure.Status.STOPPED)),
                            created_by_id=coordinator_id,
                            created_at=start,
                        )
                    )
                    if is_open:
                        open_deadlines.append(
                            Deadline(
                                case_id=pk,
                                organisation_id=org.pk,
                                unit_id=unit_id,
                                responsible_id=coordinator_id,
                                rule=f"{case_deadlines.EVALUATION_KEY}: the measure's "
                                "evaluation date",
                                key=case_deadlines.EVALUATION_KEY,
                                title="Evaluering av tiltak",
                                due_at=case_deadlines.end_of(evaluation),
                                measure_id=measure.pk,
                                created_at=start,
                            )
                        )
        if rich or (index > 0 and rng.random() < MEETING_SHARE):
            for _k in range(2 if rich else rng.randint(1, 2)):
                starts = self._between(opened, end)
                writer.add(
                    Meeting(
                        case_id=pk,
                        organisation_id=org.pk,
                        kind=Meeting.Kind.FAMILY_MEETING,
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=1),
                        place=rng.choice(MEETING_PLACES),
                        agenda="Hvordan går det? Veien videre.",
                        minutes="Alle deltok. Vi ble enige om tiltakene og neste møte.",
                        minutes_version=1,
                        minutes_saved_at=starts,
                        minutes_approved_at=starts,
                        minutes_approved_by_id=coordinator_id,
                        created_by_id=coordinator_id,
                        created_at=opened,
                    )
                )

        # The pathway's deadlines: open ones of the current phase, completed ones before.
        describe = f"{version.definition.key} v{version.number}"
        for j in range(index + 1):
            for rule in phases[j].deadlines:
                if rule.starts not in ("case", "phase"):
                    continue
                started = received if rule.starts == "case" else bounds[j]
                due = case_deadlines.due_at(started, rule.days, rule.day_kind)
                done = j < index or not is_open
                deadline = Deadline(
                    case_id=pk,
                    organisation_id=org.pk,
                    unit_id=unit_id,
                    responsible_id=coordinator_id if rule.responsible == "coordinator" else None,
                    rule=rule.describe(describe),
                    key=rule.key,
                    title=dict(rule.title.by_language)["nb"][:200],
                    due_at=due,
                    created_at=started,
                    completed_at=min(bounds[j + 1], due) if done and j < index else None,
                    cancelled_at=end if done and j == index else None,
                )
                if not done:
                    open_deadlines.append(deadline)
                else:
                    writer.add(deadline)
        for deadline in open_deadlines:
            writer.add(deadline)

        if is_open and (rich or (index >= 2 and rng.random() < PLAN_SHARE)):
            plan = writer.add(
                IndividualPlan(
                    case_id=pk,
                    organisation_id=org.pk,
                    unit_id=unit_id,
                    created_by_id=coordinator_id,
                    created_at=bounds[index],
                )
            )
            through = IndividualPlan.responsibility_group.through
            for person in people:
                writer.add(through(individualplan_id=plan.pk, participant_id=person.pk))

        self._add_log(case, org.pk, authors, log_entries or self._log_count(), received, end)
        return case

    def _add_log(
        self,
        case: Case,
        organisation_id: int,
        authors: list[int],
        count: int,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> None:
        rng = self.rng
        times = sorted(self._between(start, end) for _n in range(count))
        kinds, weights = zip(*MIDDLE_KINDS, strict=True)
        middle = rng.choices(kinds, weights, k=count)
        middle[0] = LogEntry.Kind.CONCERN
        if not case.is_open:
            middle[-1] = LogEntry.Kind.CLOSING
        previous: LogEntry | None = None
        entries = []
        for at, kind in zip(times, middle, strict=True):
            entry = LogEntry(
                pk=self.writer.next_id(LogEntry),
                case_id=case.pk,
                organisation_id=organisation_id,
                kind=kind,
                text=rng.choice(LOG_TEXTS[kind]),
                internal_reason="Opplysninger om en tredjeperson."
                if rng.random() < INTERNAL_SHARE
                else "",
                author_id=authors[0] if rng.random() < 0.7 else rng.choice(authors),
                created_at=at,
            )
            correction = kind == LogEntry.Kind.NOTE and rng.random() < CORRECTION_SHARE
            if previous is not None and correction:
                # A correction replaces the entry before it, which stays, not current.
                entry.replaces_id = previous.pk
                entry.text = f"Rettet: {previous.text}"
                previous.current = False
            entries.append(entry)
            previous = entry
        for entry in entries:
            self.writer.add(entry)


def _organisations(rng: random.Random) -> list[Organisation]:
    """The municipalities' organisations with their units, staff and children."""
    units: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pk, organisation_id, kind in ServiceUnit.objects.filter(
        organisation__municipality__isnull=False
    ).values_list("pk", "organisation_id", "kind"):
        units[organisation_id][kind].append(pk)
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in (
        Membership.objects.exclude(user__username=BENCH_USERNAME)
        .order_by("pk")
        .values_list("unit_id", "user_id")
    ):
        members[unit_id].append(user_id)
    children: dict[int, list[int]] = defaultdict(list)
    for pk, organisation_id in (
        Person.objects.filter(kind__in=[Person.Kind.CHILD, Person.Kind.YOUNG_PERSON])
        .order_by("pk")
        .values_list("pk", "organisation_id")
    ):
        children[organisation_id].append(pk)
    organisations = []
    for organisation_id in sorted(units):
        kids = children.get(organisation_id, [])
        if not kids:
            continue
        rng.shuffle(kids)
        unit_members = {
            unit: members.get(unit, [])
            for unit_ids in units[organisation_id].values()
            for unit in unit_ids
        }
        organisations.append(
            Organisation(organisation_id, units[organisation_id], unit_members, kids)
        )
    return organisations


def _coordinator(rng: random.Random, org: Organisation, unit_id: int, fallback: int) -> int:
    users = org.members.get(unit_id) or org.staff()
    return rng.choice(users) if users else fallback


def generate_cases(scale: Scale, *, progress: Callable[[str], None] = print) -> float:
    """Write the scale's cases in one transaction; return the seconds it took."""
    if Case.objects.exists():
        raise RuntimeError("The database already has cases: generate them into an empty one.")
    started = time.perf_counter()
    # Its own stream: adding cases does not change the persons or offers of a scale.
    rng = random.Random(f"familiebro-bench-cases-{scale.name}")
    now = timezone.now()
    with transaction.atomic():
        # `flush` removed the versions migration 0004 seeded; a fresh database has them.
        install_shipped()
        writer = RowWriter()
        cases = CaseGenerator(writer, rng, now)
        bench = User.objects.get(username=BENCH_USERNAME)
        bench_units = dict(
            Membership.objects.filter(user=bench).values_list("unit__kind", "unit_id")
        )
        bench_organisation = ServiceUnit.objects.get(pk=bench_units[ServiceUnit.Kind.PPT])
        organisations = _organisations(rng)
        total_children = sum(len(org.children) for org in organisations)
        kinds, weights = zip(*OWNER_WEIGHTS.items(), strict=True)
        done, reported = 0, 0
        for org in organisations:
            quota = round(scale.cases * len(org.children) / total_children)
            if org.pk == bench_organisation.organisation_id:
                quota -= _add_bench_cases(cases, org, bench.pk, bench_units)
            for _n in range(max(0, quota)):
                kind = rng.choices(kinds, weights)[0]
                unit_ids = org.units.get(kind)
                if not unit_ids:
                    continue
                unit_id = rng.choice(unit_ids)
                cases.add_case(
                    org,
                    unit_id,
                    kind,
                    _coordinator(rng, org, unit_id, bench.pk),
                    is_open=rng.random() < OPEN_SHARE,
                )
            _add_team_requests(cases, org, bench_units)
            done += len(org.children)
            if done * 10 // total_children > reported:
                reported = done * 10 // total_children
                progress(
                    f"  cases: {cases.cases:,} written ({time.perf_counter() - started:.1f} s)"
                )
        writer.finish()
    seconds = time.perf_counter() - started
    progress(f"  cases written ({seconds:.1f} s)")
    return seconds


def _add_bench_cases(
    cases: CaseGenerator, org: Organisation, bench_id: int, bench_units: dict[str, int]
) -> int:
    """The bench user's cases: coordinator, participant, and the team's allocation meeting."""
    rng = cases.rng
    ppt = bench_units[ServiceUnit.Kind.PPT]
    team = bench_units[ServiceUnit.Kind.LOW_THRESHOLD_TEAM]
    # The case page's case first: the longest log and everything else a page can show.
    cases.add_case(
        org,
        ppt,
        ServiceUnit.Kind.PPT,
        bench_id,
        is_open=True,
        version=cases.versions["bti"],
        phase="level2",
        log_entries=BENCH_LONG_LOG,
        rich=True,
    )
    for _n in range(BENCH_COORDINATED - 1):
        cases.add_case(org, ppt, ServiceUnit.Kind.PPT, bench_id, is_open=True)
    schools = org.units.get(ServiceUnit.Kind.KINDERGARTEN, []) + org.units.get(
        ServiceUnit.Kind.SCHOOL, []
    )
    for _n in range(BENCH_PARTICIPATING):
        unit_id = rng.choice(schools)
        kind = ServiceUnit.Kind.SCHOOL
        cases.add_case(
            org,
            unit_id,
            kind,
            _coordinator(rng, org, unit_id, bench_id),
            is_open=True,
            participants=((ppt, bench_id),),
        )
    for _n in range(BENCH_ALLOCATION_CASES):
        cases.add_case(
            org,
            team,
            ServiceUnit.Kind.LOW_THRESHOLD_TEAM,
            _coordinator(rng, org, team, bench_id),
            is_open=True,
            phase="allocation",
        )
    return BENCH_COORDINATED + BENCH_PARTICIPATING + BENCH_ALLOCATION_CASES


def _add_team_requests(
    cases: CaseGenerator, org: Organisation, bench_units: dict[str, int]
) -> None:
    """Requests for help at the teams: new ones waiting, and closed ones without a case."""
    bench_team = bench_units[ServiceUnit.Kind.LOW_THRESHOLD_TEAM]
    for unit_id in org.units.get(ServiceUnit.Kind.LOW_THRESHOLD_TEAM, []):
        waiting = max(3, round(org.team_cases[unit_id] * NEW_REQUESTS_PER_TEAM_CASE))
        if unit_id == bench_team:
            waiting = max(waiting, BENCH_NEW_REQUESTS)
        for _n in range(waiting):
            status = (
                HelpRequest.Status.NEW if cases.rng.random() < 0.7 else HelpRequest.Status.CONTACTED
            )
            cases.add_request(org.pk, unit_id, status, cases._days_ago(0, 2 * FIRST_CONTACT_DAYS))
        for _n in range(round(org.converted[unit_id] * CLOSED_REQUESTS_PER_CONVERTED)):
            cases.add_request(
                org.pk, unit_id, HelpRequest.Status.CLOSED, cases._days_ago(7, 5 * 365)
            )


def long_case(user: User) -> Case | None:
    """The bench user's case with the longest shared log: the case page's benchmark."""
    from django.db.models import Count

    return (
        Case.objects.filter(coordinator=user, status=Case.Status.OPEN)
        .annotate(entries=Count("log_entries"))
        .order_by("-entries", "pk")
        .first()
    )
