"""A protected address: every page, file and e-mail the other parent can reach keeps where
the mother and the child live from him (familiebro.privacy.protected).

The family: Åse (10), her mother Ingrid, who has a strictly confidential address, and her
father Ola; both parents have parental responsibility. The kindergarten (Tangen barnehage in
Stange kommune) has a case with the health centre taking part, a measure, a meeting, a plan
and a consent. Ola must learn none of the names of the municipality, the units, the staff, or
the meeting's place; Ingrid sees them all.
"""

from __future__ import annotations

import datetime
import email
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases import case_services, measure_services, participant_services
from familiebro.cases.measure_services import MeasureFields
from familiebro.cases.meetings import services as meeting_services
from familiebro.cases.models import LogEntry, Meeting
from familiebro.core.models import AddressProtection, Person
from familiebro.privacy.models import Purpose
from tests.cases import builders
from tests.factories import identity_number
from tests.portal.test_family_pages import logged_in_as
from tests.privacy import factories as make
from tests.privacy.test_consent_pages import flat, pdf_text

pytestmark = pytest.mark.django_db

MOTHER = identity_number(datetime.date(1984, 2, 3), synthetic=True)
FATHER = identity_number(datetime.date(1982, 7, 9), synthetic=True)
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HIDDEN = "Not shown (protected address)"
PLACE = "Møterom 2, Tangen barnehage"


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def town():
    return builders.municipality()


def revealing(town) -> list[str]:
    """Everything that would tell Ola where Åse and her mother live."""
    return [
        "Stange",
        town.kindergarten.name,
        town.health_centre.name,
        "62562000",  # the health centre's phone
        town.teacher.first_name,
        town.teacher.last_name,
        town.nurse.first_name,
        town.nurse.last_name,
        "Møterom",
    ]


def guardian(case, given_name: str) -> Person:
    return case.child.guardians_rel.get(guardian__given_name=given_name).guardian


@pytest.fixture
def case(town):
    case = builders.open_concern(town.teacher, town.kindergarten)
    for given_name, number in (("Ingrid", MOTHER), ("Ola", FATHER)):
        person = guardian(case, given_name)
        person.set_national_id(number)
        person.save()
    # Given by the father, so he may withdraw it on Min side (and reach that page).
    make.consent(
        case.child,
        purpose=Purpose.COORDINATION,
        scope=("measures_and_plans", "log_entries", "meeting_minutes"),
        recipient_units=[town.health_centre],
        giver=guardian(case, "Ola"),
    )
    participant_services.add_participant(
        town.teacher, case, unit=town.health_centre, user=town.nurse, role="Helsestasjon"
    )
    measure_services.add_measure(
        town.teacher,
        case,
        MeasureFields(
            title="Ukentlige samtaler",
            responsible_unit=town.kindergarten,
            responsible_user=town.teacher,
            start_date=datetime.date.today(),
            evaluation_date=datetime.date.today() + datetime.timedelta(days=30),
        ),
    )
    meeting = meeting_services.plan_meeting(
        town.teacher,
        case,
        kind=Meeting.Kind.FAMILY_MEETING,
        starts_at=timezone.now() + datetime.timedelta(days=20),
        ends_at=timezone.now() + datetime.timedelta(days=20, hours=1),
        place=PLACE,
    )
    meeting_services.move_meeting(
        town.teacher,
        meeting,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
        ends_at=meeting.ends_at + datetime.timedelta(days=1),
        place=PLACE,
        based_on_sequence=0,
    )
    case_services.write_log_entry(
        town.teacher, case, kind=LogEntry.Kind.AGREEMENT, text="Vi møtes igjen om tre uker."
    )
    builders.start_plan(town.teacher, case, [case.participants.get(user=town.teacher).pk])
    return case


def someone(organisation, given_name: str, family_name: str) -> Person:
    return Person.objects.create(
        organisation=organisation,
        kind=Person.Kind.GUARDIAN,
        given_name=given_name,
        family_name=family_name,
        birth_date=datetime.date(1984, 2, 3),
    )


def protect(person: Person, level: str = AddressProtection.STRICTLY_CONFIDENTIAL) -> None:
    Person.objects.filter(pk=person.pk).update(address_protection=level)


def min_side_pages(client, case) -> dict[str, str]:
    """Every page and file of Min side the parent can reach about the family."""
    father = Person.objects.get(national_id_hash__isnull=False, given_name="Ola")
    consent = case.child.consents.order_by("pk").first()  # the family's, before the plan's
    urls = {
        "home": reverse("portal:home"),
        "case": reverse("portal:case", args=[case.pk]),
        "child's access log": reverse("portal:access-log", args=[case.child_id]),
        "own access log": reverse("portal:access-log", args=[father.pk]),
        "access log API": f"/api/portal/persons/{case.child_id}/access-log",
        "withdraw consent": reverse("portal:withdraw-consent", args=[consent.pk]),
        "plan": reverse("portal:plan-pdf", args=[case.pk]),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        if response["Content-Type"] == "application/pdf":
            pages[name] = flat(pdf_text(response.content))
        elif response.status_code == 404:
            pages[name] = ""
        else:
            assert response.status_code == 200, (name, response.status_code)
            pages[name] = response.content.decode()
    return pages


def test_without_a_protected_address_the_father_sees_where_the_help_is(
    client, citizen_login, case, town
):
    """The control: the same pages name the services, so the tests below can fail."""
    logged_in_as(client, citizen_login, FATHER)
    pages = min_side_pages(client, case)
    assert town.kindergarten.name in pages["home"]
    assert town.kindergarten.name in pages["case"]
    assert PLACE in pages["case"]
    assert town.teacher.get_full_name() in pages["child's access log"]
    assert town.health_centre.name in pages["withdraw consent"]
    assert town.kindergarten.name in pages["plan"]


def test_the_other_parent_sees_nothing_of_where_they_live_on_any_page(
    client, citizen_login, case, town
):
    protect(guardian(case, "Ingrid"))
    logged_in_as(client, citizen_login, FATHER)
    pages = min_side_pages(client, case)
    for name, page in pages.items():
        for words in revealing(town):
            assert words not in page, f"{words!r} on {name}"
    # He still sees his child and the help she gets, with the names left out.
    assert "Åse Sæther" in pages["home"]
    assert HIDDEN in pages["home"]
    assert "Ukentlige samtaler" in pages["case"]
    assert "Vi møtes igjen om tre uker." in pages["case"]
    assert HIDDEN in pages["case"]
    assert HIDDEN in pages["child's access log"]
    assert HIDDEN in {e["actor_name"] for e in json.loads(pages["access log API"])}
    # The plan names its responsibility group: not offered, and not found.
    assert reverse("portal:plan-pdf", args=[case.pk]) not in pages["case"]
    assert pages["plan"] == ""


def test_the_protected_mother_sees_it_all(client, citizen_login, case, town):
    protect(guardian(case, "Ingrid"))
    logged_in_as(client, citizen_login, MOTHER)
    pages = min_side_pages(client, case)
    assert town.kindergarten.name in pages["case"]
    assert PLACE in pages["case"]
    assert town.teacher.get_full_name() in pages["child's access log"]
    assert town.kindergarten.name in pages["plan"]


def test_a_child_placed_at_a_protected_address_is_hidden_from_both_parents(
    client, citizen_login, case, town
):
    protect(case.child, AddressProtection.CONFIDENTIAL)
    for number in (MOTHER, FATHER):
        client.cookies.clear()
        client.cookies["familiebro_language"] = "en"
        logged_in_as(client, citizen_login, number)
        pages = min_side_pages(client, case)
        for name, page in pages.items():
            for words in revealing(town):
                assert words not in page, f"{words!r} on {name}"


def test_a_protection_recorded_by_another_organisation_counts_too(
    client, citizen_login, case, town
):
    """The register's protection belongs to the person: the health trust recorded it on
    its own registration of the mother, and Stange's pages keep it all the same."""
    trust = town.bup.organisation
    twin = someone(trust, "Ingrid", "Sæther")
    twin.set_national_id(MOTHER)
    twin.address_protection = AddressProtection.CONFIDENTIAL
    twin.save()
    logged_in_as(client, citizen_login, FATHER)
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert town.kindergarten.name not in page
    assert HIDDEN in page


# Invitations and calendar files ------------------------------------------------------------


def calendar_text(message) -> str:
    parsed = email.message_from_bytes(message.message().as_bytes())
    [part] = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True).decode().replace("\r\n ", "")


def test_an_invitation_by_e_mail_carries_no_place_on_a_protected_case(case, town, mailoutbox):
    protect(guardian(case, "Ingrid"))
    meeting = case.meetings.get()
    meeting_services.invite(town.teacher, meeting, name="Ola Bråten", email="ola@example.no")
    meeting_services.invite(town.teacher, meeting, user=town.nurse)
    to_father, to_nurse = mailoutbox
    assert to_father.to == ["ola@example.no"]
    for text in (to_father.body, calendar_text(to_father)):
        assert "Møterom" not in text
        assert "Tangen" not in text
    assert "the service tells you the place itself" in to_father.body
    assert "LOCATION" not in calendar_text(to_father)
    # A colleague on the case reads the case anyway, and gets the place.
    assert "Møterom 2" in to_nurse.body
    assert "LOCATION:Møterom 2" in calendar_text(to_nurse)
    # Moving the meeting tells the father the new time, still without a place.
    moved = meeting_services.move_meeting(
        town.teacher,
        meeting,
        starts_at=meeting.starts_at + datetime.timedelta(hours=2),
        ends_at=meeting.ends_at + datetime.timedelta(hours=2),
        place="Møterom 3, Tangen barnehage",
        based_on_sequence=meeting.calendar_sequence,
    )
    assert moved.notified == 2
    update = next(m for m in mailoutbox[2:] if m.to == ["ola@example.no"])
    assert "Møterom" not in update.body + calendar_text(update)


def test_an_invitation_carries_the_place_when_nobody_is_protected(case, town, mailoutbox):
    meeting = case.meetings.get()
    meeting_services.invite(town.teacher, meeting, name="Fastlegen", email="lege@example.no")
    assert "Møterom 2" in mailoutbox[0].body
    assert "LOCATION:Møterom 2" in calendar_text(mailoutbox[0])


# The right-of-access export ----------------------------------------------------------------


def export_of(staff, person: Person, reader: Person | None = None):
    client = make.logged_in(staff)
    url = reverse("person-export-json", kwargs={"pk": person.pk})
    return client.get(url + (f"?til={reader.pk}" if reader else ""))


def test_the_childs_export_leaves_out_where_they_live_unless_it_is_for_the_mother(case, town):
    protect(guardian(case, "Ingrid"))
    for reader in (None, guardian(case, "Ola")):
        response = export_of(town.teacher, case.child, reader)
        assert response.status_code == 200
        data = response.content.decode()
        assert json.loads(data)["whereabouts_hidden"] is True
        for words in revealing(town):
            assert words not in data, (reader, words)
        assert "Ukentlige samtaler" in data  # the help itself is still there
    full = export_of(town.teacher, case.child, guardian(case, "Ingrid")).content.decode()
    assert json.loads(full)["whereabouts_hidden"] is False
    assert town.kindergarten.name in full
    assert PLACE in full


def test_the_pdf_export_says_what_it_left_out(case, town):
    protect(guardian(case, "Ingrid"))
    client = make.logged_in(town.teacher)
    response = client.get(reverse("person-export-pdf", kwargs={"pk": case.child_id}))
    text = flat(pdf_text(response.content))
    assert "sperret adresse" in text
    for words in revealing(town):
        assert words not in text, words


def test_an_export_for_someone_outside_the_family_is_refused_with_what_to_do(case, town):
    protect(guardian(case, "Ingrid"))
    stranger = someone(town.organisation, "Nils", "Nabo")
    response = export_of(town.teacher, case.child, stranger)
    assert response.status_code == 400
    assert "for the person or one of their guardians only" in response.content.decode()


def test_the_person_page_offers_an_export_for_each_of_the_family(case, town):
    protect(guardian(case, "Ingrid"))
    page = make.logged_in(town.teacher).get(
        reverse("person-detail", args=[case.child_id]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    mother, father = guardian(case, "Ingrid"), guardian(case, "Ola")
    assert f"?til={mother.pk}" in text
    assert f"?til={father.pk}" in text


# Barneloven § 47 -----------------------------------------------------------------------------


def test_a_parent_without_parental_responsibility_has_no_min_side_access_to_the_child(
    client, citizen_login, case
):
    """The right to information of a parent without parental responsibility (barneloven
    § 47) is the service's decision in each case, not self-service: Min side shows the child
    only to a guardian with parental responsibility, a biological parent included."""
    relation = case.child.guardians_rel.get(guardian__given_name="Ola")
    relation.has_parental_responsibility = False
    relation.save()
    logged_in_as(client, citizen_login, FATHER)
    assert "Åse Sæther" not in client.get(reverse("portal:home")).content.decode()
    for url in (
        reverse("portal:case", args=[case.pk]),
        reverse("portal:access-log", args=[case.child_id]),
        reverse("portal:plan-pdf", args=[case.pk]),
        f"/api/portal/persons/{case.child_id}/access-log",
    ):
        assert client.get(url).status_code == 404, url
