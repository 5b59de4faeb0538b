"""The case page's sections: each at its own address, each reading only its parts, actions
returning to their section, an htmx request answered with the section alone, the internal
choice, and recording a consent from the case."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_pages, case_services, measure_services, participant_services
from familiebro.cases.models import Case, LogEntry
from familiebro.privacy.models import AuditEvent, Consent, Purpose
from tests.cases import builders
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

SECTIONS = {
    "detail": "Overview",
    "write-log": "Log",
    "goals": "Goals and measures",
    "meetings": "Meetings",
    "participants": "Participants and consent",
    "decisions": "Plan and decisions",
}


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def case(town) -> Case:
    case = builders.open_concern(town.nurse, town.health_centre)
    measure_services.add_goal(town.nurse, case, "Åse sover hele natten.")
    return case


def as_user(user) -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = "en"
    return client


def url(name: str, case: Case, *args) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def current(page: str) -> str:
    """The label of the section link marked as the current one."""
    nav = page[page.index('class="fb-inbox-tabs fb-case__sections"') :]
    nav = nav[: nav.index("</nav>")]
    marked = nav[: nav.index(' aria-current="page">')]
    link = nav[nav.index(' aria-current="page">') + len(' aria-current="page">') :]
    assert marked.count("<a ") >= 1
    return link[: link.index("</a>")]


def test_each_section_has_its_address_and_marks_itself_in_the_navigation(town, case):
    nurse = as_user(town.nurse)
    for name, label in SECTIONS.items():
        page = nurse.get(url(name, case)).content.decode()
        assert current(page) == label, name
        assert f"{label} · case {case.reference} – Familiebro</title>" in page
        # Every section links to every other.
        for other in SECTIONS:
            assert f'href="{url(other, case)}"' in page


def test_a_section_reads_and_audits_only_its_own_parts(town, case):
    case_services.write_log_entry(town.nurse, case, kind=LogEntry.Kind.NOTE, text="Mor ringte.")
    page = as_user(town.nurse).get(url("goals", case)).content.decode()
    assert "Åse sover hele natten." in page
    assert "Mor ringte." not in page  # the log is a section of its own
    event = AuditEvent.objects.filter(actor_id=town.nurse.pk, object_type="cases.case").latest("id")
    assert set(event.detail["shown"]) == {"goal"}
    page = as_user(town.nurse).get(url("write-log", case)).content.decode()
    assert "Mor ringte." in page
    event = AuditEvent.objects.filter(actor_id=town.nurse.pk, object_type="cases.case").latest("id")
    assert set(event.detail["shown"]) == {"logentry"}


def test_an_unknown_section_is_not_found(town, case):
    from django.http import Http404

    with pytest.raises(Http404):
        case_pages.case_page(town.nurse, case.pk, "everything")


def test_the_forms_open_on_demand_and_open_again_with_what_to_fix(town, case):
    nurse = as_user(town.nurse)
    page = nurse.get(url("goals", case)).content.decode()
    assert '<details class="ds-details fb-case__form" id="goal">' in page
    refused = nurse.post(url("add-goal", case), {"goal-text": " "})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert '<details class="ds-details fb-case__form" id="goal" open>' in page
    assert current(page) == "Goals and measures"


@pytest.mark.parametrize(
    "action, data, section",
    [
        ("add-goal", {"goal-text": "Åse leker med andre."}, "goals"),
        ("write-log", {"log-kind": "note", "log-text": "Far ringte."}, "write-log"),
        ("milestone", {"milestone-key": "", "milestone-occurred_on": ""}, "detail"),
    ],
)
def test_after_posting_the_user_returns_to_the_section(town, case, action, data, section):
    response = as_user(town.nurse).post(url(action, case), data)
    if response.status_code == 400:  # refused: the same section, with the form
        assert current(response.content.decode()) == SECTIONS[section]
    else:
        assert response["Location"] == url(section, case)


def test_ending_a_participation_returns_to_participants_and_consent(town, case):
    builders.coordination_consent(case, town.bup)
    participant = participant_services.add_participant(town.nurse, case, unit=town.bup)
    response = as_user(town.nurse).post(url("end-participation", case, participant.pk))
    assert response["Location"] == url("participants", case)


def test_htmx_gets_the_section_alone_with_its_message(town, case):
    nurse = as_user(town.nurse)
    response = nurse.post(
        url("write-log", case),
        {"log-kind": "note", "log-text": "Far ringte."},
        headers={"HX-Request": "true"},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<nav" in page
    assert f"<title>Log · case {case.reference} – Familiebro</title>" in page
    assert "The entry is in the shared log." in page
    assert "Far ringte." in page
    assert "HX-Request" in response["Vary"]
    # A form to fix comes back swappable (htmx swaps only a success) and open.
    refused = nurse.post(url("add-goal", case), {"goal-text": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert 'id="goal" open>' in refused.content.decode()
    # History restored from the server is the whole page.
    whole = nurse.get(
        url("goals", case),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in whole.content.decode()


def test_internal_is_a_choice_that_needs_its_reason(town, case):
    nurse = as_user(town.nurse)
    entry = {"log-kind": "note", "log-text": "Bekymring for mor.", "log-who_sees": "internal"}
    refused = nurse.post(url("write-log", case), entry)
    assert refused.status_code == 400
    assert "Write why only our service may see it, in a few words." in refused.content.decode()
    assert not case.log_entries.filter(text="Bekymring for mor.").exists()

    nurse.post(url("write-log", case), {**entry, "log-internal_reason": "Vurderes først."})
    assert case.log_entries.get(text="Bekymring for mor.").internal_reason == "Vurderes først."
    # A reason typed while the entry is shared is dropped: the choice decides.
    shared = {**entry, "log-text": "Mor ringte.", "log-who_sees": "shared"}
    nurse.post(url("write-log", case), {**shared, "log-internal_reason": "Glemt"})
    assert case.log_entries.get(text="Mor ringte.").internal_reason == ""


def test_consent_is_recorded_from_the_case_and_returns_to_it(town, case):
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup)
    nurse = as_user(town.nurse)
    participants = nurse.get(url("participants", case)).content.decode()
    assert url("record-consent", case) in participants

    form = nurse.get(url("record-consent", case)).content.decode()
    assert f"Back to case {case.reference}" in form
    # The case's services first (BUP, of another organisation), then the family's own
    # municipality's; other services of the country behind "Services elsewhere".
    elsewhere = form.index("Services elsewhere")
    assert form.index("BUP Hamar") < elsewhere
    assert form.index(town.kindergarten.name) < elsewhere
    assert form.index("BUP Hamar") < form.index(town.kindergarten.name)

    guardians = case.child.guardians_rel.filter(has_parental_responsibility=True)
    response = nurse.post(
        url("record-consent", case),
        {
            "purpose": Purpose.COORDINATION,
            "language": "nb",
            "recipient_units": [str(town.bup.pk)],
            "scope": ["measures_and_plans"],
            "valid_to": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
            "channel": Consent.Channel.ORAL,
            "givers": [str(g.guardian_id) for g in guardians],
            "witness": "Kari Kollega",
            "child_view": "Åse vil at BUP skal vite det.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == url("participants", case)
    assert Consent.objects.filter(subject=case.child, recipient_units=town.bup).count() == 2


def test_a_service_under_consent_cannot_record_a_consent_from_the_case(town, case):
    builders.coordination_consent(case, town.bup)
    participant_services.add_participant(town.nurse, case, unit=town.bup)
    psychiatrist = as_user(town.psychiatrist)
    assert (
        url("record-consent", case)
        not in psychiatrist.get(url("participants", case)).content.decode()
    )
    assert psychiatrist.get(url("record-consent", case)).status_code in (403, 404)
