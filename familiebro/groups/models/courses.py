"""Courses and groups: a unit's run of a catalogue offer, with sessions, leaders, enrolments,
a waiting list with time-limited holds, attendance and anonymous headcounts.

Decisions (docs/courses.md):
- A course belongs to the unit that runs it and to the unit's organisation, the data
  controller of its enrolments.
- Capacity counts people in the room: a couple enrolled together takes two seats.
- A seat offered to the next on the waiting list is held for them (status OFFERED) until
  `hold_expires_at`; a held seat is not free for anyone else.
- Leaders' gender is recorded on the leader role, as the course leader states it, so that
  mixed-gender leadership can be shown ("kvinnelig og mannlig kursleder"): fathers come more
  often to a course a man leads too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The role a participant has in the family: counted so the fathers' share is a figure.
FAMILY_ROLES = [
    ("mother", _("Mother")),
    ("father", _("Father")),
    ("co_parent", _("Co-parent")),
    ("other_carer", _("Other carer")),
]


class Course(models.Model):
    """One run of an offer (an antenatal course this spring, a fathers' group this autumn)."""

    class Mode(models.TextChoices):
        # Parents enrol by name; attendance is recorded per participant.
        ENROLMENT = "enrolment", _("Enrolment by name")
        # A universal activity (drop-in, open kindergarten, theme evening): only counts by
        # role and age band are recorded, never who came.
        HEADCOUNT = "headcount", _("Anonymous headcount")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="courses")
    unit = models.ForeignKey("core.ServiceUnit", on_delete=models.PROTECT, related_name="courses")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    # What families see in pages, calendars and messages; the offer's title by default.
    name = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ENROLMENT)
    capacity = models.PositiveIntegerField(default=0)
    hold_hours = models.PositiveIntegerField(default=24)
    open_for_enrolment = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return self.name


class CourseLeader(models.Model):
    class Gender(models.TextChoices):
        WOMAN = "woman", _("Female")
        MAN = "man", _("Male")
        UNSTATED = "", _("Not stated")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="leaders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=5, choices=Gender.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="groups_course_leader_once")
        ]


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    topic = models.CharField(max_length=200, blank=True)
    # When the reminders of this session were sent (the task marks it in the same
    # transaction, so a worker restarted after sending does not send again).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="groups_session_ends_later"
            )
        ]


class Enrolment(models.Model):
    """A parent (and their partner, if they come together) on a course or its waiting list.

    The parent is not a registered person of the organisation: they are known by the name and
    contact details they gave, and, when they enrolled logged in on Min side, by the keyed
    hash of their identity number, which lets them see their own enrolments there."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Has a seat")
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Offered a seat")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Did not take the offered seat")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=12, choices=FAMILY_ROLES)
    partner_name = models.CharField(max_length=200, blank=True)
    partner_role = models.CharField(max_length=12, choices=FAMILY_ROLES, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    citizen_identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    # The place in line: when they enrolled (the waiting list is served first come).
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When they got a seat (at once, or from the waiting list): the time to a seat is a figure.
    seated_at = models.DateTimeField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Hashes of the single-use links sent in messages; the links themselves are never kept.
    cancel_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    claim_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # When the confirmation and the hold offer went: marked in the sending transaction.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    offer_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolled_at", "pk"]
        indexes = [models.Index(fields=["course", "status", "enrolled_at"])]

    @property
    def seats(self) -> int:
        return 2 if self.partner_name else 1


class Attendance(models.Model):
    """One participant who came to one session, with their role in the family."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attended")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attended")
    partner = models.BooleanField(default=False)  # the enrolment's partner, not its first name
    role = models.CharField(max_length=12, choices=FAMILY_ROLES)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment", "partner"], name="groups_attendance_once"
            )
        ]


class Headcount(models.Model):
    """How many came to a session of an anonymous course, by role and the child's age band.
    Holds no identity by design: there is nothing to link a count to a person."""

    AGE_BANDS = [
        ("pregnant", _("Expecting")),
        ("0-1", _("Child under 1")),
        ("1-5", _("Child 1–5 years")),
        ("6-12", _("Child 6–12 years")),
        ("13-17", _("Child 13–17 years")),
    ]

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="headcounts")
    role = models.CharField(max_length=12, choices=FAMILY_ROLES)
    age_band = models.CharField(max_length=8, choices=AGE_BANDS)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "role", "age_band"], name="groups_headcount_once"
            )
        ]
