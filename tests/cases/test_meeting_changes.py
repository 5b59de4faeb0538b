"""Moving and cancelling a planned meeting: everyone invited gets the update or the
cancellation for their calendar (delivered by a real SMTP server), the shared log says what
changed, the GP notice follows the meeting, and a meeting that is over or cancelled stays as
it is."""

from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Deadline, LogEntry, Meeting
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.cases.test_meetings import as_user, at, day_in, follow, text_of
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

FAMILY_NAMES = ("Åse", "Sæther", "Ingrid", "Bråten")


@pytest.fixture(autouse=True)
def _english_pages_and_mail_now(settings):
    settings.LANGUAGE_CODE = "en"
    # The e-mails are sent at once, so the SMTP server has them when the request returns.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def case(town):
    """A kindergarten's case with the health centre taking part, under the family's consent
    (it keeps its own duty of confidentiality)."""
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    return case


def planned(town, case, days: int = 35, **fields) -> Meeting:
    defaults = {
        "kind": Meeting.Kind.FAMILY_MEETING,
        "starts_at": at(days, 10),
        "ends_at": at(days, 11, 30),
        "place": "Møterom 2",
        "agenda": "Tiltak videre",
    }
    return meeting_services.plan_meeting(town.teacher, case, **{**defaults, **fields})


def url(name: str, meeting: Meeting) -> str:
    return reverse(f"cases:{name}", args=[meeting.case_id, meeting.pk])


def move_data(days: int, start: str = "13:00", end: str = "14:00", **fields) -> dict:
    return {
        "date": day_in(days).isoformat(),
        "start_time": start,
        "end_time": end,
        "place": "Møterom 3, helsestasjonen",
        "sequence": 0,
        **fields,
    }


def invite_two(town, meeting: Meeting) -> None:
    meeting_services.invite(town.teacher, meeting, user=town.nurse, site_url="http://testserver")
    meeting_services.invite(town.teacher, meeting, name="Nils Nabo", email="nils@example.no")


def calendar_in(raw: bytes) -> tuple[str, dict[str, str], str]:
    """Of one delivered e-mail: the calendar part's METHOD parameter, its unfolded properties
    (name → value), and the e-mail's text."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar attachment"
    calendar = parts[0].get_content()
    assert all(len(line.encode()) <= 75 for line in calendar.split("\r\n")), "lines are folded"
    properties: dict[str, str] = {}
    for line in calendar.replace("\r\n ", "").split("\r\n"):
        if line:
            head, value = line.split(":", 1)
            properties.setdefault(head.split(";", 1)[0], value)
    body = parsed.get_body(preferencelist=("plain",))
    return parts[0].get_param("method"), properties, body.get_content() if body else ""


def test_a_moved_meeting_sends_everyone_invited_the_new_time_as_an_update(town, case, smtp_server):
    meeting = planned(town, case)
    invite_two(town, meeting)
    invitations = smtp_server.wait_for(2)
    first_uid = calendar_in(invitations[0][1])[1]["UID"]
    assert calendar_in(invitations[0][1])[1]["SEQUENCE"] == "0"
    teacher = as_user(town.teacher)

    page = text_of(teacher.get(url("meeting", meeting)))
    assert url("move-meeting", meeting) in page
    form = text_of(teacher.get(url("move-meeting", meeting)))
    assert f'value="{day_in(35).isoformat()}"' in form  # the form starts from the meeting
    assert 'value="Møterom 2"' in form

    page = follow(teacher, teacher.post(url("move-meeting", meeting), move_data(days=42)))
    assert "The meeting is moved. The 2 people invited got the new time for their calendar." in page
    assert "13:00–14:00 · Møterom 3, helsestasjonen" in page

    updates = smtp_server.wait_for(4)[2:]
    assert sorted(r[0] for r, _ in updates) == ["hanne@example.no", "nils@example.no"]
    for _recipients, raw in updates:
        method, ics, body = calendar_in(raw)
        assert method == "REQUEST"
        assert ics["METHOD"] == "REQUEST"
        assert ics["UID"] == first_uid  # the same event in every calendar
        assert ics["SEQUENCE"] == "1"
        assert ics["DTSTART"] == utc(at(42, 13))
        assert ics["DTEND"] == utc(at(42, 14))
        assert ics["LOCATION"] == "Møterom 3\\, helsestasjonen"
        assert ics["STATUS"] == "CONFIRMED"
        assert ics["ORGANIZER"] == "mailto:siri@example.no"
        assert "Before the move:" in body
        whole = raw.decode("utf-8", "replace")
        assert case.reference in whole
        assert not any(name in whole for name in FAMILY_NAMES)

    # The shared log says who moved it, when, from what and to what.
    entry = LogEntry.objects.filter(case=case, kind=LogEntry.Kind.MEETING).latest("pk")
    assert entry.author == town.teacher
    assert entry.meeting == meeting
    assert entry.text.startswith("The family meeting on ")
    assert "10:00–11:30 is moved to " in entry.text
    assert entry.text.endswith("13:00–14:00, Møterom 3, helsestasjonen.")
    assert entry.text in text_of(teacher.get(reverse("cases:write-log", args=[case.pk])))

    # Someone invited after the move gets the event at its current sequence.
    meeting_services.invite(town.teacher, meeting, name="Gro Fastlege", email="gro@lege.no")
    assert calendar_in(smtp_server.wait_for(5)[4][1])[1]["SEQUENCE"] == "1"


def test_a_cancelled_meeting_sends_a_cancellation_and_ends_its_own_deadlines(
    town, case, smtp_server
):
    meeting = planned(town, case, gp_to_be_invited=True)
    notice = Deadline.objects.get(meeting=meeting, key="gp_notice")
    meeting_services.invite(town.teacher, meeting, user=town.nurse)
    uid = calendar_in(smtp_server.wait_for(1)[0][1])[1]["UID"]
    teacher = as_user(town.teacher)

    form = teacher.get(url("cancel-meeting", meeting))
    assert form.status_code == 200
    refused = teacher.post(url("cancel-meeting", meeting), {"sequence": 0, "reason": " "})
    assert refused.status_code == 400
    assert "This cannot be empty. Write a few words." in text_of(refused)

    page = follow(
        teacher,
        teacher.post(
            url("cancel-meeting", meeting),
            {"sequence": 0, "reason": "Helsesykepleier er syk, nytt møte kommer."},
        ),
    )
    assert (
        "The meeting is cancelled. The person invited got the cancellation for their calendar."
        in page
    )
    assert "This meeting is cancelled" in page
    assert "Why: Helsesykepleier er syk, nytt møte kommer." in page
    assert "The meeting is cancelled, so it has no minutes." in page
    assert "The meeting is cancelled: nobody more can be invited." in page
    main = page.split('id="main"')[1]
    assert "<form" not in main  # no invitations, minutes, decisions or changes any more
    assert url("move-meeting", meeting) not in main

    (recipients, raw) = smtp_server.wait_for(2)[1]
    assert recipients == ["hanne@example.no"]
    method, ics, body = calendar_in(raw)
    assert method == "CANCEL"
    assert ics["METHOD"] == "CANCEL"
    assert ics["UID"] == uid
    assert ics["SEQUENCE"] == "1"
    assert ics["STATUS"] == "CANCELLED"
    assert "Why: Helsesykepleier er syk, nytt møte kommer." in body

    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancelled_by == town.teacher
    notice.refresh_from_db()
    assert notice.cancelled_at is not None and not notice.is_open
    entry = LogEntry.objects.filter(case=case, kind=LogEntry.Kind.MEETING).latest("pk")
    assert entry.text.endswith("is cancelled. Why: Helsesykepleier er syk, nytt møte kommer.")
    detail = text_of(teacher.get(reverse("cases:meetings", args=[case.pk])))
    assert "cancelled</span>" in detail


def test_a_cancelled_meeting_gets_no_minutes_decisions_or_invitations(town, case, mailoutbox):
    meeting = planned(town, case)
    meeting_services.cancel_meeting(
        town.teacher, meeting, reason="Familien har flyttet.", based_on_sequence=0
    )
    teacher = as_user(town.teacher)

    autosave = teacher.post(
        url("save-minutes", meeting),
        {"minutes-text": "Referat.", "minutes-version": 0},
        HTTP_ACCEPT="application/json",
    )
    assert autosave.status_code == 400
    assert "The meeting is cancelled. It has no minutes" in autosave.json()["error"]
    page = follow(teacher, teacher.post(url("approve-minutes", meeting)))
    assert "The meeting is cancelled. It has no minutes" in page
    page = follow(
        teacher,
        teacher.post(url("invite", meeting), {"invite-name": "Nils", "invite-email": "n@x.no"}),
    )
    assert "The meeting is cancelled. Plan a new meeting to invite to." in page
    page = follow(
        teacher,
        teacher.post(
            url("meeting-measure", meeting),
            {
                "measure-title": "Samtaler",
                "measure-responsible_unit": town.health_centre.pk,
                "measure-start_date": day_in(0).isoformat(),
                "measure-evaluation_date": day_in(42).isoformat(),
            },
        ),
    )
    assert "Add the measure on the case page instead." in page
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert not meeting.invitations.exists()
    assert not case.measures.exists()
    assert mailoutbox == []


def test_a_meeting_that_is_over_or_cancelled_is_not_moved_or_cancelled(town, case, mailoutbox):
    teacher = as_user(town.teacher)
    over = planned(town, case)
    invite_two(town, over)
    Meeting.objects.filter(pk=over.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page = text_of(teacher.get(url("meeting", over)))
    assert "The meeting is over, so it can no longer be moved or cancelled." in page
    assert "The meeting is over: nobody more can be invited." in page
    assert url("invite", over) not in page
    assert url("move-meeting", over) not in page
    assert 'name="minutes-text"' in page  # the minutes are written afterwards too

    for name in ("move-meeting", "cancel-meeting"):
        refused = follow(teacher, teacher.get(url(name, over)))
        assert "The meeting is over, so it can no longer be moved or cancelled." in refused
    follow(teacher, teacher.post(url("move-meeting", over), move_data(days=7)))
    follow(teacher, teacher.post(url("cancel-meeting", over), {"sequence": 0, "reason": "Syk"}))

    cancelled = planned(town, case, days=40)
    meeting_services.cancel_meeting(town.teacher, cancelled, reason="Syk.", based_on_sequence=0)
    for name in ("move-meeting", "cancel-meeting"):
        refused = follow(teacher, teacher.get(url(name, cancelled)))
        assert "The meeting is cancelled. Plan a new meeting if the participants" in refused
    with pytest.raises(meeting_services.ValidationError, match="The meeting is cancelled"):
        meeting_services.move_meeting(
            town.teacher,
            cancelled,
            starts_at=at(50, 10),
            ends_at=at(50, 11),
            place="Møterom 2",
            based_on_sequence=1,
        )

    over.refresh_from_db()
    cancelled.refresh_from_db()
    assert over.calendar_sequence == 0 and not over.is_cancelled
    assert cancelled.starts_at == at(40, 10) and cancelled.calendar_sequence == 1
    assert len(mailoutbox) == 2  # the two first invitations, nothing since


def test_a_move_says_what_to_fix(town, case, mailoutbox):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    move = url("move-meeting", meeting)

    response = teacher.post(move, move_data(days=-1, start="12:00", end="11:00", place=""))
    assert response.status_code == 400
    page = text_of(response)
    assert "Write where the meeting is held." in page

    response = teacher.post(move, move_data(days=-1, start="12:00", end="11:00"))
    page = text_of(response)
    assert "The meeting must end after it starts." in page
    assert "The meeting date cannot be in the past." in page

    earlier_today = timezone.localtime() - datetime.timedelta(hours=2)
    if earlier_today.date() == timezone.localdate():
        response = teacher.post(
            move,
            move_data(
                days=0,
                start=f"{earlier_today:%H:%M}",
                end=f"{earlier_today + datetime.timedelta(minutes=30):%H:%M}",
            ),
        )
        assert "That time has already passed. Choose a time later than now." in text_of(response)

    response = teacher.post(move, move_data(days=35, place="Hjemme hos Sæther"))
    assert "Leave out the family&#x27;s names" in text_of(response)

    response = teacher.post(move, move_data(days=35, start="10:00", end="11:30", place="Møterom 2"))
    assert response.status_code == 400
    assert "The time and place are as before." in text_of(response)

    # A form without the version it was opened on cannot be checked for a move made since.
    without_version = move_data(days=36)
    del without_version["sequence"]
    response = teacher.post(move, without_version)
    assert response.status_code == 400
    assert "The form was out of date. Open the meeting again" in text_of(response)

    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place, meeting.calendar_sequence) == (
        at(35, 10),
        "Møterom 2",
        0,
    )
    # Only the planning is in the shared log: no move.
    assert LogEntry.objects.filter(kind=LogEntry.Kind.MEETING).count() == 1


def test_a_move_from_a_form_opened_before_someone_else_moved_it_changes_nothing(
    town, case, mailoutbox
):
    meeting = planned(town, case)
    invite_two(town, meeting)
    colleague = make.member(town.kindergarten, first_name="Kari", last_name="Kollega")
    first, second = as_user(town.teacher), as_user(colleague)
    follow(first, first.post(url("move-meeting", meeting), move_data(days=42)))
    assert len(mailoutbox) == 4

    conflict = second.post(url("move-meeting", meeting), move_data(days=49, place="Gymsalen"))
    assert conflict.status_code == 409
    page = text_of(conflict)
    assert "Someone else moved this meeting while you had the form open" in page
    assert "13:00–14:00 · Møterom 3, helsestasjonen" in page  # the meeting as it is now
    assert 'value="Gymsalen"' in page  # what the second one typed is kept
    assert 'name="sequence" value="1"' in page  # and works on the meeting as it is now

    cancel = second.post(url("cancel-meeting", meeting), {"sequence": 0, "reason": "Syk."})
    assert cancel.status_code == 409
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.calendar_sequence) == (at(42, 13), 1)
    assert not meeting.is_cancelled
    assert len(mailoutbox) == 4

    # Sent again on the meeting as it is, the move goes through.
    follow(second, second.post(url("move-meeting", meeting), move_data(days=49, sequence=1)))
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.calendar_sequence) == (at(49, 13), 2)


def test_the_gp_notice_follows_the_meeting_when_it_moves(town, case):
    meeting = planned(town, case, days=35, gp_to_be_invited=True)
    teacher = as_user(town.teacher)
    first = Deadline.objects.get(meeting=meeting, key="gp_notice")

    page = follow(teacher, teacher.post(url("move-meeting", meeting), move_data(days=49)))
    assert "GPs plan their days" not in page
    first.refresh_from_db()
    assert first.cancelled_at is not None
    notice = Deadline.objects.get(meeting=meeting, key="gp_notice", cancelled_at__isnull=True)
    assert notice.due_at == at(49, 13) - datetime.timedelta(days=28)

    # Moved to under four weeks, the GP not invited yet: a warning, no overdue deadline.
    page = follow(
        teacher, teacher.post(url("move-meeting", meeting), move_data(days=14, sequence=1))
    )
    assert "The meeting is less than four weeks away." in page
    assert not Deadline.objects.filter(
        meeting=meeting, completed_at__isnull=True, cancelled_at__isnull=True
    ).exists()

    # Back to six weeks ahead: the deadline is there again, for the new date.
    follow(teacher, teacher.post(url("move-meeting", meeting), move_data(days=42, sequence=2)))
    notice = Deadline.objects.get(meeting=meeting, key="gp_notice", cancelled_at__isnull=True)
    assert notice.due_at == at(42, 13) - datetime.timedelta(days=28)


def test_moving_a_meeting_the_gp_is_invited_to_under_four_weeks_warns(town, case, mailoutbox):
    meeting = planned(town, case, days=35, gp_to_be_invited=True)
    meeting_services.invite(
        town.teacher, meeting, name="Dr. Gro Fastlege", email="gro@legekontor.no", is_gp=True
    )
    teacher = as_user(town.teacher)
    table = text_of(teacher.get(url("meeting", meeting))).split('id="invitations-heading"')[1]
    assert "less than four weeks' notice" not in table.split("</table>")[0]

    page = follow(teacher, teacher.post(url("move-meeting", meeting), move_data(days=20)))
    assert "GPs plan their days at least four weeks ahead" in page
    table = page.split('id="invitations-heading"')[1].split("</table>")[0]
    assert "less than four weeks' notice" in table  # the GP heard of the new date now
    assert mailoutbox[-1].to == ["gro@legekontor.no"]
    # The GP was invited, so the notice is done, not to be set again.
    assert not Deadline.objects.filter(
        meeting=meeting, completed_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_a_reader_under_consent_cannot_move_or_cancel_the_meeting(town, mailoutbox):
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.RESPONSIBILITY_GROUP,
        starts_at=at(35, 10),
        ends_at=at(35, 11),
        place="Helsestasjonen",
    )
    psychiatrist = as_user(town.psychiatrist)
    page = text_of(psychiatrist.get(url("meeting", meeting)))
    assert url("move-meeting", meeting) not in page
    assert url("cancel-meeting", meeting) not in page

    for name, data in (
        ("move-meeting", move_data(days=40)),
        ("cancel-meeting", {"sequence": 0, "reason": "Syk."}),
    ):
        assert psychiatrist.get(url(name, meeting)).status_code == 403
        assert psychiatrist.post(url(name, meeting), data).status_code == 403
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.calendar_sequence) == (at(35, 10), 0)
    assert not meeting.is_cancelled
    assert mailoutbox == []


def test_moving_and_cancelling_are_audited(town, case):
    meeting = planned(town, case)
    invite_two(town, meeting)
    meeting_services.move_meeting(
        town.teacher,
        meeting,
        starts_at=at(42, 13),
        ends_at=at(42, 14),
        place="Møterom 2",
        based_on_sequence=0,
    )
    meeting_services.cancel_meeting(town.teacher, meeting, reason="Syk.", based_on_sequence=1)

    changes = AuditEvent.objects.filter(
        actor_id=town.teacher.pk, object_type="cases.meeting", action="change"
    ).order_by("id")
    moved, cancelled = [event.detail for event in changes]
    moments = datetime.datetime.fromisoformat
    assert [moments(m) for m in moved["moved_from"]] == [at(35, 10), at(35, 11, 30)]
    assert [moments(m) for m in moved["moved_to"]] == [at(42, 13), at(42, 14)]
    assert moved["place_changed"] is False
    assert cancelled["cancelled"] is True
    assert cancelled["sequence"] == 2
    told = AuditEvent.objects.filter(object_type="cases.invitation", action="change")
    assert [e.detail["sent"] for e in told.order_by("id")] == ["REQUEST", "CANCEL"]
    assert all(len(e.object_ids) == 2 for e in told)
    # The shared log's entries of the planning, the move and the cancellation.
    assert (
        AuditEvent.objects.filter(object_type="cases.logentry", action="create")
        .filter(detail__kind="meeting")
        .count()
        == 3
    )


def test_a_move_reaches_a_reader_of_the_case_without_the_agenda_her_consent_leaves_out(
    town, mailoutbox
):
    """BUP's psychiatrist takes part under a consent that names the log only, so the meeting
    page is closed to her. She is invited all the same, and told when the meeting moves (her
    calendar must not keep the old time), but the update carries no agenda and no link to
    the page she cannot open; the log entry on the move she may read anyway."""
    town.psychiatrist.email = "berit@bup.example.no"
    town.psychiatrist.save(update_fields=["email"])
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup, scope=("log_entries",))
    participant_services.add_participant(town.nurse, case, unit=town.bup, user=town.psychiatrist)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.RESPONSIBILITY_GROUP,
        starts_at=at(35, 10),
        ends_at=at(35, 11),
        place="Helsestasjonen",
        agenda="Agendaen-7Q: skolestart",
    )
    meeting_services.invite(
        town.nurse, meeting, user=town.psychiatrist, site_url="http://testserver"
    )
    meeting_services.invite(town.nurse, meeting, name="Nils Nabo", email="nils@example.no")
    mailoutbox.clear()

    change = meeting_services.move_meeting(
        town.nurse,
        meeting,
        starts_at=at(36, 10),
        ends_at=at(36, 11),
        place="Rådhuset",
        based_on_sequence=0,
        site_url="http://testserver",
    )

    assert change.notified == 2
    (to_her,) = [m for m in mailoutbox if m.to == ["berit@bup.example.no"]]
    method, calendar, body = calendar_in(to_her.message().as_bytes())
    assert (method, calendar["DTSTART"], calendar["LOCATION"]) == (
        "REQUEST",
        utc(at(36, 10)),
        "Rådhuset",
    )
    assert "Agendaen-7Q" not in calendar.get("DESCRIPTION", "") + body
    assert url("meeting", meeting) not in body
    (to_him,) = [m for m in mailoutbox if m.to == ["nils@example.no"]]
    assert calendar_in(to_him.message().as_bytes())[1]["DESCRIPTION"] == "Agendaen-7Q: skolestart"
