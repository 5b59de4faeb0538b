"""Min side: what a parent sees of their family, and what they do not."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from familiebro.cases import case_services, measure_services
from familiebro.cases.measure_services import MeasureFields
from familiebro.cases.models import LogEntry
from familiebro.cases.plans import decisions as plan_decisions
from familiebro.core import crypto
from familiebro.core.models import Person
from familiebro.persons import services as person_services
from familiebro.privacy import access_log
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.factories import identity_number
from tests.privacy import factories as make
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db

MOTHER = identity_number(datetime.date(1984, 2, 3), synthetic=True)
STEPFATHER = identity_number(datetime.date(1980, 11, 30), synthetic=True)
STRANGER = identity_number(datetime.date(1990, 6, 6), synthetic=True)


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def town():
    return builders.municipality()


@pytest.fixture
def case(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    for relation in case.child.guardians_rel.select_related("guardian"):
        number = MOTHER if relation.guardian.given_name == "Ingrid" else None
        if relation.guardian.given_name == "Per":
            number = STEPFATHER
        if number:
            relation.guardian.set_national_id(number)
            relation.guardian.save()
    return case


def logged_in_as(client, provider, pid: str):
    start = client.post(reverse("portal:login-start"))["Location"]
    answer = provider.answer_for(start, pid)
    assert client.get(answer.removeprefix("http://testserver")).status_code == 302
    return client


@pytest.fixture
def mother(client, citizen_login, case):
    return logged_in_as(client, citizen_login, MOTHER)


def measure(case, actor, title, internal_reason=""):
    return measure_services.add_measure(
        actor,
        case,
        MeasureFields(
            title=title,
            responsible_unit=case.unit,
            start_date=datetime.date.today(),
            evaluation_date=datetime.date.today() + datetime.timedelta(days=30),
            internal_reason=internal_reason,
        ),
    )


def test_a_parent_sees_herself_and_her_child_with_the_help_they_get(mother, case):
    page = mother.get(reverse("portal:home")).content.decode()
    assert "Stange kommune" in page
    assert "Ingrid Sæther (you)" in page
    assert "Åse Sæther" in page
    assert reverse("portal:case", args=[case.pk]) in page
    assert reverse("portal:access-log", args=[case.child_id]) in page


def test_a_guardian_without_parental_responsibility_does_not_see_the_child(
    client, citizen_login, case
):
    logged_in_as(client, citizen_login, STEPFATHER)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Per Lunde (you)" in page
    assert "Åse Sæther" not in page
    assert client.get(reverse("portal:access-log", args=[case.child_id])).status_code == 404
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404


def test_someone_unknown_to_every_service_is_told_so(client, citizen_login, case):
    logged_in_as(client, citizen_login, STRANGER)
    page = client.get(reverse("portal:home")).content.decode()
    assert "No service using Familiebro has registered you or your children" in page
    assert client.get(reverse("portal:access-log", args=[case.child_id])).status_code == 404


def test_a_parent_does_not_see_a_child_who_has_turned_18(mother, case):
    Person.objects.filter(pk=case.child_id).update(birth_date=datetime.date(2000, 1, 1))
    page = mother.get(reverse("portal:home")).content.decode()
    assert "Åse Sæther" not in page
    assert mother.get(reverse("portal:case", args=[case.pk])).status_code == 404


def test_the_childs_access_log_names_who_read_the_data(mother, case, town):
    page = mother.get(reverse("portal:access-log", args=[case.child_id])).content.decode()
    assert town.teacher.get_full_name() in page
    assert "Own service" in page


def test_the_parent_reading_the_log_shows_in_it_for_staff_too(mother, case, town):
    mother.get(reverse("portal:access-log", args=[case.child_id]))
    event = AuditEvent.objects.latest("id")
    assert event.actor_id is None
    assert event.actor_label == f"citizen:{crypto.lookup_hash(MOTHER)}"
    assert event.legal_basis == "data_subject"
    assert event.subject_ids == [str(case.child_id)]
    newest = access_log.access_log_for(town.teacher, case.child)[0]
    assert newest.actor_name == "A parent with parental responsibility, with ID-porten"
    assert (newest.actor_role, newest.action) == ("Family", "Read the access log")


def test_her_own_log_says_she_read_it_herself(mother, case):
    own = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    mother.get(reverse("portal:access-log", args=[own.pk]))
    page = mother.get(reverse("portal:access-log", args=[own.pk])).content.decode()
    assert "The person themselves, logged in with ID-porten" in page


def test_the_case_page_shows_what_is_agreed_and_hides_what_is_internal(mother, case, town):
    measure_services.add_goal(town.teacher, case, "Åse skal glede seg til barnehagen")
    measure(case, town.teacher, "Samtaler med helsesykepleier")
    measure(case, town.teacher, "Observasjon i barnegruppa", internal_reason="Faglig vurdering")
    case_services.write_log_entry(
        town.teacher, case, kind=LogEntry.Kind.AGREEMENT, text="Vi møtes igjen om tre uker."
    )
    case_services.write_log_entry(
        town.teacher,
        case,
        kind=LogEntry.Kind.NOTE,
        text="Intern merknad om samarbeidet",
        internal_reason="Drøftes med leder først",
    )
    wrong = case_services.write_log_entry(
        town.teacher, case, kind=LogEntry.Kind.NOTE, text="Møtet er på tirsdag."
    )
    case_services.correct_log_entry(town.teacher, wrong.pk, "Møtet er på onsdag.")
    page = mother.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Åse skal glede seg til barnehagen" in page
    # Each service taking part once, with its people.
    assert page.count(f"{town.kindergarten.name} ({town.teacher.get_full_name()})") == 1
    assert "Samtaler med helsesykepleier" in page
    assert "Vi møtes igjen om tre uker." in page
    assert "Møtet er på onsdag." in page
    for hidden in ("Observasjon i barnegruppa", "Intern merknad", "Møtet er på tirsdag."):
        assert hidden not in page


def test_the_case_page_view_is_one_audit_event_with_what_it_showed(mother, case, town):
    shown = measure(case, town.teacher, "Samtaler med helsesykepleier")
    hidden = measure(case, town.teacher, "Observasjon", internal_reason="Faglig vurdering")
    mother.get(reverse("portal:case", args=[case.pk]))
    event = AuditEvent.objects.latest("id")
    assert (event.object_type, event.object_ids) == ("cases.case", [str(case.pk)])
    assert event.detail["measures"] == [shown.pk]
    assert hidden.pk not in event.detail["measures"]
    assert event.detail["family_role"] == {str(case.child_id): "parent"}


def test_the_case_page_costs_the_same_queries_with_more_log_entries(mother, case, town):
    url = reverse("portal:case", args=[case.pk])
    mother.get(url)
    with CaptureQueriesContext(connection) as few:
        mother.get(url)
    for n in range(30):
        case_services.write_log_entry(
            town.teacher, case, kind=LogEntry.Kind.NOTE, text=f"Notat {n}"
        )
        measure(case, town.teacher, f"Tiltak {n}")
    with CaptureQueriesContext(connection) as many:
        mother.get(url)
    assert len(many) == len(few)


def test_another_familys_case_is_not_found(mother, town):
    other = builders.open_concern(town.teacher, town.kindergarten)
    assert mother.get(reverse("portal:case", args=[other.pk])).status_code == 404
    assert mother.get(reverse("portal:access-log", args=[other.child_id])).status_code == 404


def test_the_consents_given_are_listed_with_their_state(mother, case, town):
    guardian = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    make.consent(case.child, recipient_units=[town.bup], giver=guardian)
    page = mother.get(reverse("portal:home")).content.decode()
    assert "Coordination across services" in page
    assert town.bup.name in page
    assert "In force, last day" in page


def test_the_api_gives_the_family_its_own_access_log(mother, case, town):
    response = mother.get(f"/api/portal/persons/{case.child_id}/access-log")
    assert response.status_code == 200
    assert town.teacher.get_full_name() in {e["actor_name"] for e in response.json()}
    assert mother.get(f"/api/portal/persons/{case.child_id + 999}/access-log").status_code == 404


def test_the_api_needs_a_citizen_login(client, staff_client, case):
    assert client.get(f"/api/portal/persons/{case.child_id}/access-log").status_code == 401
    assert staff_client.get(f"/api/portal/persons/{case.child_id}/access-log").status_code == 401


def test_a_person_registered_in_two_organisations_sees_both(mother, case):
    other = make.organisation(name="Helse Innlandet")
    twin = person_services.register_person(
        make.member(make.unit(other)),
        other,
        kind=Person.Kind.GUARDIAN,
        given_name="Ingrid",
        family_name="Sæther",
        birth_date=datetime.date(1984, 2, 3),
    )
    twin.set_national_id(MOTHER)
    twin.save()
    page = mother.get(reverse("portal:home")).content.decode()
    assert "Helse Innlandet" in page
    assert reverse("portal:access-log", args=[twin.pk]) in page


def test_a_parent_withdraws_a_consent_she_gave_and_the_service_loses_access(mother, case, town):
    guardian = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    consent = builders.coordination_consent(case, town.bup)
    assert consent.givers.filter(person=guardian).exists()
    url = reverse("portal:withdraw-consent", args=[consent.pk])
    page = mother.get(url).content.decode()
    assert town.bup.name in page
    response = mother.post(url)
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == guardian
    assert consent.withdrawal_recorded_by is None
    assert "The consent is withdrawn" in mother.get(reverse("portal:home")).content.decode()
    psychiatrist = make.logged_in(town.psychiatrist)
    assert psychiatrist.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    with translation.override("en"):
        log = access_log.access_log_for(town.teacher, case.child)
    [withdrawal] = [e for e in log if e.action == "Recorded the withdrawal"]
    assert withdrawal.actor_name == "A parent with parental responsibility, with ID-porten"


def test_a_consent_the_parent_did_not_give_cannot_be_withdrawn_by_her(mother, case, town):
    father = case.child.guardians_rel.get(guardian__given_name="Ola").guardian
    consent = make.consent(case.child, recipient_units=[town.bup], giver=father)
    assert "Withdraw the consent" not in mother.get(reverse("portal:home")).content.decode()
    url = reverse("portal:withdraw-consent", args=[consent.pk])
    assert mother.get(url).status_code == 404
    response = mother.post(url, follow=True)
    assert "This consent cannot be withdrawn here" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_a_consent_that_has_ended_cannot_be_withdrawn(mother, case, town):
    ended = builders.coordination_consent(
        case, town.bup, valid_to=timezone.now() - datetime.timedelta(days=1)
    )
    url = reverse("portal:withdraw-consent", args=[ended.pk])
    assert mother.get(url).status_code == 404
    assert "This consent cannot be withdrawn here" in mother.post(url, follow=True).content.decode()
    ended.refresh_from_db()
    assert ended.withdrawn_at is None


def test_a_parent_downloads_the_individual_plan_without_internal_measures(mother, case, town):
    measure_services.add_goal(town.teacher, case, "Åse skal glede seg til barnehagen")
    measure(case, town.teacher, "Samtaler med helsesykepleier")
    measure(case, town.teacher, "Observasjon i barnegruppa", internal_reason="Faglig vurdering")
    assert (
        reverse("portal:plan-pdf", args=[case.pk])
        not in mother.get(reverse("portal:case", args=[case.pk])).content.decode()
    )
    builders.start_plan(town.teacher, case, [case.participants.get(user=town.teacher).pk])
    page = mother.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert reverse("portal:plan-pdf", args=[case.pk]) in page
    response = mother.get(reverse("portal:plan-pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "Samtaler med helsesykepleier" in text
    assert "Åse skal glede seg til barnehagen" in text
    assert "Observasjon i barnegruppa" not in text
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type) == ("export", "cases.individualplan")


def test_a_parent_reads_the_decisions_on_plan_and_coordinators_on_min_side(mother, case, town):
    today = datetime.date.today()
    plan_decisions.record_decision(
        town.teacher,
        case,
        plan_decisions.DecisionFields(
            right="child_coordinator",
            origin="applied",
            requested_on=today - datetime.timedelta(days=20),
            outcome="refused",
            decided_on=today,
            decided_by="Kari Koordinerende, leder for koordinerende enhet",
            reason="Åse trenger ikke andre velferdstjenester nå.",
            appeal_information="Du kan klage til Statsforvalteren innen fire uker.",
        ),
    )
    page = flat(mother.get(reverse("portal:case", args=[case.pk])).content.decode())
    assert "Decisions on individual plan and coordinators" in page
    assert "Child coordinator: Refused" in page
    assert "Reason: Åse trenger ikke andre velferdstjenester nå." in page
    assert "How to appeal: Du kan klage til Statsforvalteren innen fire uker." in page
    event = AuditEvent.objects.filter(object_type="cases.case", action="view").latest("id")
    assert event.detail["plan_decisions"] == [case.plan_decisions.get().pk]


def test_there_is_no_plan_to_download_for_another_family(client, citizen_login, case, town):
    builders.start_plan(town.teacher, case, [case.participants.get(user=town.teacher).pk])
    logged_in_as(client, citizen_login, STEPFATHER)
    assert client.get(reverse("portal:plan-pdf", args=[case.pk])).status_code == 404


def test_min_side_costs_the_same_queries_with_more_cases_and_consents(mother, case, town):
    builders.coordination_consent(case, town.bup)
    url = reverse("portal:home")
    mother.get(url)
    with CaptureQueriesContext(connection) as few:
        mother.get(url)
    for _n in range(4):
        builders.open_concern(town.teacher, town.kindergarten, child=case.child)
        builders.coordination_consent(case, town.bup)
    with CaptureQueriesContext(connection) as many:
        page = mother.get(url).content.decode()
    assert page.count(reverse("portal:case", args=[case.pk])) == 1
    assert len(many) == len(few)


def test_coming_meetings_are_listed_without_their_minutes_and_cancelled_ones_not_at_all(
    mother, case, town
):
    from familiebro.cases.meetings import services as meeting_services
    from familiebro.cases.models import Meeting

    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(days=40)

    def plan(place):
        return meeting_services.plan_meeting(
            town.teacher,
            case,
            kind=Meeting.Kind.FAMILY_MEETING,
            starts_at=soon,
            ends_at=soon + datetime.timedelta(hours=1),
            place=place,
        )

    kept = plan("Møterom 1")
    meeting_services.save_minutes(town.teacher, kept, "Utkast: foreldrene er bekymret", 0)
    cancelled = plan("Møterom 2")
    meeting_services.cancel_meeting(town.teacher, cancelled, reason="Sykdom", based_on_sequence=0)
    page = mother.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Utkast: foreldrene er bekymret" not in page
    # Listed among the coming meetings (the shared log tells of both being planned, and of
    # the cancellation).
    listed = set(re.findall(r"<li>[^<]*: <time[^>]*>[^<]*</time>, ([^<]*)</li>", page))
    assert listed == {"Møterom 1"}
