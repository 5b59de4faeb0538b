"""Planning a meeting and whom it offers to invite: the shared log tells the family of a
planned meeting, a meeting may go on past midnight, the invitation list offers the people
working on the case and the family members with an e-mail on record (not an unrelated unit
administrator), and Kvalitet i alle ledd's family meeting is due two weeks after the request."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import LogEntry, Meeting
from familiebro.core.models import Membership, Person
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def case(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    builders.coordination_consent(case, town.health_centre)
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, role="Helsestasjon"
    )
    return case


def as_user(user):
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def day_in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def at(days: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day_in(days), datetime.time(hour)))


def plan_data(**fields) -> dict:
    return {
        "kind": Meeting.Kind.FAMILY_MEETING,
        "date": day_in(35).isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "place": "Møterom 2",
        **fields,
    }


def planned(town, case) -> Meeting:
    return meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=at(35, 10),
        ends_at=at(35, 11),
        place="Møterom 2",
    )


def test_planning_a_meeting_writes_an_entry_in_the_shared_log(town, case):
    teacher = as_user(town.teacher)
    response = teacher.post(reverse("cases:plan-meeting", args=[case.pk]), plan_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(case=case)
    entry = LogEntry.objects.get(case=case, kind=LogEntry.Kind.MEETING, meeting=meeting)
    assert entry.text.startswith("Planned: family meeting on")
    assert "Møterom 2" in entry.text
    assert entry.author_id == town.teacher.pk


def test_a_meeting_may_end_after_midnight_the_next_day(town, case):
    teacher = as_user(town.teacher)
    response = teacher.post(
        reverse("cases:plan-meeting", args=[case.pk]),
        plan_data(start_time="22:00", end_time="01:00", end_date=day_in(36).isoformat()),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(case=case)
    assert meeting.starts_at == at(35, 22)
    assert meeting.ends_at == at(36, 1)
    entry = LogEntry.objects.get(case=case, kind=LogEntry.Kind.MEETING)
    assert "01:00" in entry.text


def test_without_an_end_day_an_end_before_the_start_is_refused(town, case):
    response = as_user(town.teacher).post(
        reverse("cases:plan-meeting", args=[case.pk]),
        plan_data(start_time="22:00", end_time="01:00"),
    )
    assert response.status_code == 400
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.filter(case=case).exists()


def test_a_meeting_of_more_than_a_day_is_refused(town, case):
    response = as_user(town.teacher).post(
        reverse("cases:plan-meeting", args=[case.pk]),
        plan_data(end_date=day_in(37).isoformat()),
    )
    assert response.status_code == 400
    assert "A meeting lasts at most a day." in response.content.decode()


def test_moving_keeps_the_end_day_of_a_meeting_past_midnight(town, case):
    meeting = meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=at(35, 22),
        ends_at=at(36, 1),
        place="Møterom 2",
    )
    page = as_user(town.teacher).get(reverse("cases:move-meeting", args=[case.pk, meeting.pk]))
    assert f'value="{day_in(36).isoformat()}"' in page.content.decode()


def invite_choices(town, case, meeting) -> str:
    """The invitation form of the meeting page (the page has other forms with people too)."""
    page = as_user(town.teacher).get(reverse("cases:meeting", args=[case.pk, meeting.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    start = text.index('id="invite-heading"')
    return text[start : text.index("</form>", start)]


def test_the_invitation_list_offers_the_people_of_the_participating_units(town, case):
    admin = make.member(
        town.health_centre, Membership.Role.UNIT_ADMIN, first_name="Ada", last_name="Admin"
    )
    meeting = planned(town, case)
    text = invite_choices(town, case, meeting)
    assert "Hanne Helsesykepleier" in text  # the health centre takes part as a unit
    assert "Lise Leder" in text
    assert "Siri Barnehagelærer" in text  # the coordinator
    assert admin.display_name() not in text  # manages accounts, works on no case
    assert "Tor Terapeut" not in text  # the team does not take part
    response = as_user(town.teacher).post(
        reverse("cases:invite", args=[case.pk, meeting.pk]), {"invite-user": admin.pk}
    )
    assert response.status_code == 400


def test_the_invitation_list_offers_the_family_members_with_an_e_mail(town, case, mailoutbox):
    guardians = Person.objects.filter(
        pk__in=case_services._family_ids(case), kind=Person.Kind.GUARDIAN
    ).order_by("given_name")
    mother = guardians.get(given_name="Ingrid")
    mother.email = "ingrid@example.no"
    mother.save(update_fields=["email"])
    meeting = planned(town, case)
    text = invite_choices(town, case, meeting)
    assert "Ingrid Sæther (ingrid@example.no)" in text
    assert "Ola Bråten" not in text  # no e-mail on record
    assert "Per Lunde" not in text  # no parental responsibility
    response = as_user(town.teacher).post(
        reverse("cases:invite", args=[case.pk, meeting.pk]), {"invite-family_member": mother.pk}
    )
    assert response.status_code == 302
    invitation = meeting.invitations.get()
    assert (invitation.name, invitation.email, invitation.user_id) == (
        "Ingrid Sæther",
        "ingrid@example.no",
        None,
    )
    assert mailoutbox[-1].to == ["ingrid@example.no"]


def test_a_family_member_not_on_the_list_cannot_be_invited(town, case):
    meeting = planned(town, case)
    stranger = make.child_with_guardian(town.organisation)[1]
    response = as_user(town.teacher).post(
        reverse("cases:invite", args=[case.pk, meeting.pk]),
        {"invite-family_member": stranger.pk},
    )
    assert response.status_code == 400
    assert not meeting.invitations.exists()


def test_the_family_meeting_at_bup_is_due_two_weeks_after_the_request(town):
    case = builders.open_concern(town.nurse, town.health_centre, pathway="kvalitet-i-alle-ledd")
    requested = timezone.now()
    case_services.record_milestone(town.nurse, case, "family_meeting_requested", requested)
    deadline = case.deadlines.get(key="family_meeting", completed_at__isnull=True)
    assert timezone.localdate(deadline.due_at) == timezone.localdate(
        requested
    ) + datetime.timedelta(days=14)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=timezone.now() + datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    meeting = meeting_services.save_minutes(town.nurse, meeting, "Vi ble enige om veien videre.", 0)
    meeting_services.approve_minutes(town.nurse, meeting)
    # Held: the minutes are approved, and the clock stops.
    assert case.milestones.filter(key="family_meeting_held").exists()
    deadline.refresh_from_db()
    assert deadline.completed_at is not None
