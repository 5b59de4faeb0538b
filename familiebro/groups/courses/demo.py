"""Demo courses: the health centre in Stange runs its postnatal group (led by the demo nurse,
with participants, a waiting list and one session behind it with attendance recorded), and
Ottestad kindergarten counts who comes to its open kindergarten. The demo mother on Min side
(Marte Haugen) is enrolled on the postnatal group.

Rows are written as they would stand after the fact, with their messages marked as sent, so
loading the demo sends nothing; a second load writes nothing.
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from familiebro.catalogue.models import Offer
from familiebro.core import crypto
from familiebro.core.models import ServiceUnit, User

from ..models import Attendance, Course, CourseSession, Enrolment, Headcount

_NAMESPACE = uuid.UUID("6f0d5a52-3a0e-4d55-9a55-5c2b1f3f0c11")
# Marte Haugen, the demo mother on Min side (familiebro.persons.demo).
DEMO_PARENT_IDENTITY_NUMBER = "17849121278"

PARTICIPANTS = [
    # name, role, partner, partner's role, on Min side
    ("Marte Haugen", "mother", "Jonas Haugen", "father", True),
    ("Sara Nilsen", "mother", "Ahmed Nilsen", "father", False),
    ("Emil Berg", "father", "", "", False),
    ("Nora Lund", "mother", "", "", False),
    ("Lise Moen", "mother", "Kari Moen", "co_parent", False),
]
WAITING = [("Thomas Vik", "father", "", "")]


def _offer(title: str, unit: ServiceUnit) -> Offer | None:
    return Offer.objects.filter(title=title, unit=unit).first()


def load_demo_courses() -> int:
    """Create the demo courses that are missing; returns how many were created."""
    created = 0
    postnatal = uuid.uuid5(_NAMESPACE, "stange-barselgruppe")
    if not Course.objects.filter(pk=postnatal).exists():
        created += _postnatal_group(postnatal)
    open_kindergarten = uuid.uuid5(_NAMESPACE, "ottestad-apen-barnehage")
    if not Course.objects.filter(pk=open_kindergarten).exists():
        created += _open_kindergarten(open_kindergarten)
    return created


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), timezone.get_current_timezone()
    )


def _postnatal_group(pk: uuid.UUID) -> int:
    unit = ServiceUnit.objects.filter(name="Helsestasjonen i Stange").first()
    nurse = User.objects.filter(username="helsesykepleier").first()
    offer = _offer("Barselgruppe", unit) if unit else None
    if unit is None or nurse is None or offer is None:
        return 0
    now = timezone.now()
    today = timezone.localdate()
    course = Course.objects.create(
        pk=pk,
        offer=offer,
        unit=unit,
        organisation_id=unit.organisation_id,
        name="Barselgruppe, våren",
        capacity=8,
        created_by=nurse,
    )
    course.leaders.create(user=nurse, gender="woman")
    past = CourseSession.objects.create(
        course=course,
        starts_at=_at(today - datetime.timedelta(days=7), 11),
        ends_at=_at(today - datetime.timedelta(days=7), 12, 30),
        place="Helsestasjonen i Stange, grupperommet",
        topic="Søvn og amming",
        reminded_at=now,
    )
    for week in range(1, 4):
        day = today + datetime.timedelta(days=7 * week)
        CourseSession.objects.create(
            course=course,
            starts_at=_at(day, 11),
            ends_at=_at(day, 12, 30),
            place="Helsestasjonen i Stange, grupperommet",
        )
    parent_hash = crypto.lookup_hash(DEMO_PARENT_IDENTITY_NUMBER)
    enrolled = now - datetime.timedelta(days=20)
    for index, (name, role, partner, partner_role, on_min_side) in enumerate(PARTICIPANTS):
        enrolment = Enrolment.objects.create(
            course=course,
            organisation_id=course.organisation_id,
            name=name,
            role=role,
            partner_name=partner,
            partner_role=partner_role,
            phone=f"+479000000{index}",
            citizen_identity_hash=parent_hash if on_min_side else "",
            status=Enrolment.Status.CONFIRMED,
            enrolled_at=enrolled + datetime.timedelta(hours=index),
            seated_at=enrolled + datetime.timedelta(hours=index),
            enrolled_by=None if on_min_side else nurse,
            confirmation_sent_at=enrolled,
        )
        Attendance.objects.create(session=past, enrolment=enrolment, role=role)
        if partner and index % 2 == 0:
            Attendance.objects.create(
                session=past, enrolment=enrolment, partner=True, role=partner_role
            )
    for name, role, partner, partner_role in WAITING:
        Enrolment.objects.create(
            course=course,
            organisation_id=course.organisation_id,
            name=name,
            role=role,
            partner_name=partner,
            partner_role=partner_role,
            phone="+4790000099",
            status=Enrolment.Status.WAITING,
            enrolled_at=now - datetime.timedelta(days=2),
            enrolled_by=nurse,
            confirmation_sent_at=now - datetime.timedelta(days=2),
        )
    return 1


def _open_kindergarten(pk: uuid.UUID) -> int:
    unit = ServiceUnit.objects.filter(name="Ottestad barnehage").first()
    teacher = User.objects.filter(username="barnehagelaerer").first()
    offer = _offer("Åpen barnehage", unit) if unit else None
    if unit is None or teacher is None or offer is None:
        return 0
    today = timezone.localdate()
    course = Course.objects.create(
        pk=pk,
        offer=offer,
        unit=unit,
        organisation_id=unit.organisation_id,
        name="Åpen barnehage",
        mode=Course.Mode.HEADCOUNT,
        capacity=30,
        created_by=teacher,
    )
    course.leaders.create(user=teacher, gender="woman")
    for days in (-7, 0, 7):
        day = today + datetime.timedelta(days=days)
        session = CourseSession.objects.create(
            course=course,
            starts_at=_at(day, 9, 30),
            ends_at=_at(day, 12),
            place="Ottestad barnehage",
            reminded_at=timezone.now(),
        )
        if days < 0:
            Headcount.objects.bulk_create(
                [
                    Headcount(session=session, role="mother", age_band="0-1", count=6),
                    Headcount(session=session, role="mother", age_band="1-5", count=4),
                    Headcount(session=session, role="father", age_band="0-1", count=2),
                    Headcount(session=session, role="other_carer", age_band="1-5", count=1),
                ]
            )
    return 1
