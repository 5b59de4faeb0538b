"""What "Min side" shows a parent or young person: who they and their children are known as
in each service, the help they get (cases, goals, measures, meetings, the shared log), the
consents they have given, and who has read their data.

Everything is read through familiebro.privacy.family (the family's own records only, without
what is hidden from them) and every page is one audit event per organisation it showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from familiebro.cases.models import (
    Case,
    Goal,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Measure,
    Meeting,
    Participant,
    PlanDecision,
)
from familiebro.cases.plans import pages as plan_pages
from familiebro.core.models import Organisation, Person
from familiebro.privacy import export, family, policy, protected
from familiebro.privacy.access_log import AccessLogEntry, family_access_log
from familiebro.privacy.audit import AuditEvent
from familiebro.privacy.consent_services import family_may_withdraw
from familiebro.privacy.family import Citizen, FamilyMember
from familiebro.privacy.models import Consent

PURPOSE = policy.Purpose.FAMILY_PORTAL
# The family page shows this many of the newest shared-log entries of a case.
LOG_ENTRIES_SHOWN = 100


@dataclass
class ConsentRow:
    consent: Consent
    # In force, and the citizen gave it or is the young person it is about.
    may_withdraw: bool
    # The services it shares with, by name, or "not shown" (a protected address).
    recipients: str = ""


def _recipients(consent: Consent, concealed: bool) -> str:
    if concealed:
        return str(protected.HIDDEN)
    names = [o.name for o in consent.recipient_organisations.all()]
    return ", ".join(names + [u.name for u in consent.recipient_units.all()])


@dataclass
class OrganisationSection:
    organisation: Organisation
    # The organisation's name, or "not shown" where it would tell a parent where a child
    # with a protected address lives (privacy.protected).
    name: str
    members: list[FamilyMember] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    consents: list[ConsentRow] = field(default_factory=list)


@transaction.atomic
def overview(citizen: Citizen) -> list[OrganisationSection]:
    """The citizen's family per organisation (data controller), with cases and consents."""
    members = family.family_of(citizen)
    cases = list(
        family.visible(Case, members).select_related("unit", "child").order_by("-opened_at")
    )
    consents = list(
        family.visible(Consent, members)
        .select_related("subject")
        .prefetch_related("recipient_organisations", "recipient_units", "givers")
    )
    for shown in ([m.person for m in members], cases, consents):
        family.record_read(citizen, AuditEvent.Action.LIST, shown, members, PURPOSE)
    concealed = protected.hidden_organisations(citizen.identity_hash)
    sections: dict[int, OrganisationSection] = {}
    for member in members:
        organisation = member.person.organisation
        name = str(protected.HIDDEN) if organisation.pk in concealed else organisation.name
        sections.setdefault(
            organisation.pk, OrganisationSection(organisation, name)
        ).members.append(member)
    for case in cases:
        if case.organisation_id in concealed:
            _conceal_case(case)
        sections[case.organisation_id].cases.append(case)
    own = _own_person_ids(members)
    for consent in consents:
        row = ConsentRow(
            consent,
            family_may_withdraw(consent, own),
            _recipients(consent, consent.organisation_id in concealed),
        )
        sections[consent.organisation_id].consents.append(row)
    return list(sections.values())


# A request as the family reads its status: received, contacted (also once the service made
# it a case, which then shows under the help they get), or closed.
FAMILY_REQUEST_STATUS = {
    HelpRequest.Status.NEW: _lazy("Received"),
    HelpRequest.Status.CONTACTED: _lazy("Contacted"),
    HelpRequest.Status.CONVERTED: _lazy("Contacted"),
    HelpRequest.Status.CLOSED: _lazy("Closed"),
}
# Min side lists this many of the citizen's newest requests.
REQUESTS_SHOWN = 20


@dataclass
class SentRequest:
    reference: str
    unit: str
    received_at: Any
    status: str


@transaction.atomic
def sent_requests(citizen: Citizen) -> list[SentRequest]:
    """The requests for help the citizen sent while logged in, newest first, with their
    status; read through the privacy layer (matched by identity) and audited as one list per
    organisation."""
    requests = list(
        family.sent_by(citizen, HelpRequest)
        .select_related("unit")
        .only("reference", "organisation_id", "unit__name", "received_at", "status")
        .order_by("-received_at")[:REQUESTS_SHOWN]
    )
    family.record_sent_read(citizen, AuditEvent.Action.LIST, requests, PURPOSE)
    return [
        SentRequest(r.reference, r.unit.name, r.received_at, str(FAMILY_REQUEST_STATUS[r.status]))
        for r in requests
    ]


def _conceal_case(case: Case) -> None:
    """Put stand-ins for the case's unit and coordinator, whose names would tell where the
    child lives (privacy.protected). The page only reads the case; it is never saved."""
    case.unit = protected.unit_stand_in()
    if case.coordinator_id is not None:
        case.coordinator = protected.staff_stand_in()


def _own_person_ids(members: list[FamilyMember]) -> set[int]:
    return {person.pk for person in family.own_records(members)}


@transaction.atomic
def consent_to_withdraw(citizen: Citizen, consent_id: int) -> ConsentRow:
    """A consent in force the citizen may withdraw, read for the page that asks them to
    confirm; 404 for anyone else's."""
    members = family.family_of(citizen)
    consent = (
        family.visible(Consent, members)
        .filter(pk=consent_id)
        .select_related("subject")
        .prefetch_related("recipient_organisations", "recipient_units", "givers")
        .first()
    )
    if consent is None or not family_may_withdraw(consent, _own_person_ids(members)):
        raise Http404(_("Not found, or you do not have access."))
    family.record_read(citizen, AuditEvent.Action.VIEW, [consent], members, PURPOSE)
    return ConsentRow(
        consent,
        may_withdraw=True,
        recipients=_recipients(
            consent,
            consent.organisation_id in protected.hidden_organisations(citizen.identity_hash),
        ),
    )


@dataclass
class FamilyAccessLog:
    person: Person
    # The organisation's name, or "not shown" (a protected address, privacy.protected).
    organisation_name: str
    entries: list[AccessLogEntry]


@transaction.atomic
def access_log(citizen: Citizen, person_id: int) -> FamilyAccessLog:
    member = family.member_or_404(family.family_of(citizen), person_id)
    organisation = member.person.organisation
    concealed = organisation.pk in protected.hidden_organisations(citizen.identity_hash)
    return FamilyAccessLog(
        member.person,
        str(protected.HIDDEN) if concealed else organisation.name,
        family_access_log(citizen, member),
    )


@dataclass
class TakingPart:
    """A service taking part, with the people from it who do."""

    unit_name: str
    people: list[str]


@dataclass
class FamilyCase:
    case: Case
    phase_name: str
    services: list[TakingPart]
    goals: list[Goal]
    measures: list[Measure]
    meetings: list[Meeting]
    log_entries: list[LogEntry]
    has_plan: bool
    # Decisions on the rights to an individual plan, a coordinator and a child coordinator.
    plan_decisions: list[PlanDecision] = field(default_factory=list)


def _case_or_404(citizen: Citizen, case_id: int) -> tuple[Case, list[FamilyMember]]:
    """One of the family's cases, with the child it is about; 404 for anyone else's."""
    members = family.family_of(citizen)
    case = (
        family.visible(Case, members)
        .select_related("unit", "child", "coordinator", "pathway_version")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404(_("Not found, or you do not have access."))
    return case, [family.member_or_404(members, case.child_id)]


def _active_plan(case: Case, child: list[FamilyMember]) -> IndividualPlan | None:
    return (
        family.visible(IndividualPlan, child)
        .filter(case=case, ended_at__isnull=True)
        .prefetch_related("responsibility_group__user", "responsibility_group__unit")
        .first()
    )


@transaction.atomic
def family_case(citizen: Citizen, case_id: int) -> FamilyCase:
    """One case as the family reads it: no internal measures or log entries, no minutes
    before they are approved into the shared log."""
    case, child = _case_or_404(citizen, case_id)
    # A parent kept from where the child lives sees no unit, staff member or place.
    concealed = case.organisation_id in protected.hidden_organisations(citizen.identity_hash)
    participants = list(
        family.visible(Participant, child)
        .filter(case=case, ended_at__isnull=True)
        .select_related("unit", "user")
    )
    services: dict[int, TakingPart] = {}
    for participant in participants:
        part = services.setdefault(participant.unit_id, TakingPart(participant.unit.name, []))
        if participant.user is not None:
            part.people.append(participant.user.display_name())
    goals = list(
        family.visible(Goal, child)
        .filter(case=case, parent__isnull=True)
        .prefetch_related(
            Prefetch("sub_goals", queryset=family.visible(Goal, child).order_by("created_at"))
        )
    )
    measures = list(
        family.visible(Measure, child)
        .filter(case=case)
        .select_related("responsible_unit", "responsible_user")
    )
    meetings = list(
        family.visible(Meeting, child)
        .filter(case=case, ends_at__gte=timezone.now(), cancelled_at__isnull=True)
        # Not the minutes: the family reads them once approved, as a shared-log entry.
        .only("pk", "case_id", "organisation_id", "kind", "starts_at", "ends_at", "place")
        .order_by("starts_at")
    )
    log_entries = list(
        family.visible(LogEntry, child)
        .filter(case=case)
        .select_related("author")
        .order_by("-created_at", "-pk")[:LOG_ENTRIES_SHOWN]
    )
    plan = _active_plan(case, child)
    plan_decisions = list(
        family.visible(PlanDecision, child).filter(case=case).order_by("decided_on", "pk")
    )
    if concealed:
        _conceal_case(case)
        services = {0: TakingPart(str(protected.HIDDEN), [])} if services else {}
        for measure in measures:
            measure.responsible_unit = protected.unit_stand_in()
            measure.responsible_user = None
        for meeting in meetings:
            meeting.place = str(protected.HIDDEN)
        for entry in log_entries:
            entry.author = protected.staff_stand_in()
            if entry.kind in LogEntry.KINDS_NAMING_SERVICES:
                entry.text = str(protected.HIDDEN)
        # A decision names who decided and who was appointed, with their services.
        plan_decisions = []
    shown: dict[str, Any] = {
        "participants": [p.pk for p in participants],
        "goals": [g.pk for g in goals] + [s.pk for g in goals for s in g.sub_goals.all()],
        "measures": [m.pk for m in measures],
        "meetings": [m.pk for m in meetings],
        "log_entries": [e.pk for e in log_entries],
        "plan": plan.pk if plan else None,
        "plan_decisions": [d.pk for d in plan_decisions],
    }
    family.record_read(citizen, AuditEvent.Action.VIEW, [case], child, PURPOSE, detail=shown)
    return FamilyCase(
        case=case,
        phase_name=str(case.pathway_version.parsed.phase(case.phase).name),
        services=list(services.values()),
        goals=goals,
        measures=measures,
        meetings=meetings,
        log_entries=log_entries,
        # The plan names its responsibility group, each member with their unit.
        has_plan=plan is not None and not concealed,
        plan_decisions=plan_decisions,
    )


@transaction.atomic
def family_plan_pdf(citizen: Citizen, case_id: int, language: str) -> bytes:
    """The case's individual plan as a PDF, the same document staff print for the family."""
    case, child = _case_or_404(citizen, case_id)
    plan = _active_plan(case, child)
    if plan is None:
        raise Http404(_("The case has no active individual plan."))
    if case.organisation_id in protected.hidden_organisations(citizen.identity_hash):
        # It names the responsibility group with their units: ask the service for a copy.
        raise Http404(_("The case has no active individual plan."))
    goals = list(family.visible(Goal, child).filter(case=case).order_by("created_at"))
    measures = list(
        family.visible(Measure, child)
        .filter(case=case, status=Measure.Status.ACTIVE)
        .select_related("responsible_unit", "responsible_user")
    )
    with translation.override(language):
        pdf = plan_pages.plan_document(case, plan, goals, measures)
    shown = {"goals": [g.pk for g in goals], "measures": [m.pk for m in measures]}
    family.record_read(citizen, AuditEvent.Action.EXPORT, [plan], child, PURPOSE, detail=shown)
    return pdf


@dataclass
class OwnData:
    """A record the citizen may download everything about: their own, or a child's."""

    member: FamilyMember
    # The organisation's name, or "not shown" (a protected address, privacy.protected).
    organisation_name: str


def own_data(citizen: Citizen) -> list[OwnData]:
    """The citizen's own records and their children's under 18 (with parental
    responsibility), in every organisation: what they can download on Min side. Never the
    other parent's own records."""
    members = family.family_of(citizen)
    concealed = protected.hidden_organisations(citizen.identity_hash)
    return [
        OwnData(
            member,
            str(protected.HIDDEN)
            if member.person.organisation_id in concealed
            else member.person.organisation.name,
        )
        for member in members
    ]


def data_download(citizen: Citizen, person_id: int, language: str) -> dict[str, Any]:
    """Everything Familiebro holds about one of the citizen's family records: the staff's
    right-of-access export (privacy.export), as the family reads it; 404 for anyone else's.
    Audited as the family's own read."""
    member = family.member_or_404(family.family_of(citizen), person_id)
    return export.export_for_family(citizen, member, language=language)
