"""The benchmark data generator, at its tiny scale, on the test database."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import generate
from bench.common import BENCH_USERNAME
from bench.scales import SCALES
from familiebro.core import crypto
from familiebro.core.identifiers import normalise_identity_number
from familiebro.core.models import (
    GuardianRelation,
    Membership,
    Municipality,
    Organisation,
    Person,
    ServiceUnit,
    User,
)
from familiebro.persons import services

TINY = SCALES["tiny"]


@pytest.fixture
def dataset(db):
    generate.generate(TINY, progress=lambda _message: None)


def test_counts_match_the_scale(dataset):
    assert Municipality.objects.count() == 2
    # One organisation per municipality, plus the state's family counselling service.
    assert Organisation.objects.count() == 3
    assert Person.objects.count() == 200
    assert sum(generate.municipality_sizes(TINY)) == 200
    counts = generate.table_counts()
    assert counts["core_person"] == 200
    assert counts["core_municipality"] == 2
    assert counts["core_guardianrelation"] == GuardianRelation.objects.count() > 0
    assert counts["core_user"] == User.objects.count() == TOTPDevice.objects.count()


def test_every_municipality_has_its_services(dataset):
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY):
        kinds = set(organisation.units.values_list("kind", flat=True))
        assert kinds == {
            ServiceUnit.Kind.HEALTH_CENTRE,
            ServiceUnit.Kind.KINDERGARTEN,
            ServiceUnit.Kind.SCHOOL,
            ServiceUnit.Kind.PPT,
            ServiceUnit.Kind.CHILD_WELFARE,
            ServiceUnit.Kind.LOW_THRESHOLD_TEAM,
        }
        assert Membership.objects.filter(unit__organisation=organisation).exists()
    office = ServiceUnit.objects.get(kind=ServiceUnit.Kind.FAMILY_COUNSELLING)
    assert office.municipalities_served.count() == 2


def test_guardians_and_children_share_their_organisation(dataset):
    relation = GuardianRelation.objects.select_related("guardian", "child").first()
    assert relation is not None
    assert relation.guardian.organisation_id == relation.child.organisation_id
    assert relation.guardian.kind == Person.Kind.GUARDIAN


def test_identity_numbers_are_valid_synthetic_and_findable(dataset):
    persons = list(Person.objects.order_by("pk"))
    numbers = [person.national_id for person in persons]
    assert len(set(numbers)) == len(persons)
    for person, number in zip(persons, numbers, strict=True):
        assert number is not None
        assert normalise_identity_number(number) == number
        assert int(number[2:4]) > 80  # synthetic: birth month + 80
        assert Person.objects.get(national_id_hash=crypto.lookup_hash(number)) == person


def test_bench_user_finds_persons_of_its_organisation(dataset):
    user = User.objects.get(username=BENCH_USERNAME)
    assert user.memberships.count() == len(generate.BENCH_ROLES)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    organisation_id = user.memberships.values_list("unit__organisation_id", flat=True)[0]
    person = Person.objects.filter(organisation_id=organisation_id).first()
    assert person is not None
    assert services.find_person_by_identity_number(user, person.national_id) == person


def test_the_database_remembers_its_scale(dataset):
    recorded = generate.recorded_dataset()
    assert recorded is not None
    assert recorded.scale == "tiny"
    generate.forget_dataset()
    assert generate.recorded_dataset() is None


def test_the_bench_users_case_pages_have_their_data(dataset):
    from bench import cases
    from familiebro.cases import case_pages
    from familiebro.cases.models import Case, HelpRequest, LogEntry

    user = User.objects.get(username=BENCH_USERNAME)
    rows = case_pages.my_cases(user)
    roles = [row.role for row in rows]
    assert roles.count("Coordinator") == cases.BENCH_COORDINATED
    assert roles.count("Participant") == cases.BENCH_PARTICIPATING
    assert any(row.next_deadline is not None for row in rows)
    long_case = cases.long_case(user)
    assert long_case is not None
    assert LogEntry.objects.filter(case=long_case).count() == cases.BENCH_LONG_LOG

    def section(name):
        return case_pages.case_page(user, long_case.pk, name)

    log = section(case_pages.LOG)
    assert len(log.log) == case_pages.LOG_ON_CASE_PAGE and log.log_continues
    goals = section(case_pages.GOALS)
    assert goals.goals and goals.measures
    assert section(case_pages.MEETINGS).meetings
    assert section(case_pages.OVERVIEW).deadlines
    assert section(case_pages.DECISIONS).plan
    team = user.memberships.get(unit__kind=ServiceUnit.Kind.LOW_THRESHOLD_TEAM).unit
    allocation = case_pages.allocation(user, team.pk)
    assert len(allocation.cases) >= cases.BENCH_ALLOCATION_CASES
    assert len(allocation.requests) >= cases.BENCH_NEW_REQUESTS
    assert Case.objects.filter(status=Case.Status.CLOSED).count() > 0
    assert HelpRequest.objects.filter(status=HelpRequest.Status.CONVERTED).exists()
