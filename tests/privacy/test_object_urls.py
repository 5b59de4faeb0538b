"""Every staff URL with an object id gives 404 for another organisation's object.

The test walks the URL resolver, so a new pattern is covered as soon as it exists. Each id in a
pattern is filled from OBJECTS, by the parameter's name (or, for a bare `pk` or `id`, by the
path segment before it). A pattern whose parameter the test cannot fill fails the test: add the
object to OBJECTS so the new page is checked too.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from familiebro.administration.models import Invitation
from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import (
    Case,
    Handover,
    HelpRequest,
    LogEntry,
    Measure,
    Meeting,
    Participant,
    ReporterFeedback,
)
from familiebro.catalogue.models import Offer
from familiebro.core.models import OrganisationAdministrator, Person, ServiceUnit
from familiebro.privacy import disclosure
from familiebro.privacy.models import (
    AnonymousConsultation,
    Assignment,
    Consent,
    ConsentRequest,
    DisclosureRequest,
    ExceptionalAccess,
    Purpose,
)
from tests.catalogue.factories import OfferFactory
from tests.groups.courses.builders import course_of
from tests.privacy import factories as make
from tests.privacy.factories_retention import consultation

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


def staff_routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    for route in walk(get_resolver().url_patterns, ""):
        if route.startswith("ansatt/") and object_parameters(route):
            yield route


@dataclass
class CaseParts:
    case: Case
    measure: Measure
    entry: LogEntry
    handover: Handover
    participant: Participant
    meeting: Meeting
    feedback: ReporterFeedback


def case_parts(staff: Any, unit: ServiceUnit, child: Person) -> CaseParts:
    """A case with a measure, a log entry by `staff`, a handover offered, a participant, a
    meeting, and feedback given to a colleague who raised the concern."""
    case = case_services.open_case(
        staff, child=child, unit=unit, origin=Case.Origin.STAFF_CONCERN, concern="Uro i lek."
    )
    today = timezone.localdate()
    measure = measure_services.add_measure(
        staff,
        case,
        measure_services.MeasureFields(
            title="Samtaler",
            responsible_unit=unit,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
        ),
    )
    colleague = make.member(unit)
    return CaseParts(
        case,
        measure,
        case_services.write_log_entry(staff, case, kind=LogEntry.Kind.NOTE, text="Mor ringte."),
        participant_services.offer_handover(staff, case, colleague, ""),
        participant_services.add_participant(staff, case, unit=unit, user=colleague),
        meeting_services.plan_meeting(
            staff,
            case,
            kind=Meeting.Kind.FAMILY_MEETING,
            starts_at=timezone.now() + datetime.timedelta(days=7),
            ends_at=timezone.now() + datetime.timedelta(days=7, hours=1),
            place="Møterom",
        ),
        ReporterFeedback.objects.create(
            case=case,
            organisation=unit.organisation,
            recipient=colleague,
            ground=ReporterFeedback.Ground.CONSENT,
            text="Bekymringen er fulgt opp.",
            created_at=timezone.now(),
            created_by=staff,
        ),
    )


@dataclass
class Side:
    """The objects of one organisation, as a staff member there sees them."""

    person: Person
    assignment: Assignment
    consent: Consent
    offer: Offer
    consultation: AnonymousConsultation
    help_request: HelpRequest
    case: CaseParts
    # A disclosure request the unit sent about the person, one another service sent to the
    # unit, and a break-glass access of a colleague in the unit (for its leaders' review).
    sent_request: DisclosureRequest | None = None
    received_request: DisclosureRequest | None = None
    exceptional_access: ExceptionalAccess | None = None


def disclosure_requests(
    unit: ServiceUnit, worker: Any, person: Person
) -> tuple[DisclosureRequest, DisclosureRequest]:
    """A request `worker` sends from `unit` about `person` to a service elsewhere, and one a
    service elsewhere sends to `unit` about a person of its own."""
    elsewhere = make.unit()
    asker = make.member(elsewhere)
    their_person = make.child_with_guardian(elsewhere.organisation)[0]
    make.assign(their_person, user=asker)
    question = "Trenger opplysninger for å avverge fare for barnets helse i dag."
    sent = disclosure.send_request(
        worker,
        person,
        asking_unit_id=unit.pk,
        holder_unit_id=elsewhere.pk,
        ground=DisclosureRequest.Ground.DANGER,
        question=question,
    )
    received = disclosure.send_request(
        asker,
        their_person,
        asking_unit_id=elsewhere.pk,
        holder_unit_id=unit.pk,
        ground=DisclosureRequest.Ground.DANGER,
        question=question,
    )
    return sent, received


def break_glass(unit: ServiceUnit, person: Person) -> ExceptionalAccess:
    return ExceptionalAccess.objects.create(
        basis=ExceptionalAccess.Basis.BREAK_GLASS,
        user=make.member(unit),
        person=person,
        organisation=unit.organisation,
        reason="Akutt situasjon på legevakten i natt",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )


def parameter_key(route: str, match: re.Match[str]) -> str:
    name = match.group("name")
    if name in ("pk", "id"):
        segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        return f"{segment}/{name}"
    return name


def appointment(side: Side) -> Any:
    """A booking in an appointment book of the side's unit, whose provider is the staff member
    the side's assignment names (made once per side)."""
    found = getattr(side, "appointment", None)
    if found is None:
        from familiebro.groups.appointments import services as appointment_services
        from familiebro.groups.appointments import slots

        unit, staff = side.offer.unit, side.assignment.user
        start = timezone.localdate() + datetime.timedelta(days=7)
        book = appointment_services.set_up_book(
            staff,
            appointment_services.BookFields(
                unit=unit,
                provider=staff,
                place_unit=unit,
                place="Helsestasjonen",
                label="Samtale på helsestasjonen",
                weekday=start.weekday(),
                every=1,
                starts_on=start,
                ends_on=None,
                day_starts=datetime.time(9),
                day_ends=datetime.time(11),
                slot_minutes=60,
                on_holidays=True,
            ),
        )
        found = appointment_services.book_for_family(
            staff,
            next(iter(slots.free_slots(book))).pk,
            appointment_services.Family(kind="parent", name="Kari", email="kari@example.no"),
            agreed=True,
        )
        side.appointment = found  # type: ignore[attr-defined]
    return found


# How to fill each parameter from one organisation's objects.
OBJECTS: dict[str, Callable[[Side], Any]] = {
    "person_id": lambda side: side.person.pk,
    "personer/pk": lambda side: side.person.pk,
    "assignment_id": lambda side: side.assignment.pk,
    "consent_id": lambda side: side.consent.pk,
    "offer_id": lambda side: side.offer.pk,
    "drofting/pk": lambda side: side.consultation.pk,
    "henvendelser/pk": lambda side: side.help_request.pk,
    "saker/pk": lambda side: side.case.case.pk,
    "measure_id": lambda side: side.case.measure.pk,
    "entry_id": lambda side: side.case.entry.pk,
    "handover_id": lambda side: side.case.handover.pk,
    "participant_id": lambda side: side.case.participant.pk,
    "meeting_id": lambda side: side.case.meeting.pk,
    "tilbakemeldinger/pk": lambda side: side.case.feedback.pk,
    "sendt/pk": lambda side: side.sent_request.pk,
    "mottatt/pk": lambda side: side.received_request.pk,
    "access_id": lambda side: side.exceptional_access.pk,
    "relation_id": lambda side: side.person.guardians_rel.order_by("pk").first().pk,
    "organisasjoner/pk": lambda side: side.person.organisation_id,
    "enheter/pk": lambda side: side.offer.unit_id,
    # The administration's staff pages: the staff member the side's assignment names, their
    # role, and an invitation to the side's unit (the viewer administers their organisation).
    "user_id": lambda side: side.assignment.user_id,
    "membership_id": lambda side: side.assignment.user.memberships.first().pk,
    "invitation_id": lambda side: staff_invitation(side.offer.unit).pk,
    # A referral the side's unit sent, the case it came from, and what the unit takes.
    "referral_id": lambda side: side_referral(side).pk,
    "case_id": lambda side: side.case.case.pk,
    "unit_id": lambda side: side.offer.unit_id,
    "kind_id": lambda side: side_kind(side).pk,
    # An administrator's appointment, looked up under its organisation.
    "appointment_pk": lambda side: administrator_appointment(side.assignment.user).pk,
    # A course of the side's offer, led by the side's staff member, its session and a parent.
    "course_id": lambda side: course_of(side.offer, side.assignment.user).pk,
    "session_id": lambda side: course_of(side.offer, side.assignment.user).sessions.get().pk,
    "enrolment_id": lambda side: course_of(side.offer, side.assignment.user).enrolments.get().pk,
    # Appointment books: a book of the side's unit, one of its slots and a booking in it.
    "book_id": lambda side: appointment(side).slot.book_id,
    "slot_id": lambda side: appointment(side).slot_id,
    "booking_id": lambda side: appointment(side).pk,
    # A consent waiting for the family to give it on Min side.
    "consent_request_id": lambda side: waiting_consent(side).pk,
}


def side_referral(side: Side) -> Any:
    """A draft referral from the side's unit about its child to a service elsewhere; made
    once per side."""
    from familiebro.referrals.models import Referral, ReferralKind, Status

    unit = side.offer.unit
    found = Referral.objects.filter(from_unit=unit).first()
    if found is not None:
        return found
    elsewhere = make.unit()
    kind = ReferralKind.objects.create(unit=elsewhere, topic="other", name="Utredning")
    now = timezone.now()
    return Referral.objects.create(
        organisation=unit.organisation,
        from_unit=unit,
        to_unit=elsewhere,
        to_kind=kind,
        person=side.person,
        case=side.case.case,
        child_name=str(side.person),
        status=Status.DRAFT,
        status_changed_at=now,
        created_by=side.assignment.user,
        created_at=now,
    )


def side_kind(side: Side) -> Any:
    """A kind of referral the side's unit takes (its administrator's page)."""
    from familiebro.referrals.models import ReferralKind

    return ReferralKind.objects.get_or_create(
        unit=side.offer.unit, name="Utredning", defaults={"topic": "other"}
    )[0]


def waiting_consent(side: Side) -> ConsentRequest:
    """A consent the side's staff member asked the family for (as prepare_consent_request
    leaves it, without its checks)."""
    return ConsentRequest.objects.create(
        organisation_id=side.person.organisation_id,
        subject=side.person,
        purpose=side.consent.purpose,
        scope=side.consent.scope,
        text=side.consent.text,
        valid_to=timezone.now() + datetime.timedelta(days=30),
        prepared_by=side.assignment.user,
    )


def administrator_appointment(staff: Any) -> OrganisationAdministrator:
    return OrganisationAdministrator.objects.get_or_create(
        user=staff, organisation_id=staff.memberships.first().unit.organisation_id
    )[0]


def staff_invitation(unit: ServiceUnit) -> Invitation:
    return Invitation.objects.get_or_create(
        unit=unit,
        defaults={
            "organisation": unit.organisation,
            "role": "worker",
            "first_name": "Ny",
            "last_name": "Ansatt",
            "email": f"ny{unit.pk}@example.no",
            "token_hash": f"{unit.pk:064d}",
            "sent_at": timezone.now(),
            "expires_at": timezone.now() + datetime.timedelta(days=7),
        },
    )[0]


# Parameters that name no object: the same value for every organisation. Pathway definitions,
# the crisis numbers and the programme register are shared by all organisations and hold no
# personal data.
NOT_OBJECTS: dict[str, str] = {
    "language": "en",
    "key": "bti",
    "number": "1",
    "line_id": "1",
    "slug": "pmto",
    # A calendar subscription's secret token, not an object's id: a wrong one is not found.
    "token": "not-a-token",
    # An organisation and its consent rules hold no personal data: the administration pages
    # refuse (403) whoever does not administer the organisation (tests/administration).
    "organisation_id": "1",
    "rule_id": "1",
    # A questionnaire and its version number: the instance's shared content, no personal data;
    # the pages refuse (403) whoever is no instance administrator (tests/outcomes).
    "instrument": "trivsel",
    "version": "1",
}


def object_parameters(route: str) -> list[int]:
    """Positions of the parameters that name an object."""
    return [
        index
        for index, match in enumerate(PARAMETER.finditer(route))
        if parameter_key(route, match) not in NOT_OBJECTS
    ]


def fill(route: str, sides: list[Side]) -> str:
    """The route with its n-th parameter taken from sides[n] (the last side repeats)."""
    parts, last = [], 0
    for index, match in enumerate(PARAMETER.finditer(route)):
        key = parameter_key(route, match)
        if key in NOT_OBJECTS:
            parts += [route[last : match.start()], NOT_OBJECTS[key]]
            last = match.end()
            continue
        if key not in OBJECTS:
            pytest.fail(
                f"/{route} has the parameter {match.group('name')!r}, which this test cannot "
                f"fill. Add {key!r} to OBJECTS in {__name__} so the page is checked for "
                "existence leaks."
            )
        side = sides[min(index, len(sides) - 1)]
        parts += [route[last : match.start()], str(OBJECTS[key](side))]
        last = match.end()
    return "/" + "".join(parts) + route[last:]


def request(client: Client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:
        # POST-only (a withdrawal, a confirmation): the lookup happens on POST.
        status = client.post(url, {}).status_code
    return status


def help_request(unit: ServiceUnit) -> HelpRequest:
    now = timezone.now()
    return HelpRequest.objects.create(
        reference=f"HJ-URL-{unit.pk}",
        organisation=unit.organisation,
        unit=unit,
        channel=HelpRequest.Channel.PHONE,
        requester_role=HelpRequest.RequesterRole.PARENT,
        requester_name="Kari Forelder",
        received_at=now,
        first_contact_due_at=now + datetime.timedelta(days=7),
    )


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("signert.pdf", b"%PDF-1.4 signert", content_type="application/pdf")


@pytest.fixture
def sides(settings: Any, tmp_path: Any) -> tuple[Any, Side, Side]:
    """A leader who works with a family of their own, and a family of another organisation
    that a consent shares with a third organisation (not with the leader). Both consents have
    a scanned form, so every page under a consent has something to show."""
    settings.MEDIA_ROOT = tmp_path
    make.ensure_consent_texts()
    own_unit = make.unit()
    viewer = make.member(own_unit, "leader")
    # The viewer also administers their organisation, so its staff pages open to them.
    OrganisationAdministrator.objects.create(user=viewer, organisation=own_unit.organisation)
    child, guardian, _relation = make.child_with_guardian(own_unit.organisation)
    assignment = make.assign(child, user=viewer)
    make.assign(guardian, user=viewer)
    own = Side(
        child,
        assignment,
        make.consent(child, giver=guardian, attachment=scan()),
        OfferFactory(unit=own_unit),
        consultation(own_unit, viewer, datetime.date(2026, 1, 5)),
        help_request(own_unit),
        case_parts(viewer, own_unit, child),
    )
    own.sent_request, own.received_request = disclosure_requests(own_unit, viewer, child)
    own.exceptional_access = break_glass(own_unit, child)

    other_unit = make.unit()
    third = make.organisation()
    other_child, other_guardian, _ = make.child_with_guardian(other_unit.organisation)
    other_worker = make.member(other_unit)
    other = Side(
        other_child,
        make.assign(other_child, user=other_worker),
        make.consent(
            other_child,
            purpose=Purpose.COORDINATION,
            recipient_organisations=[third],
            giver=other_guardian,
            attachment=scan(),
        ),
        OfferFactory(unit=other_unit),
        consultation(other_unit, other_worker, datetime.date(2026, 1, 5)),
        help_request(other_unit),
        case_parts(other_worker, other_unit, other_child),
    )
    other.sent_request, other.received_request = disclosure_requests(
        other_unit, other_worker, other_child
    )
    other.exceptional_access = break_glass(other_unit, other_child)
    return viewer, own, other


def test_there_are_staff_urls_with_ids_to_check():
    routes = list(staff_routes())
    assert "ansatt/personer/<int:person_id>/" in routes
    # Moving and cancelling a meeting change it: they are checked like its other pages.
    meeting = "ansatt/saker/<int:pk>/moter/<int:meeting_id>/"
    assert {meeting + "flytt/", meeting + "avlys/"} <= set(routes)


@pytest.mark.parametrize("route", list(staff_routes()))
def test_another_organisations_object_is_not_found(route, sides):
    viewer, own, other = sides
    client = make.logged_in(viewer)
    count = len(PARAMETER.findall(route))

    # The page works for the viewer's own objects, so a 404 below means "not yours".
    assert request(client, fill(route, [own])) != 404

    assert request(client, fill(route, [other])) == 404
    # Mixed: the viewer's own person with another organisation's object under it.
    for foreign in object_parameters(route)[1:]:
        sides_for_route = [own] * count
        sides_for_route[foreign] = other
        assert request(client, fill(route, sides_for_route)) == 404
