"""The models of courses and appointment books."""

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
    "Attendance",
    "Course",
    "CourseLeader",
    "CourseSession",
    "Enrolment",
    "Headcount",
]
