"""The course pages, staff's and families', and who sees the participants: the course's
leaders and the unit's coordinators and leaders; not the unit's other members, another unit,
another organisation, a parent or a visitor."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership
from familiebro.groups.courses import actions
from familiebro.groups.models import Attendance, Course, Enrolment, Headcount
from familiebro.privacy.models import AuditEvent
from tests.groups.courses.conftest import (
    OTHER_PARENT_NUMBER,
    citizen,
    citizen_client,
    enrol,
    staff_client,
)
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


def detail(place):
    return reverse("courses:detail", args=[place.course.pk])


def test_the_leader_sees_participants_and_the_waiting_list(place):
    enrol(place, "Ola Deltaker", partner_name="Kari Deltaker", partner_role="mother")
    enrol(place, "Per Deltaker")
    enrol(place, "Pål Deltaker")
    enrol(place, "Espen Venter", waiting_list=True)
    page = staff_client(place.leader).get(detail(place))
    text = page.content.decode()
    assert page.status_code == 200
    for name in ("Ola Deltaker", "Kari Deltaker", "Per Deltaker", "Espen Venter"):
        assert name in text
    assert "4 av 4" in text or "4 of 4" in text


def test_reading_the_participants_is_audited(place):
    enrol(place, "Ola Deltaker")
    before = AuditEvent.objects.count()
    staff_client(place.leader).get(detail(place))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.purpose == "course_participants"


@pytest.mark.parametrize("role", [Membership.Role.COORDINATOR, Membership.Role.LEADER])
def test_the_units_coordinator_and_leader_see_the_participants(place, role):
    enrol(place, "Ola Deltaker")
    runner = make.member(place.unit, role)
    assert "Ola Deltaker" in staff_client(runner).get(detail(place)).content.decode()


def test_another_member_of_the_unit_sees_the_course_but_not_who_takes_part(place):
    enrol(place, "Ola Deltaker")
    page = staff_client(place.nurse).get(detail(place))
    assert page.status_code == 200
    assert place.course.name in page.content.decode()
    assert "Ola Deltaker" not in page.content.decode()
    session = reverse("courses:attendance", args=[place.course.pk, place.session.pk])
    assert (
        "Ola Deltaker" not in staff_client(place.nurse).get(session, follow=True).content.decode()
    )


def test_another_unit_and_another_organisation_do_not_find_the_course(place):
    same_organisation = make.member(make.unit(place.unit.organisation))
    elsewhere = make.member(make.unit())
    for outsider in (same_organisation, elsewhere):
        client = staff_client(outsider)
        assert client.get(detail(place)).status_code == 404
        assert place.course.name not in client.get(reverse("courses:list")).content.decode()


def test_a_parent_and_a_visitor_see_no_staff_page(place):
    for client in (Client(), citizen_client()):
        answer = client.get(detail(place))
        assert answer.status_code == 302
        assert "/konto/logg-inn/" in answer["Location"]


def test_a_leader_sets_up_a_course_from_an_offer_and_adds_a_session(place):
    client = staff_client(place.leader)
    offer = place.course.offer
    answer = client.post(
        reverse("courses:new"),
        {"offer": str(offer.pk), "name": "Pappagruppe", "mode": "enrolment", "capacity": "8",
         "hold_hours": "48", "leader_gender": "man"},
    )  # fmt: skip
    course = Course.objects.get(name="Pappagruppe")
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "courses:detail", args=[course.pk]
    )
    assert course.hold_hours == 48 and course.leaders.get().gender == "man"
    day = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    answer = client.post(
        reverse("courses:new-session", args=[course.pk]),
        {"date": day, "start_time": "18:00", "end_time": "20:00", "place": "",
         "video_url": "https://video.example.no/rom/1"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert course.sessions.get().video_url == "https://video.example.no/rom/1"


def test_mixed_gender_leadership_is_shown_to_families(place):
    man = make.member(place.unit, first_name="Per")
    actions.add_leader(place.leader, place.course, man.pk, "man")
    public = Client().get(reverse("courses:public", args=[place.course.pk])).content.decode()
    assert "Kvinnelig og mannlig kursleder" in public or "Female and male course leader" in public


def test_only_the_unit_s_leaders_and_the_course_s_creator_add_leaders(place):
    """A leader sees the participants, so a co-leader added by someone else cannot pass the
    list on to more colleagues; the unit's coordinator and the course's creator can."""
    co_leader = make.member(place.unit, first_name="Per")
    colleague = make.member(place.unit, first_name="Siri")
    url = reverse("courses:add-leader", args=[place.course.pk])
    actions.add_leader(place.leader, place.course, co_leader.pk, "man")  # the creator
    detail = reverse("courses:detail", args=[place.course.pk])
    assert 'name="leader"' not in staff_client(co_leader).get(detail).content.decode()
    refused = staff_client(co_leader).post(url, {"leader": colleague.pk, "gender": "woman"})
    assert refused.status_code == 302
    assert not place.course.leaders.filter(user=colleague).exists()
    with pytest.raises(PermissionDenied):
        actions.add_leader(place.nurse, place.course, colleague.pk, "woman")
    assert 'name="leader"' in staff_client(place.coordinator).get(detail).content.decode()
    actions.add_leader(place.coordinator, place.course, colleague.pk, "woman")
    assert place.course.leaders.filter(user=colleague).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"offer": "x", "mode": "nope", "capacity": "-1", "hold_hours": "abc"},
        {"offer": str(uuid.uuid4()), "mode": "enrolment", "capacity": "0", "hold_hours": "24"},
    ],
)
def test_a_malformed_new_course_is_refused_with_messages(place, data):
    answer = staff_client(place.leader).post(reverse("courses:new"), data)
    assert answer.status_code == 200
    assert Course.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date": "i morgen", "start_time": "25:00", "end_time": "x"},
        {"date": "2030-01-01", "start_time": "18:00", "end_time": "17:00", "place": "Her"},
        {"date": "2030-01-01", "start_time": "18:00", "end_time": "19:00"},
    ],
)
def test_a_malformed_session_is_refused_with_messages(place, data):
    answer = staff_client(place.leader).post(
        reverse("courses:new-session", args=[place.course.pk]), data
    )
    assert answer.status_code == 200
    assert place.course.sessions.count() == 1


def test_staff_enrol_a_couple_and_the_last_seat_offers_the_waiting_list(place):
    client = staff_client(place.nurse)
    url = reverse("courses:enrol", args=[place.course.pk])
    couple = {"name": "Ola", "role": "father", "partner_name": "Kari", "partner_role": "mother",
              "phone": "91234567"}  # fmt: skip
    assert client.post(url, couple).status_code == 302
    assert client.post(url, couple).status_code == 302
    full = client.post(url, couple | {"name": "Per"})
    assert full.status_code == 200
    assert 'name="waiting_list" value="on"' in full.content.decode()
    assert client.post(url, couple | {"name": "Per", "waiting_list": "on"}).status_code == 302
    assert Enrolment.objects.get(name="Per").status == Enrolment.Status.WAITING


def test_staff_cancel_a_participant_only_on_a_course_they_run(place):
    enrolment = enrol(place, "Ola")
    url = reverse("courses:cancel-participant", args=[place.course.pk, enrolment.pk])
    staff_client(place.nurse).post(url)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    staff_client(place.leader).post(url)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    # Someone else's id, or none: not found, never an error page.
    other = reverse("courses:cancel-participant", args=[place.course.pk, uuid.uuid4()])
    assert staff_client(place.leader).post(other).status_code == 404


def test_attendance_records_who_came_with_their_role_and_the_fathers_share(place):
    ola = enrol(place, "Ola", partner_name="Kari", partner_role="mother")
    per = enrol(place, "Per", role="co_parent")
    url = reverse("courses:attendance", args=[place.course.pk, place.session.pk])
    client = staff_client(place.leader)
    assert "Kari" in client.get(url).content.decode()
    answer = client.post(url, {f"came-{ola.pk}-first": "on", f"came-{ola.pk}-partner": "on",
                               f"came-{per.pk}-first": "on"})  # fmt: skip
    assert answer.status_code == 302
    assert sorted(Attendance.objects.values_list("role", flat=True)) == [
        "co_parent", "father", "mother"
    ]  # fmt: skip
    page = client.get(detail(place)).content.decode()
    assert "33 %" in page


def test_attendance_ignores_forged_keys(place):
    enrol(place, "Ola")
    url = reverse("courses:attendance", args=[place.course.pk, place.session.pk])
    answer = staff_client(place.leader).post(url, {f"came-{uuid.uuid4()}-first": "on"})
    assert answer.status_code == 302
    assert not Attendance.objects.exists()


def test_an_anonymous_headcount_stores_counts_and_no_identity(place):
    place.course.mode = Course.Mode.HEADCOUNT
    place.course.save()
    url = reverse("courses:attendance", args=[place.course.pk, place.session.pk])
    client = staff_client(place.leader)
    assert client.get(url).status_code == 200
    answer = client.post(url, {"count-father-0-1": "3", "count-mother-0-1": "5",
                               "count-other_carer-6-12": ""})  # fmt: skip
    assert answer.status_code == 302
    rows = list(Headcount.objects.values())
    assert {(r["role"], r["age_band"], r["count"]) for r in rows} == {
        ("father", "0-1", 3), ("mother", "0-1", 5)
    }  # fmt: skip
    # A count is all there is: no column of the table can hold a name, a contact or a person.
    assert {f.name for f in Headcount._meta.get_fields()} == {
        "id", "session", "role", "age_band", "count"
    }  # fmt: skip
    assert not Enrolment.objects.exists() and not Attendance.objects.exists()
    assert "38 %" in client.get(detail(place)).content.decode()
    assert client.post(url, {"count-father-0-1": "-2"}).status_code == 200
    assert client.post(url, {"count-father-0-1": "tre"}).status_code == 200


def test_a_parent_enrols_on_the_public_page_and_sees_it_on_min_side(place):
    client = citizen_client()
    page = reverse("courses:public", args=[place.course.pk])
    assert 'name="name"' in client.get(page).content.decode()
    answer = client.post(page, {"name": "Ola", "role": "father", "phone": "91234567"})
    assert answer.status_code == 302 and answer["Location"] == reverse("courses:mine")
    mine = client.get(reverse("courses:mine")).content.decode()
    assert place.course.name in mine
    # Another parent sees none of it.
    assert (
        place.course.name
        not in citizen_client(OTHER_PARENT_NUMBER).get(reverse("courses:mine")).content.decode()
    )


def test_a_visitor_is_sent_to_the_code_and_min_side_stays_closed(place):
    page = reverse("courses:public", args=[place.course.pk])
    assert 'name="name"' in Client().get(page).content.decode()
    answer = Client().post(page, {"name": "Ola", "role": "father", "phone": "91234567"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("courses:verify", args=[place.course.pk])
    assert not Enrolment.objects.exists()
    assert Client().get(reverse("courses:mine")).status_code == 302


def test_a_parent_cancels_on_min_side_but_not_someone_elses(place):
    mine = actions.enrol(place.course.pk, name="Ola", role="father", phone="91234567",
                         citizen=citizen())  # fmt: skip
    theirs = actions.enrol(place.course.pk, name="Per", role="father", phone="91234568",
                           citizen=citizen(OTHER_PARENT_NUMBER))  # fmt: skip
    client = citizen_client()
    client.post(reverse("courses:my-cancel", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.status == Enrolment.Status.CONFIRMED
    client.post(reverse("courses:my-cancel", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == Enrolment.Status.CANCELLED


def test_the_cancel_link_asks_first_then_cancels_once(place):
    from familiebro.groups.courses import tasks

    enrolment = enrol(place, "Ola")
    token, hashed = tasks.new_token()
    Enrolment.objects.filter(pk=enrolment.pk).update(cancel_token_hash=hashed)
    url = reverse("courses:cancel", args=[token])
    assert Client().get(url).status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert Client().post(url).status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    assert Client().post(url).status_code == 410
    assert Client().get(reverse("courses:claim", args=["gjett"])).status_code == 410


def test_the_offer_lists_its_open_courses(place):
    page = Client().get(reverse("courses:offer-courses", args=[place.course.offer_id]))
    assert place.course.name in page.content.decode()
    assert Client().get(reverse("courses:offer-courses", args=[uuid.uuid4()])).status_code == 200


def test_the_course_list_takes_constant_queries(place, django_assert_max_num_queries):
    client = staff_client(place.leader)
    client.get(reverse("courses:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("courses:list"))
    for n in range(5):
        course = actions.create_course(
            place.leader, offer=place.course.offer, unit=place.unit, name=f"Kurs {n}",
            capacity=5,
        )  # fmt: skip
        actions.enrol(course.pk, name=f"Deltaker {n}", role="mother", phone="91234567",
                      staff=place.leader)  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("courses:list"))


def test_the_course_page_takes_constant_queries(place, django_assert_max_num_queries):
    client = staff_client(place.leader)
    enrol(place, "Ola")
    client.get(detail(place))
    with django_assert_max_num_queries(40) as few:
        client.get(detail(place))
    for n in range(3):
        enrol(place, f"Deltaker {n}")
    for n in range(3):
        enrol(place, f"Venter {n}", waiting_list=True)
    enrol(place, "Siste venter", waiting_list=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(place))
