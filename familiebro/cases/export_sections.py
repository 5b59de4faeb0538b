"""What a person's right-of-access export shows of cases and requests for help.

Each kind of record the cases app registers with the access policy is one section of the
export (familiebro.privacy.export): its rows about the person, their facts with plain labels,
and, for measures and log entries, whether the service marked them internal. Phases,
milestones and decision options are shown by their names in the pathway the case follows,
never by their keys.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from familiebro.privacy.export import Column, Section, register_section

from . import models


def _phase_name(case: models.Case, key: str) -> str:
    if not key:
        return ""
    try:
        return str(case.pathway_version.parsed.phase(key).name)
    except KeyError:  # a phase of an older version the case was moved from
        return key


def _option_label(decision: models.Decision) -> str:
    try:
        point = decision.case.pathway_version.parsed.phase(decision.phase).decision
    except KeyError:
        point = None
    option = point.option(decision.option) if point is not None else None
    return str(option.label) if option is not None else decision.option


def _milestone_label(milestone: models.Milestone) -> str:
    kind = milestone.case.pathway_version.parsed.milestone(milestone.key)
    return str(kind.label) if kind is not None else milestone.key


def _handover_answer(handover: models.Handover) -> str:
    if handover.accepted_at:
        return str(_("Accepted"))
    if handover.declined_at:
        return str(_("Declined"))
    if handover.withdrawn_at:
        return str(_("Withdrawn"))
    return str(_("Waiting for an answer"))


def _meeting(meeting: models.Meeting) -> str:
    return f"{meeting.get_kind_display()}, {meeting.starts_at:%d.%m.%Y}"


def _plan_consent(plan: models.IndividualPlan) -> str:
    """The consent the plan was made under: its purpose and when it was given (the consent
    itself, with its words and givers, is in the export's consents)."""
    consent = plan.consent
    if consent is None:
        return ""
    return f"{consent.get_purpose_display()}, {consent.valid_from:%d.%m.%Y} (#{consent.pk})"


CASE = Column("case__reference", _("Case"), key="case")


SECTIONS = (
    Section(
        key="help_requests",
        heading=_("Requests for help"),
        model=models.HelpRequest,
        # A request names no registered person until a case about the person is opened
        # from it; from then on it is part of that person's records.
        about=lambda person: Q(case__child=person, organisation_id=person.organisation_id),
        columns=(
            Column("reference", _("Reference")),
            Column("unit__name", _("Sent to"), key="unit"),
            Column("offer__title", _("About the offer"), key="offer"),
            Column("channel", _("Received by")),
            Column("requester_role", _("Who is asking")),
            Column("requester_name", _("Name"), reveals_whereabouts=True),
            Column("phone", _("Phone"), reveals_whereabouts=True),
            Column("email", _("E-mail"), reveals_whereabouts=True),
            Column("preferred_contact_time", _("Best time to call")),
            Column("family_knows", _("The family knows about the request")),
            Column("child_age_months", _("The child's age in months")),
            Column("message", _("What it is about")),
            Column("received_at", _("Received")),
            Column("first_contacted_at", _("First contacted")),
            Column("status", _("Status")),
            Column("close_reason", _("Reason for closing")),
            Column("note", _("The unit's note")),
            Column("registered_by", _("Registered by")),
            Column("storage_notice_version", _("Storage notice agreed to (version)")),
        ),
        select_related=("unit", "offer", "registered_by"),
        order_by=("received_at", "pk"),
    ),
    Section(
        key="cases",
        heading=_("Cases"),
        model=models.Case,
        columns=(
            Column("reference", _("Reference")),
            Column("unit__name", _("Owning unit"), key="unit"),
            Column("pathway_version__definition__name", _("Pathway"), key="pathway"),
            Column("phase", key="phase_key"),
            Column("phase", _("Phase"), value=lambda c: _phase_name(c, c.phase)),
            Column("status", _("Status")),
            Column("origin", _("How the case came about")),
            Column("raised_by_name", _("Raised by"), reveals_whereabouts=True),
            Column("raised_by_email", _("E-mail of who raised it"), reveals_whereabouts=True),
            Column("received_at", _("Received")),
            Column("opened_at", _("Opened")),
            Column("opened_by", _("Opened by")),
            Column("coordinator", _("Coordinator")),
            Column(
                "coordinator_wish", _("The family's wish for coordinator"), reveals_whereabouts=True
            ),
            Column("closed_at", _("Closed")),
            Column("close_reason", _("Reason for closing")),
        ),
        select_related=("unit", "pathway_version__definition", "opened_by", "coordinator"),
        order_by=("opened_at", "pk"),
    ),
    Section(
        key="decisions",
        heading=_("Decisions"),
        model=models.Decision,
        columns=(
            CASE,
            Column("phase", key="phase_key"),
            Column("phase", _("Phase"), value=lambda d: _phase_name(d.case, d.phase)),
            Column("option", key="option_key"),
            Column("option", _("Decision"), value=_option_label),
            Column("to_phase", _("Next phase"), value=lambda d: _phase_name(d.case, d.to_phase)),
            Column("reason", _("Reason")),
            Column("decided_by", _("Decided by")),
            Column("decided_at", _("Decided")),
        ),
        select_related=("case__pathway_version", "decided_by"),
        order_by=("decided_at", "pk"),
    ),
    Section(
        key="milestones",
        heading=_("Milestones"),
        model=models.Milestone,
        columns=(
            CASE,
            Column("key", key="milestone_key"),
            Column("key", _("Milestone"), value=_milestone_label, key="milestone"),
            Column("recorded_by", _("Recorded by")),
            Column("occurred_at", _("When")),
        ),
        select_related=("case__pathway_version", "recorded_by"),
        order_by=("occurred_at", "pk"),
    ),
    Section(
        key="coordinator_handovers",
        heading=_("Handing over coordination"),
        model=models.Handover,
        columns=(
            CASE,
            Column("from_user", _("From")),
            Column("to_user", _("Offered to")),
            Column("offered_by", _("Offered by")),
            Column("offered_at", _("Offered")),
            Column("message", _("Message")),
            Column("answer", _("Answer"), value=_handover_answer),
            Column("accepted_at", _("Accepted")),
            Column("declined_at", _("Declined")),
            Column("withdrawn_at", _("Withdrawn")),
        ),
        select_related=("case", "from_user", "to_user", "offered_by"),
        order_by=("offered_at", "pk"),
    ),
    Section(
        key="participants",
        heading=_("Who takes part in the case"),
        model=models.Participant,
        columns=(
            CASE,
            Column("unit__name", _("Service"), key="unit"),
            Column("unit__organisation__name", _("Organisation"), key="organisation"),
            Column("user", _("Staff member"), key="staff_member"),
            Column("role", _("Role in the case")),
            Column(
                "consent",
                _("Takes part under the family's consent"),
                value=lambda p: p.consent_id is not None,
                kind="bool",
                key="under_consent",
            ),
            Column("added_by", _("Added by")),
            Column("added_at", _("Added")),
            Column("ended_at", _("Ended")),
        ),
        select_related=("case", "unit__organisation", "user", "added_by"),
        order_by=("added_at", "pk"),
    ),
    Section(
        key="goals",
        heading=_("Goals"),
        model=models.Goal,
        columns=(
            CASE,
            Column("text", _("Goal")),
            Column("parent__text", _("Part of the goal"), key="part_of"),
            Column("created_by", _("Written by")),
            Column("created_at", _("Written")),
            Column("achieved_at", _("Achieved")),
        ),
        select_related=("case", "parent", "created_by"),
        order_by=("created_at", "pk"),
    ),
    Section(
        key="measures",
        heading=_("Measures"),
        model=models.Measure,
        internal_reason="internal_reason",
        columns=(
            CASE,
            Column("title", _("Measure")),
            Column("description", _("What is done")),
            Column("goal__text", _("Goal"), key="goal"),
            Column("responsible_unit__name", _("Responsible service"), key="responsible_unit"),
            Column("responsible_user", _("Responsible")),
            Column("start_date", _("Start date")),
            Column("evaluation_date", _("Evaluation date")),
            Column("status", _("Status")),
            Column("internal_reason", _("Why it is internal")),
            Column("created_by", _("Written by")),
            Column("created_at", _("Written")),
        ),
        select_related=("case", "goal", "responsible_unit", "responsible_user", "created_by"),
        order_by=("created_at", "pk"),
    ),
    Section(
        key="measure_evaluations",
        heading=_("Evaluations of measures"),
        model=models.MeasureEvaluation,
        columns=(
            Column("measure__case__reference", _("Case"), key="case"),
            Column("measure__title", _("Measure"), key="measure"),
            Column("what_worked", _("What worked")),
            Column("decision", _("Decision")),
            Column("next_evaluation_date", _("Next evaluation")),
            Column("evaluated_by", _("Evaluated by")),
            Column("evaluated_at", _("Evaluated")),
        ),
        select_related=("measure__case", "evaluated_by"),
        order_by=("evaluated_at", "pk"),
    ),
    Section(
        key="individual_plans",
        heading=_("Individual plans"),
        model=models.IndividualPlan,
        columns=(
            CASE,
            Column("unit__name", _("Responsible service"), key="unit"),
            Column(
                "responsibility_group",
                _("Responsibility group"),
                value=lambda plan: [
                    f"{p.user.display_name()} ({p.unit.name})" if p.user else p.unit.name
                    for p in plan.responsibility_group.all()
                ],
                reveals_whereabouts=True,
            ),
            Column(
                "consent",
                _("The family's consent to the plan"),
                value=_plan_consent,
                kind="text",
                key="consent",
            ),
            Column("created_by", _("Written by")),
            Column("created_at", _("Written")),
            Column("ended_at", _("Ended")),
        ),
        select_related=("case", "unit", "created_by", "consent"),
        prefetch_related=("responsibility_group__user", "responsibility_group__unit"),
        order_by=("created_at", "pk"),
    ),
    Section(
        key="plan_decisions",
        heading=_("Decisions on individual plan and coordinators"),
        model=models.PlanDecision,
        columns=(
            CASE,
            Column("right", _("The right")),
            Column("origin", _("How it came up")),
            Column("requested_on", _("Asked for or considered on")),
            Column("outcome", _("Decision")),
            Column("decided_on", _("Decided on")),
            Column("decided_by", _("Decided by")),
            Column("appointed", _("Appointed")),
            Column("reason", _("Reason")),
            Column("appeal_information", _("How to appeal")),
            Column("serious_condition", _("The child has a serious illness, injury or disability")),
            Column(
                "long_term_needs",
                _(
                    "The child will need long-term, coordinated health and care services and "
                    "other welfare services"
                ),
            ),
            Column("recorded_by", _("Recorded by")),
            Column("recorded_at", _("Recorded")),
        ),
        select_related=("case", "recorded_by"),
        order_by=("decided_on", "pk"),
    ),
    Section(
        key="meetings",
        heading=_("Meetings"),
        model=models.Meeting,
        columns=(
            CASE,
            Column("kind", _("Kind of meeting")),
            Column("starts_at", _("Starts")),
            Column("ends_at", _("Ends")),
            Column("place", _("Place"), reveals_whereabouts=True),
            Column("agenda", _("Agenda")),
            Column("bup_without_referral", _("BUP takes part without a referral")),
            Column("minutes", _("Minutes")),
            Column("minutes_approved_at", _("Minutes approved")),
            Column("minutes_approved_by", _("Minutes approved by")),
            Column("created_by", _("Planned by")),
            Column("cancelled_at", _("Cancelled")),
            Column("cancellation_reason", _("Reason for cancelling")),
        ),
        select_related=("case", "minutes_approved_by", "created_by"),
        order_by=("starts_at", "pk"),
    ),
    Section(
        key="meeting_invitations",
        heading=_("Invited to meetings"),
        model=models.Invitation,
        columns=(
            Column("meeting__case__reference", _("Case"), key="case"),
            Column("meeting", _("Meeting"), value=lambda i: _meeting(i.meeting)),
            Column("name", _("Name"), reveals_whereabouts=True),
            Column("email", _("E-mail"), reveals_whereabouts=True),
            Column("is_gp", _("The family's GP")),
            Column("sent_at", _("Invitation sent")),
        ),
        select_related=("meeting__case",),
        order_by=("meeting__starts_at", "pk"),
    ),
    Section(
        key="deadlines",
        heading=_("Deadlines"),
        model=models.Deadline,
        columns=(
            CASE,
            Column("title", _("What")),
            Column("rule"),
            Column("unit__name", _("Service"), key="unit"),
            Column("responsible", _("Responsible")),
            Column("due_at", _("Due")),
            Column("completed_at", _("Completed")),
            Column("cancelled_at", _("Cancelled")),
        ),
        select_related=("case", "unit", "responsible"),
        order_by=("due_at", "pk"),
    ),
    Section(
        key="log_entries",
        heading=_("The shared log"),
        model=models.LogEntry,
        internal_reason="internal_reason",
        columns=(
            CASE,
            Column("kind", _("Kind")),
            Column(
                "text",
                _("Text"),
                reveals_in=lambda e: e.kind in models.LogEntry.KINDS_NAMING_SERVICES,
            ),
            Column("internal_reason", _("Why it is internal")),
            Column(
                "current",
                _("Replaced by a correction"),
                value=lambda e: not e.current,
                kind="bool",
                key="replaced_by_correction",
            ),
            Column("author", _("Written by")),
            Column("created_at", _("Written")),
        ),
        select_related=("case", "author"),
        order_by=("created_at", "pk"),
    ),
    Section(
        key="reporter_feedback",
        heading=_("Feedback to the person who raised the concern"),
        model=models.ReporterFeedback,
        columns=(
            CASE,
            Column("ground", _("Ground")),
            Column("withheld", _("Why no feedback was given")),
            Column("text", _("Feedback")),
            Column("recipient", _("Given to")),
            Column("created_at", _("Recorded")),
        ),
        select_related=("case", "recipient"),
        order_by=("created_at", "pk"),
    ),
)


def register() -> None:
    for section in SECTIONS:
        register_section(section)
