"""Paths that still carry a service's records past its duty of confidentiality or past an
internal mark, outside the access policy's reads: each test states what must hold."""

from __future__ import annotations

import datetime
import email
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.deadlines import reminders
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Case, Deadline, Measure, Notification
from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy import consent_services as privacy_consent
from familiebro.privacy import policy
from familiebro.privacy.models import DataCategory
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _table_rows(page: str) -> list[str]:
    """The rows of the page's tables, as text."""
    return [flat(row) for row in re.findall(r"<tr.*?</tr>", page, re.S)]


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def test_my_cases_shows_no_deadline_a_consent_without_plans_leaves_out(town):
    """BUP's psychiatrist takes part by name under a consent that names the log only: her
    "my cases" list must not show the case's deadlines (a category her consent leaves out)."""
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup, scope=(DataCategory.LOG_ENTRIES.value,))
    participant_services.add_participant(
        town.nurse, case, unit=town.bup, user=town.psychiatrist, role="BUP"
    )
    deadline = Deadline.objects.filter(case=case, completed_at__isnull=True).order_by("due_at")
    deadline.update(title="Fristen-9Z for kartlegging")
    assert deadline.exists(), "the pathway starts a deadline when the case is received"

    page = flat(logged_in(town.psychiatrist).get(reverse("cases:mine")).content.decode())

    assert case.reference in page  # the case itself is hers to see
    assert "Fristen-9Z" not in page


def test_the_person_page_does_not_tell_a_school_of_the_health_centres_case(town):
    """A teacher at the municipality's school knows the child (an assignment of the school's
    own). The health centre's case on the child is under another duty of confidentiality.
    The person page may list the colleagues of other domains who work with the child, "though
    nothing of what they hold" (docs/data-protection.md, Confidentiality domains): it must
    not show the health centre's case, by its reference, to her."""
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer")
    case = builders.open_concern(town.nurse, town.health_centre)
    make.assign(case.child, user=teacher)
    # The policy closes the case itself to the teacher ...
    assert not policy.visible(teacher, Case, case_services.READ).filter(pk=case.pk).exists()

    response = logged_in(teacher).get(reverse("person-detail", args=[case.child_id]))
    assert response.status_code == 200
    page = flat(response.content.decode())

    # ... but each assignment's reason is "<case reference>: owning unit" or ": coordinator".
    assert case.reference not in page


def test_a_refused_export_does_not_count_another_domains_records_to_a_school(town):
    """The teacher knows the child, but not the health centre's case: asking for the export
    must not tell her that the health centre holds records on the child, nor how many."""
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer")
    child = builders.child_of(town.nurse)
    make.assign(child, user=teacher)
    builders.open_concern(town.nurse, town.health_centre, child=child)

    with_case = flat(
        logged_in(teacher)
        .get(reverse("person-export-json", args=[child.pk]), follow=True)
        .content.decode()
    )

    # The refusal counts the health centre's case to her: "1 of the person's records
    # (cases) are outside your need to know".
    assert "(cases)" not in with_case


def test_the_access_log_does_not_show_a_school_the_health_centres_reads(town):
    """The staff access log of the child, read by the school's teacher who knows the child,
    must not tell her that the health centre's nurse reads a case on the child."""
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer")
    case = builders.open_concern(town.nurse, town.health_centre)
    assert logged_in(town.nurse).get(reverse("cases:detail", args=[case.pk])).status_code == 200
    make.assign(case.child, user=teacher)

    response = logged_in(teacher).get(reverse("person-access-log", args=[case.child_id]))
    assert response.status_code == 200
    page = response.content.decode()

    # Now: "Hanne Helsesykepleier, Worker, Helsestasjonen i Stange … Viewed: Case".
    case_rows = [row for row in _table_rows(page) if ": Case" in row]
    assert case_rows == []


def test_planning_a_meeting_does_not_count_child_welfares_meetings_to_the_health_centre(town):
    """Child welfare, another duty of confidentiality in the same municipality, has its own
    case on the child with two family meetings BUP attends without a referral. The nurse
    planning a meeting on the health centre's case must not learn of them."""
    child = builders.child_of(town.nurse)
    health_case = builders.open_concern(town.nurse, town.health_centre, child=child)
    welfare = make.unit(
        town.organisation, name="Stange barnevern", kind=ServiceUnit.Kind.CHILD_WELFARE
    )
    caseworker = make.member(welfare, first_name="Kari", last_name="Saksbehandler")
    make.assign(child, user=caseworker)
    welfare_case = builders.open_concern(caseworker, welfare, child=child)
    for days in (10, 20):
        starts = timezone.now() + datetime.timedelta(days=days)
        meeting_services.plan_meeting(
            caseworker,
            welfare_case,
            kind="family_meeting",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place="Rådhuset",
            bup_without_referral=True,
        )
    # The nurse cannot read the child welfare case ...
    assert not policy.visible(town.nurse, Case, case_services.READ).filter(pk=welfare_case.pk)

    response = logged_in(town.nurse).get(reverse("cases:plan-meeting", args=[health_case.pk]))
    assert response.status_code == 200
    page = flat(response.content.decode())

    # ... but the planning page says "BUP has already taken part without a referral in 2
    # family meetings for this child".
    assert "already taken part without a referral" not in page


def test_no_reminder_tells_another_service_of_a_measure_kept_internal_from_it(town):
    """The health centre keeps a measure internal (for its own staff only), with BUP's
    psychiatrist as the responsible person. She reads the case under the family's consent but
    never the internal measure: no reminder may tell her of its evaluation either."""
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    today = timezone.localdate()
    measure = measure_services.add_measure(
        town.nurse,
        case,
        measure_services.MeasureFields(
            title="Tiltaket-4K",
            responsible_unit=town.bup,
            responsible_user=town.psychiatrist,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=1),
            internal_reason="Under vurdering i helsestasjonen",
        ),
    )
    # The policy keeps the measure and its evaluation deadline from her ...
    assert not policy.visible(town.psychiatrist, Measure, case_services.READ).filter(pk=measure.pk)
    assert not policy.visible(town.psychiatrist, Deadline, case_services.READ).filter(
        measure=measure
    )

    reminders.sweep(timezone.now())

    # ... but the reminder sweep tells her: "Due soon, by …: Evaluering av tiltak in case …".
    told = [
        n.text for n in Notification.objects.filter(user=town.psychiatrist) if "valuer" in n.text
    ]
    assert told == []


def test_the_right_of_access_can_be_answered_for_a_child_two_domains_work_with(town):
    """The health centre and the school of the same municipality (the one data controller)
    each have a case on the child. The family's request for access must still be answerable:
    the nurse who works with the child exports what the health services hold, and the export
    says that the other services answer for their own; the school's case is not in it."""
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer")
    case = builders.open_concern(town.nurse, town.health_centre)
    make.assign(case.child, user=teacher)
    builders.open_concern(teacher, school, child=case.child)

    response = logged_in(town.nurse).get(
        reverse("person-export-json", args=[case.child_id]), follow=True
    )

    assert response.status_code == 200, flat(response.content.decode())[-700:]
    assert response["Content-Type"].startswith("application/json")
    export = json.loads(response.content)
    assert [service["domain"] for service in export["services"]] == ["health"]
    assert [row["id"] for row in export["cases"]] == [case.pk]

    pdf = logged_in(town.nurse).get(reverse("person-export-pdf", args=[case.child_id]))
    assert pdf.status_code == 200
    assert "svarer selv for det de har registrert" in flat(pdf_text(pdf.content))


def test_an_invitation_does_not_mail_the_agenda_to_a_reader_whose_consent_leaves_meetings_out(
    town, mailoutbox, settings
):
    """The school's teacher takes part in the health centre's case under a consent that names
    the log only, not meeting minutes: the meeting page is closed to her. Invited to the
    meeting, she must not get its agenda by e-mail and in the calendar either."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer", email="s@example.no")
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, school, scope=(DataCategory.LOG_ENTRIES.value,))
    participant_services.add_participant(town.nurse, case, unit=school, user=teacher, role="Skole")
    starts = timezone.now() + datetime.timedelta(days=10)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
        agenda="Agendaen-3W: søvn og matlyst",
    )
    page = logged_in(teacher).get(reverse("cases:meeting", args=[case.pk, meeting.pk]))
    assert page.status_code == 404  # the policy keeps the meeting from her

    meeting_services.invite(town.nurse, meeting, user=teacher)

    to_her = [m for m in mailoutbox if "s@example.no" in m.to]
    # The body and the calendar (.ics) as sent, decoded part by part.
    sent = " ".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for m in to_her
        for part in email.message_from_bytes(m.message().as_bytes()).walk()
        if not part.is_multipart()
    )
    assert to_her, "the invitation itself may go out"
    assert "Agendaen-3W" not in sent


def test_a_measure_marked_internal_later_is_kept_from_the_readers_it_is_kept_from(town):
    """The health centre marks a measure internal after it was made. From then on the policy
    keeps it from BUP, which reads the case under the family's consent: the case page must not
    show its title through the shared log entry that recorded it either."""
    case = builders.open_concern(town.nurse, town.health_centre)
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    today = timezone.localdate()
    fields = measure_services.MeasureFields(
        title="Tiltaket-8P: samtaler om rus i hjemmet",
        responsible_unit=town.health_centre,
        start_date=today,
        evaluation_date=today + datetime.timedelta(days=30),
    )
    measure = measure_services.add_measure(town.nurse, case, fields)
    fields.internal_reason = "Vurderes før familien og andre får vite"
    measure_services.change_measure(town.nurse, measure, fields, based_on=measure.version)
    assert not policy.visible(town.psychiatrist, Measure, case_services.READ).filter(pk=measure.pk)

    page = flat(
        logged_in(town.psychiatrist).get(reverse("cases:detail", args=[case.pk])).content.decode()
    )

    assert "Tiltaket-8P" not in page


def test_after_the_consent_is_withdrawn_a_moved_meeting_is_not_mailed_to_its_reader(
    town, mailoutbox, settings
):
    """The school's teacher was invited to a meeting while the family's consent let the school
    take part. The family withdraws the consent: nothing more is shared with the school from
    then on, so moving the meeting must not send her its new time and place."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    school = make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)
    teacher = make.member(school, first_name="Sindre", last_name="Lærer", email="s@example.no")
    case = builders.open_concern(town.nurse, town.health_centre)
    consent = builders.coordination_consent(case, school)
    participant_services.add_participant(town.nurse, case, unit=school, user=teacher, role="Skole")
    starts = timezone.now() + datetime.timedelta(days=10)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
    )
    meeting_services.invite(town.nurse, meeting, user=teacher)
    giver = consent.givers.first().person
    privacy_consent.withdraw_consent(town.nurse, consent, withdrawn_by=giver)
    assert not policy.visible(teacher, Case, case_services.READ).filter(pk=case.pk)
    mailoutbox.clear()

    later = starts + datetime.timedelta(days=1)
    meeting.refresh_from_db()
    meeting_services.move_meeting(
        town.nurse,
        meeting,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=1),
        place="Rådhuset, møterom 4",
        based_on_sequence=meeting.calendar_sequence,
    )

    assert [m.subject for m in mailoutbox if "s@example.no" in m.to] == []


def test_a_need_to_know_from_the_kindergarten_does_not_open_the_health_centres_case(town):
    """The kindergarten's special educator also works some hours in the family team, a health
    service that has nothing to do with this child. The kindergarten knows the child; the
    health centre has a case on it. Her need to know comes from the kindergarten (education):
    it must not open the health centre's case because she also holds a health-service job."""
    Membership.objects.create(user=town.educator, unit=town.team, role=Membership.Role.WORKER)
    case = builders.open_concern(town.nurse, town.health_centre)
    make.assign(case.child, unit=town.kindergarten)

    response = logged_in(town.educator).get(reverse("cases:detail", args=[case.pk]))

    assert response.status_code == 404
