"""The duty of confidentiality follows the service: a school of the same municipality does not
read the health centre's case without the family's consent, and never changes it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from familiebro.cases import case_services, participant_services
from familiebro.cases.models import Case, LogEntry, Participant
from familiebro.core.models import ConfidentialityDomain, Membership, Person, ServiceUnit
from familiebro.persons import services as person_services
from familiebro.privacy import policy
from familiebro.privacy import services as privacy_services
from familiebro.privacy.models import Assignment, Purpose
from tests.cases import builders
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

READ = case_services.READ


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def school(town) -> ServiceUnit:
    """The municipality's school: education, another domain than its health centre's."""
    return make.unit(town.organisation, name="Stange skole", kind=ServiceUnit.Kind.SCHOOL)


@pytest.fixture
def teacher(school) -> Any:
    return make.member(school, first_name="Sindre", last_name="Lærer")


def health_centre_case(town) -> Case:
    case = builders.open_concern(town.nurse, town.health_centre)
    case_services.write_log_entry(
        town.nurse, case, kind=LogEntry.Kind.NOTE, text="Mor forteller om søvnvansker."
    )
    return case


def test_a_unit_gets_the_domain_of_its_kind_unless_it_is_set():
    organisation = make.organisation()
    assert make.unit(organisation, kind=ServiceUnit.Kind.SCHOOL).domain == "education"
    assert make.unit(organisation, kind=ServiceUnit.Kind.CHILD_WELFARE).domain == "child_welfare"
    assert make.unit(organisation, kind=ServiceUnit.Kind.BUP).domain == "specialist_health"
    family_centre = make.unit(
        organisation,
        kind=ServiceUnit.Kind.FAMILY_CENTRE,
        domain=ConfidentialityDomain.FAMILY_COUNSELLING,
    )
    assert family_centre.domain == "family_counselling"


def test_a_school_of_the_same_municipality_does_not_read_the_health_centres_case(town, teacher):
    case = health_centre_case(town)
    # The school knows the child itself: the need to know opens the child's identity, which
    # the municipality keeps once for all its services, but not the health centre's records.
    make.assign(case.child, user=teacher)

    assert policy.visible(teacher, Person, Purpose.COORDINATION).filter(pk=case.child_id)
    for model in (Case, LogEntry, Participant):
        assert not policy.visible(teacher, model, READ).filter(**_of(model, case)).exists()
    with pytest.raises(PermissionDenied, match="another duty of confidentiality"):
        policy.require(teacher, policy.Action.VIEW, case, READ)
    with pytest.raises(PermissionDenied, match="Only its own staff can change it"):
        policy.require(teacher, policy.Action.CHANGE, case, READ)


def test_the_familys_consent_naming_the_school_opens_what_it_covers_for_reading_only(
    town, school, teacher
):
    case = health_centre_case(town)
    builders.coordination_consent(case, school, scope=("log_entries",))
    # The consent names the school; of its staff it opens the case to who takes part in it.
    assert not policy.visible(teacher, Case, READ).filter(pk=case.pk).exists()
    participant_services.add_participant(town.nurse, case, unit=school, user=teacher)

    assert policy.visible(teacher, Case, READ).filter(pk=case.pk).exists()
    entries = policy.visible(teacher, LogEntry, READ).filter(case=case)
    assert "Mor forteller om søvnvansker." in [e.text for e in entries]
    # Not covered by the consent: the measures and plans, the participants among them.
    assert not policy.visible(teacher, Participant, READ).filter(case=case).exists()
    basis = policy.require(teacher, policy.Action.VIEW, case, READ)
    assert basis.kind == policy.Basis.CONSENT
    with pytest.raises(PermissionDenied):
        policy.require(teacher, policy.Action.CHANGE, case, READ)


def test_a_unit_of_another_domain_joins_the_case_only_under_consent(town, school, teacher):
    case = health_centre_case(town)
    with pytest.raises(ValidationError, match="no consent in force"):
        participant_services.add_participant(town.nurse, case, unit=school, role="Skole")
    assert not case.participants.filter(unit=school).exists()
    assert not Assignment.objects.filter(unit=school).exists()

    consent = builders.coordination_consent(case, school)
    participant = participant_services.add_participant(town.nurse, case, unit=school, role="Skole")
    assert participant.consent == consent
    assert participant.assignment is None  # it reads under the consent, not as a colleague
    page = make.logged_in(teacher).get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200


def test_a_unit_of_the_same_domain_joins_on_the_need_to_know(town):
    case = health_centre_case(town)
    # The family team is staffed by the health service: the same duty of confidentiality.
    participant = participant_services.add_participant(town.nurse, case, unit=town.team)
    assert participant.consent is None
    assert participant.assignment is not None
    assert policy.visible(town.therapist, LogEntry, READ).filter(case=case).exists()
    policy.require(town.therapist, policy.Action.CHANGE, case, READ)


def test_a_unit_whose_domain_is_set_otherwise_follows_its_domain(town):
    """An organisation that runs its family team under the child welfare service sets the
    team's domain; the health centre's case is then closed to the team without consent."""
    ServiceUnit.objects.filter(pk=town.team.pk).update(domain=ConfidentialityDomain.CHILD_WELFARE)
    town.team.refresh_from_db()
    case = health_centre_case(town)
    make.assign(case.child, unit=town.team)
    assert not policy.visible(town.therapist, Case, READ).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError, match="no consent in force"):
        participant_services.add_participant(town.nurse, case, unit=town.team)


def _of(model: type, case: Case) -> dict:
    return {"pk": case.pk} if model is Case else {"case": case}


def test_a_colleague_is_assigned_only_in_the_domain_the_two_share(town, school, teacher):
    """The nurse may give a colleague of her own service a need to know of the child; a teacher
    at the school, or the school as a unit, works under another duty of confidentiality."""
    case = health_centre_case(town)
    colleague = make.member(town.health_centre, first_name="Hanne", last_name="Kollega")

    given = privacy_services.assign(town.nurse, case.child, user=colleague, reason="helsesjekk")

    assert given.domain == ConfidentialityDomain.HEALTH
    for who in ({"user": teacher}, {"unit": school}):
        with pytest.raises(ValidationError, match="another duty of confidentiality"):
            privacy_services.assign(town.nurse, case.child, reason="skolen", **who)
    assert not Assignment.objects.filter(person=case.child, user=teacher).exists()
    assert not Assignment.objects.filter(person=case.child, unit=school).exists()


def test_registering_a_person_gives_a_need_to_know_in_each_domain_of_the_registrant(town):
    """Registering is not yet work in one service: the educator who also works in the family
    team is assigned in both of her domains, one assignment each."""
    Membership.objects.create(user=town.educator, unit=town.team, role=Membership.Role.WORKER)

    child = person_services.register_person(
        town.educator,
        town.organisation,
        kind=Person.Kind.CHILD,
        given_name="Ola",
        family_name="Nordmann",
        birth_date=datetime.date(2022, 5, 1),
    )

    assert sorted(
        Assignment.objects.filter(person=child, user=town.educator).values_list("domain", flat=True)
    ) == ["education", "health"]
