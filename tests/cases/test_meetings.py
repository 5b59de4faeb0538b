"""Meetings on a case as staff use them: plan, invite (an e-mail with a calendar invitation),
write the minutes in meeting mode, turn decisions into measures, approve the minutes into the
family's log; and what a service under consent may see."""

from __future__ import annotations

import datetime
import email

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Deadline, LogEntry, Measure, Meeting
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _english_pages_and_mail_now(settings):
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = IMMEDIATE_TASKS  # the invitation e-mails are sent at once


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


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def text_of(response) -> str:
    return response.content.decode()


def follow(client: Client, response) -> str:
    assert response.status_code == 302, text_of(response)[:3000]
    return text_of(client.get(response["Location"]))


def day_in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day_in(days), datetime.time(hour, minute)))


def plan_data(days: int = 35, **fields) -> dict:
    return {
        "kind": Meeting.Kind.FAMILY_MEETING,
        "date": day_in(days).isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "place": "Møterom 2, Tangen barnehage",
        "agenda": "1. Hvordan går det i barnehagen\n2. Tiltak videre",
        **fields,
    }


def planned(town, case, days: int = 35, **fields) -> Meeting:
    defaults = {
        "kind": Meeting.Kind.FAMILY_MEETING,
        "starts_at": at(days, 10),
        "ends_at": at(days, 11, 30),
        "place": "Møterom 2",
        "agenda": "Tiltak videre",
    }
    return meeting_services.plan_meeting(town.teacher, case, **{**defaults, **fields})


def meeting_url(name: str, meeting: Meeting) -> str:
    if name == "meeting":
        return reverse("cases:meeting", args=[meeting.case_id, meeting.pk])
    return reverse(f"cases:{name}", args=[meeting.case_id, meeting.pk])


def calendar_of(message) -> tuple[str, dict[str, str]]:
    """The content type of the attached .ics and its unfolded properties (name → value)."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar attachment"
    part = parts[0]
    assert part.get_filename() == "invitation.ics"
    raw = part.get_payload(decode=True).decode(part.get_content_charset())
    assert raw.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n")), "lines are folded"
    lines = raw.replace("\r\n ", "").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2] == "END:VCALENDAR"
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    properties: dict[str, str] = {}
    for line in lines[:-1]:
        head, value = line.split(":", 1)
        properties.setdefault(head.split(";", 1)[0], value)
    return part["Content-Type"], properties


# Planning and inviting ----------------------------------------------------------------------


def test_a_meeting_is_planned_and_the_invitation_carries_a_calendar_but_not_the_child(
    town, case, mailoutbox
):
    teacher = as_user(town.teacher)
    detail = text_of(teacher.get(reverse("cases:meetings", args=[case.pk])))
    plan_url = reverse("cases:plan-meeting", args=[case.pk])
    assert plan_url in detail
    assert reverse("consultation-list") in text_of(teacher.get(plan_url))

    page = follow(teacher, teacher.post(plan_url, plan_data()))
    meeting = Meeting.objects.get(case=case)
    assert "The meeting is planned. Invite the participants." in page
    assert "Tiltak videre" in page
    assert meeting.starts_at == at(35, 10)
    assert meeting_url("meeting", meeting) in text_of(
        teacher.get(reverse("cases:meetings", args=[case.pk]))
    )

    page = follow(
        teacher, teacher.post(meeting_url("invite", meeting), {"invite-user": town.nurse.pk})
    )
    assert "The invitation is sent to Hanne Helsesykepleier" in page
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["hanne@example.no"]
    content_type, ics = calendar_of(message)
    assert "method=" in content_type.lower() and "request" in content_type.lower()
    assert ics["METHOD"] == "REQUEST"
    assert ics["DTSTART"] == at(35, 10).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert ics["DTEND"] == at(35, 11, 30).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert ics["UID"].startswith(f"familiebro-meeting-{meeting.pk}@")
    assert ics["DTSTAMP"].endswith("Z")
    assert ics["SUMMARY"] == f"Family meeting\\, case {case.reference}"
    assert ics["LOCATION"] == "Møterom 2\\, Tangen barnehage"
    assert ics["DESCRIPTION"] == "1. Hvordan går det i barnehagen\\n2. Tiltak videre"
    assert ics["ATTENDEE"] == "mailto:hanne@example.no"
    assert ics["ORGANIZER"] == "mailto:siri@example.no"
    # Colleagues get a link to the meeting page; nothing in the e-mail names the family.
    assert meeting_url("meeting", meeting) in message.body
    whole = message.message().as_bytes().decode("utf-8", "replace")
    for name in ("Åse", "Sæther", "Ingrid", "Bråten"):
        assert name not in whole
        assert name not in message.subject + message.body
    assert case.reference in message.subject

    # Someone without an account is invited by name and e-mail, and gets no link.
    follow(
        teacher,
        teacher.post(
            meeting_url("invite", meeting),
            {"invite-name": "Nils Nabo", "invite-email": "nils@example.no"},
        ),
    )
    assert mailoutbox[1].to == ["nils@example.no"]
    assert meeting_url("meeting", meeting) not in mailoutbox[1].body
    assert calendar_of(mailoutbox[1])[1]["UID"] == ics["UID"]  # one event in every calendar
    assert [i.name for i in meeting.invitations.all()] == ["Hanne Helsesykepleier", "Nils Nabo"]
    # The same person twice is refused.
    again = teacher.post(meeting_url("invite", meeting), {"invite-user": town.nurse.pk})
    assert again.status_code == 400
    assert "Hanne Helsesykepleier is already invited to this meeting." in text_of(again)
    assert len(mailoutbox) == 2


def test_planning_without_the_essentials_says_what_to_fill_in(town, case):
    teacher = as_user(town.teacher)
    plan_url = reverse("cases:plan-meeting", args=[case.pk])
    response = teacher.post(plan_url, {"date": day_in(-1).isoformat(), "start_time": "25:00"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose the kind of meeting." in page
    assert "Enter the time as hours and minutes, for example 14:30." in page
    assert "Write where the meeting is held." in page

    response = teacher.post(
        plan_url,
        plan_data(days=-1, start_time="12:00", end_time="11:00", agenda="Åse sover dårlig"),
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "The meeting must end after it starts." in page
    assert "The meeting date cannot be in the past." in page
    assert "Leave out the family&#x27;s names: this text goes out in the e-mail invitation" in page
    assert not Meeting.objects.exists()


def test_an_invitation_to_the_gp_under_four_weeks_ahead_warns_the_inviter(town, case, mailoutbox):
    teacher = as_user(town.teacher)
    soon = planned(town, case, days=20)
    meeting_page = text_of(teacher.get(meeting_url("meeting", soon)))
    assert "a GP invited now gets less notice than the four weeks GPs need" in meeting_page

    page = follow(
        teacher,
        teacher.post(
            meeting_url("invite", soon),
            {
                "invite-name": "Dr. Gro Fastlege",
                "invite-email": "gro@legekontor.no",
                "invite-is_gp": "on",
            },
        ),
    )
    assert "GPs plan their days at least four weeks ahead" in page
    assert "less than four weeks' notice" in page  # stays on the invitation
    assert len(mailoutbox) == 1  # invited all the same: the warning does not refuse


def test_an_invitation_to_the_gp_five_weeks_ahead_is_on_time(town, case, mailoutbox):
    teacher = as_user(town.teacher)
    page = follow(
        teacher,
        teacher.post(
            reverse("cases:plan-meeting", args=[case.pk]), plan_data(days=35, gp_to_be_invited="on")
        ),
    )
    assert "GPs plan their days" not in page
    meeting = Meeting.objects.get(case=case)
    # The last day to invite the GP is a deadline on the case, four weeks before.
    notice = Deadline.objects.get(meeting=meeting, key="gp_notice")
    assert notice.due_at == meeting.starts_at - datetime.timedelta(days=28)
    assert notice.is_open

    page = follow(
        teacher,
        teacher.post(
            meeting_url("invite", meeting),
            {
                "invite-name": "Dr. Gro Fastlege",
                "invite-email": "gro@legekontor.no",
                "invite-is_gp": "on",
            },
        ),
    )
    assert "GPs plan their days" not in page
    assert "notice" not in page.split('id="invitations-heading"')[1].split("</table>")[0]
    notice.refresh_from_db()
    assert notice.completed_at is not None
    assert len(mailoutbox) == 1


def test_planning_a_meeting_with_the_gp_under_four_weeks_warns_at_once(town, case):
    teacher = as_user(town.teacher)
    page = follow(
        teacher,
        teacher.post(
            reverse("cases:plan-meeting", args=[case.pk]), plan_data(days=14, gp_to_be_invited="on")
        ),
    )
    assert "The meeting is less than four weeks away." in page
    # No deadline that is overdue from the start.
    assert not Deadline.objects.filter(key="gp_notice").exists()


def test_the_third_family_meeting_with_bup_without_a_referral_needs_a_confirmation(town, case):
    teacher = as_user(town.teacher)
    plan_url = reverse("cases:plan-meeting", args=[case.pk])
    for days in (10, 20):
        follow(teacher, teacher.post(plan_url, plan_data(days=days, bup_without_referral="on")))
    # Another child's meetings do not count.
    other = builders.open_concern(
        town.teacher, town.kindergarten, child=builders.child_of(town.teacher)
    )
    planned(town, other, bup_without_referral=True)

    form = text_of(teacher.get(plan_url))
    warning = "BUP has already taken part without a referral in 2 family meetings for this child"
    assert warning in form
    assert "I confirm that BUP takes part without a referral once more" in form

    refused = teacher.post(plan_url, plan_data(days=30, bup_without_referral="on"))
    assert refused.status_code == 400
    assert warning in text_of(refused)
    assert case.meetings.count() == 2

    follow(
        teacher,
        teacher.post(
            plan_url, plan_data(days=30, bup_without_referral="on", bup_limit_confirmed="on")
        ),
    )
    assert case.meetings.filter(bup_without_referral=True).count() == 3
    # A family meeting without BUP needs no confirmation.
    follow(teacher, teacher.post(plan_url, plan_data(days=40)))
    assert case.meetings.count() == 4


def test_bup_without_a_referral_is_only_for_family_meetings(town, case):
    response = as_user(town.teacher).post(
        reverse("cases:plan-meeting", args=[case.pk]),
        plan_data(kind=Meeting.Kind.RESPONSIBILITY_GROUP, bup_without_referral="on"),
    )
    assert response.status_code == 400
    assert "BUP takes part without a referral only in family meetings." in text_of(response)


# Meeting mode: the minutes ------------------------------------------------------------------


def autosave(client: Client, meeting: Meeting, text: str, version: int):
    return client.post(
        meeting_url("save-minutes", meeting),
        {"minutes-text": text, "minutes-version": version},
        HTTP_ACCEPT="application/json",
    )


def test_the_minutes_autosave_answers_with_the_new_version(town, case):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    page = text_of(teacher.get(meeting_url("meeting", meeting)))
    assert 'name="minutes-version" value="0"' in page
    assert "cases/minutes.js" in page
    assert 'role="status"' in page

    response = autosave(teacher, meeting, "Mor forteller at Åse sover bedre.", 0)
    assert response.status_code == 200
    answer = response.json()
    saved_at = timezone.localtime(Meeting.objects.get().minutes_saved_at)
    assert answer == {"version": 1, "status": f"Saved {saved_at:%H:%M}"}
    meeting.refresh_from_db()
    assert meeting.minutes == "Mor forteller at Åse sover bedre."
    assert meeting.minutes_version == 1

    # Saving the same text again is not a new version.
    assert autosave(teacher, meeting, "Mor forteller at Åse sover bedre.", 1).json()["version"] == 1
    # Text that must not be there is refused with what to do, and nothing is saved.
    refused = autosave(teacher, meeting, "Fødselsnummer 01010112345 er med.", 1)
    assert refused.status_code == 400
    assert "Remove the identity number" in refused.json()["error"]
    meeting.refresh_from_db()
    assert meeting.minutes_version == 1
    assert (
        AuditEvent.objects.filter(
            object_type="cases.meeting", action="change", object_ids=[str(meeting.pk)]
        ).count()
        == 1
    )


def test_the_minutes_save_without_javascript(town, case):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    page = follow(
        teacher,
        teacher.post(
            meeting_url("save-minutes", meeting),
            {"minutes-text": "Vi ble enige om samtaler.", "minutes-version": 0},
        ),
    )
    assert "Saved " in page
    assert "Vi ble enige om samtaler." in page
    assert 'name="minutes-version" value="1"' in page


def test_two_staff_writing_the_minutes_at_once_lose_nothing(town, case):
    meeting = planned(town, case)
    colleague = make.member(town.kindergarten, first_name="Kari", last_name="Kollega")
    first, second = as_user(town.teacher), as_user(colleague)
    assert autosave(first, meeting, "Punkt 1: søvn.", 0).json()["version"] == 1

    # The second editor's autosave is based on version 0: refused, with the merge message.
    conflict = autosave(second, meeting, "Punkt 1: barnehage.", 0)
    assert conflict.status_code == 409
    assert conflict.json()["conflict"] is True
    assert "Someone else saved the minutes while you were writing." in conflict.json()["error"]
    meeting.refresh_from_db()
    assert meeting.minutes == "Punkt 1: søvn."

    # Without JavaScript the Save button shows both versions side by side.
    merge = second.post(
        meeting_url("save-minutes", meeting),
        {"minutes-text": "Punkt 1: barnehage.", "minutes-version": 0},
    )
    assert merge.status_code == 409
    page = text_of(merge)
    assert "Someone else saved the minutes while you were writing" in page
    assert "Punkt 1: søvn." in page  # the saved version
    assert "Punkt 1: barnehage.</textarea>" in page  # the second editor's, in the box
    assert 'name="minutes-version" value="1"' in page  # the box now edits the newest
    assert "cases/minutes.js" not in page  # no autosave over the merge
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_version) == ("Punkt 1: søvn.", 1)

    # The merged text, saved on the newest version, goes through.
    follow(
        second,
        second.post(
            meeting_url("save-minutes", meeting),
            {"minutes-text": "Punkt 1: søvn og barnehage.", "minutes-version": 1},
        ),
    )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_version) == ("Punkt 1: søvn og barnehage.", 2)


def test_approving_the_minutes_writes_one_log_entry_and_locks_them(town, case):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    autosave(teacher, meeting, "Vi ble enige om samtaler hos helsesykepleier.", 0)
    before = set(LogEntry.objects.filter(case=case).values_list("pk", flat=True))

    # Approving from the form saves what is in the box first.
    page = follow(
        teacher,
        teacher.post(
            meeting_url("approve-minutes", meeting),
            {
                "minutes-text": "Vi ble enige om samtaler hos helsesykepleier hver uke.",
                "minutes-version": 1,
            },
        ),
    )
    assert "The minutes are approved and shared in the family&#x27;s log." in page
    new = LogEntry.objects.filter(case=case).exclude(pk__in=before)
    assert new.count() == 1
    entry = new.get()
    assert entry.kind == LogEntry.Kind.MINUTES
    assert entry.meeting == meeting
    assert entry.text.endswith("Vi ble enige om samtaler hos helsesykepleier hver uke.")
    assert entry.text.startswith("Minutes of the family meeting on ")
    meeting.refresh_from_db()
    assert meeting.minutes_approved_by == town.teacher
    assert "Save the minutes" not in page
    assert "Correct the minutes in the log" in page

    # Later edits are refused, by the script's endpoint and by the form; approving again too.
    refused = autosave(teacher, meeting, "Endret etterpå.", meeting.minutes_version)
    assert refused.status_code == 400
    assert "The minutes are approved and in the family's shared log" in refused.json()["error"]
    page = follow(
        teacher,
        teacher.post(
            meeting_url("save-minutes", meeting),
            {"minutes-text": "Endret etterpå.", "minutes-version": meeting.minutes_version},
        ),
    )
    assert "Correct the log entry instead." in page
    follow(teacher, teacher.post(meeting_url("approve-minutes", meeting)))
    meeting.refresh_from_db()
    assert meeting.minutes == "Vi ble enige om samtaler hos helsesykepleier hver uke."
    assert LogEntry.objects.filter(case=case).exclude(pk__in=before).count() == 1

    # A correction goes through the log, which keeps the earlier text.
    follow(
        teacher,
        teacher.post(
            reverse("cases:correct-log", args=[case.pk, entry.pk]),
            {"correction-text": "Samtaler hos helsesykepleier annenhver uke."},
        ),
    )
    page = text_of(teacher.get(meeting_url("meeting", meeting)))
    assert "Corrected in the log on" in page
    assert "Samtaler hos helsesykepleier annenhver uke." in page
    assert LogEntry.objects.get(pk=entry.pk).current is False


def test_empty_minutes_cannot_be_approved(town, case):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    page = follow(teacher, teacher.post(meeting_url("approve-minutes", meeting)))
    assert "Write the minutes before you approve them." in page
    assert not LogEntry.objects.filter(kind=LogEntry.Kind.MINUTES).exists()


def test_approving_a_summary_meetings_minutes_records_that_it_was_held(town):
    case = builders.open_concern(town.nurse, town.health_centre, pathway="kvalitet-i-alle-ledd")
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.SUMMARY,
        starts_at=timezone.now() + datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    meeting = meeting_services.save_minutes(town.nurse, meeting, "Oppfølging i kommunen.", 0)
    meeting_services.approve_minutes(town.nurse, meeting)
    milestone = case.milestones.get(key="summary_meeting_held")
    assert milestone.occurred_at <= timezone.now()
    # The pathway's 7-day discharge summary clock starts with it.
    assert case.deadlines.filter(key="discharge_summary", completed_at__isnull=True).exists()


def test_a_decision_in_the_meeting_becomes_a_measure_linked_to_it(town, case):
    meeting = planned(town, case)
    teacher = as_user(town.teacher)
    page = follow(
        teacher,
        teacher.post(
            meeting_url("meeting-measure", meeting),
            {
                "measure-title": "Samtaler med helsesykepleier",
                "measure-responsible_unit": town.health_centre.pk,
                "measure-responsible_user": town.nurse.pk,
                "measure-start_date": day_in(0).isoformat(),
                "measure-evaluation_date": day_in(42).isoformat(),
            },
        ),
    )
    measure = Measure.objects.get(case=case)
    assert measure.meeting == meeting
    assert measure.responsible_user == town.nurse
    assert "The decision is a measure on the case" in page
    assert reverse("cases:measure", args=[case.pk, measure.pk]) in page
    assert case.deadlines.filter(measure=measure, key="measure_evaluation").exists()

    refused = teacher.post(meeting_url("meeting-measure", meeting), {"measure-title": "Uten"})
    assert refused.status_code == 400
    assert "Choose the service responsible for the measure." in text_of(refused)


# Another organisation -----------------------------------------------------------------------


def test_a_service_under_consent_reads_the_meeting_and_loses_it_on_withdrawal(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=at(35, 10),
        ends_at=at(35, 11),
        place="Helsestasjonen",
        agenda="Søvn og mat",
        bup_without_referral=True,
    )
    meeting_services.save_minutes(town.nurse, meeting, "Foreløpig referat.", 0)
    psychiatrist = as_user(town.psychiatrist)

    assert meeting_url("meeting", meeting) in text_of(
        psychiatrist.get(reverse("cases:meetings", args=[case.pk]))
    )
    response = psychiatrist.get(meeting_url("meeting", meeting))
    assert response.status_code == 200
    page = text_of(response)
    assert "You see this meeting because the family has consented" in page
    assert "Søvn og mat" in page
    assert "Foreløpig referat." in page
    assert "draft, not approved yet" in page
    assert "<form" not in page.split('id="main"')[1]  # reading only: no forms
    event = AuditEvent.objects.filter(
        actor_id=town.psychiatrist.pk, object_type="cases.meeting"
    ).latest("id")
    assert event.consent_id == consent.pk

    # A change is refused and nothing is written.
    autosave(psychiatrist, meeting, "Endret av BUP.", 1)
    psychiatrist.post(meeting_url("approve-minutes", meeting))
    psychiatrist.post(
        meeting_url("invite", meeting), {"invite-name": "X", "invite-email": "x@example.no"}
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Foreløpig referat."
    assert meeting.minutes_approved_at is None
    assert not meeting.invitations.exists()
    assert psychiatrist.get(reverse("cases:plan-meeting", args=[case.pk])).status_code == 302
    assert not case.meetings.exclude(pk=meeting.pk).exists()

    consent.withdrawn_at = timezone.now()
    consent.save()
    assert psychiatrist.get(meeting_url("meeting", meeting)).status_code == 404
    assert autosave(psychiatrist, meeting, "Etter tilbaketrekking.", 1).status_code == 404


def test_a_consent_without_meeting_minutes_does_not_open_the_meeting(town):
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup, scope=("measures_and_plans",))
    participant_services.add_participant(town.nurse, case, unit=town.bup)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.RESPONSIBILITY_GROUP,
        starts_at=at(35, 10),
        ends_at=at(35, 11),
        place="Helsestasjonen",
    )
    psychiatrist = as_user(town.psychiatrist)
    assert psychiatrist.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert psychiatrist.get(meeting_url("meeting", meeting)).status_code == 404


def test_planning_inviting_and_approving_are_audited(town, case):
    meeting = planned(town, case)
    meeting_services.invite(town.teacher, meeting, name="Nils Nabo", email="nils@example.no")
    meeting = meeting_services.save_minutes(town.teacher, meeting, "Referat.", 0)
    meeting_services.approve_minutes(town.teacher, meeting)
    actions = list(
        AuditEvent.objects.filter(
            actor_id=town.teacher.pk,
            object_type__in=["cases.meeting", "cases.invitation", "cases.logentry"],
        )
        .order_by("id")
        .values_list("object_type", "action")
    )
    assert ("cases.meeting", "create") in actions
    assert ("cases.invitation", "create") in actions
    assert actions.count(("cases.meeting", "change")) == 2  # the minutes, the approval
    assert ("cases.logentry", "create") in actions
