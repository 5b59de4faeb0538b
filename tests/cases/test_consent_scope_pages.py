"""A consent opens only the categories it names, on every page that shows a case's parts.

For each category, a service whose consent leaves it out reads the case, but none of that
category's data: not on the case page, the whole log, the plan PDF, the deadlines page or the
meeting page. The same pages show it to a service whose consent names every category, so a
missing text below means "hidden", not "never on that page".
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import Case, LogEntry, Meeting
from familiebro.privacy import policy
from familiebro.privacy.models import DataCategory
from tests.cases import builders
from tests.privacy.factories import logged_in
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db

CONCERN = "Bekymringen-7Q: trekker seg unna i lek."
NOTE = "Notatet-7Q: mor ringte."
GOAL = "Målet-7Q: sover hele natten."
MEASURE = "Tiltaket-7Q: søvnveiledning"
AGENDA = "Agendaen-7Q: hvordan går det?"
# The measure's evaluation deadline, as its row on the deadlines page (and the case page) says.
EVALUATION = "Evaluering av tiltak"

# What each category covers, as text the pages would show.
TEXTS: dict[str, list[str]] = {
    DataCategory.LOG_ENTRIES.value: [CONCERN, NOTE],
    DataCategory.MEASURES_AND_PLANS.value: [GOAL, MEASURE, EVALUATION],
    DataCategory.MEETING_MINUTES.value: [AGENDA],
}
CATEGORIES = list(TEXTS)


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def case_with_everything(town: builders.Municipality) -> tuple[Case, Meeting]:
    """A case with a concern, a note, a goal, a measure held by BUP's psychiatrist (so the
    evaluation is on her deadlines page), a meeting and an individual plan."""
    case = builders.open_concern(town.nurse, town.health_centre, concern=CONCERN)
    consent = builders.coordination_consent(case, town.bup, scope=tuple(CATEGORIES))
    bup = participant_services.add_participant(town.nurse, case, unit=town.bup, role="BUP")
    goal = measure_services.add_goal(town.nurse, case, GOAL)
    today = timezone.localdate()
    measure_services.add_measure(
        town.nurse,
        case,
        measure_services.MeasureFields(
            title=MEASURE,
            responsible_unit=town.bup,
            responsible_user=town.psychiatrist,
            start_date=today,
            evaluation_date=today + datetime.timedelta(days=30),
            goal=goal,
        ),
    )
    case_services.write_log_entry(town.nurse, case, kind=LogEntry.Kind.NOTE, text=NOTE)
    starts = timezone.now() + datetime.timedelta(days=40)
    meeting = meeting_services.plan_meeting(
        town.nurse,
        case,
        kind="responsibility_group",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Helsestasjonen",
        agenda=AGENDA,
    )
    builders.start_plan(
        town.nurse, case, [case.participants.get(user=town.nurse).pk, bup.pk], consent=consent
    )
    return case, meeting


def pages_of(client, case: Case, meeting: Meeting) -> dict[str, str]:
    """Every page that shows the case's parts, as the reader gets it, as text."""
    # The case page is its sections, each at its own address.
    urls = {
        f"case page: {name}": reverse(f"cases:{name}", args=[case.pk])
        for name in ("detail", "write-log", "goals", "meetings", "participants", "decisions")
    }
    urls |= {
        "whole log": reverse("cases:log", args=[case.pk]),
        "deadlines": reverse("cases:deadlines"),
        "meeting": reverse("cases:meeting", args=[case.pk, meeting.pk]),
    }
    text = {}
    for name, url in urls.items():
        response = client.get(url)
        # A meeting the consent does not open is not found, as if it did not exist.
        assert response.status_code in (200, 404), name
        text[name] = flat(response.content.decode())
    pdf = client.get(reverse("cases:plan-pdf", args=[case.pk]), {"språk": "en"})
    # A plan the consent does not open sends the reader back to the case with the reason.
    assert pdf.status_code in (200, 302)
    text["plan PDF"] = flat(pdf_text(pdf.content)) if pdf.status_code == 200 else ""
    sections = [name for name in text if name.startswith("case page: ")]
    text["case page"] = " ".join(text.pop(name) for name in sections)
    return text


def shown(pages: dict[str, str], needle: str) -> list[str]:
    return [name for name, text in pages.items() if needle in text]


def test_a_consent_naming_every_category_shows_each_on_the_pages():
    """The control: with every category named, each text is on at least one page, and the
    log on the case page and the whole log."""
    town = builders.municipality()
    case, meeting = case_with_everything(town)
    pages = pages_of(logged_in(town.psychiatrist), case, meeting)
    for texts in TEXTS.values():
        for text in texts:
            assert shown(pages, text), text
    assert {"case page", "whole log"} <= set(shown(pages, NOTE))
    assert {"case page", "whole log"} <= set(shown(pages, CONCERN))
    # The deadlines page lists the deadlines of the reader's own organisations only.
    assert "case page" in shown(pages, EVALUATION)
    assert "plan PDF" in shown(pages, GOAL)


@pytest.mark.parametrize(
    "left_out",
    [
        DataCategory.LOG_ENTRIES,
        DataCategory.MEASURES_AND_PLANS,
        DataCategory.MEETING_MINUTES,
    ],
)
def test_a_category_the_consent_leaves_out_is_on_no_page(left_out):
    town = builders.municipality()
    case, meeting = case_with_everything(town)
    consent = case.child.consents.get()
    others = [c for c in CATEGORIES if c != left_out]
    consent.scope = type(consent).encode_scope(others)
    consent.save(update_fields=["scope"])

    pages = pages_of(logged_in(town.psychiatrist), case, meeting)
    for text in TEXTS[left_out]:
        assert shown(pages, text) == [], f"{left_out}: {text!r}"
    # What the consent does name is still shown: the pages did load the case.
    for category in others:
        for text in TEXTS[category]:
            assert shown(pages, text), f"{category}: {text!r}"


def test_a_log_entry_that_repeats_a_measure_is_read_under_the_consent_that_covers_both():
    """The policy itself, not a page: under a consent naming the log alone, the log's notes are
    read on that consent and its record of the new measure is not read at all; a consent that
    also names measures and plans opens it, and the audit names that consent as the basis."""
    town = builders.municipality()
    case, _meeting = case_with_everything(town)
    consent = case.child.consents.get()
    consent.scope = type(consent).encode_scope([DataCategory.LOG_ENTRIES])
    consent.save(update_fields=["scope"])
    purpose = consent.purpose
    entries = LogEntry.objects.filter(case=case)
    measure_entry = entries.get(kind=LogEntry.Kind.MEASURE)

    readable = policy.visible(town.psychiatrist, LogEntry, purpose).filter(case=case)
    assert measure_entry not in readable
    assert readable.filter(kind=LogEntry.Kind.NOTE).exists()

    broader = builders.coordination_consent(case, town.bup, scope=tuple(CATEGORIES))
    assert measure_entry in policy.visible(town.psychiatrist, LogEntry, purpose)
    (basis,) = policy.bases_for(town.psychiatrist, [measure_entry], purpose)
    assert basis.kind == policy.Basis.CONSENT
    assert basis.consent_ids == (broader.pk,)
