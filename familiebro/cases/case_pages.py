"""Cases: the read models of whole pages (the case page, the shared log, my cases, the
allocation meeting) and what the change forms offer. "My deadlines" is in deadlines.pages.

Each function reads everything one page shows through the access policy and audits it as one
page view or one list, in a constant number of queries whatever the size of the case. The
actions that change a case are in familiebro.cases.case_services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Person, ServiceUnit
from familiebro.privacy import family, policy
from familiebro.privacy.consultation import units_of
from familiebro.privacy.models import Consent, Purpose
from familiebro.privacy.models.consent import ConsentQuerySet
from familiebro.privacy.policy import Action

from . import permissions
from .case_services import READ, WRITE, get_case
from .deadlines import rules as deadline_rules
from .models import (
    Case,
    Deadline,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    LogEntry,
    Measure,
    Meeting,
    Participant,
    PathwayVersion,
    PlanDecision,
)
from .plans import decisions as plan_decisions_module
from .plans import services as plan_services

# The case page -----------------------------------------------------------------------------

# The case page has sections, each with its own address; a section reads only what it shows.
OVERVIEW = "overview"
LOG = "log"
GOALS = "goals"
MEETINGS = "meetings"
PARTICIPANTS = "participants"
DECISIONS = "decisions"
SECTIONS = (OVERVIEW, LOG, GOALS, MEETINGS, PARTICIPANTS, DECISIONS)

# The log section shows the newest entries of the shared log, what has happened lately; the
# log page shows all of it. Each entry shown costs the page about a tenth of a millisecond.
LOG_ON_CASE_PAGE = 20
LOG_PAGE_SIZE = 100


@dataclass
class CasePage:
    """One section of the case page: the case, and the parts that section shows (the others
    are left empty, unread)."""

    case: Case
    basis: policy.Basis
    can_change: bool
    phase: Any  # pathways.Phase
    phases: list[Any]
    section: str = OVERVIEW
    log: list[LogEntry] = field(default_factory=list)
    log_continues: bool = False  # the log has older entries than the section shows
    goals: list[Goal] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    meetings: list[Any] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    deadlines: list[Any] = field(default_factory=list)
    pending_handover: Handover | None = None
    plan: IndividualPlan | None = None
    consents: list[Consent] = field(default_factory=list)  # staff of the owner only
    # For a child of 12 to 17 in a service that keeps its records from the parents until
    # released (privacy.family): the age band, and what is released; else None and [].
    parents_band: str | None = None
    releases: list[Release] = field(default_factory=list)
    # Decisions on the rights to an individual plan, a coordinator and a child coordinator.
    plan_decisions: list[PlanDecision] = field(default_factory=list)
    # Staff of the owning organisation only: whether the consent the plan was made under is
    # in force, and per member of the responsibility group what lets them take part
    # (plans.services.member_access).
    plan_consent: Consent | None = None
    plan_consent_lapsed: bool = False
    plan_members: list[PlanMember] = field(default_factory=list)
    coordinating_unit: ServiceUnit | None = None


@dataclass
class PlanMember:
    """A member of the responsibility group, with what lets them take part in the plan
    (plans.services.member_access; None: not shown to this reader)."""

    participant: Participant
    access: str | None


@dataclass
class Release:
    """One record of the case the service may release to the parents of a young person."""

    kind: str  # case_services.RELEASABLE
    pk: int
    label: str
    released: bool


def _shown(actor: Any, model: type, case: Case, basis: policy.Basis, **filters: Any) -> QuerySet:
    """The case's rows of `model` the actor may read, the case itself read on `basis`."""
    return policy.visible_about(
        actor,
        model,
        READ,
        subject_id=case.child_id,
        organisation_id=case.organisation_id,
        basis=basis,
    ).filter(case=case, **filters)


@transaction.atomic
def case_page(actor: Any, case_id: Any, section: str = OVERVIEW) -> CasePage:
    """One section of the case page with what the actor may see of it, audited as one page
    view that names every part shown.

    Each part is read through the policy, so a service taking part under a consent sees only
    the categories its consent covers; superseded log entries only staff of the owning
    organisation see. A constant number of queries, whatever the size of the case."""
    if section not in SECTIONS:
        raise Http404(_("Not found, or you do not have access."))
    case = (
        policy.visible(actor, Case, READ, few_rows=True, with_basis=True)
        .select_related("pathway_version__definition", "unit", "coordinator", "child")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404(_("Not found, or you do not have access."))
    basis = policy.bases_for(actor, [case], READ)[0]
    # Staff of the owning organisation with the need to know read superseded entries too;
    # of them, those who work on the case get the forms that change it.
    reads_as_owner = policy.may_change_on(actor, case, basis, READ)
    spec = case.pathway_version.parsed
    page = CasePage(
        case=case,
        basis=basis,
        can_change=reads_as_owner and permissions.works_on(actor, case),
        phase=spec.phase(case.phase),
        phases=list(spec.phases),
        section=section,
    )
    _READERS[section](actor, page, reads_as_owner)
    shown = {
        "consent": [c.pk for c in page.consents],
        "individualplan": [page.plan.pk] if page.plan else [],
        "plandecision": [d.pk for d in page.plan_decisions],
        "logentry": [e.pk for e in page.log],
        "goal": [g.pk for g in page.goals],
        "measure": [m.pk for m in page.measures],
        "meeting": [m.pk for m in page.meetings],
        "participant": [p.pk for p in page.participants],
        "deadline": [d.pk for d in page.deadlines],
        "handover": [page.pending_handover.pk] if page.pending_handover else [],
    }
    # One event for the page view: the case, with the ids of every part that was shown.
    policy.record_access(
        actor,
        Action.VIEW,
        [case],
        READ,
        [basis],
        detail={"shown": {k: v for k, v in shown.items() if v}},
    )
    return page


def _read_overview(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    """The open deadlines and a coordinator handover waiting for an answer."""
    case, basis = page.case, page.basis
    page.deadlines = list(
        _shown(actor, Deadline, case, basis, completed_at__isnull=True, cancelled_at__isnull=True)
        .select_related("responsible")
        .order_by("due_at")
    )
    page.pending_handover = (
        _shown(
            actor,
            Handover,
            case,
            basis,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("to_user", "offered_by")
        .first()
    )


def _read_log(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    """The newest entries of the shared log, and whether older ones exist."""
    log = list(_log_entries(actor, page.case, page.basis, reads_as_owner)[: LOG_ON_CASE_PAGE + 1])
    page.log_continues = len(log) > LOG_ON_CASE_PAGE
    page.log = log[:LOG_ON_CASE_PAGE]


def _read_goals(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    """The goals, and the measures towards them."""
    case, basis = page.case, page.basis
    page.goals = list(_shown(actor, Goal, case, basis).order_by("created_at", "pk"))
    page.measures = list(
        _shown(actor, Measure, case, basis)
        .select_related("responsible_unit", "responsible_user")
        .order_by("evaluation_date", "pk")
    )


def _read_meetings(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    page.meetings = list(_shown(actor, Meeting, page.case, page.basis).order_by("starts_at"))


def _consents(actor: Any, page: CasePage) -> list[Consent]:
    """The child's consents in force. A child's consents are recorded by the child's
    organisation, which owns the child's cases: they are read on the case's basis, as its
    parts are."""
    case = page.case
    return list(
        cast(
            ConsentQuerySet,
            policy.visible_about(
                actor,
                Consent,
                READ,
                subject_id=case.child_id,
                organisation_id=case.organisation_id,
                basis=page.basis,
            ),
        )
        .valid_at()
        .prefetch_related("recipient_units", "recipient_organisations")
        .order_by("-valid_from")
    )


def _read_participants(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    """Who takes part, the consents in force and, for a young person's case, what the
    parents see (which needs the goals, measures and newest log entries it may release)."""
    case = page.case
    page.participants = list(
        _shown(actor, Participant, case, page.basis).select_related(
            "unit__organisation", "user", "consent"
        )
    )
    if page.basis.kind == policy.Basis.CONSENT:
        return  # a service under consent does not see the family's other consents
    page.consents = _consents(actor, page)
    page.parents_band = (
        family.parents_band(case.child, case.unit.domain) if reads_as_owner else None
    )
    if page.parents_band:
        _read_goals(actor, page, reads_as_owner)
        _read_log(actor, page, reads_as_owner)
        page.releases = _releases(case, page.goals, page.measures, page.log)


def _read_decisions(actor: Any, page: CasePage, reads_as_owner: bool) -> None:
    """The individual plan with its responsibility group, and the decisions on the rights to
    a plan, a coordinator and a child coordinator."""
    case, basis = page.case, page.basis
    plans = list(
        _shown(actor, IndividualPlan, case, basis, ended_at__isnull=True).prefetch_related(
            Prefetch(
                "responsibility_group",
                queryset=Participant.objects.select_related("user", "unit"),
            )
        )
    )
    page.plan = plans[0] if plans else None
    page.plan_decisions = list(
        _shown(actor, PlanDecision, case, basis).order_by("decided_on", "pk")
    )
    if page.plan is not None and reads_as_owner:
        page.consents = _consents(actor, page)
    page.plan_consent, page.plan_consent_lapsed, page.plan_members = _plan_consent(
        case, page.plan, page.consents, reads_as_owner
    )
    page.coordinating_unit = plan_decisions_module.coordinating_unit(case.organisation_id)


_READERS = {
    OVERVIEW: _read_overview,
    LOG: _read_log,
    GOALS: _read_goals,
    MEETINGS: _read_meetings,
    PARTICIPANTS: _read_participants,
    DECISIONS: _read_decisions,
}


def _plan_consent(
    case: Case, plan: IndividualPlan | None, consents: list[Consent], reads_as_owner: bool
) -> tuple[Consent | None, bool, list[PlanMember]]:
    """The responsibility group of the active plan; for the owning organisation's staff also
    the consent the plan was made under if it is still in force (among the consents the page
    read), whether it has lapsed, and what lets each member take part."""
    if plan is None:
        return None, False, []
    members = list(plan.responsibility_group.all())
    if not reads_as_owner:
        return None, False, [PlanMember(m, None) for m in members]
    consent = next((c for c in consents if c.pk == plan.consent_id), None)
    lapsed = plan.consent_id is not None and consent is None
    access = plan_services.member_access(case, consent, members)
    return consent, lapsed, [PlanMember(m, access[m.pk]) for m in members]


def _releases(
    case: Case, goals: list[Goal], measures: list[Measure], log: list[LogEntry]
) -> list[Release]:
    """The case and its goals, measures (not the internal ones) and shared-log entries on the
    page (not the internal ones, nor earlier texts), each with whether the parents see it."""

    counts_from = family.releases_count_from(case.child)

    def row(kind: str, obj: Any, label: str) -> Release:
        released = family.counts_as_released(obj.released_to_family_at, counts_from)
        return Release(kind, obj.pk, label, released)

    rows = [row("case", case, _("The case: who takes part, coming meetings and the plan"))]
    rows += [row("goal", g, g.text) for g in goals]
    rows += [row("measure", m, m.title) for m in measures if not m.is_internal]
    rows += [
        row("logentry", e, f"{e.get_kind_display()}: {e.text[:80]}")
        for e in log
        if e.current and not e.is_internal
    ]
    return rows


def _log_entries(actor: Any, case: Case, basis: policy.Basis, reads_as_owner: bool) -> QuerySet:
    """The shared log, newest first. Superseded entries only for staff of the owner."""
    log_filter: dict[str, Any] = {} if reads_as_owner else {"current": True}
    return (
        _shown(actor, LogEntry, case, basis, **log_filter)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


@dataclass
class LogPage:
    case: Case
    can_change: bool
    page: Any  # a Paginator page of LogEntry


@transaction.atomic
def log_page(actor: Any, case_id: Any, page_number: Any = None) -> LogPage:
    """One page of a case's whole shared log, audited as a list."""
    from django.core.paginator import Paginator

    case = get_case(actor, case_id)
    basis = policy.bases_for(actor, [case], READ)[0]
    reads_as_owner = policy.may_change_on(actor, case, basis, READ)
    can_change = reads_as_owner and permissions.works_on(actor, case)
    page = Paginator(_log_entries(actor, case, basis, reads_as_owner), LOG_PAGE_SIZE).get_page(
        page_number
    )
    page.object_list = policy.list_page(actor, page.object_list, READ)
    return LogPage(case=case, can_change=can_change, page=page)


# Lists -------------------------------------------------------------------------------------


def _attach_versions(cases: list[Case]) -> None:
    """Each case's pathway version, read once per version rather than once per row (a
    version's specification is large, and the same for hundreds of cases)."""
    ids = {c.pathway_version_id for c in cases}
    versions = PathwayVersion.objects.select_related("definition").in_bulk(ids)
    for case in cases:
        case.pathway_version = versions[case.pathway_version_id]


@dataclass
class CaseRow:
    case: Case
    next_deadline: Any
    role: str

    @property
    def phase_name(self) -> str:
        return str(self.case.pathway_version.parsed.phase(self.case.phase).name)

    @property
    def overdue(self) -> bool:
        return self.next_deadline is not None and self.next_deadline.due_at < timezone.now()


def my_open_cases(actor: Any, *, with_basis: bool = False) -> QuerySet[Case]:
    """The open cases the actor coordinates or takes part in, as the policy lets them read."""
    # A union, not an OR of the two: each half uses its own index, where an OR scans every
    # open case of the country.
    participating = (
        Participant.objects.filter(user=actor, ended_at__isnull=True).order_by().values("case_id")
    )
    coordinating = (
        Case.objects.filter(coordinator=actor, status=Case.Status.OPEN).order_by().values("pk")
    )
    return policy.visible(actor, Case, READ, few_rows=True, with_basis=with_basis).filter(
        pk__in=coordinating.union(participating), status=Case.Status.OPEN
    )


# What "My cases" can be narrowed to by the actor's role in the case.
MY_ROLES = ("koordinator", "deltaker")


def my_case_units(actor: Any) -> list[ServiceUnit]:
    """The units holding the actor's open cases, for narrowing "My cases" to one. One query."""
    ids = my_open_cases(actor).order_by().values("unit_id")
    return list(ServiceUnit.objects.filter(pk__in=ids).order_by("name"))


@transaction.atomic
def my_cases(actor: Any, *, query: str = "", unit_id: Any = None, role: str = "") -> list[CaseRow]:
    """Open cases where the actor is coordinator or a participant, next deadline first;
    narrowed to those whose reference or child's name holds every word of `query`, to one
    unit's, and to those the actor coordinates ("koordinator") or only takes part in."""
    rows_read = my_open_cases(actor, with_basis=True)
    for word in query.split()[:10]:
        rows_read = rows_read.filter(
            Q(reference__icontains=word)
            | Q(child__given_name__icontains=word)
            | Q(child__family_name__icontains=word)
        )
    if unit_id not in (None, ""):
        rows_read = rows_read.filter(unit_id=unit_id if str(unit_id).isdigit() else None)
    if role == "koordinator":
        rows_read = rows_read.filter(coordinator_id=actor.pk)
    elif role == "deltaker":
        rows_read = rows_read.exclude(coordinator_id=actor.pk)
    cases = policy.list_page(
        actor,
        rows_read.select_related("child").order_by("-opened_at")[:200],
        READ,
    )
    _attach_versions(cases)
    due = deadline_rules.next_due(actor, [c.pk for c in cases], READ)
    rows = [
        CaseRow(
            c, due.get(c.pk), _("Coordinator") if c.coordinator_id == actor.pk else _("Participant")
        )
        for c in cases
    ]
    far = timezone.now() + datetime.timedelta(days=36500)
    rows.sort(key=lambda r: r.next_deadline.due_at if r.next_deadline else far)
    return rows


# A weekly meeting goes through tens of items, not hundreds: the oldest first, this many.
ALLOCATION_LIMIT = 60
ALLOCATION_REQUEST_FIELDS = (
    "reference",
    "organisation_id",
    "unit_id",
    "first_contact_due_at",
    "status",
    "requester_name",
    "requester_role",
    "offer__title",
)


@dataclass
class Allocation:
    """What the unit's weekly allocation meeting goes through, in one place."""

    units: list[ServiceUnit]
    unit: ServiceUnit
    requests: list[HelpRequest]  # new requests for help, not yet made a case or closed
    cases: list[CaseRow]  # cases in a phase the team allocates
    limit: int  # at most this many of each are shown


def _team_allocated_phases() -> Q:
    """Cases in a phase whose pathway says the team allocates it (Familiehjelpa's weekly
    team meeting). Versions are few, and each is parsed once per process."""
    condition = Q(pk__in=[])
    for version in PathwayVersion.objects.only("pk", "spec", "published_at"):
        phases = [p.key for p in version.parsed.phases if p.team_allocates]
        if phases:
            condition |= Q(pathway_version_id=version.pk, phase__in=phases)
    return condition


@transaction.atomic
def allocation(actor: Any, unit_id: Any = None) -> Allocation:
    """The allocation view of one of the actor's units (the first when none is chosen):
    requests for help still waiting and cases waiting for the team, the oldest first. A
    constant number of queries, whatever the number of cases."""
    units = list(units_of(actor).order_by("name"))
    if not units:
        raise PermissionDenied(_("You have no role in any unit. Ask your unit's administrator."))
    chosen: ServiceUnit | None = units[0]
    if unit_id not in (None, ""):
        chosen = next((u for u in units if str(u.pk) == str(unit_id)), None)
    if chosen is None:
        raise Http404(_("Not found, or you do not have access."))
    unit = chosen
    requests, cases = policy.list_pages(
        actor,
        [
            (
                policy.visible(actor, HelpRequest, WRITE)
                .filter(
                    unit=unit, status__in=[HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED]
                )
                .select_related("offer")
                # What the list shows: not the message, and of the offer only its title.
                .only(*ALLOCATION_REQUEST_FIELDS)
                .order_by("first_contact_due_at", "pk")[:ALLOCATION_LIMIT],
                WRITE,
            ),
            (
                policy.visible(actor, Case, READ, few_rows=True, with_basis=True)
                .filter(_team_allocated_phases(), unit=unit, status=Case.Status.OPEN)
                .select_related("child", "coordinator")
                .order_by("received_at", "pk")[:ALLOCATION_LIMIT],
                READ,
            ),
        ],
    )
    due = deadline_rules.next_due(actor, [c.pk for c in cases], READ)
    rows = [CaseRow(c, due.get(c.pk), "") for c in cases]
    return Allocation(units=units, unit=unit, requests=requests, cases=rows, limit=ALLOCATION_LIMIT)


# What the forms offer ----------------------------------------------------------------------

CHOICE_LIMIT = 300


@dataclass
class CaseChoices:
    """Whom and what the forms that change a case can choose from."""

    participants: list[Participant]
    goals: list[Goal]
    # Staff of the participating units of the owning organisation: the responsible person of
    # a measure is one of them.
    colleagues: list[Any]
    # Those of them under the owning unit's duty of confidentiality: the coordinator role
    # goes to one of them.
    coordinator_candidates: list[Any]
    # That may join: the owning unit's domain in its organisation, and consented ones.
    units: list[ServiceUnit]
    participating_units: list[ServiceUnit]


def choices_for_change(actor: Any, case: Case) -> CaseChoices:
    """What the change forms of `case` offer. Refused unless the actor may change the case;
    its participants and goals are then read on that basis, and audited as shown."""
    from familiebro.core.models import User

    permissions.require_write(actor, case)
    own = policy.Basis(policy.Basis.OWN_ORGANISATION)
    participants = policy.list_page(
        actor,
        _shown(actor, Participant, case, own).select_related("unit__organisation", "user"),
        READ,
    )
    goals = policy.list_page(actor, _shown(actor, Goal, case, own).order_by("created_at"), READ)
    participating_ids = {p.unit_id for p in participants if p.ended_at is None}
    domain = case.unit.domain
    own_units = list(
        ServiceUnit.objects.filter(organisation_id=case.organisation_id, domain=domain).order_by(
            "name"
        )[:CHOICE_LIMIT]
    )
    consented = list(
        ServiceUnit.objects.filter(
            Q(consents_received__in=_coordination_consents(case))
            | Q(organisation__consents_received__in=_coordination_consents(case))
        )
        .exclude(organisation_id=case.organisation_id, domain=domain)
        .select_related("organisation")
        .distinct()
        .order_by("name")[:CHOICE_LIMIT]
    )
    colleagues = list(
        User.objects.filter(
            memberships__unit_id__in=participating_ids,
            memberships__unit__organisation_id=case.organisation_id,
        )
        .distinct()
        .order_by("first_name", "last_name")[:CHOICE_LIMIT]
    )
    for unit in own_units:
        unit.organisation = case.organisation
    coordinator_candidates = list(
        User.objects.filter(
            memberships__unit_id__in=participating_ids,
            memberships__unit__organisation_id=case.organisation_id,
            memberships__unit__domain=domain,
        )
        .distinct()
        .order_by("first_name", "last_name")[:CHOICE_LIMIT]
    )
    return CaseChoices(
        participants=participants,
        goals=goals,
        colleagues=colleagues,
        coordinator_candidates=coordinator_candidates,
        units=own_units + consented,
        participating_units=[u for u in own_units + consented if u.pk in participating_ids],
    )


def participating_units(actor: Any, case: Case) -> list[int]:
    """The services taking part in `case` now, as the actor may see them: whom a consent
    recorded from the case most likely names."""
    basis = policy.bases_for(actor, [case], READ)[0]
    participants = policy.list_page(
        actor, _shown(actor, Participant, case, basis, ended_at__isnull=True), READ
    )
    return list(dict.fromkeys(p.unit_id for p in participants))


def _coordination_consents(case: Case) -> QuerySet[Consent]:
    # A subquery only, for the services the case's own staff may add: the rows are not shown.
    return Consent.objects.valid_at().filter(
        subject_id=case.child_id,
        organisation_id=case.organisation_id,
        purpose=Purpose.COORDINATION,
    )


def openable_children(actor: Any) -> list[Person]:
    """The children the actor works with, to open a case for (registered persons only)."""
    return policy.list_page(
        actor,
        policy.visible(actor, Person, WRITE)
        .filter(
            kind__in=[Person.Kind.CHILD, Person.Kind.YOUNG_PERSON],
            organisation_id__in=policy.scope_of(actor).organisation_ids,
        )
        .order_by("family_name", "given_name")[:CHOICE_LIMIT],
        WRITE,
    )
