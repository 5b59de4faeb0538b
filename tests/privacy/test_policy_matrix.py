"""The authorisation matrix: every role × place × consent state × action × model.

The expected outcome is written out below from the rules in the docstring of
familiebro.privacy.policy, not computed by the policy, and so is what each model is: which
consent category covers it and who holds its rows (MODEL_FACTS). Nothing here is read from the
policy's registrations, so a model registered under the wrong category or holder fails.

The viewer works in one of three places, seen from the health centre of organisation A that
holds the data: the health centre itself (same domain), the school of organisation A (another
confidentiality domain in the same organisation), or BUP in organisation B.

1. In their own organisation and domain, staff read and change a person's data on
   need-to-know: they are assigned to the person, or they lead the unit of a colleague who
   is where the organisation has turned leaders' oversight on (it is off by default: a
   leader without the rule knows no more than an unassigned worker). Coordinators, unit
   administrators and unassigned workers have no need to know by their role alone; an
   instance administrator without a membership sees nothing, and nor does a parent logged in
   with ID-porten (the family reads through familiebro.privacy.family, never this policy).
2. Rows held by a unit (a case and its parts, held by the case's owning unit) are in that
   unit's domain: the need to know of staff of another domain, even in the same organisation,
   does not open them. Rows held by no unit (the person's identity, guardians, the privacy
   records) belong to the organisation, and its staff's need to know opens them in any domain.
3. Otherwise data is readable through a consent in force (not expired, not withdrawn) that
   names the purpose read for, covers the data's category (every consent covers the identity
   category; the privacy records themselves are never opened by consent) and names the
   reader's organisation or unit, to those of its staff who work on the child: a participant
   of the child's case, or holding an assignment for the child in organisation A. In the
   matrix that is the "worker_assigned" of the school (assigned to the child in the school's
   own work) and of BUP (a named participant of the child's case); their colleagues, their
   leaders and their coordinators read nothing under the consent (the participation
   dimension, PARTICIPATION below, varies how one works on the child). Or through a
   break-glass access that the reader opened, which opens only their own organisation's data
   held in their own domain (another organisation's or service's data is disclosed by its
   holder on request, tests/privacy/test_policy_matrix_disclosure.py; a legal basis opens no
   access). A consent naming the data
   controller itself opens the data to its other domains as it does across organisations.
4. Consent and exceptional access open data for reading only.

Every success must be audited with its basis: own organisation, the consent's id, or the
exception's basis.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.measure_services import MeasureFields
from familiebro.cases.models import (
    Case,
    Deadline,
    Decision,
    Goal,
    Handover,
    HelpRequest,
    IndividualPlan,
    Invitation,
    LogEntry,
    Measure,
    MeasureEvaluation,
    Meeting,
    Milestone,
    Participant,
    PathwayDefinition,
    PlanDecision,
    ReporterFeedback,
)
from familiebro.core import crypto
from familiebro.core.models import GuardianRelation, Membership, ParentInformationDecision, Person
from familiebro.groups.models import AppointmentBook, Booking, CourseSession, Enrolment, Slot
from familiebro.outcomes import scale_services
from familiebro.outcomes.models import Rater, ScaleScore
from familiebro.portal import session as citizen_session
from familiebro.privacy import exceptional, policy
from familiebro.privacy.family import Citizen
from familiebro.privacy.models import (
    AgeBand,
    AnonymousConsultation,
    Assignment,
    AuditEvent,
    Consent,
    ConsentGiver,
    ConsentRequest,
    ConsentRequestAnswer,
    DataCategory,
    DisclosureRequest,
    ExceptionalAccess,
    LegalHold,
    OversightRule,
    Purpose,
)
from familiebro.privacy.models.consent import IDENTITY_CATEGORY
from familiebro.referrals.models import Referral, ReferralEvent, ReferralKind, Status
from tests import factories
from tests.catalogue.factories import OfferFactory
from tests.groups.courses.builders import course_of
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

ROLES = [
    "worker_assigned",
    "worker_not_assigned",
    "coordinator",
    "leader_of_assigned_workers_unit",
    "leader_without_an_oversight_rule",
    "leader_with_oversight_turned_off",
    "unit_admin",
    "instance_admin_without_membership",
    "citizen",
]
PLACES = ["same_domain", "other_domain_same_organisation", "other_organisation"]
# A unit administrator sets the unit up and reads none of its families' data.
NO_STAFF_SCOPE = ("unit_admin", "instance_admin_without_membership", "citizen")
CONSENT_STATES = [
    "no_consent",
    "valid_consent",
    "expired_consent",
    "withdrawn_consent",
    "consent_for_another_purpose",
    "consent_for_another_category",
    "legal_basis",
    "break_glass",
]
ACTIONS = ["list", "view", "change"]

# The purpose every cell reads for; a consent "for another purpose" names REFERRAL instead.
READ_PURPOSE = Purpose.COORDINATION
OTHER_PURPOSE = Purpose.REFERRAL

# Who holds a model's rows: the unit whose inbox it is (or that brought an anonymous
# consultation), the case's owning unit (so the rows are in that unit's confidentiality
# domain), or the organisation as a whole.
INBOX = "the receiving unit's inbox"
CASE_UNIT = "the case's owning unit"
ORGANISATION = "the organisation"


@dataclass(frozen=True)
class Facts:
    category: str | None  # the consent category that covers it; None: never opened by consent
    holder: str


MEASURES = DataCategory.MEASURES_AND_PLANS
MODEL_FACTS: dict[type[models.Model], Facts] = {
    Person: Facts(IDENTITY_CATEGORY, ORGANISATION),
    GuardianRelation: Facts(IDENTITY_CATEGORY, ORGANISATION),
    Consent: Facts(None, ORGANISATION),
    ConsentGiver: Facts(None, ORGANISATION),
    # A consent waiting for the family on Min side, and its answers: the data controller's
    # record, never opened by consent (it is no consent until the last giver gave it).
    ConsentRequest: Facts(None, ORGANISATION),
    ConsentRequestAnswer: Facts(None, ORGANISATION),
    # A need to know is held in the domain it was given in (the health centre's here).
    Assignment: Facts(None, CASE_UNIT),
    ExceptionalAccess: Facts(None, ORGANISATION),
    # The data controller's hold on the child's data: its own record, never opened by consent.
    LegalHold: Facts(None, ORGANISATION),
    # A request the health centre sent to another service about the child: the health centre's
    # own record, in its domain, never opened by consent.
    DisclosureRequest: Facts(None, CASE_UNIT),
    # The health centre's decision on information to a parent without parental
    # responsibility (barneloven § 47): its own record, in its domain, never opened by consent.
    ParentInformationDecision: Facts(None, CASE_UNIT),
    HelpRequest: Facts(None, INBOX),
    # A course's enrolment and session, held by the unit that runs the course (its inbox, as
    # it were); courses.permissions narrows the enrolments further, to those who run it.
    Enrolment: Facts(None, INBOX),
    CourseSession: Facts(None, INBOX),
    # An appointment book's booking is held by the book's unit, as an inbox is; who else
    # reads it (its provider, the booking nurse's unit) is tested in tests/groups/appointments.
    Booking: Facts(None, INBOX),
    # Pseudonymous for the unit that brought it, which alone reads it; it names nobody.
    AnonymousConsultation: Facts(None, INBOX),
    Case: Facts(IDENTITY_CATEGORY, CASE_UNIT),
    Decision: Facts(MEASURES, CASE_UNIT),
    Handover: Facts(MEASURES, CASE_UNIT),
    Participant: Facts(MEASURES, CASE_UNIT),
    Milestone: Facts(MEASURES, CASE_UNIT),
    Goal: Facts(MEASURES, CASE_UNIT),
    Measure: Facts(MEASURES, CASE_UNIT),
    MeasureEvaluation: Facts(MEASURES, CASE_UNIT),
    IndividualPlan: Facts(MEASURES, CASE_UNIT),
    # A decision on the rights to a plan or a coordinator: a part of the case like the plan.
    PlanDecision: Facts(MEASURES, CASE_UNIT),
    Deadline: Facts(MEASURES, CASE_UNIT),
    LogEntry: Facts(DataCategory.LOG_ENTRIES, CASE_UNIT),
    Meeting: Facts(DataCategory.MEETING_MINUTES, CASE_UNIT),
    Invitation: Facts(DataCategory.MEETING_MINUTES, CASE_UNIT),
    # Feedback to whoever raised the concern is never opened by consent; the staff member it
    # is addressed to reads it for the purpose reporter_feedback only (not in this matrix:
    # tests/cases/test_reporter_feedback.py).
    ReporterFeedback: Facts(None, CASE_UNIT),
    # A referral the health centre sent to a service elsewhere, and its changes: opened to the
    # staff of the two units it was sent between (like an inbox: the unit's members), never
    # by consent or exceptional access (tests/referrals for the receiving side).
    Referral: Facts(None, INBOX),
    ReferralEvent: Facts(None, INBOX),
    # The session scales of the case: who rates, and their scores.
    Rater: Facts(DataCategory.OUTCOME_SCORES, CASE_UNIT),
    ScaleScore: Facts(DataCategory.OUTCOME_SCORES, CASE_UNIT),
}


# --- The expected outcome, from the docstring ------------------------------------------------


def has_need_to_know(role: str, place: str, facts: Facts) -> bool:
    if place == "other_organisation" or role not in (
        "worker_assigned",
        "leader_of_assigned_workers_unit",
    ):
        return False
    # The school's staff know the child too, but only the organisation's rows follow them.
    return place == "same_domain" or facts.holder == ORGANISATION


@dataclass(frozen=True)
class Expected:
    legal_basis: str
    by_consent: bool = False


def is_member_of_the_receiving_unit(role: str, place: str) -> bool:
    # Every staff role in the matrix is a member of the home unit, which in the same domain is
    # the unit whose inbox holds the row.
    return place == "same_domain" and role not in NO_STAFF_SCOPE


def expected_read(role: str, place: str, state: str, facts: Facts) -> Any:
    """The basis a read is allowed on, or None when it must be refused."""
    if role in NO_STAFF_SCOPE:
        return None
    if facts.holder == INBOX:
        # A unit's inbox (a request for help about nobody registered yet): only the unit's
        # members see it; neither consent nor exceptional access can name a person to open it.
        if is_member_of_the_receiving_unit(role, place):
            return Expected(policy.Basis.OWN_ORGANISATION)
        return None
    category = facts.category
    if has_need_to_know(role, place, facts):
        # A break-glass access the reader holds is the basis of all it opens, though their
        # need to know opens it too: what is read in its window is read under it.
        if state == "break_glass" and place == "same_domain":
            return Expected(ExceptionalAccess.Basis.BREAK_GLASS)
        return Expected(policy.Basis.OWN_ORGANISATION)
    # A consent opens data to the people who need it: those who work on the child.
    if category is not None and works_on_the_child(role, place):
        covers_category = category == IDENTITY_CATEGORY or state != "consent_for_another_category"
        if state in ("valid_consent", "consent_for_another_category") and covers_category:
            return Expected(policy.Basis.CONSENT, by_consent=True)
    # A legal basis opens nothing: it is the holder's ground to disclose. Break-glass opens
    # the reader's own organisation's data in their own domain only.
    if state == "break_glass" and place == "same_domain":
        return Expected(ExceptionalAccess.Basis.BREAK_GLASS)
    return None


def works_on_the_child(role: str, place: str) -> bool:
    """Whether the viewer works on the child where a consent could open data to them: the
    school's worker assigned to the child, or BUP's worker taking part in the child's case.
    Their colleagues, leaders and coordinators do not."""
    return role == "worker_assigned" and place != "same_domain"


def expected_change(role: str, place: str, facts: Facts) -> bool:
    if facts.holder == INBOX:
        return is_member_of_the_receiving_unit(role, place)
    return has_need_to_know(role, place, facts)


# --- The world each cell runs in --------------------------------------------------------------


@dataclass
class World:
    viewer: Any
    child: Person  # the data controller is organisation A
    guardian: Person
    relation: GuardianRelation
    records: dict[type[models.Model], models.Model]
    state_consent: Consent | None


# A parent's identity number (synthetic), by which a citizen login knows them.
GUARDIAN_IDENTITY_NUMBER = "01048512345"


def build_world(role: str, place: str, state: str) -> World:
    now = timezone.now()
    unit_a = make.unit(name="Helsestasjon A")
    org_a = unit_a.organisation
    third_org = make.organisation(name="Tredje organisasjon")
    child, guardian, relation = make.child_with_guardian(org_a, given_name="Matrisebarn")
    assigned_in_a = make.member(unit_a)
    assignment = make.assign(child, user=assigned_in_a)

    if place == "same_domain":
        home = unit_a
        assigned_at_home = assigned_in_a
    elif place == "other_domain_same_organisation":
        # The school of the same organisation knows the child as well, in its own work.
        home = make.unit(org_a, name="Skole A", kind="skole")
        assigned_at_home = make.member(home)
        make.assign(child, user=assigned_at_home)
    else:
        home = make.unit(name="BUP B", kind="bup")
        assigned_at_home = make.member(home)
        # Organisation B has its own registration of the same child, which its worker has.
        own_copy = factories.PersonFactory(
            organisation=home.organisation, given_name="Egenregistrert", family_name="Berg"
        )
        make.assign(own_copy, user=assigned_at_home)

    viewer = {
        "worker_assigned": lambda: assigned_at_home,
        "worker_not_assigned": lambda: make.member(home),
        "coordinator": lambda: make.member(home, Membership.Role.COORDINATOR),
        "leader_of_assigned_workers_unit": lambda: make.member(home, Membership.Role.LEADER),
        "leader_without_an_oversight_rule": lambda: make.member(home, Membership.Role.LEADER),
        "leader_with_oversight_turned_off": lambda: make.member(home, Membership.Role.LEADER),
        "unit_admin": lambda: make.member(home, Membership.Role.UNIT_ADMIN),
        "instance_admin_without_membership": lambda: make.user(is_instance_admin=True),
        # A parent logged in with ID-porten: not staff, whatever the place.
        "citizen": lambda: Citizen(identity_hash=crypto.lookup_hash(GUARDIAN_IDENTITY_NUMBER)),
    }[role]()
    if role == "leader_of_assigned_workers_unit":
        # Leaders see the persons their units work with only where the data controller has
        # decided so: by necessity, not by default.
        OversightRule.objects.create(organisation=home.organisation, leaders_see_unit_persons=True)
    if role == "leader_with_oversight_turned_off":
        OversightRule.objects.create(organisation=home.organisation, leaders_see_unit_persons=False)

    # Records of every registered model about the child, none of them opened to the viewer
    # by themselves: the consent names a third organisation, the exception is someone else's.
    fixture_consent = make.consent(
        child, purpose=Purpose.SHARED_LOG, recipient_organisations=[third_org], giver=guardian
    )
    outsider = make.member(make.unit(third_org))
    others_exception = ExceptionalAccess.objects.create(
        basis=ExceptionalAccess.Basis.EMERGENCY,
        user=outsider,
        person=child,
        organisation=org_a,
        reason="Akutt situasjon på legevakten i natt",
        expires_at=now + datetime.timedelta(hours=1),
    )
    asked = ConsentRequest.objects.create(
        organisation=org_a,
        subject=child,
        purpose=Purpose.COORDINATION,
        scope=" log_entries ",
        text=fixture_consent.text,
        valid_to=now + datetime.timedelta(days=30),
        prepared_by=make.user(),
    )
    answer = ConsentRequestAnswer.objects.create(
        request=asked, person=guardian, role="guardian", capacity="parental_responsibility"
    )
    records: dict[type[models.Model], models.Model] = {
        ConsentRequest: asked,
        ConsentRequestAnswer: answer,
        Person: child,
        GuardianRelation: relation,
        Consent: fixture_consent,
        ConsentGiver: fixture_consent.givers.get(),
        Assignment: assignment,
        ExceptionalAccess: others_exception,
        HelpRequest: HelpRequest.objects.create(
            reference="HJ-MATRISE",
            organisation=org_a,
            unit=unit_a,
            channel=HelpRequest.Channel.PHONE,
            requester_role=HelpRequest.RequesterRole.PARENT,
            requester_name="Mor Matrisebarn",
            received_at=now,
            first_contact_due_at=now + datetime.timedelta(days=7),
        ),
        Booking: appointment_booking(unit_a, assigned_in_a, now),
        AnonymousConsultation: AnonymousConsultation.objects.create(
            unit=unit_a,
            held_on=now.date(),
            age_band=AgeBand.AGE_6_12,
            topics="søvn, uro",
            advice="Foreslo foreldreveiledning.",
            created_by=assigned_in_a,
        ),
        LegalHold: LegalHold.objects.create(
            organisation=org_a,
            person=child,
            reason="Klagesak hos Statsforvalteren",
            placed_by=make.user(),
            placed_at=now,
        ),
        DisclosureRequest: DisclosureRequest.objects.create(
            organisation=org_a,
            requesting_unit=unit_a,
            subject=child,
            requested_by=assigned_in_a,
            holder_unit=outsider.memberships.get().unit,
            ground=DisclosureRequest.Ground.CHILD_WELFARE,
            question="Hva vet dere om barnets søvn?",
        ),
        ParentInformationDecision: ParentInformationDecision.objects.create(
            organisation=org_a,
            unit=unit_a,
            child=child,
            parent=relation.guardian,
            asked="Hvordan går det med barnet?",
            outcome=ParentInformationDecision.Outcome.GIVEN,
            given="Barnet har det bra.",
            decided_by=assigned_in_a,
            decided_at=now,
        ),
    }
    records |= case_records(child, unit_a, assigned_in_a, now)
    records |= referral_records(child, unit_a, outsider.memberships.get().unit, assigned_in_a, now)
    course = course_of(OfferFactory(unit=unit_a), assigned_in_a)
    records |= {Enrolment: course.enrolments.get(), CourseSession: course.sessions.get()}
    if place == "other_organisation":
        # BUP's worker takes part in the child's case by name (added while the family's
        # consent for coordination was in force; its state below is what the cell varies).
        Participant.objects.create(
            case=records[Case],
            organisation=org_a,
            unit=home,
            user=assigned_at_home,
            role="BUP",
            added_by=assigned_in_a,
            added_at=now,
        )

    state_consent = None
    recipients = [home.organisation]
    # Apart from "another category", a state's consent covers every category a consent can
    # name, so that it differs from a valid consent in the one respect its state names.
    every_category = DataCategory.values
    day = datetime.timedelta(days=1)
    if state == "valid_consent":
        state_consent = make.consent(
            child, purpose=READ_PURPOSE, scope=every_category, recipient_organisations=recipients
        )
    elif state == "expired_consent":
        state_consent = make.consent(
            child,
            purpose=READ_PURPOSE,
            scope=every_category,
            recipient_organisations=recipients,
            valid_from=now - 60 * day,
            valid_to=now - day,
        )
    elif state == "withdrawn_consent":
        state_consent = make.consent(
            child,
            purpose=READ_PURPOSE,
            scope=every_category,
            recipient_organisations=recipients,
            withdrawn_at=now - datetime.timedelta(hours=1),
        )
    elif state == "consent_for_another_purpose":
        state_consent = make.consent(
            child, purpose=OTHER_PURPOSE, scope=every_category, recipient_organisations=recipients
        )
    elif state == "consent_for_another_category":
        # Contact details: a category no kind of record in the matrix is held under.
        state_consent = make.consent(
            child,
            purpose=READ_PURPOSE,
            scope=[DataCategory.CONTACT_DETAILS],
            recipient_organisations=recipients,
        )
    elif state in ("legal_basis", "break_glass"):
        basis = (
            ExceptionalAccess.Basis.DUTY_TO_REPORT
            if state == "legal_basis"
            else ExceptionalAccess.Basis.BREAK_GLASS
        )
        try:
            exceptional.open_access(
                viewer,
                person_id=child.pk,
                found_person_ids=[child.pk],
                looked_up_at=timezone.now(),
                basis=basis,
                reason="Bekymringsmelding må vurderes i dag",
            )
        except (PermissionDenied, ValidationError):
            # Only staff with a role in a health or child welfare service can break the glass,
            # and only in their own organisation; a legal basis opens no access at all.
            assert role in NO_STAFF_SCOPE or place != "same_domain" or state == "legal_basis"
        else:
            assert state == "break_glass" and place == "same_domain"
    return World(viewer, child, guardian, relation, records, state_consent)


def case_records(
    child: Person, unit_a: Any, assigned_in_a: Any, now: datetime.datetime
) -> dict[type[models.Model], models.Model]:
    """A case about the child with one record of each of its parts, made as staff make them.

    `assigned_in_a` (already assigned to the child) opens the case and works on it. Whoever
    else the services give the need to know is nobody the matrix looks through: the owning
    unit's assignment and its part in the case are ended (the same-domain viewers are members
    of unit A, and would otherwise all know the child by it), the participating service is a
    unit of organisation A in the same domain that no viewer works in, and the colleague
    offered the coordinator role is no viewer.
    """
    org_a = unit_a.organisation
    case = case_services.open_case(
        assigned_in_a,
        child=child,
        unit=unit_a,
        origin=Case.Origin.STAFF_CONCERN,
        concern="Trekker seg unna i lek og virker lei seg.",
        pathway=PathwayDefinition.objects.get(key="bti").versions.get(number=1),
    )
    Assignment.objects.filter(unit=unit_a, ended_at__isnull=True).update(ended_at=now)
    # With it the owning unit's part in the case as a whole ends, which a consent naming the
    # organisation would otherwise open the case to every member of unit A by.
    Participant.objects.filter(case=case, unit=unit_a, user__isnull=True).update(ended_at=now)
    decision = case_services.decide(
        assigned_in_a, case, option="own_service", reason="Foreldrene ønsker tiltak i barnehagen."
    )
    participant = participant_services.add_participant(
        assigned_in_a,
        case,
        unit=make.unit(org_a, name=f"Skolehelsetjenesten A {child.pk}", kind="skolehelsetjeneste"),
        role="Skolehelsetjeneste",
    )
    handover = participant_services.offer_handover(
        assigned_in_a, case, make.member(unit_a), "Du kjenner familien."
    )
    goal = measure_services.add_goal(assigned_in_a, case, "Barnet leker med de andre barna.")
    today = timezone.localdate()
    measure = measure_services.add_measure(
        assigned_in_a,
        case,
        MeasureFields(
            title="Samtaler med helsesykepleier",
            responsible_unit=unit_a,
            responsible_user=assigned_in_a,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
            goal=goal,
        ),
    )
    evaluation = measure_services.evaluate_measure(
        assigned_in_a,
        measure,
        what_worked="Samtalene hjelper.",
        decision=MeasureEvaluation.Decision.CONTINUE,
        next_evaluation_date=today + datetime.timedelta(days=60),
    )
    log_entry = case_services.write_log_entry(
        assigned_in_a,
        case,
        kind=LogEntry.Kind.NOTE,
        text="Mor ringte og fortalte at det går bedre.",
    )
    # The BTI pathway has no milestones, and meetings and plans have no service yet.
    milestone = Milestone.objects.create(
        case=case,
        organisation=org_a,
        key="first_contact",
        recorded_by=assigned_in_a,
        occurred_at=now,
    )
    meeting = Meeting.objects.create(
        case=case,
        organisation=org_a,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=1),
        place="Helsestasjonen",
        created_by=assigned_in_a,
        created_at=now,
    )
    invitation = Invitation.objects.create(
        meeting=meeting, organisation=org_a, name="Fastlege Fastlegesen", email="lege@example.no"
    )
    plan = IndividualPlan.objects.create(
        case=case, organisation=org_a, unit=unit_a, created_by=assigned_in_a, created_at=now
    )
    plan.responsibility_group.add(participant)
    plan_decision = PlanDecision.objects.create(
        case=case,
        organisation=org_a,
        right=PlanDecision.Right.COORDINATOR,
        origin=PlanDecision.Origin.APPLIED,
        requested_on=now.date(),
        outcome=PlanDecision.Outcome.GRANTED,
        decided_on=now.date(),
        decided_by="Leder for koordinerende enhet",
        recorded_by=assigned_in_a,
        recorded_at=now,
    )
    # Feedback given to a reporter who is none of the viewers.
    feedback = ReporterFeedback.objects.create(
        case=case,
        organisation=org_a,
        recipient=make.member(make.unit(org_a, name=f"Barnehage A {child.pk}", kind="barnehage")),
        ground=ReporterFeedback.Ground.CONSENT,
        text="Bekymringen du meldte er fulgt opp, og saken er avsluttet.",
        created_at=now,
        created_by=assigned_in_a,
    )
    rater = scale_services.add_rater(assigned_in_a, case, "Mor", "parent")
    wellbeing = {"meg-selv": 5, "familie": 6, "hverdag": 7, "alt-i-alt": 6}
    score = scale_services.record_score(assigned_in_a, case, rater.pk, "wellbeing", 1, wellbeing)
    return {
        Rater: rater,
        ScaleScore: score,
        Case: case,
        Decision: decision,
        Handover: handover,
        Participant: participant,
        Milestone: milestone,
        Goal: goal,
        Measure: measure,
        MeasureEvaluation: evaluation,
        IndividualPlan: plan,
        PlanDecision: plan_decision,
        Deadline: Deadline.objects.filter(case=case).earliest("pk"),
        LogEntry: log_entry,
        Meeting: meeting,
        Invitation: invitation,
        ReporterFeedback: feedback,
    }


def referral_records(
    child: Person, unit_a: Any, elsewhere: Any, sender: Any, now: Any
) -> dict[type[models.Model], models.Model]:
    kind = ReferralKind.objects.create(unit=elsewhere, topic="other", name="Utredning")
    referral = Referral.objects.create(
        organisation=unit_a.organisation,
        from_unit=unit_a,
        to_unit=elsewhere,
        to_kind=kind,
        person=child,
        child_name="Matrisebarn Berg",
        status=Status.SENT,
        status_changed_at=now,
        created_by=sender,
        created_at=now,
        sent_at=now,
    )
    event = ReferralEvent.objects.create(
        referral=referral, to_status=Status.SENT, side="referrer", by=sender, at=now
    )
    return {Referral: referral, ReferralEvent: event}


def assert_audited(event: AuditEvent, expected: Expected, world: World, subject: int) -> None:
    bases = event.detail.get("bases")
    if bases and event.object_type == "core.person":
        assert bases[str(subject)] == expected.legal_basis
    else:
        assert event.legal_basis == expected.legal_basis
    if expected.by_consent:
        assert world.state_consent is not None
        consent_ids = event.detail.get("consent_ids") or [event.consent_id]
        assert world.state_consent.pk in consent_ids
    else:
        assert event.consent_id is None


def appointment_booking(unit: Any, provider: Any, now: datetime.datetime) -> Booking:
    """A booking in an appointment book of `unit`, with `provider`."""
    book = AppointmentBook.objects.create(
        organisation=unit.organisation,
        unit=unit,
        provider=provider,
        place_unit=unit,
        place="Helsestasjonen",
        weekday=0,
        starts_on=now.date(),
        day_starts=datetime.time(9),
        day_ends=datetime.time(10),
        created_by=provider,
    )
    starts = now + datetime.timedelta(days=3)
    slot = Slot.objects.create(
        book=book, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)
    )
    return Booking.objects.create(
        organisation=unit.organisation,
        unit=unit,
        slot=slot,
        provider=provider,
        kind=Booking.Kind.PARENT,
        name="Mor Matrisebarn",
    )


def cells(actions: list[str]) -> list[Any]:
    return [
        pytest.param(role, place, state, action, id=f"{role}-{place}-{state}-{action}")
        for role in ROLES
        for place in PLACES
        # A parent is nobody's staff: where the staff work does not change their answer.
        if role != "citizen" or place == "same_domain"
        for state in CONSENT_STATES
        for action in actions
    ]


# --- The policy itself, for every registered model -------------------------------------------


def test_the_matrix_covers_every_registered_model():
    """A model registered with the policy needs its facts written in MODEL_FACTS and a record
    in build_world, or the matrix is blind to it."""
    world = build_world("worker_assigned", "same_domain", "no_consent")
    assert set(policy.registered_models()) == set(MODEL_FACTS) == set(world.records)


# Every model, checked in each cell against the one world the cell builds.
MODELS = sorted(MODEL_FACTS, key=lambda m: m._meta.label)


def check_the_policy_on(
    model: type[models.Model], world: World, role: str, place: str, state: str, action: str
) -> None:
    """One model in one cell: the outcome, and an audit event exactly when a read succeeds."""
    record = world.records[model]
    facts = MODEL_FACTS[model]
    expected = expected_read(role, place, state, facts)
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    if action == "list":
        rows = policy.list_page(
            world.viewer,
            policy.visible(world.viewer, model, READ_PURPOSE).filter(pk=record.pk),
            READ_PURPOSE,
        )
        assert (rows == [record]) is (expected is not None), f"listed {rows}, expected {expected}"
    elif action == "view":
        if expected is None:
            with pytest.raises(Http404):
                policy.get_or_404(world.viewer, model, record.pk, READ_PURPOSE)
        else:
            assert policy.get_or_404(world.viewer, model, record.pk, READ_PURPOSE) == record
    else:
        if expected_change(role, place, facts):
            basis = policy.require(world.viewer, policy.Action.CHANGE, record, READ_PURPOSE)
            assert basis.legal_basis == policy.Basis.OWN_ORGANISATION
        else:
            with pytest.raises(PermissionDenied):
                policy.require(world.viewer, policy.Action.CHANGE, record, READ_PURPOSE)
        return

    events = list(AuditEvent.objects.filter(id__gt=last_event).order_by("id"))
    if expected is None:
        assert events == [], "a refused read was audited"
    else:
        assert len(events) == 1, f"a granted read wrote {len(events)} audit events, not one"
        event = events[0]
        assert event.object_type == model._meta.label_lower
        assert event.object_ids == [str(record.pk)]
        assert event.actor_id == world.viewer.pk
        assert event.purpose == READ_PURPOSE
        assert_audited(event, expected, world, world.child.pk)


@pytest.mark.parametrize(("role", "place", "state", "action"), cells(ACTIONS))
def test_the_policy_grants_exactly_the_allowed_cells(role, place, state, action):
    """Each cell builds its world once and checks every registered model in it, so that the
    matrix grows with the models without building a world per model."""
    world = build_world(role, place, state)
    failures = []
    for model in MODELS:
        label = model._meta.label
        if model not in world.records:
            failures.append(f"{label}: add a record of {label} to build_world.")
            continue
        try:
            check_the_policy_on(model, world, role, place, state, action)
        except (Exception, pytest.fail.Exception) as error:
            failures.append(f"{label}: {type(error).__name__}: {error}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.mark.parametrize(("role", "place", "state", "action"), cells(["view"]))
def test_a_basis_read_with_the_rows_and_the_change_answered_from_it_agree_with_the_full_checks(
    role, place, state, action
):
    """Pages read their rows with visible(…, with_basis=True) and ask may_change_on() instead
    of require(): in every cell, for every model, the same rows, bases and answers."""
    world = build_world(role, place, state)
    failures = []
    for model in MODELS:
        record = world.records[model]
        facts = MODEL_FACTS[model]
        label = model._meta.label
        rows = list(
            policy.visible(
                world.viewer, model, READ_PURPOSE, few_rows=True, with_basis=True
            ).filter(pk=record.pk)
        )
        expected = expected_read(role, place, state, facts)
        if (rows == [record]) is not (expected is not None):
            failures.append(f"{label}: read {rows}, expected {expected}")
            continue
        if not rows:
            continue
        basis = policy.bases_for(world.viewer, rows, READ_PURPOSE)[0]
        if basis != policy.bases_for(world.viewer, [record], READ_PURPOSE)[0]:
            failures.append(f"{label}: basis {basis} differs from the one asked for")
        if basis.legal_basis != expected.legal_basis:
            failures.append(f"{label}: basis {basis.legal_basis}, expected {expected.legal_basis}")
        may_change = policy.may_change_on(world.viewer, record, basis, READ_PURPOSE)
        if may_change is not expected_change(role, place, facts):
            failures.append(f"{label}: may change {may_change}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


# --- The staff pages ---------------------------------------------------------------------------


def client_for(world: World, role: str) -> Client:
    if role != "citizen":
        return make.logged_in(world.viewer)
    client = Client()
    session = client.session
    session[citizen_session.CITIZEN_KEY] = {
        "identity_hash": world.viewer.identity_hash,
        "id_token": "",
        "acr": "idporten-loa-high",
    }
    session.save()
    return client


def assert_a_parent_gets_nothing_from_the_staff_pages(client: Client, world: World) -> None:
    """A parent's login opens Min side only: the staff pages send them to the staff login,
    show nothing of the child, change nothing, and audit nothing."""
    events = AuditEvent.objects.count()
    query = {"formål": READ_PURPOSE}
    for response in (
        client.get(reverse("person-list"), query),
        client.get(reverse("person-detail", args=[world.child.pk]), query),
        client.post(
            reverse("person-change", args=[world.child.pk]), {"phone": "91234567", "email": ""}
        ),
    ):
        assert response.status_code == 302
        assert "Matrisebarn" not in response.content.decode()
    world.child.refresh_from_db()
    assert world.child.phone == ""
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("role", "place", "state", "action"), cells(ACTIONS))
def test_the_person_pages_show_exactly_the_allowed_cells(role, place, state, action):
    world = build_world(role, place, state)
    client = client_for(world, role)
    if role == "citizen":
        assert_a_parent_gets_nothing_from_the_staff_pages(client, world)
        return
    expected = expected_read(role, place, state, MODEL_FACTS[Person])
    query = {"formål": READ_PURPOSE}

    if action == "list":
        page = client.get(reverse("person-list"), query)
        assert page.status_code == 200
        assert ("Berg, Matrisebarn" in page.content.decode()) is (expected is not None)
        if expected is not None:
            event = AuditEvent.objects.filter(action="list", object_type="core.person").latest("id")
            assert str(world.child.pk) in event.subject_ids
            assert_audited(event, expected, world, world.child.pk)
    elif action == "view":
        page = client.get(reverse("person-detail", args=[world.child.pk]), query)
        assert page.status_code == (200 if expected is not None else 404)
        if expected is not None:
            assert "Matrisebarn" in page.content.decode()
            event = AuditEvent.objects.filter(action="view", object_type="core.person").latest("id")
            assert event.object_ids == [str(world.child.pk)]
            assert_audited(event, expected, world, world.child.pk)
    else:
        response = client.post(
            reverse("person-change", args=[world.child.pk]), {"phone": "91234567", "email": ""}
        )
        world.child.refresh_from_db()
        if expected_change(role, place, MODEL_FACTS[Person]):
            assert response.status_code == 302
            assert world.child.phone == "+4791234567"
            event = AuditEvent.objects.filter(action="change", object_type="core.person").get()
            assert event.legal_basis == policy.Basis.OWN_ORGANISATION
            assert event.detail == {"changed_fields": ["phone"]}
        else:
            # Changing is casework: whoever reads for casework (by an exception) is told why
            # not; a consent opens another purpose only, so for casework they learn nothing.
            reads_for_casework = expected is not None and not expected.by_consent
            assert response.status_code == (403 if reads_for_casework else 404)
            assert world.child.phone == ""
            assert not AuditEvent.objects.filter(action="change").exists()


@pytest.mark.parametrize(("role", "place", "state", "action"), cells(["list"]))
def test_guardian_relations_appear_on_the_person_page_exactly_in_the_allowed_cells(
    role, place, state, action
):
    world = build_world(role, place, state)
    client = client_for(world, role)
    if role == "citizen":
        assert_a_parent_gets_nothing_from_the_staff_pages(client, world)
        return
    expected = expected_read(role, place, state, MODEL_FACTS[GuardianRelation])
    before = AuditEvent.objects.filter(object_type="core.guardianrelation").count()

    page = client.get(reverse("person-detail", args=[world.child.pk]), {"formål": READ_PURPOSE})

    guardian_name = str(world.guardian)
    if expected is None:
        assert page.status_code == 404
        assert guardian_name not in page.content.decode()
        assert AuditEvent.objects.filter(object_type="core.guardianrelation").count() == before
    else:
        assert guardian_name in page.content.decode()
        event = AuditEvent.objects.filter(object_type="core.guardianrelation").latest("id")
        assert event.object_ids == [str(world.relation.pk)]
        assert_audited(event, expected, world, world.child.pk)


# --- Participation under consent ----------------------------------------------------------------

# How a BUP worker (organisation B) stands to the child of organisation A's health centre, whose
# case the family's consent names BUP for; and whether they read the child (Person, the
# organisation's row), the case and its shared log (rows the health centre holds) under it.
# Written out from the rule, not read from the policy: (Person, Case, LogEntry).
PARTICIPATION: dict[str, tuple[bool, bool, bool]] = {
    # Taking part in the child's case by name.
    "named_participant": (True, True, True),
    # A colleague in the same unit of someone taking part by name.
    "colleague_of_a_named_participant": (False, False, False),
    # The leader of someone taking part by name: oversight is not work on the child.
    "leader_of_a_named_participant": (False, False, False),
    # A member of a unit that takes part in the case as a whole.
    "member_of_a_participating_unit": (True, True, True),
    # Took part, and left the case.
    "participation_ended": (False, False, False),
    # Holds an assignment for the child in organisation A's register.
    "assigned_to_the_child": (True, True, True),
    "assignment_ended": (False, False, False),
    # Takes part in another child's case only.
    "participant_in_another_childs_case": (False, False, False),
    # Takes part, but the consent names a sister unit of BUP, not BUP.
    "participant_but_the_consent_names_another_unit": (False, False, False),
    # Takes part, but the consent is for the school's information only (the education
    # domain): it says whom it is about, and opens nothing the health centre holds.
    "participant_but_the_consent_is_for_another_service": (True, False, False),
    # Takes part, and no consent is in force.
    "participant_without_consent": (False, False, False),
}


@pytest.mark.parametrize("participation", list(PARTICIPATION))
def test_a_consent_opens_the_data_only_to_those_who_work_on_the_child(participation):
    world = build_world("worker_not_assigned", "other_organisation", "no_consent")
    bup = world.viewer.memberships.get().unit
    case = world.records[Case]
    org_a = world.child.organisation
    now = timezone.now()
    viewer = world.viewer

    def takes_part(user: Any, unit: Any = bup, in_case: Case = case, ended: bool = False) -> None:
        Participant.objects.create(
            case=in_case,
            organisation=org_a,
            unit=unit,
            user=user,
            added_by=case.coordinator,
            added_at=now,
            ended_at=now if ended else None,
        )

    consent_domain = ""
    recipients = [bup]
    if participation == "named_participant":
        takes_part(viewer)
    elif participation == "colleague_of_a_named_participant":
        takes_part(make.member(bup))
    elif participation == "leader_of_a_named_participant":
        takes_part(make.member(bup))
        viewer = make.member(bup, Membership.Role.LEADER)
    elif participation == "member_of_a_participating_unit":
        takes_part(None)
    elif participation == "participation_ended":
        takes_part(viewer, ended=True)
    elif participation in ("assigned_to_the_child", "assignment_ended"):
        assignment = make.assign(world.child, user=viewer, domain=bup.domain)
        if participation == "assignment_ended":
            assignment.ended_at = now
            assignment.save(update_fields=["ended_at"])
    elif participation == "participant_in_another_childs_case":
        other_child, _guardian, _relation = make.child_with_guardian(org_a, given_name="Annen")
        unit_a = case.unit
        make.assign(other_child, user=case.coordinator)
        other_case = case_records(other_child, unit_a, case.coordinator, now)[Case]
        takes_part(viewer, in_case=other_case)
    elif participation == "participant_but_the_consent_names_another_unit":
        takes_part(viewer)
        recipients = [make.unit(bup.organisation, name="Søsterenhet B")]
    elif participation == "participant_but_the_consent_is_for_another_service":
        takes_part(viewer)
        consent_domain = "education"
    else:
        assert participation == "participant_without_consent"
        takes_part(viewer)
    if participation != "participant_without_consent":
        consent = make.consent(
            world.child, purpose=READ_PURPOSE, scope=DataCategory.values, recipient_units=recipients
        )
        if consent_domain:
            Consent.objects.filter(pk=consent.pk).update(domain=consent_domain)

    expected = dict(zip((Person, Case, LogEntry), PARTICIPATION[participation], strict=True))
    for model, reads in expected.items():
        record = world.records[model]
        rows = policy.visible(viewer, model, READ_PURPOSE).filter(pk=record.pk)
        assert rows.exists() is reads, f"{model._meta.label}: expected {reads}"
        probed = policy.visible(viewer, model, READ_PURPOSE, few_rows=True).filter(pk=record.pk)
        assert probed.exists() is reads
        if reads:
            assert policy.bases_for(viewer, [record], READ_PURPOSE)[0].legal_basis == (
                policy.Basis.CONSENT
            )
            # Reading under consent is reading only.
            with pytest.raises(PermissionDenied):
                policy.require(viewer, policy.Action.CHANGE, record, READ_PURPOSE)


def test_a_consent_naming_a_unit_opens_the_data_to_that_unit_only():
    world = build_world("worker_assigned", "other_organisation", "no_consent")
    home = world.viewer.memberships.get().unit
    sister_unit = make.unit(home.organisation)
    make.consent(world.child, purpose=READ_PURPOSE, recipient_units=[sister_unit])
    assert not policy.visible(world.viewer, Person, READ_PURPOSE).filter(pk=world.child.pk)
    make.consent(world.child, purpose=READ_PURPOSE, recipient_units=[home])
    assert policy.visible(world.viewer, Person, READ_PURPOSE).filter(pk=world.child.pk)


def test_searching_by_identity_number_looks_past_need_to_know_only_for_persons():
    world = build_world("worker_not_assigned", "same_domain", "no_consent")
    lookup = policy.Purpose.IDENTITY_LOOKUP
    assert policy.visible(world.viewer, Person, lookup).filter(pk=world.child.pk).exists()
    for model in (GuardianRelation, Consent, Assignment):
        record = world.records[model]
        assert not policy.visible(world.viewer, model, lookup).filter(pk=record.pk).exists()
