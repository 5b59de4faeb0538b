"""Courses and groups: a unit's runs of its catalogue offers, with sessions, enrolment, a
waiting list with time-limited holds, attendance and anonymous headcounts (docs/courses.md)."""
