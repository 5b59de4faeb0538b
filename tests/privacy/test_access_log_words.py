"""The access log speaks plain language: one sentence per entry, never a record type from the
code, and a list seen again the same day as one entry with how many times."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Person
from familiebro.privacy import access_log, policy
from familiebro.privacy.templatetags.consent_display import consent_end
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(unit, staff):
    child, _guardian, _ = make.child_with_guardian(unit.organisation)
    make.assign(child, user=staff)
    return child


def list_persons(user, *persons):
    policy.list_page(
        user, Person.objects.filter(pk__in=[p.pk for p in persons]), policy.Purpose.CASEWORK
    )


def test_a_read_is_a_sentence_about_the_personal_details(staff, child):
    policy.get_or_404(staff, Person, child.pk, policy.Purpose.CASEWORK)
    entry = access_log.access_log_for(staff, child)[0]
    assert entry.what == "Looked at the personal details"


def test_a_list_says_at_which_service_and_what_the_list_is(staff, unit, child):
    list_persons(staff, child)
    entry = access_log.access_log_for(staff, child)[0]
    assert entry.what == (f"Appeared in a list at {unit.name} of the people the service works with")
    assert entry.times == 1


def test_the_same_list_the_same_day_is_one_entry_with_how_many_times(staff, child):
    for _ in range(3):
        list_persons(staff, child)
    policy.get_or_404(staff, Person, child.pk, policy.Purpose.CASEWORK)
    entries = access_log.access_log_for(staff, child)
    lists = [e for e in entries if e.what.startswith("Appeared in a list")]
    assert [e.times for e in lists] == [3]
    # The read between them is its own entry, and the export keeps every event.
    assert any(e.what == "Looked at the personal details" for e in entries)
    unmerged = access_log.access_log_for(staff, child, per_day=False)
    assert len([e for e in unmerged if e.what.startswith("Appeared in a list")]) == 3


def test_lists_of_different_days_are_not_merged(staff, child, monkeypatch):
    from familiebro.privacy import audit

    # The trail is append-only: the earlier list is written as if yesterday.
    yesterday = timezone.now() - datetime.timedelta(days=1)
    monkeypatch.setattr(audit.timezone, "now", lambda: yesterday)
    list_persons(staff, child)
    monkeypatch.undo()
    list_persons(staff, child)
    entries = [e for e in access_log.access_log_for(staff, child) if e.what.startswith("Appeared")]
    assert [e.times for e in entries] == [1, 1]


def test_no_entry_names_a_model_of_the_code(staff, unit, child):
    from familiebro.cases import case_services, measure_services
    from familiebro.cases.models import Case

    case = case_services.open_case(
        staff, child=child, unit=unit, origin=Case.Origin.STAFF_CONCERN, concern="Søvn."
    )
    measure_services.add_goal(staff, case, "Sover hele natten.")
    whats = [e.what for e in access_log.access_log_for(staff, child)]
    assert "Registered the case" in whats
    assert "Registered a goal" in whats
    assert not [w for w in whats if ":" in w or "Goal" in w or "Case" in w]


def test_the_page_reads_in_norwegian_with_the_count(staff_client, staff, child):
    for _ in range(2):
        list_persons(staff, child)
    page = staff_client.get(reverse("person-access-log", args=[child.pk])).content.decode()
    assert "Var med i en liste hos" in page
    assert "over personene tjenesten jobber med (2 ganger denne dagen)" in page
    assert "Listed" not in page and "Person</td>" not in page


def test_a_consent_ends_on_its_last_day_everywhere(child):
    consent = make.consent(child)
    consent.valid_to = timezone.make_aware(datetime.datetime(2027, 7, 1))
    assert consent_end(consent) == "last day June 30, 2027"
    consent.valid_to = None
    assert consent_end(consent) == "until withdrawn"
