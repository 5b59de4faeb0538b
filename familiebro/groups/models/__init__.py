"""The models of courses and appointment books."""

from .appointments import AppointmentBook, Booking, DayNotice, Slot
from .courses import (
    FAMILY_ROLES,
    Attendance,
    Course,
    CourseLeader,
    CourseSession,
    Enrolment,
    Headcount,
)

__all__ = [
    "FAMILY_ROLES",
    "AppointmentBook",
    "Attendance",
    "Booking",
    "Course",
    "CourseLeader",
    "CourseSession",
    "DayNotice",
    "Enrolment",
    "Headcount",
    "Slot",
]
