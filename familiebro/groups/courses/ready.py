"""What courses add to the rest of Familiebro when the app starts: their access rules, the
parent's own enrolments on Min side, and course sessions in the staff calendar."""

from __future__ import annotations

from familiebro.privacy import export, family, policy

from ..models import CourseSession, Enrolment
from . import calendar


def register() -> None:
    # An enrolment is personal data of the parents, who are no registered persons: held by
    # the course's unit like a request for help in its inbox. The policy opens it to the
    # unit's members; courses.permissions narrows that to those who run the course.
    policy.register(Enrolment, organisation_field="organisation_id", unit_field="course__unit_id")
    # A parent who enrolled logged in on Min side reads and cancels it there.
    family.open_to_sender(Enrolment, "citizen_identity_hash")
    export.register_not_exported(
        Enrolment,
        "names no registered person: the parent sees their own enrolments on Min side",
    )
    # A session names nobody, but it shows in the calendars of the unit's members only, and
    # the calendar reads every kind of event through the policy.
    policy.register(
        CourseSession, organisation_field="course__organisation_id", unit_field="course__unit_id"
    )
    export.register_not_exported(CourseSession, "a course's session names no one")
    calendar.register()
