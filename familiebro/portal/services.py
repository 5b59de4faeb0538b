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

from familiebro.cases.models import (
    Case,
    Goal,
    IndividualPlan,
    LogEntry,
    Measure,
    Meeting,
    Participant,
    PlanDecision,
)
from familiebro.cases.plans import pages as plan_pages
from familiebro.core.models import Organisation, Person
from familiebro.privacy import family, policy
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


@dataclass
class OrganisationSection:
    organisation: Organisation
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
    sections: dict[int, OrganisationSection] = {}
    for member in members:
        organisation = member.person.organisation
        sections.setdefault(organisation.pk, OrganisationSection(organisation)).members.append(
            member
        )
    for case in cases:
        sections[case.organisation_id].cases.append(case)
    own = _own_person_ids(members)
    for consent in consents:
        row = ConsentRow(consent, family_may_withdraw(consent, own))
        sections[consent.organisation_id].consents.append(row)
    return list(sections.values())


def _own_person_ids(members: list[FamilyMember]) -> set[int]:
    return {person.pk for person in family.own_records(members)}


@transaction.atomic
def consent_to_withdraw(citizen: Citizen, consent_id: int) -> Consent:
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
    return consent


@transaction.atomic
def access_log(citizen: Citizen, person_id: int) -> tuple[Person, list[AccessLogEntry]]:
    member = family.member_or_404(family.family_of(citizen), person_id)
    return member.person, family_access_log(citizen, member)


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
        has_plan=plan is not None,
        plan_decisions=plan_decisions,
    )


@transaction.atomic
def family_plan_pdf(citizen: Citizen, case_id: int, language: str) -> bytes:
    """The case's individual plan as a PDF, the same document staff print for the family."""
    case, child = _case_or_404(citizen, case_id)
    plan = _active_plan(case, child)
    if plan is None:
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
