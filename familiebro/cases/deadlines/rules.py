"""Deadlines from the pathway's rules, and the built-in ones (evaluation dates, GP notice).

Every deadline is a row: what, whose, due when, and the rule that made it. The pathway rules
start a clock when a case is received, when a phase is entered or when a milestone is
recorded, and stop it with a decision, by leaving the phase, or with a milestone. The
functions here are called inside the case services' transactions.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from familiebro.privacy import policy

from ..models import Case, Deadline, Measure, Meeting
from ..pathways.spec import DeadlineRule, add_days

EVALUATION_KEY = "measure_evaluation"
GP_NOTICE_KEY = "gp_notice"
# GPs plan their days far ahead: invitations at least four weeks before the meeting.
GP_NOTICE_DAYS = 28


def due_at(start: datetime.datetime, days: int, day_kind: str) -> datetime.datetime:
    return add_days(timezone.localtime(start), days, day_kind)


def end_of(day: datetime.date) -> datetime.datetime:
    """A deadline "on" a date lasts the whole local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def _responsible(case: Case, role: str) -> Any:
    # The owning unit's or its leaders' deadlines are the unit's: nobody in particular.
    return case.coordinator if role == "coordinator" else None


def start_rule(case: Case, rule: DeadlineRule, started_at: datetime.datetime) -> Deadline:
    version = case.pathway_version
    return Deadline.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit_id=case.unit_id,
        responsible=_responsible(case, rule.responsible),
        rule=rule.describe(f"{version.definition.key} v{version.number}"),
        key=rule.key,
        title=dict(rule.title.by_language)["nb"][:200],
        due_at=due_at(started_at, rule.days, rule.day_kind),
        created_at=timezone.now(),
    )


def _open(case: Case) -> Any:
    return Deadline.objects.filter(case=case, completed_at__isnull=True, cancelled_at__isnull=True)


def _rules(case: Case) -> list[tuple[str, DeadlineRule]]:
    return [(p.key, r) for p in case.pathway_version.parsed.phases for r in p.deadlines]


def _complete(case: Case, keys: set[str], at: datetime.datetime) -> None:
    if keys:
        _open(case).filter(key__in=keys).update(completed_at=at)


def on_case_received(case: Case) -> None:
    for phase_key, rule in _rules(case):
        if rule.starts == "case" and phase_key == case.phase:
            start_rule(case, rule, case.received_at)


def on_phase_entered(case: Case, phase_key: str, at: datetime.datetime) -> None:
    for rule_phase, rule in _rules(case):
        if rule_phase == phase_key and rule.starts == "phase":
            start_rule(case, rule, at)


def on_decision(case: Case, phase_key: str, leaves_phase: bool, at: datetime.datetime) -> None:
    stops = {"decision", "phase_exit"} if leaves_phase else {"decision"}
    _complete(case, {r.key for p, r in _rules(case) if p == phase_key and r.completes in stops}, at)


def on_milestone(case: Case, milestone: str, at: datetime.datetime) -> None:
    clock = f"milestone:{milestone}"
    _complete(case, {r.key for _, r in _rules(case) if r.completes == clock}, at)
    for _, rule in _rules(case):
        if rule.starts == clock:
            start_rule(case, rule, at)


def cancel_open(case: Case, at: datetime.datetime) -> None:
    """A closed case has no deadlines left."""
    _open(case).update(cancelled_at=at)


def schedule_evaluation(measure: Measure) -> Deadline:
    """The measure's evaluation date as a deadline of its responsible person (or unit)."""
    case = measure.case
    _open(case).filter(measure=measure, key=EVALUATION_KEY).update(cancelled_at=timezone.now())
    return Deadline.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit_id=measure.responsible_unit_id,
        responsible_id=measure.responsible_user_id or case.coordinator_id,
        rule=f"{EVALUATION_KEY}: the measure's evaluation date",
        key=EVALUATION_KEY,
        title="Evaluering av tiltak",
        due_at=end_of(measure.evaluation_date),
        measure=measure,
        created_at=timezone.now(),
    )


def complete_evaluation(measure: Measure, at: datetime.datetime) -> None:
    _open(measure.case).filter(measure=measure, key=EVALUATION_KEY).update(completed_at=at)


def cancel_for_measure(measure: Measure, at: datetime.datetime) -> None:
    _open(measure.case).filter(measure=measure).update(cancelled_at=at)


def gp_notice_is_short(starts_at: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether a GP invited now gets less than four weeks' notice."""
    return starts_at - now < datetime.timedelta(days=GP_NOTICE_DAYS)


def schedule_gp_notice(meeting: Meeting) -> Deadline | None:
    """The last day to invite the GP: four weeks before the meeting (replacing the one set
    for an earlier date of the meeting)."""
    case = meeting.case
    _open(case).filter(meeting=meeting, key=GP_NOTICE_KEY).update(cancelled_at=timezone.now())
    due = meeting.starts_at - datetime.timedelta(days=GP_NOTICE_DAYS)
    return Deadline.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        unit_id=case.unit_id,
        responsible_id=meeting.created_by_id,
        rule=f"{GP_NOTICE_KEY}: GP invitations {GP_NOTICE_DAYS} days before the meeting",
        key=GP_NOTICE_KEY,
        title="Innkalling av fastlege",
        due_at=due,
        meeting=meeting,
        created_at=timezone.now(),
    )


def on_meeting_moved(meeting: Meeting, gp_invited: bool, at: datetime.datetime) -> bool:
    """The GP notice follows the meeting's new date. Returns whether the GP gets (or, not
    invited yet, would get) less than four weeks' notice of the new date."""
    short = gp_notice_is_short(meeting.starts_at, at)
    if gp_invited:
        return short
    if not meeting.gp_to_be_invited:
        return False
    if short:
        # Overdue from the start, it would only nag: the mover is warned instead.
        _open(meeting.case).filter(meeting=meeting, key=GP_NOTICE_KEY).update(cancelled_at=at)
    else:
        schedule_gp_notice(meeting)
    return short


def cancel_for_meeting(meeting: Meeting, at: datetime.datetime) -> None:
    """A cancelled meeting's own deadlines (the GP notice) end with it."""
    _open(meeting.case).filter(meeting=meeting).update(cancelled_at=at)


def next_due(actor: Any, case_ids: list[int], purpose: str) -> dict[int, Deadline]:
    """The earliest open deadline of each case that `actor` may read, in one query: what a
    list shows of it (its title and when it is due), not the rule that made it. A deadline the
    policy keeps from the actor (a consent without plans, an internal measure's evaluation)
    is left out, and the case then shows the next one the actor may read, if any."""
    result: dict[int, Deadline] = {}
    for deadline in (
        policy.visible(actor, Deadline, purpose, few_rows=True)
        .filter(Q(case_id__in=case_ids), completed_at__isnull=True, cancelled_at__isnull=True)
        .only("case_id", "title", "due_at")
        .order_by("case_id", "due_at")
    ):
        result.setdefault(deadline.case_id, deadline)
    return result
