"""Feedback to the person who raised a concern: only with the family's consent or under the
Child Welfare Act § 13-4, read in Familiebro after logging in, never in the e-mail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from familiebro.cases import case_services
from familiebro.cases.models import Case, ReporterFeedback
from familiebro.core.models import Person, ServiceUnit
from familiebro.persons import services as person_services
from familiebro.privacy.models import AuditEvent, Purpose
from tests import factories
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

IDENTITY_NUMBER = "15061200077"
CONCERN = "Åse kommer ofte sulten i barnehagen og har blåmerker."


@pytest.fixture(autouse=True)
def _bokmal(settings):
    settings.LANGUAGE_CODE = "nb"
    # The e-mails are sent at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def child_welfare(town) -> ServiceUnit:
    return factories.ServiceUnitFactory(
        organisation=town.organisation,
        name="Barneverntjenesten i Stange",
        kind=ServiceUnit.Kind.CHILD_WELFARE,
    )


def reported_case(town, unit: ServiceUnit, worker) -> Case:
    """A case the health centre or child welfare opened on the teacher's concern, naming her
    e-mail for feedback; the teacher has no need to know about the child."""
    child = person_services.register_person(
        worker,
        unit.organisation,
        kind=Person.Kind.CHILD,
        given_name="Åse",
        family_name="Sæther",
        birth_date=datetime.date(2012, 6, 15),
        national_id=IDENTITY_NUMBER,
    )
    mother = person_services.register_person(
        worker,
        unit.organisation,
        kind=Person.Kind.GUARDIAN,
        given_name="Ingrid",
        family_name="Sæther",
        birth_date=datetime.date(1984, 2, 3),
    )
    person_services.relate_guardian(
        worker, mother, child, kind="biological", has_parental_responsibility=True
    )
    return builders.open_concern(
        worker,
        unit,
        child=child,
        concern=CONCERN,
        raised_by_name="Siri Barnehagelærer",
        raised_by_email="SIRI@example.no",
    )


def close(worker, case: Case) -> None:
    case_services.decide(
        worker,
        case,
        option="close",
        reason="Foreldrene har fått hjelp andre steder.",
        close_reason=Case.CloseReason.REFERRED_ON,
        summary="Saken avsluttes.",
    )


def feedback_consent(case: Case, unit: ServiceUnit, scope=("measures_and_plans",)):
    guardian = case.child.guardians_rel.get().guardian
    return make.consent(
        case.child,
        purpose=Purpose.INFORMATION_SHARING,
        scope=scope,
        recipient_units=[unit],
        giver=guardian,
    )


def feedback_url(feedback: ReporterFeedback) -> str:
    return reverse("cases:feedback", args=[feedback.pk])


def test_without_consent_no_feedback_is_given_and_the_closing_page_says_why(town, settings):
    settings.LANGUAGE_CODE = "en"
    case = reported_case(town, town.health_centre, town.nurse)
    nurse = logged_in(town.nurse)
    nurse.cookies["familiebro_language"] = "en"
    response = nurse.post(
        reverse("cases:decide", args=[case.pk]),
        {
            "decision-option": "close",
            "decision-reason": "Foreldrene har fått hjelp.",
            "decision-close_reason": Case.CloseReason.REFERRED_ON,
            "decision-summary": "Saken avsluttes.",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "No feedback was sent to Siri Barnehagelærer" in page
    assert "the family has not consented to it" in page
    assert "consent to share information" in page

    feedback = ReporterFeedback.objects.get(case=case)
    assert feedback.withheld == ReporterFeedback.Withheld.NO_CONSENT
    assert feedback.recipient is None and feedback.text == ""
    case.refresh_from_db()
    assert case.feedback_sent_at is None
    assert not town.teacher.notifications.exists()
    # Nothing to read: the teacher's page for it does not exist.
    assert logged_in(town.teacher).get(feedback_url(feedback)).status_code == 404


def test_with_consent_the_reporter_reads_the_feedback_and_the_email_tells_nothing(
    town, smtp_server
):
    case = reported_case(town, town.health_centre, town.nurse)
    consent = feedback_consent(case, town.kindergarten)
    close(town.nurse, case)

    feedback = ReporterFeedback.objects.get(case=case)
    assert feedback.ground == ReporterFeedback.Ground.CONSENT
    assert feedback.consent == consent
    assert feedback.recipient == town.teacher

    (recipients, raw) = smtp_server.wait_for(1)[0]
    assert recipients == ["siri@example.no"]
    mail = raw.decode("utf-8", errors="replace")
    assert feedback_url(feedback) in mail
    assert "Det er nytt om en bekymring du har meldt" in mail
    for secret in ("Åse", "Sæther", "Ingrid", case.reference, "Helsestasjonen", "sulten"):
        assert secret not in mail, secret
    body = mail.split("\r\n\r\n", 1)[1]
    assert IDENTITY_NUMBER not in body and not re.search(r"\d{11}", body)
    assert "avsluttet" not in mail
    # The in-app notification says as little.
    note = town.teacher.notifications.get()
    assert note.link == feedback_url(feedback)
    assert case.reference not in note.text and "Åse" not in note.text

    page = logged_in(town.teacher).get(feedback_url(feedback)).content.decode()
    assert "Bekymringen du meldte om Åse Sæther" in page
    assert "Helsestasjonen i Stange" in page
    assert "Årsak:" in page  # the consent covers measures and plans
    # Exactly the feedback: nothing else of the case.
    for other in (case.reference, CONCERN, "Saken avsluttes.", IDENTITY_NUMBER, "Ingrid"):
        assert other not in page, other
    case.refresh_from_db()
    assert case.feedback_sent_at is not None


def test_a_consent_for_another_purpose_or_another_service_gives_no_feedback(town):
    case = reported_case(town, town.health_centre, town.nurse)
    guardian = case.child.guardians_rel.get().guardian
    make.consent(
        case.child, purpose=Purpose.REFERRAL, recipient_units=[town.kindergarten], giver=guardian
    )
    feedback_consent(case, town.team)
    close(town.nurse, case)
    assert ReporterFeedback.objects.get(case=case).withheld == "no_consent"


def test_child_welfare_gives_the_statutory_feedback_without_consent(town, child_welfare):
    worker = make.member(child_welfare, first_name="Bjørn", last_name="Barnevernkonsulent")
    case = reported_case(town, child_welfare, worker)
    close(worker, case)

    feedback = ReporterFeedback.objects.get(case=case)
    assert feedback.ground == ReporterFeedback.Ground.CHILD_WELFARE_ACT
    assert feedback.consent is None
    assert feedback.recipient == town.teacher
    page = logged_in(town.teacher).get(feedback_url(feedback)).content.decode()
    assert "Barneverntjenesten i Stange har avsluttet oppfølgingen av bekymringen" in page
    assert "barnevernsloven § 13-4" in page
    # Only what the rule allows: not why it closed, nor whom the family met.
    assert "Årsak" not in page
    assert "Bjørn" not in page


def test_child_welfare_gives_no_statutory_feedback_to_a_voluntary_organisation(town, child_welfare):
    volunteers = factories.ServiceUnitFactory(
        organisation=make.organisation(name="Frivillighetssentralen"),
        name="Leksehjelpen",
        kind=ServiceUnit.Kind.VOLUNTARY,
    )
    make.member(volunteers, first_name="Vera", last_name="Frivillig", email="vera@example.no")
    worker = make.member(child_welfare)
    case = reported_case(town, child_welfare, worker)
    Case.objects.filter(pk=case.pk).update(raised_by_email="vera@example.no")
    case.refresh_from_db()
    close(worker, case)
    assert ReporterFeedback.objects.get(case=case).withheld == "no_consent"


def test_someone_without_a_login_gets_no_email_and_the_closer_is_told(town, settings, mailoutbox):
    settings.LANGUAGE_CODE = "en"
    case = reported_case(town, town.health_centre, town.nurse)
    Case.objects.filter(pk=case.pk).update(raised_by_email="nabo@example.no")
    feedback_consent(case, town.kindergarten)
    nurse = logged_in(town.nurse)
    nurse.cookies["familiebro_language"] = "en"
    page = nurse.post(
        reverse("cases:decide", args=[case.pk]),
        {
            "decision-option": "close",
            "decision-reason": "Ferdig.",
            "decision-close_reason": Case.CloseReason.GOAL_REACHED,
            "decision-summary": "Saken avsluttes.",
        },
        follow=True,
    ).content.decode()
    assert "they have no login to Familiebro" in page
    assert ReporterFeedback.objects.get(case=case).withheld == "no_login"
    assert mailoutbox == []


def test_only_the_reporter_and_the_case_workers_open_the_feedback_page_and_it_is_audited(town):
    case = reported_case(town, town.health_centre, town.nurse)
    feedback_consent(case, town.kindergarten)
    close(town.nurse, case)
    feedback = ReporterFeedback.objects.get(case=case)

    assert logged_in(town.teacher).get(feedback_url(feedback)).status_code == 200
    event = AuditEvent.objects.filter(
        actor_id=town.teacher.pk, object_type="cases.reporterfeedback"
    ).get()
    assert event.object_ids == [str(feedback.pk)]
    assert event.purpose == "reporter_feedback"
    assert event.legal_basis == "addressed_to_them"
    assert event.subject_ids == [str(case.child_id)]

    # The teacher's colleague in the kindergarten, and staff of another organisation, get
    # nothing.
    for other in (town.educator, town.psychiatrist):
        assert logged_in(other).get(feedback_url(feedback)).status_code == 404
    assert not AuditEvent.objects.filter(
        object_type="cases.reporterfeedback",
        actor_id__in=[town.educator.pk, town.psychiatrist.pk],
    ).exists()
