"""Models of the cases app: requests for help, pathways, cases and what happens in them."""

from .calendar import CalendarFeed
from .case import Case, Decision, Handover, LogEntry, Milestone, Participant
from .deadlines import Deadline, Notification, Reminder
from .feedback import ReporterFeedback
from .help_requests import HelpRequest, RateLimitWindow
from .meetings import Invitation, Meeting
from .pathway import PathwayChoice, PathwayDefinition, PathwayVersion
from .plan import (
    Goal,
    IndividualPlan,
    Measure,
    MeasureEvaluation,
    PlanDecision,
    PlanSettings,
)

__all__ = [
    "CalendarFeed",
    "Case",
    "Deadline",
    "Decision",
    "Goal",
    "Handover",
    "HelpRequest",
    "IndividualPlan",
    "Invitation",
    "LogEntry",
    "Measure",
    "MeasureEvaluation",
    "Meeting",
    "Milestone",
    "Notification",
    "Participant",
    "PathwayChoice",
    "PathwayDefinition",
    "PathwayVersion",
    "PlanDecision",
    "PlanSettings",
    "RateLimitWindow",
    "Reminder",
    "ReporterFeedback",
]
