"""Demo cases in Stange, made through the product's own services as staff would make them.

- Emma Haugen: her parents called Familiehjelpa about sleep and conflict at home; after the
  first conversation and a first meeting the case waits for the weekly allocation meeting.
- Oskar Lund: the kindergarten worried about him; the public health nurse coordinates at
  BTI level 2 with the kindergarten taking part under the parents' consent (it keeps another
  duty of confidentiality than the health centre), a goal in the family's words, a measure with
  an evaluation date, and an agreement in the shared log.
- A new request for help from a father, still waiting for the first contact.

And at the family counselling office in Mo i Rana, the family therapist's own work:

- Selma Olsen's parents in couple conversations, with a goal in their words, the
  conversations as a measure and the next appointment in the shared log.
- Ella Hansen's parents, who are separating, in mediation about where she will live.

`load_demo_cases()` is idempotent: a family that already has a case, or a request with the
demo's reference, is left as it is.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from familiebro.core.demo import BUFETAT_NORD
from familiebro.core.models import (
    ConfidentialityDomain,
    GuardianRelation,
    Person,
    ServiceUnit,
    User,
)
from familiebro.privacy.consent_services import record_consent
from familiebro.privacy.models import Consent, DataCategory, Purpose

from . import case_services, measure_services, participant_services
from .help_requests import services
from .meetings import services as meeting_services
from .models import Case, HelpRequest, LogEntry, Meeting

WAITING_REQUEST = "Far til to"
STANGE = Q(organisation__name="Stange kommune")
# The family counselling office's own records of the couples (familiebro.persons.demo).
COUNSELLING = Q(organisation__org_number=BUFETAT_NORD)
COUNSELLING_OFFICE = "Familievernkontoret Mo i Rana"


def _register(staff: User, unit: ServiceUnit, name: str, message: str, days_ago: int):
    return services.register_help_request(
        staff,
        unit=unit,
        channel=HelpRequest.Channel.PHONE,
        details=services.RequestDetails(
            requester_role=HelpRequest.RequesterRole.PARENT,
            requester_name=name,
            phone="+4791000000",
            family_knows=True,
            message=message,
        ),
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def _consent_to_coordination(staff: User, child: Person, unit: ServiceUnit) -> None:
    """The parents' consent, on paper, that `unit` takes part in the child's coordination
    and reads its measures, plans and shared log."""
    parents = [
        relation.guardian
        for relation in GuardianRelation.objects.filter(
            child=child, has_parental_responsibility=True
        ).select_related("guardian")
    ]
    record_consent(
        staff,
        child,
        purpose=Purpose.COORDINATION,
        givers=parents,
        recipient_units=[unit],
        scope=[DataCategory.MEASURES_AND_PLANS, DataCategory.LOG_ENTRIES],
        channel=Consent.Channel.PAPER,
        valid_to=timezone.now() + datetime.timedelta(days=365),
        witness="Helsesykepleier på foreldresamtalen",
        # The health centre's information: the health service's rule says who consents.
        domain=ConfidentialityDomain.HEALTH,
        # The child is heard before the parents decide.
        child_view=f"{child.given_name} vil at barnehagen skal vite det.",
    )


def load_demo_cases() -> int:
    """Create the demo cases that are missing; returns how many were created. A second run
    costs two queries."""
    children = {
        p.given_name: p
        for p in Person.objects.filter(
            (
                STANGE
                & (
                    Q(given_name="Emma", family_name="Haugen")
                    | Q(given_name="Oskar", family_name="Lund")
                )
            )
            | (
                COUNSELLING
                & (
                    Q(given_name="Selma", family_name="Olsen")
                    | Q(given_name="Ella", family_name="Hansen")
                )
            ),
        ).annotate(has_case=Exists(Case.objects.filter(child=OuterRef("pk"))))
    }
    waiting = HelpRequest.objects.filter(
        unit__name="Familiehjelpa", message__startswith=WAITING_REQUEST
    ).exists()
    if waiting and len(children) == 4 and all(p.has_case for p in children.values()):
        return 0
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["koordinator", "helsesykepleier", "familieterapeut"]
        )
    }
    units = {
        u.name: u
        for u in ServiceUnit.objects.filter(
            (
                STANGE
                & Q(name__in=["Familiehjelpa", "Helsestasjonen i Stange", "Ottestad barnehage"])
            )
            | (COUNSELLING & Q(name=COUNSELLING_OFFICE))
        )
    }
    if len(users) < 3 or len(units) < 4:
        return 0
    coordinator, nurse = users["koordinator"], users["helsesykepleier"]
    team = units["Familiehjelpa"]
    health_centre = units["Helsestasjonen i Stange"]
    kindergarten = units["Ottestad barnehage"]
    created = 0

    emma = children.get("Emma")
    if emma is not None and not emma.has_case:
        request = _register(
            coordinator, team, "Marte Haugen", "Emma sover dårlig, og vi krangler mye.", 9
        )
        services.mark_contacted(coordinator, request)
        case = case_services.open_case(
            coordinator,
            child=emma,
            unit=team,
            origin=Case.Origin.HELP_REQUEST,
            help_request=request,
        )
        case_services.decide(
            coordinator, case, option="first_meeting", reason="Foreldrene ønsker et møte."
        )
        case_services.decide(
            coordinator,
            case,
            option="allocate",
            reason="Trenger mer enn råd: søvn og samspill, kanskje familieterapi.",
        )
        created += 1

    oskar = children.get("Oskar")
    if oskar is not None and not oskar.has_case:
        case = case_services.open_case(
            nurse,
            child=oskar,
            unit=health_centre,
            origin=Case.Origin.STAFF_CONCERN,
            concern="Barnehagen ser at Oskar trekker seg unna i lek og ofte er lei seg.",
            raised_by_name="Ottestad barnehage",
        )
        case_services.decide(
            nurse, case, option="one_more_service", reason="Mor ønsker at barnehagen er med."
        )
        # The kindergarten keeps its own duty of confidentiality, apart from the health
        # centre's: it takes part under the parents' consent.
        _consent_to_coordination(nurse, oskar, kindergarten)
        participant_services.add_participant(nurse, case, unit=kindergarten, role="Barnehage")
        goal = measure_services.add_goal(nurse, case, "Oskar har det fint i barnehagen og hjemme.")
        today = timezone.localdate()
        measure_services.add_measure(
            nurse,
            case,
            measure_services.MeasureFields(
                title="Samtaler med helsesykepleier annenhver uke",
                responsible_unit=health_centre,
                responsible_user=nurse,
                start_date=today,
                evaluation_date=today + datetime.timedelta(days=42),
                goal=goal,
            ),
        )
        case_services.write_log_entry(
            nurse,
            case,
            kind=LogEntry.Kind.AGREEMENT,
            text="Vi møtes igjen om seks uker: mor, barnehagen og helsesykepleier.",
        )
        _plan_meetings(nurse, case, today)
        created += 1

    if not waiting:
        _register(coordinator, team, "Jon Nilsen", f"{WAITING_REQUEST}: sinne og grensesetting.", 2)
        created += 1
    therapist = users["familieterapeut"]
    return created + _counselling_cases(therapist, units[COUNSELLING_OFFICE], children)


def _plan_meetings(nurse: User, case: Case, today: datetime.date) -> None:
    """The family meeting on the coming Tuesday and the evaluation in six weeks, both in the
    calendar."""
    next_tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    for kind, day, place in (
        (Meeting.Kind.FAMILY_MEETING, next_tuesday, "Helsestasjonen, møterom 2"),
        (Meeting.Kind.EVALUATION, today + datetime.timedelta(days=42), "Ottestad barnehage"),
    ):
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(13, 0)))
        meeting_services.plan_meeting(
            nurse,
            case,
            kind=kind,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place=place,
        )


def _counselling_cases(therapist: User, office: ServiceUnit, children: dict[str, Any]) -> int:
    """The family therapist's couples: the office opens a case on the child of the couple,
    as the product keeps every case about a child (the parents are its guardians)."""
    created = 0
    today = timezone.localdate()
    selma = children.get("Selma")
    if selma is not None and not selma.has_case:
        case = case_services.open_case(
            therapist,
            child=selma,
            unit=office,
            origin=Case.Origin.PARENT_CONCERN,
            concern=(
                "Foreldrene ønsker parsamtaler. De krangler mye etter at Selma ble født og vil "
                "finne tilbake til hverandre som par."
            ),
        )
        goal = measure_services.add_goal(
            therapist, case, "Vi snakker sammen uten å krangle, også når vi er slitne."
        )
        measure_services.add_measure(
            therapist,
            case,
            measure_services.MeasureFields(
                title="Parsamtaler annenhver uke hos familieterapeuten",
                responsible_unit=office,
                responsible_user=therapist,
                start_date=today,
                evaluation_date=today + datetime.timedelta(days=56),
                goal=goal,
            ),
        )
        case_services.write_log_entry(
            therapist,
            case,
            kind=LogEntry.Kind.AGREEMENT,
            text="Neste parsamtale er om to uker. Begge kommer, Selma er hos besteforeldrene.",
        )
        created += 1
    ella = children.get("Ella")
    if ella is not None and not ella.has_case:
        case = case_services.open_case(
            therapist,
            child=ella,
            unit=office,
            origin=Case.Origin.PARENT_CONCERN,
            concern=(
                "Foreldrene skal flytte fra hverandre og kommer til mekling om hvor Ella skal "
                "bo og om samvær."
            ),
        )
        case_services.write_log_entry(
            therapist,
            case,
            kind=LogEntry.Kind.AGREEMENT,
            text=(
                "Første meklingstime er holdt. Foreldrene kommer tilbake om tre uker med et "
                "forslag til samværsavtale."
            ),
        )
        created += 1
    return created
