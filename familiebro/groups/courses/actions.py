"""What people do with courses: set one up, plan its sessions, enrol (staff, or a parent on
Min side), cancel, take an offered seat, record who came or how many.

Every change of seats locks the course's row first (seats.locked_course), so that of two
parents taking the last seat at once exactly one gets it; the other is told the course is
full and offered a place on the waiting list. Messages go after the commit, from the worker
(tasks), so a page never waits for an SMS gateway.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.catalogue.models import Offer
from familiebro.core.models import Membership, ServiceUnit
from familiebro.interop.messages import normalised_phone
from familiebro.privacy import audit, family, policy
from familiebro.privacy.family import Citizen

from ..models import (
    FAMILY_ROLES,
    Attendance,
    Course,
    CourseLeader,
    CourseSession,
    Enrolment,
    Headcount,
)
from . import permissions, seats, tasks

ROLES = {value for value, _label in FAMILY_ROLES}
MAX_CAPACITY = 500
MAX_HOLD_HOURS = 14 * 24


class CourseFull(ValidationError):
    """The last seat went to someone else: the caller may offer the waiting list."""


def create_course(
    user: Any,
    *,
    offer: Offer,
    unit: ServiceUnit,
    name: str,
    capacity: int,
    hold_hours: int = 24,
    mode: str = Course.Mode.ENROLMENT,
    leader_gender: str = "",
) -> Course:
    """Set up a run of one of the unit's offers; who sets it up is its first leader."""
    if not permissions.may_set_up_in(user, unit.pk):
        raise PermissionDenied(_("You can set up courses only in a unit where you work."))
    if offer.unit_id != unit.pk:
        raise ValidationError({"offer": _("Choose one of the unit's own offers.")})
    if mode not in Course.Mode.values:
        raise ValidationError({"mode": _("Choose how participants are recorded.")})
    if not 0 < capacity <= MAX_CAPACITY:
        raise ValidationError(
            {"capacity": _("Give the number of seats, from 1 to %(max)s.") % {"max": MAX_CAPACITY}}
        )
    if not 1 <= hold_hours <= MAX_HOLD_HOURS:
        raise ValidationError(
            {
                "hold_hours": _("Give the hours a seat is held, from 1 to %(max)s.")
                % {"max": MAX_HOLD_HOURS}
            }
        )
    with transaction.atomic():
        course = Course.objects.create(
            offer=offer,
            unit=unit,
            organisation_id=unit.organisation_id,
            name=(name or offer.title).strip()[:200],
            mode=mode,
            capacity=capacity,
            hold_hours=hold_hours,
            created_by=user,
        )
        CourseLeader.objects.create(course=course, user=user, gender=leader_gender)
    return course


def add_leader(user: Any, course: Course, leader_id: int, gender: str) -> CourseLeader:
    """Add a member of the course's unit as a leader, with the gender they state. A leader
    sees the participants, so not every leader may add more (permissions.may_add_leaders)."""
    permissions.require_adds_leaders(user, course)
    if gender not in CourseLeader.Gender.values:
        raise ValidationError({"gender": _("Choose female, male or not stated.")})
    member = Membership.objects.filter(
        unit_id=course.unit_id, user_id=leader_id, role__in=permissions.CASEWORK_ROLES
    ).first()
    if member is None:
        raise ValidationError({"leader": _("Choose a member of the unit.")})
    leader, _created = CourseLeader.objects.update_or_create(
        course=course, user_id=leader_id, defaults={"gender": gender}
    )
    return leader


def add_session(
    user: Any,
    course: Course,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    video_url: str = "",
    topic: str = "",
) -> CourseSession:
    permissions.require_runs(user, course)
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["end_time"] = _("The session must end after it starts.")
    if not place.strip() and not video_url.strip():
        errors["place"] = _("Give the place, or a video link for a session on video.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = CourseSession.objects.create(
            course=course,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            video_url=video_url.strip(),
            topic=topic.strip(),
        )
        transaction.on_commit(lambda: tasks.schedule_reminder(session))
    return session


def _contact(email: str, phone: str) -> tuple[str, str]:
    email, phone = email.strip(), phone.strip()
    if not email and not phone:
        raise ValidationError(
            {"phone": _("Give a mobile number or an e-mail address, so we can confirm the seat.")}
        )
    if phone:
        try:
            phone = normalised_phone(phone)
        except ValueError:
            raise ValidationError(
                {"phone": _("That is not a mobile number we can send to. Check the digits.")}
            ) from None
    return email, phone


def check_details(*, name: str, role: str, partner_name: str, partner_role: str) -> None:
    """The details of one who enrols, before anything is written or sent."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Write the name of the one who comes.")
    if role not in ROLES:
        errors["role"] = _("Choose the role in the family.")
    if partner_name.strip() and partner_role not in ROLES:
        errors["partner_role"] = _("Choose the role in the family of the one who comes along.")
    if errors:
        raise ValidationError(errors)


def contact(email: str, phone: str) -> tuple[str, str]:
    """The contact details as they will be used: a phone number in international form."""
    return _contact(email, phone)


def enrol(
    course_id: object,
    *,
    name: str,
    role: str,
    email: str = "",
    phone: str = "",
    partner_name: str = "",
    partner_role: str = "",
    citizen: Citizen | None = None,
    staff: Any = None,
    verified_contact: bool = False,
    waiting_list: bool = False,
) -> Enrolment:
    """Enrol a parent (and partner) on a course: a seat if one is free, else the waiting list
    if they asked for it, else CourseFull. By staff of the course's unit, or by a parent
    logged in on Min side, or by a parent whose phone or e-mail was just verified by a code
    (courses.verification)."""
    if citizen is None and staff is None and not verified_contact:
        raise PermissionDenied(_("Log in on Min side to enrol."))
    check_details(name=name, role=role, partner_name=partner_name, partner_role=partner_role)
    name, partner_name = name.strip(), partner_name.strip()
    email, phone = _contact(email, phone)
    now = timezone.now()
    with transaction.atomic():
        try:
            course = seats.locked_course(course_id)
        except (Course.DoesNotExist, ValidationError, ValueError):
            raise ValidationError(
                _("The course was not found. It may have been removed.")
            ) from None
        if staff is not None and course.unit_id not in permissions.units_of(staff):
            raise PermissionDenied(_("You can enrol parents only on your own unit's courses."))
        # Families enrol only on what the finder shows: a course of a published offer.
        published = Offer.objects.published().filter(pk=course.offer_id).exists()
        if staff is None and not published:
            raise ValidationError(_("The course was not found. It may have been removed."))
        if not course.open_for_enrolment or course.mode != Course.Mode.ENROLMENT:
            raise ValidationError(_("This course does not take enrolments."))
        if citizen is not None and (
            course.enrolments.filter(
                citizen_identity_hash=citizen.identity_hash, status__in=seats.ACTIVE
            ).exists()
        ):
            raise ValidationError(
                _("You are already enrolled on this course. See your enrolments on Min side.")
            )
        # One verified phone or e-mail address takes one enrolment per course, or a parent
        # with one phone could take every seat under made-up names. Staff, who know the
        # family, may enrol two with the same number (a parent enrolling for a relative).
        if staff is None and _enrolled_with(course, email, phone):
            raise ValidationError(
                _(
                    "Someone is already enrolled on this course with this mobile number or "
                    "e-mail address. Use the link in the confirmation to cancel, or contact the "
                    "unit that runs the course."
                )
            )
        needed = 2 if partner_name else 1
        if seats.free(course) >= needed and not seats.anyone_waiting(course):
            status = Enrolment.Status.CONFIRMED
        elif waiting_list:
            status = Enrolment.Status.WAITING
        else:
            raise CourseFull(
                _(
                    "Sorry, the course is full: the last seat has just been taken. You can join "
                    "the waiting list, and we will tell you if a seat is free."
                )
            )
        enrolment = Enrolment.objects.create(
            course=course,
            organisation_id=course.organisation_id,
            name=name[:200],
            role=role,
            partner_name=partner_name[:200],
            partner_role=partner_role if partner_name else "",
            email=email,
            phone=phone,
            citizen_identity_hash=citizen.identity_hash if citizen else "",
            status=status,
            enrolled_at=now,
            seated_at=now if status == Enrolment.Status.CONFIRMED else None,
            enrolled_by=staff,
        )
        # Who put a family on a course, and with which contact details, is in the trail.
        if staff is not None:
            policy.record_access(staff, policy.Action.CREATE, [enrolment], permissions.PURPOSE)
        elif citizen is not None:
            family.record_sent_read(
                citizen, policy.Action.CREATE, [enrolment], policy.Purpose.FAMILY_PORTAL
            )
        else:
            _record_anonymous(enrolment, policy.Action.CREATE, "verified_contact")
        transaction.on_commit(lambda: tasks.send_enrolment_message.enqueue(str(enrolment.pk)))
    return enrolment


def _enrolled_with(course: Course, email: str, phone: str) -> bool:
    """Whether an enrolment in force on the course has this phone number or e-mail address."""
    same = Q(phone=phone) if phone else Q(pk__in=[])
    if email:
        same |= Q(email__iexact=email)
    return course.enrolments.filter(same, status__in=seats.ACTIVE).exists()


def _record_anonymous(enrolment: Enrolment, action: str, legal_basis: str) -> None:
    """Audit a change made by someone known only by what they hold: a verified contact or a
    single-use link."""
    audit.record(
        action,
        actor=None,
        objects=[enrolment],
        organisation_id=enrolment.organisation_id,
        purpose=policy.Purpose.FAMILY_PORTAL,
        legal_basis=legal_basis,
    )


def _cancel(enrolment: Enrolment) -> list[Enrolment]:
    """Cancel a locked enrolment of a locked course and offer its seats on."""
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.cancelled_at = timezone.now()
    enrolment.cancel_token_hash = ""
    enrolment.claim_token_hash = ""
    enrolment.save(
        update_fields=["status", "cancelled_at", "cancel_token_hash", "claim_token_hash"]
    )
    return seats.offer_free_seats(enrolment.course, timezone.now())


class LinkNotValid(ValidationError):
    """A link that was used already, has lapsed, or never existed."""


def enrolment_for_cancel_link(token: str) -> Enrolment:
    """The enrolment a cancel link names, for the page that asks "cancel?"; LinkNotValid
    if it was used already or never existed. The link is its holder's only key."""
    enrolment = (
        Enrolment.objects.select_related("course")
        .filter(cancel_token_hash=tasks.token_hash(token), status__in=seats.ACTIVE)
        .first()
        if token
        else None
    )
    if enrolment is None:
        raise LinkNotValid(_("This link has been used already or is no longer valid."))
    return enrolment


def cancel_by_link(token: str) -> Enrolment:
    """Cancel with the single-use link from the confirmation: the link then stops working."""
    with transaction.atomic():
        found = enrolment_for_cancel_link(token)
        seats.locked_course(found.course_id)
        # Read again under the course's lock: a second click of the same link finds it used.
        enrolment = enrolment_for_cancel_link(token)
        offered = _cancel(enrolment)
        _record_anonymous(enrolment, policy.Action.CHANGE, "cancellation_link")
        transaction.on_commit(lambda: tasks.announce_offers(offered))
    return enrolment


def enrolment_for_claim_link(token: str) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("course")
        .filter(
            claim_token_hash=tasks.token_hash(token),
            status=Enrolment.Status.OFFERED,
            hold_expires_at__gt=timezone.now(),
        )
        .first()
        if token
        else None
    )
    if enrolment is None:
        raise LinkNotValid(
            _(
                "This offer has lapsed or the seat has been taken already. If you still want "
                "to come, contact the course's unit."
            )
        )
    return enrolment


def claim_by_link(token: str) -> Enrolment:
    """Take the seat held for you, with the link from the offer, before the hold lapses."""
    with transaction.atomic():
        found = enrolment_for_claim_link(token)
        seats.locked_course(found.course_id)
        enrolment = enrolment_for_claim_link(token)
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.seated_at = timezone.now()
        enrolment.hold_expires_at = None
        enrolment.claim_token_hash = ""
        # The confirmation (with a fresh cancel link) goes again, now for the seat.
        enrolment.confirmation_sent_at = None
        enrolment.save(
            update_fields=[
                "status",
                "seated_at",
                "hold_expires_at",
                "claim_token_hash",
                "confirmation_sent_at",
            ]
        )
        _record_anonymous(enrolment, policy.Action.CHANGE, "claim_link")
        transaction.on_commit(lambda: tasks.send_enrolment_message.enqueue(str(enrolment.pk)))
    return enrolment


def cancel_own(citizen: Citizen, enrolment_id: object) -> Enrolment:
    """A parent on Min side cancels one of their own enrolments."""
    with transaction.atomic():
        found = family.sent_by(citizen, Enrolment).filter(pk=enrolment_id).first()
        if found is None:
            raise LinkNotValid(_("The enrolment was not found among yours."))
        seats.locked_course(found.course_id)
        enrolment = (
            family.sent_by(citizen, Enrolment)
            .select_related("course")
            .filter(pk=enrolment_id, status__in=seats.ACTIVE)
            .first()
        )
        if enrolment is None:
            raise LinkNotValid(_("The enrolment is cancelled already."))
        offered = _cancel(enrolment)
        family.record_sent_read(
            citizen, policy.Action.CHANGE, [enrolment], policy.Purpose.FAMILY_PORTAL
        )
        transaction.on_commit(lambda: tasks.announce_offers(offered))
    return enrolment


def cancel_by_staff(user: Any, course: Course, enrolment_id: object) -> Enrolment:
    with transaction.atomic():
        seats.locked_course(course.pk)
        enrolment = (
            permissions.participants(user, course)
            .select_related("course")
            .filter(pk=enrolment_id, status__in=seats.ACTIVE)
            .first()
        )
        if enrolment is None:
            # Not one of this course's participants the user may see: as if it did not exist.
            raise Http404(_("Not found, or you do not have access."))
        policy.record_access(user, policy.Action.CHANGE, [enrolment], permissions.PURPOSE)
        offered = _cancel(enrolment)
        transaction.on_commit(lambda: tasks.announce_offers(offered))
    return enrolment


def record_attendance(
    user: Any, session: CourseSession, present: Iterable[tuple[str, bool]]
) -> int:
    """Record who came to a session: (enrolment id, partner?) of each who came; everyone else
    with a seat did not. Returns how many came."""
    course = session.course
    permissions.require_runs(user, course)
    enrolments = {
        str(e.pk): e
        for e in permissions.participants(user, course).filter(status=Enrolment.Status.CONFIRMED)
    }
    came = []
    for enrolment_id, partner in set(present):
        enrolment = enrolments.get(enrolment_id)
        if enrolment is None or (partner and not enrolment.partner_name):
            raise ValidationError(
                _("Someone in the list is not on the course. Load the page again.")
            )
        role = enrolment.partner_role if partner else enrolment.role
        came.append(Attendance(session=session, enrolment=enrolment, partner=partner, role=role))
    with transaction.atomic():
        if enrolments:
            policy.record_access(
                user, policy.Action.CHANGE, list(enrolments.values()), permissions.PURPOSE
            )
        Attendance.objects.filter(session=session).delete()
        Attendance.objects.bulk_create(came)
    return len(came)


def record_headcount(user: Any, session: CourseSession, counts: dict[tuple[str, str], int]) -> int:
    """Record how many came to a session of an anonymous course, by role and age band; the
    counts replace what was recorded before. Returns the total."""
    permissions.require_runs(user, session.course)
    bands = {value for value, _label in Headcount.AGE_BANDS}
    for (role, band), count in counts.items():
        if role not in ROLES or band not in bands or not 0 <= count <= 10_000:
            raise ValidationError(_("Give each count as a whole number from 0."))
    with transaction.atomic():
        Headcount.objects.filter(session=session).delete()
        Headcount.objects.bulk_create(
            Headcount(session=session, role=role, age_band=band, count=count)
            for (role, band), count in sorted(counts.items())
            if count
        )
    return sum(counts.values())
