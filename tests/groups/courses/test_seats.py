"""Enrolment, the waiting list with its expiring holds, and the single-use links."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from familiebro.groups.courses import actions, seats, tasks
from familiebro.groups.models import Enrolment
from familiebro.privacy.models import AuditEvent
from tests.groups.courses.conftest import citizen, enrol, run_tasks, sms_sent

pytestmark = pytest.mark.django_db


def test_a_couple_takes_two_seats_and_the_course_then_fills(place):
    enrol(place, "Ola", partner_name="Kari", partner_role="mother")
    enrol(place, "Per")
    assert seats.taken(place.course) == 3
    enrol(place, "Pål")
    with pytest.raises(actions.CourseFull, match="the course is full"):
        enrol(place, "Espen")


def test_a_couple_does_not_get_the_last_single_seat(place):
    enrol(place, "A")
    enrol(place, "B")
    enrol(place, "C")
    with pytest.raises(actions.CourseFull):
        enrol(place, "Ola", partner_name="Kari", partner_role="mother")


def test_the_one_who_finds_it_full_may_join_the_waiting_list(place):
    for name in "ABCD":
        enrol(place, name)
    waiting = enrol(place, "Espen", waiting_list=True)
    assert waiting.status == Enrolment.Status.WAITING
    # Someone waiting comes first: a newcomer does not jump the line when a seat frees.
    first = Enrolment.objects.get(name="A")
    actions.cancel_by_staff(place.leader, place.course, first.pk)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.OFFERED
    with pytest.raises(actions.CourseFull):
        enrol(place, "Nykommer")


def test_a_freed_seat_is_held_for_the_first_in_line_then_the_next(
    place, django_capture_on_commit_callbacks, settings
):
    place.course.hold_hours = 12
    place.course.save()
    with django_capture_on_commit_callbacks(execute=True):
        for name in "ABCD":
            enrol(place, name)
        first_in_line = enrol(place, "Espen", phone="+4791111111", waiting_list=True)
        second_in_line = enrol(place, "Frida", phone="+4792222222", waiting_list=True)
    run_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_by_staff(place.leader, place.course, Enrolment.objects.get(name="A").pk)
    run_tasks()
    first_in_line.refresh_from_db()
    assert first_in_line.status == Enrolment.Status.OFFERED
    hold = first_in_line.hold_expires_at - timezone.now()
    assert datetime.timedelta(hours=11, minutes=59) < hold <= datetime.timedelta(hours=12)
    offers = [m for m in sms_sent(settings) if m["to"] == "+4791111111"]
    assert "/kurs/ta-plassen/" in offers[-1]["message"]

    # Nobody takes it: when the hold lapses (here: the clock is moved past it), the task
    # scheduled for that moment gives the seat to the next in line.
    Enrolment.objects.filter(pk=first_in_line.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert run_tasks() == []  # nothing is due before the hold's time
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks(now=timezone.now() + datetime.timedelta(hours=13))
    first_in_line.refresh_from_db()
    second_in_line.refresh_from_db()
    assert first_in_line.status == Enrolment.Status.EXPIRED
    assert second_in_line.status == Enrolment.Status.OFFERED


def test_an_expiring_hold_lapses_only_once_however_often_the_task_runs(place):
    for name in "ABCD":
        enrol(place, name)
    waiting = enrol(place, "Espen", waiting_list=True)
    actions.cancel_by_staff(place.leader, place.course, Enrolment.objects.get(name="A").pk)
    Enrolment.objects.filter(pk=waiting.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert tasks.lapse_holds.call(str(place.course.pk)) == 1
    assert tasks.lapse_holds.call(str(place.course.pk)) == 0


def _token_in(message: str, marker: str) -> str:
    return message.split(marker)[1].split("/")[0]


def test_the_offered_seat_is_taken_with_the_single_use_link(
    place, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        for name in "ABCD":
            enrol(place, name)
        waiting = enrol(place, "Espen", phone="+4791111111", waiting_list=True)
        actions.cancel_by_staff(place.leader, place.course, Enrolment.objects.get(name="A").pk)
    run_tasks()
    offer = sms_sent(settings)[-1]["message"]
    token = _token_in(offer, "/kurs/ta-plassen/")
    with django_capture_on_commit_callbacks(execute=True):
        actions.claim_by_link(token)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.CONFIRMED
    # The use of the link is in the audit trail, by no known actor, on the link's authority.
    used = [e for e in AuditEvent.objects.all() if str(waiting.pk) in map(str, e.object_ids)]
    assert [e.legal_basis for e in used].count("claim_link") == 1
    with pytest.raises(actions.LinkNotValid):
        actions.claim_by_link(token)
    # The confirmation of the seat follows, with a link to cancel.
    run_tasks()
    assert "/kurs/avmeld/" in sms_sent(settings)[-1]["message"]


def test_the_cancel_link_works_once_and_only_its_hash_is_stored(
    place, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(place, phone="+4791111111")
    run_tasks()
    message = sms_sent(settings)[-1]["message"]
    token = _token_in(message, "/kurs/avmeld/")
    assert len(token) >= 40  # 32 random bytes
    enrolment.refresh_from_db()
    assert enrolment.cancel_token_hash == tasks.token_hash(token)
    assert token not in str(Enrolment.objects.filter(pk=enrolment.pk).values().get())

    actions.cancel_by_link(token)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    with pytest.raises(actions.LinkNotValid):
        actions.cancel_by_link(token)
    with pytest.raises(actions.LinkNotValid):
        actions.cancel_by_link(token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_a_confirmation_task_run_twice_sends_once(place, settings):
    enrolment = enrol(place, phone="+4791111111")
    assert tasks.send_enrolment_message.call(str(enrolment.pk)) == "sms"
    assert tasks.send_enrolment_message.call(str(enrolment.pk)) == ""
    assert len(sms_sent(settings)) == 1


def test_a_reminder_goes_once_even_when_the_task_runs_again(place, settings):
    enrol(place, "Ola", phone="+4791111111")
    enrol(place, "Kari", role="mother", email="kari@example.no", phone="")
    assert tasks.remind_of_session.call(place.session.pk) == 2
    assert tasks.remind_of_session.call(place.session.pk) == 0
    assert len(sms_sent(settings)) == 1


def test_the_reminder_is_scheduled_a_day_before_the_session(
    place, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    start = timezone.now() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        session = actions.add_session(
            place.leader,
            place.course,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="Biblioteket",
        )
    task = DBTaskResult.objects.get(task_path="familiebro.groups.courses.tasks.remind_of_session")
    assert task.args_kwargs["args"] == [session.pk]
    assert task.run_after == session.starts_at - datetime.timedelta(hours=24)


def test_messages_carry_only_the_course_time_place_and_link(
    place, django_capture_on_commit_callbacks, settings, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        enrol(place, "Ola Hemmelig", partner_name="Kari Hemmelig", partner_role="mother",
              phone="+4791111111")  # fmt: skip
        enrol(place, "Per Skjult", email="per@example.no", phone="")
    run_tasks()
    tasks.remind_of_session.call(place.session.pk)
    texts = [m["message"] for m in sms_sent(settings)] + [m.body for m in mailoutbox]
    assert len(texts) == 4
    for text in texts:
        assert place.course.name in text
        for secret in ("Hemmelig", "Skjult", place.unit.name, "father", "mother"):
            assert secret not in text
    assert "Helsestasjonen, 2. etasje" in texts[-1]


def test_a_parent_logged_in_cannot_enrol_twice(place):
    actions.enrol(place.course.pk, name="Ola", role="father", phone="91234567", citizen=citizen())
    with pytest.raises(ValidationError, match="already enrolled"):
        actions.enrol(place.course.pk, name="Ola", role="father", phone="91234567",
                      citizen=citizen())  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"role": "king"}, "role"),
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"partner_name": "Kari", "partner_role": ""}, "partner_role"),
    ],
)
def test_bad_enrolments_are_refused_with_a_message_and_nothing_written(place, fields, field):
    with pytest.raises(ValidationError) as refused:
        enrol(place, **({"name": "Ola"} | fields))
    assert field in refused.value.message_dict
    assert not Enrolment.objects.exists()


def test_staff_of_another_unit_cannot_enrol_on_the_course(place):
    from tests.privacy import factories as make

    outsider = make.member(make.unit())
    with pytest.raises(PermissionDenied):
        enrol(place, staff=outsider)


def test_a_parent_cannot_enrol_on_a_course_of_an_unpublished_offer(place):
    place.course.offer.status = "draft"
    place.course.offer.save()
    with pytest.raises(ValidationError, match="not found"):
        actions.enrol(place.course.pk, name="Ola", role="father", phone="91234567",
                      citizen=citizen())  # fmt: skip
    assert not Enrolment.objects.exists()


def test_the_figures_give_the_fill_rate_the_waiting_list_and_the_time_to_a_seat(place):
    from familiebro.groups.courses.figures import course_figures

    for name in "ABC":
        enrol(place, name)
    waiting = enrol(place, "Espen", partner_name="Eva", partner_role="mother", waiting_list=True)
    figures = course_figures(place.course)
    assert (figures.fill_rate, figures.waiting, figures.median_wait) == (75, 1, None)
    actions.cancel_by_staff(place.leader, place.course, Enrolment.objects.get(name="A").pk)
    token, hashed = tasks.new_token()
    Enrolment.objects.filter(pk=waiting.pk).update(
        claim_token_hash=hashed, enrolled_at=timezone.now() - datetime.timedelta(days=3)
    )
    actions.claim_by_link(token)
    figures = course_figures(place.course)
    assert (figures.fill_rate, figures.waiting, figures.median_wait_days) == (100, 0, 3)
