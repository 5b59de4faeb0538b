"""An outside review of courses and appointment books: what an attacker tries, and what must
hold. The failing tests show weaknesses found in the review; the passing ones prove that the
most important rules hold."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.groups.appointments import services as appointment_services
from familiebro.groups.appointments import slots
from familiebro.groups.courses import actions, seats, tasks, verification
from familiebro.groups.models import Booking, Course, Enrolment, Slot
from familiebro.privacy.models import AuditEvent
from tests.catalogue.factories import PublishedOfferFactory
from tests.groups.appointments.conftest import PARENT_NUMBER as BOOKING_PARENT
from tests.groups.appointments.conftest import couple, set_up, tiltak  # noqa: F401 (fixture)
from tests.groups.courses.conftest import (
    OTHER_PARENT_NUMBER,
    citizen,
    citizen_client,
    enrol,
    place,  # noqa: F401 (fixture)
    run_tasks,
    sms_sent,
    staff_client,
)
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

VICTIM = {"name": "Ola Nordmann", "role": "father", "phone": "912 34 567"}


def _public(course) -> str:
    return reverse("courses:public", args=[course.pk])


def _verify(course) -> str:
    return reverse("courses:verify", args=[course.pk])


def _code(settings) -> str:
    return sms_sent(settings)[-1]["message"].split(": ")[1][:6]


def _to_victim(settings) -> int:
    return sum(1 for m in sms_sent(settings) if m["to"] == "+4791234567")


# Courses: enrolment without login ------------------------------------------------------------


def test_codes_to_a_strangers_phone_are_limited_within_one_session(place, settings):  # noqa: F811
    """An anonymous visitor types a stranger's mobile number into the enrolment form, runs
    the code to the end with five wrong guesses (which drops the pending enrolment from the
    session), and asks again; or alternates between two courses. The promise in
    courses/verification.py is that "a session gets MAX_CODES codes per course, so ...
    sending SMS to strangers [does not] scale". It must hold: no more than MAX_CODES codes
    reach one number from one browser session."""
    other = actions.create_course(
        place.leader,
        offer=PublishedOfferFactory(unit=place.unit, title="Babymassasje"),
        unit=place.unit,
        name="Babymassasje",
        capacity=8,
    )
    client = Client()
    for _round in range(3):
        for course in (place.course, other):
            client.post(_public(course), VICTIM)
    for _round in range(3):
        client.post(_public(place.course), VICTIM)
        for _guess in range(verification.MAX_TRIES + 1):
            client.post(_verify(place.course), {"code": "not-it"})
    # One session, one stranger's phone: at most MAX_CODES per course (6 for the two).
    assert _to_victim(settings) <= 2 * verification.MAX_CODES, _to_victim(settings)


def test_codes_to_one_phone_are_limited_across_sessions(place, settings):  # noqa: F811
    """An anonymous attacker drops the session cookie between posts (a script, no browser)
    and asks for a code to the same stranger's mobile number again and again. Each SMS costs
    the municipality and floods the stranger. There must be a limit per number (or per
    course and client), not only per session."""
    for _attempt in range(10):
        Client().post(_public(place.course), VICTIM)
    assert _to_victim(settings) <= verification.MAX_CODES, _to_victim(settings)


def test_a_course_that_takes_no_enrolment_sends_no_code(place, settings):  # noqa: F811
    """An anonymous visitor posts the enrolment form of a course that is closed for
    enrolment (or an anonymous headcount course). Nothing can come of it, so no SMS may be
    sent: otherwise every public course page is an SMS gateway."""
    Course.objects.filter(pk=place.course.pk).update(open_for_enrolment=False)
    Client().post(_public(place.course), VICTIM)
    assert _to_victim(settings) == 0


def test_one_verified_phone_cannot_take_every_seat(place, settings):  # noqa: F811
    """An attacker who has one mobile phone verifies it again and again (a fresh session
    each time) under made-up names and takes every seat of the course (capacity 4), so the
    families who wanted it land on the waiting list. A second enrolment with the same
    verified contact on the same course must be refused, as it is for a citizen logged in on
    Min side ("You are already enrolled")."""
    for n in range(place.course.capacity):
        client = Client()
        client.post(_public(place.course), VICTIM | {"name": f"Oppdiktet {n}"})
        client.post(_verify(place.course), {"code": _code(settings)})
    same_phone = Enrolment.objects.filter(
        course=place.course, phone="+4791234567", status__in=seats.SEATED
    )
    assert same_phone.count() <= 1, same_phone.count()


def test_held_the_code_is_single_session_and_cannot_be_replayed(place, settings):  # noqa: F811
    """Holds: an attacker who sees a victim's code (shoulder-surfing) cannot use it from
    another session, and a right code used once cannot enrol twice."""
    victim = Client()
    victim.post(_public(place.course), VICTIM)
    code = _code(settings)
    attacker = Client()
    assert attacker.post(_verify(place.course), {"code": code}).status_code == 302
    assert victim.post(_verify(place.course), {"code": code}).status_code == 200
    assert victim.post(_verify(place.course), {"code": code}).status_code == 302
    assert Enrolment.objects.filter(course=place.course, phone="+4791234567").count() == 1


# Courses: links, holds, staff ----------------------------------------------------------------


def _offered(place):  # noqa: F811
    """Fill the course, put one on the waiting list, free a seat: (waiting enrolment, claim
    token, cancel token of the one who left)."""
    first = enrol(place, "Fyll En", partner_name="Fyll To", partner_role="mother")
    enrol(place, "Fyll Tre", partner_name="Fyll Fire", partner_role="mother")
    waiting = enrol(place, "Venter", waiting_list=True)
    run_tasks()
    token, hashed = tasks.new_token()
    Enrolment.objects.filter(pk=first.pk).update(cancel_token_hash=hashed)
    actions.cancel_by_link(token)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.OFFERED
    claim, claim_hash = tasks.new_token()
    Enrolment.objects.filter(pk=waiting.pk).update(claim_token_hash=claim_hash)
    return waiting, claim, token


def test_held_a_hold_is_claimed_once_never_after_it_lapsed(place):  # noqa: F811
    """Holds: the claim link takes the held seat once; a second click, an expired hold and a
    guessed token are refused with 410, and a used cancel link cancels nothing more."""
    waiting, claim, used_cancel = _offered(place)
    client = Client()
    url = reverse("courses:claim", args=[claim])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 410
    assert client.post(reverse("courses:claim", args=["x" * 43])).status_code == 410
    assert client.post(reverse("courses:cancel", args=[used_cancel])).status_code == 410
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.CONFIRMED
    assert seats.taken(place.course) == place.course.capacity - 1


def test_held_an_expired_hold_cannot_be_claimed(place):  # noqa: F811
    waiting, claim, _used = _offered(place)
    Enrolment.objects.filter(pk=waiting.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert Client().post(reverse("courses:claim", args=[claim])).status_code == 410
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.OFFERED  # the sweep lets it lapse


def test_held_only_those_who_run_the_course_see_its_participants(place):  # noqa: F811
    """Holds: a member of the unit who does not lead the course, and staff of another
    organisation, see no participant's name or phone on the course page; the other
    organisation gets 404 on every staff URL of the course, and cannot cancel anyone."""
    enrolment = enrol(place, "Synnøve Hemmelig", phone="987 65 432")
    nurse = staff_client(place.nurse)
    page = nurse.get(reverse("courses:detail", args=[place.course.pk]))
    assert page.status_code == 200
    assert "Synnøve Hemmelig" not in page.content.decode()
    assert "98765432" not in page.content.decode().replace(" ", "")
    outsider = staff_client(make.member(make.unit(make.organisation())))
    for url in (
        reverse("courses:detail", args=[place.course.pk]),
        reverse("courses:attendance", args=[place.course.pk, place.session.pk]),
        reverse("courses:enrol", args=[place.course.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
    cancel = reverse("courses:cancel-participant", args=[place.course.pk, enrolment.pk])
    assert outsider.post(cancel).status_code == 404
    assert nurse.post(cancel).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED


def test_held_the_ical_feed_and_public_page_name_no_participant(place):  # noqa: F811
    """Holds: the public iCalendar feed and course page carry no participant's name."""
    enrol(place, "Synnøve Hemmelig")
    ics = Client().get(reverse("courses:ical", args=[place.course.pk])).content.decode()
    page = Client().get(_public(place.course)).content.decode()
    for text in (ics, page):
        assert "Synnøve" not in text and "Kursleder" not in text


def test_held_a_parent_cannot_cancel_another_parents_enrolment(place):  # noqa: F811
    """Holds: a parent on Min side posts another parent's enrolment id to their own cancel
    URL; nothing is cancelled."""
    theirs = actions.enrol(
        place.course.pk, name="Annen Forelder", role="mother", phone="91234567", citizen=citizen()
    )
    attacker = citizen_client(OTHER_PARENT_NUMBER)
    attacker.post(reverse("courses:my-cancel", args=[theirs.pk]))
    attacker.post(reverse("courses:my-cancel", args=[uuid.uuid4()]))
    theirs.refresh_from_db()
    assert theirs.status == Enrolment.Status.CONFIRMED
    assert "Annen Forelder" not in attacker.get(reverse("courses:mine")).content.decode()


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_a_headcount_with_an_odd_digit_is_refused_not_a_500(place, value):  # noqa: F811
    """A course leader (or a fuzzer with a leader's session) types a superscript digit or a
    5000-digit number into an anonymous headcount. str.isdigit() accepts both, int() does
    not: a 500 (and a server error logged). It must be a 200 with the form's message."""
    offer = PublishedOfferFactory(unit=place.unit, title="Åpen barnehage")
    course = actions.create_course(
        place.leader, offer=offer, unit=place.unit, name="Åpen barnehage", capacity=30,
        mode=Course.Mode.HEADCOUNT,
    )  # fmt: skip
    start = timezone.now() + datetime.timedelta(days=3)
    session = actions.add_session(
        place.leader, course, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
        place="Her",
    )  # fmt: skip
    url = reverse("courses:attendance", args=[course.pk, session.pk])
    answer = staff_client(place.leader).post(url, {"count-mother-0-1": value})
    assert answer.status_code == 200


def test_held_malformed_course_urls_are_404(place):  # noqa: F811
    """Holds: non-uuid ids, unknown uuids, huge session ids and wrong methods never give a
    500."""
    leader = staff_client(place.leader)
    assert Client().get("/kurs/not-a-uuid/").status_code == 404
    assert Client().get(f"/kurs/{uuid.uuid4()}/").status_code == 404
    assert Client().get(f"/kurs/{uuid.uuid4()}/kalender.ics").status_code == 404
    huge = f"/ansatt/kurs/{place.course.pk}/samlinger/{10**30}/oppmote/"
    assert leader.get(huge).status_code == 404
    assert Client().put(_public(place.course)).status_code == 405
    assert Client().post(reverse("courses:claim", args=["a" * 5000])).status_code == 410


def _events_on(enrolment) -> int:
    return sum(
        1 for e in AuditEvent.objects.all() if str(enrolment.pk) in {str(i) for i in e.object_ids}
    )


def test_a_staff_enrolment_is_audited(place):  # noqa: F811
    """A nurse of the unit enrols a parent (name, role, phone: personal data written) on a
    course. "Every read and write of personal data writes an audit event in the same
    transaction" (ARCHITECTURE.md): actions.enrol writes none, so who put a family on a
    course (and what phone number they gave) is nowhere in the trail."""
    enrolment = actions.enrol(
        place.course.pk, name="Per Audit", role="father", phone="91234567", staff=place.nurse
    )
    assert _events_on(enrolment) >= 1


def test_a_parents_own_enrolment_and_cancellation_are_audited(place):  # noqa: F811
    """A parent on Min side enrols and later cancels; the enrolment is theirs (matched by
    identity) and shows on Min side, but neither the creation nor the cancellation is
    audited, while the appointment books audit both (book_as_citizen, cancel_as_citizen)."""
    parent = citizen()
    enrolment = actions.enrol(
        place.course.pk, name="Kari Mor", role="mother", phone="91234567", citizen=parent
    )
    created = _events_on(enrolment)
    actions.cancel_own(parent, enrolment.pk)
    assert created >= 1 and _events_on(enrolment) >= 2, (created, _events_on(enrolment))


def test_a_cancel_link_use_is_audited(place):  # noqa: F811
    """Whoever holds the single-use link cancels an enrolment (a change of personal data by
    an unknown actor). The appointment books record such a use ("cancellation_link");
    courses record nothing, so a cancellation the parent denies cannot be traced."""
    enrolment = enrol(place, "Lenke Bruker")
    token, hashed = tasks.new_token()
    Enrolment.objects.filter(pk=enrolment.pk).update(cancel_token_hash=hashed)
    before = _events_on(enrolment)
    assert Client().post(reverse("courses:cancel", args=[token])).status_code == 200
    assert _events_on(enrolment) > before


def test_held_a_staff_cancellation_is_audited(place):  # noqa: F811
    """Holds (and proves the helper above counts events on an enrolment): the leader's
    cancellation is audited."""
    enrolment = enrol(place, "Staff Avmeldt")
    actions.cancel_by_staff(place.leader, place.course, enrolment.pk)
    assert _events_on(enrolment) >= 1


# Appointments -------------------------------------------------------------------------------


def _free(book):
    return list(slots.free_slots(book))


def test_a_follow_up_message_never_names_the_service(
    tiltak,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """The family counselling office sets up a book without the optional "own office"
    address (the form allows it) and the office has no visiting address registered. The
    provider books a follow-up. The confirmation falls back to the unit's NAME as the place
    (services.add_extra_slot: `book.office_place or book.unit.address or book.unit.name`), so
    the SMS/e-mail a family may share a phone with says "Familievernkontoret i Rana". The
    messages must carry the discreet label, time and an address only, never the service's
    name."""
    tiltak.office.address = ""
    tiltak.office.save()
    book = set_up(tiltak.therapist, tiltak.office, tiltak.health_centre, office_place="")
    with django_capture_on_commit_callbacks(execute=True):
        booking = appointment_services.book_for_family(
            tiltak.nurse, _free(book)[0].pk, couple(), agreed=True
        )
    mail.outbox.clear()
    when = timezone.now() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_services.book_follow_up(tiltak.therapist, booking.pk, when)
    assert mail.outbox, "no confirmation of the follow-up"
    for message in mail.outbox:
        assert tiltak.office.name not in message.subject + message.body, message.body


def test_the_booking_nurse_does_not_learn_whether_the_family_came(tiltak):  # noqa: F811
    """The health centre's nurse books a couple with the family therapist (family
    counselling, another organisation and confidentiality domain). The therapist records
    that the couple did not come: that is the family counselling service's knowledge of the
    family. The nurse opens the booking her unit made (visible through `booked_here` in
    permissions.visible_bookings, which bypasses the policy) and the page says "did not
    come" - family counselling information crossing to the health centre with no consent
    and no recorded legal basis. The booking unit may see what it booked (time, place,
    cancelled), never the provider's own records of the conversation."""
    booking = appointment_services.book_for_family(
        tiltak.nurse, _free(tiltak.book)[0].pk, couple(), agreed=True
    )
    started = timezone.now() - datetime.timedelta(minutes=30)
    Slot.objects.filter(pk=booking.slot_id).update(
        starts_at=started, ends_at=started + datetime.timedelta(hours=1)
    )
    appointment_services.record_no_show(tiltak.therapist, booking.pk)
    page = staff_client(tiltak.nurse).get(reverse("appointments:booking", args=[booking.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("did not come", "kom ikke", "møtte ikke"):
        assert words not in text, words


def test_a_cancelled_follow_up_time_is_not_open_to_the_public(tiltak):  # noqa: F811
    """The therapist books a couple's follow-up at the family counselling office (a slot of
    kind "follow-up" made for that family alone); the couple cancels it. The slot is then an
    ordinary free time of the public book (slots.free_slots does not look at the kind): any
    citizen who walks the slot ids books a conversation at the therapist's own office, and
    the confirmation gives that office as the place. A follow-up slot must never be offered
    to or booked by the public."""
    booking = appointment_services.book_for_family(
        tiltak.nurse, _free(tiltak.book)[0].pk, couple(), agreed=True
    )
    when = timezone.now() + datetime.timedelta(days=30)
    follow_up = appointment_services.book_follow_up(tiltak.therapist, booking.pk, when)
    appointment_services.cancel_by_staff(tiltak.therapist, follow_up.pk)
    assert follow_up.slot_id not in {s.pk for s in _free(tiltak.book)}
    stranger = citizen_client(OTHER_PARENT_NUMBER)
    stranger.post(
        reverse("appointments:confirm", args=[tiltak.book.pk, follow_up.slot_id]),
        {"name": "Fremmed", "email": "fremmed@example.no"},
    )
    assert not Booking.objects.filter(slot_id=follow_up.slot_id, cancelled_at__isnull=True).exists()


def test_one_citizen_cannot_hoard_every_free_time(tiltak):  # noqa: F811
    """A parent logged in on Min side (or anyone with one BankID) books every free time of
    the therapist's book, one after another, with made-up names. The provider's scarce day
    at the health centre is gone for every other family. There must be a limit on the
    bookings in force one identity holds in one book (say one or two)."""
    client = citizen_client(BOOKING_PARENT)
    free = _free(tiltak.book)[:4]
    for n, slot in enumerate(free):
        client.post(
            reverse("appointments:confirm", args=[tiltak.book.pk, slot.pk]),
            {"name": f"Oppdiktet {n}", "email": "x@example.no"},
        )
    held = Booking.objects.filter(
        slot__book=tiltak.book, identity_hash=citizen(BOOKING_PARENT).identity_hash,
        cancelled_at__isnull=True,
    ).count()  # fmt: skip
    assert held <= 2, held


def test_held_the_provider_and_outsiders_read_only_their_bookings(tiltak):  # noqa: F811
    """Holds: the therapist's colleague, the school, another municipality's nurse get 404
    on a booking; the therapist reads it, with an AuditEvent."""
    booking = appointment_services.book_for_family(
        tiltak.nurse, _free(tiltak.book)[0].pk, couple(), agreed=True
    )
    url = reverse("appointments:booking", args=[booking.pk])
    for user in (tiltak.colleague, tiltak.school_staff, tiltak.elsewhere):
        assert staff_client(user).get(url).status_code == 404
        assert staff_client(user).post(
            reverse("appointments:cancel", args=[booking.pk])
        ).status_code in (302, 404)
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    before = AuditEvent.objects.count()
    assert staff_client(tiltak.therapist).get(url).status_code == 200
    assert AuditEvent.objects.count() > before


def test_held_a_citizen_cannot_cancel_anothers_booking(tiltak):  # noqa: F811
    """Holds: a parent on Min side posts a booking id that is not theirs."""
    booking = appointment_services.book_for_family(
        tiltak.nurse, _free(tiltak.book)[0].pk, couple(), agreed=True
    )
    stranger = citizen_client(OTHER_PARENT_NUMBER)
    stranger.post(reverse("appointments:cancel-mine", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    assert "Marte" not in stranger.get(reverse("appointments:mine")).content.decode()


def test_held_malformed_appointment_urls_are_not_500(tiltak):  # noqa: F811
    therapist = staff_client(tiltak.therapist)
    assert therapist.get(f"/ansatt/timebok/{10**30}/").status_code == 404
    assert therapist.get(f"/ansatt/timebok/{tiltak.book.pk}/?dato=2024-13-45").status_code == 200
    assert therapist.get(f"/ansatt/timebok/avtaler/{10**30}/").status_code == 404
    assert Client().get(f"/timebestilling/{10**30}/").status_code == 404
    assert Client().get("/timebestilling/avbestill/" + "a" * 5000 + "/").status_code == 404
    assert Client().post("/timebestilling/avbestill/" + "a" * 5000 + "/").status_code == 400


# Race: the last seat on PostgreSQL -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_held_two_parents_never_get_the_last_seat_on_postgresql(place):  # noqa: F811
    """Holds: eight threads enrol at once on a course with one seat left; exactly one
    gets it (PostgreSQL only: SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    enrol(place, "Fyll", partner_name="Fyll To", partner_role="mother")
    enrol(place, "Fyll Tre")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def one(n: int) -> None:
        barrier.wait()
        try:
            actions.enrol(place.course.pk, name=f"P{n}", role="mother", phone="91234567",
                          staff=place.leader)  # fmt: skip
            outcomes.append("seat")
        except actions.CourseFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("seat") == 1, outcomes
    assert seats.taken(Course.objects.get(pk=place.course.pk)) == place.course.capacity


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_count_against_the_limit_on_postgresql(place, settings):  # noqa: F811
    """An attacker who started an enrolment with a stranger's phone sends 30 guesses of the
    code at once, from the same session. verification.confirm reads the try counter from the
    session, adds one and writes the session back at the end of the request: parallel
    requests all read the same count, so the five-try limit (MAX_TRIES) counts a burst as
    about one try. Afterwards the session must be spent: the right code must not work after
    more than MAX_TRIES wrong guesses (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    attacker = Client()
    attacker.post(_public(place.course), VICTIM)
    code = _code(settings)
    cookie = attacker.cookies[settings.SESSION_COOKIE_NAME].value
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 31)]
    barrier = threading.Barrier(len(wrong))

    def guess(value: str) -> None:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        barrier.wait()
        try:
            client.post(_verify(place.course), {"code": value})
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(value,)) for value in wrong]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attacker.post(_verify(place.course), {"code": code})
    assert not Enrolment.objects.filter(course=place.course).exists(), (
        f"{len(wrong)} wrong guesses, and then the right code still enrolled"
    )
