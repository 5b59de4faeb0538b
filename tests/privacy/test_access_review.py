"""The data controller's periodic review of the access log (privacy.access_review)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.core.models import Membership, Person
from familiebro.privacy import access_review, audit, exceptional, policy
from familiebro.privacy.models import AccessLogReview, AuditEvent
from tests import factories
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

URL = reverse("access-review")


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"


def read(user, person):
    """A read of the person's record, as the policy records one."""
    return audit.record(
        AuditEvent.Action.VIEW,
        actor=user,
        objects=[person],
        subject_ids=[person.pk],
        organisation_id=person.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
    )


@pytest.fixture
def world(unit):
    """A health centre with its leader, a nurse who works with one child, a nurse called
    Berg, and a child welfare unit of the same organisation with its own worker."""
    organisation = unit.organisation
    leader = make.member(unit, Membership.Role.LEADER, last_name="Leder")
    nurse = make.member(unit, last_name="Dahl")
    berg = make.member(unit, last_name="Berg")
    known = factories.PersonFactory(organisation=organisation, family_name="Lie")
    make.assign(known, user=nurse)
    relative = factories.PersonFactory(organisation=organisation, family_name="Hansen-Berg")
    welfare = make.unit(organisation, name="Barnevernet", kind="barnevern")
    caseworker = make.member(welfare, last_name="Strand")
    return {
        "organisation": organisation,
        "unit": unit,
        "leader": leader,
        "nurse": nurse,
        "berg": berg,
        "known": known,
        "relative": relative,
        "caseworker": caseworker,
    }


def test_only_leaders_review_the_access_log(client, world):
    response = make.logged_in(world["nurse"], client).get(URL)
    assert response.status_code == 403
    assert "Only unit leaders review the access log" in response.content.decode()


def test_the_review_shows_many_reads_reads_outside_ones_work_and_name_matches(client, world):
    nurse, berg, known, relative = world["nurse"], world["berg"], world["known"], world["relative"]
    read(nurse, known)
    # Berg reads a person with "Berg" in the family name, whom nobody assigned her to.
    read(berg, relative)
    # The nurse reads the data of many persons, none of them hers.
    many = [
        factories.PersonFactory(organisation=world["organisation"], family_name=f"Navn{i}")
        for i in range(access_review.MANY_PERSONS)
    ]
    for person in many:
        read(nurse, person)
    # Not the reviewer's to see: a child welfare worker's reads, the leader's own, and reads
    # in another organisation.
    read(world["caseworker"], relative)
    read(world["leader"], relative)
    elsewhere = make.member(make.unit())
    stranger = factories.PersonFactory(organisation=elsewhere.memberships.get().unit.organisation)
    read(elsewhere, stranger)

    page = access_review.review_page(world["leader"])
    assert page.reads == access_review.MANY_PERSONS + 2
    assert [(r.name, r.persons) for r in page.many_reads] == [
        (nurse.display_name(), access_review.MANY_PERSONS + 1)
    ]
    outside = {(r.staff_name, r.person_id) for r in page.outside_unit}
    assert (berg.display_name(), relative.pk) in outside
    assert (nurse.display_name(), known.pk) not in outside
    assert page.outside_unit_total == access_review.MANY_PERSONS + 1
    assert [(r.staff_name, r.person_id) for r in page.name_match] == [
        (berg.display_name(), relative.pk)
    ]
    assert len(page.sample) == access_review.SAMPLE_SIZE
    # The same sample however often the page is read.
    again = access_review.review_page(world["leader"])
    assert again.sample_event_ids == page.sample_event_ids

    # On the page: staff by name, persons by number, never their names.
    html = make.logged_in(world["leader"], client).get(URL).content.decode()
    assert f"Person no. {relative.pk}" in html
    assert "Hansen-Berg" not in html and relative.given_name not in html
    assert berg.display_name() in html
    assert world["caseworker"].display_name() not in html
    # Reading the page is audited about the persons it names; the family sees that it was
    # checked.
    event = AuditEvent.objects.filter(purpose=access_review.REVIEW_PURPOSE).latest("pk")
    assert str(relative.pk) in event.subject_ids
    assert event.actor_id == world["leader"].pk


def test_a_break_glass_read_is_a_read_outside_ones_work(world):
    other = make.unit(world["organisation"], name="Legevakten")
    doctor = make.member(other)
    Membership.objects.create(user=doctor, unit=world["unit"], role=Membership.Role.WORKER)
    exceptional.open_access(
        doctor,
        person_id=world["known"].pk,
        found_person_ids=[world["known"].pk],
        looked_up_at=timezone.now(),
        reason="Barnet er innlagt akutt i natt",
    )
    policy.get_or_404(doctor, Person, world["known"].pk, policy.Purpose.CASEWORK)
    page = access_review.review_page(world["leader"])
    assert [(r.staff_name, r.person_id) for r in page.outside_unit] == [
        (doctor.display_name(), world["known"].pk)
    ]
    assert "Break-glass access" in {s.basis for s in page.sample}


def test_the_review_is_recorded_with_who_when_what_was_found_and_the_notes(client, world):
    read(world["berg"], world["relative"])
    leader_client = make.logged_in(world["leader"], client)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=13)
    period = {"fra": start.isoformat(), "til": today.isoformat()}
    refused = leader_client.post(URL, period | {"notes": "Ok"})
    assert refused.status_code == 400
    assert "at least 10 characters" in refused.content.decode()
    assert not AccessLogReview.objects.exists()

    notes = "Spurte Berg om oppslaget; hun følger opp familien i helsestasjonen."
    response = leader_client.post(URL, period | {"notes": notes})
    assert response.status_code == 302
    review = AccessLogReview.objects.get()
    assert (review.reviewed_by, review.organisation) == (world["leader"], world["organisation"])
    assert (review.period_start, review.period_end, review.notes) == (start, today, notes)
    assert review.findings["name_match"] == 1 and review.findings["reads"] == 1
    recorded = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, purpose="access_log_review")
    assert recorded.object_ids == [str(review.pk)]
    page = leader_client.get(response["Location"]).content.decode()
    assert "Your review is recorded." in page and notes in page


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"fra": "31.02.2026"}, "Write the date as dd.mm.yyyy"),
        ({"fra": "2026-03-10", "til": "2026-03-01"}, "The period must start before it ends."),
        ({"fra": "2026-01-01", "til": "2026-06-30"}, "Review at most 92 days at a time."),
        ({"til": "2999-01-01"}, "The period cannot end after today."),
    ],
)
def test_a_period_that_is_not_one_is_explained(client, world, period, message):
    response = make.logged_in(world["leader"], client).get(URL, period)
    assert response.status_code == 400
    assert message in response.content.decode()
