"""The words the access log uses for what was done: one plain sentence per entry.

Families read the log, so an entry says what happened in their words ("Looked at the case",
"Appeared in a list at the health centre of the people the service works with"), never a record
type followed by a colon. The records are named by their audit label ("cases.goal"), as the audit
trail keeps them, so this module needs no import from the parts that own the records.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

from .models import AuditEvent


def record_words() -> dict[str, str]:
    """Each kind of record about a person, as the object of a sentence ("Changed ...")."""
    return {
        "core.person": _("the personal details"),
        "core.guardianrelation": _("the details of parents and parental responsibility"),
        "core.parentinformationdecision": _("a decision on information to a parent"),
        "privacy.assignment": _("the link to a service that works with the family"),
        "privacy.exceptionalaccess": _("an exceptional access"),
        "privacy.consent": _("a consent"),
        "privacy.consentrequest": _("a consent asked of the family on Min side"),
        "privacy.consentrequestanswer": _("an answer to a consent asked on Min side"),
        "privacy.disclosurerequest": _("a request for information"),
        "privacy.legalhold": _("a legal hold against deletion"),
        "privacy.deposit": _("a deposit to the archive"),
        "cases.case": _("the case"),
        "cases.decision": _("a decision in the case"),
        "cases.handover": _("a handover of the case to another service"),
        "cases.participant": _("the services taking part in the case"),
        "cases.milestone": _("a step in the case"),
        "cases.logentry": _("an entry in the shared log"),
        "cases.deadline": _("a deadline in the case"),
        "cases.reminder": _("a reminder of a deadline"),
        "cases.notification": _("a notification to staff"),
        "cases.reporterfeedback": _("the feedback to the person who raised the concern"),
        "cases.helprequest": _("the request for help"),
        "cases.meeting": _("a meeting"),
        "cases.invitation": _("an invitation to a meeting"),
        "cases.pathwaychoice": _("a choice on the pathway"),
        "cases.goal": _("a goal"),
        "cases.measure": _("a measure"),
        "cases.measureevaluation": _("an evaluation of a measure"),
        "cases.individualplan": _("the individual plan"),
        "cases.plandecision": _("a decision on an individual plan or a coordinator"),
    }


def list_words() -> dict[str, str]:
    """What a list of each kind of record is, as staff pages show them ("... of %s")."""
    return {
        "core.person": _("the people the service works with"),
        "core.guardianrelation": _("parents and children"),
        "privacy.consent": _("consents"),
        "privacy.consentrequest": _("consents asked of the family"),
        "privacy.disclosurerequest": _("requests for information"),
        "cases.case": _("the cases the service follows"),
        "cases.helprequest": _("requests for help the service has received"),
        "cases.participant": _("services taking part in cases"),
        "cases.logentry": _("entries in a shared log"),
        "cases.deadline": _("deadlines in cases"),
        "cases.meeting": _("meetings"),
        "cases.goal": _("goals in a case"),
        "cases.measure": _("measures in a case"),
        "cases.milestone": _("steps in a case"),
        "cases.decision": _("decisions in a case"),
    }


def sentences() -> dict[str, str]:
    """What was done to one record, by the action the audit trail recorded."""
    return {
        AuditEvent.Action.VIEW: _("Looked at %(record)s"),
        AuditEvent.Action.CREATE: _("Registered %(record)s"),
        AuditEvent.Action.CHANGE: _("Changed %(record)s"),
        AuditEvent.Action.DELETE: _("Deleted %(record)s"),
        AuditEvent.Action.EXPORT: _("Made a copy of %(record)s"),
        AuditEvent.Action.SEARCH: _("Found %(record)s in a search"),
    }


class Words:
    """The sentences of one log, with the translations looked up once."""

    def __init__(self) -> None:
        self.records = record_words()
        self.lists = list_words()
        self.sentences = sentences()

    def record(self, object_type: str) -> str:
        if object_type in self.records:
            return self.records[object_type]
        # A record kind added later still reads as words: its translated name.
        try:
            return str(apps.get_model(object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return _("a record")

    def records_listed(self, object_type: str) -> str:
        if object_type in self.lists:
            return self.lists[object_type]
        try:
            return str(apps.get_model(object_type)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            return _("records")

    def done(self, action: str, object_type: str) -> str:
        sentence = self.sentences.get(action)
        if sentence is None:
            return _("%(action)s: %(record)s") % {
                "action": _action_label(action),
                "record": self.record(object_type),
            }
        return sentence % {"record": self.record(object_type)}

    def listed(self, object_type: str, *, unit: str, on_min_side: bool) -> str:
        """A list the person appeared in: on Min side, at a named unit, or anywhere."""
        if on_min_side:
            return _("Saw %(record)s on Min side") % {"record": self.record(object_type)}
        if unit:
            return _("Appeared in a list at %(unit)s of %(records)s") % {
                "unit": unit,
                "records": self.records_listed(object_type),
            }
        return _("Appeared in a list of %(records)s") % {
            "records": self.records_listed(object_type)
        }


def _action_label(action: str) -> str:
    try:
        return str(AuditEvent.Action(action).label)
    except ValueError:
        return action
