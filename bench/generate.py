"""Synthetic data for the benchmarks: municipalities, their services, staff and families,
and the catalogue of offers (bench/offers.py).

The shape follows Norway. Every municipality is its own organisation (data controller) with a
child health centre, PPT, child welfare and, by size, kindergartens and schools; the state's
family counselling offices each serve about ten municipalities. Municipality sizes follow
Zipf's law (at national scale the largest holds about 15 % of the persons, as Oslo does), so
the benchmarks meet both very large and very small organisations.

Every person has a synthetic identity number (birth month + 80, correct control digits),
encrypted and hashed by the product's own code. Production refuses such numbers, and this
generator refuses to run there.

Rows are written with bench/common.py's RowWriter, which gives them their ids.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.no import fodselsnummer, orgnr

from bench.cases import generate_cases
from bench.common import (
    BENCH_USERNAME,
    COUNTIES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    RowWriter,
    municipality_name,
)
from bench.offers import generate_offers
from bench.scales import Scale
from familiebro.catalogue.models import Offer, OfferSession
from familiebro.core.identifiers import SYNTHETIC_MONTH_OFFSET
from familiebro.core.models import (
    GuardianRelation,
    Membership,
    Municipality,
    Organisation,
    Person,
    ServiceUnit,
    User,
)

# About one staff user per 50 persons registered: health nurses, child welfare workers, PPT,
# kindergarten and school staff who follow families up (national: ~22,000 users).
PERSONS_PER_STAFF = 50
MIN_STAFF_PER_MUNICIPALITY = 5
STAFF_PER_COUNSELLING_OFFICE = 10
# One kindergarten per 300 registered persons and one school per 600 (national: ~3,500
# kindergartens and ~1,700 schools, against Norway's ~5,500 and ~2,800).
PERSONS_PER_KINDERGARTEN = 300
PERSONS_PER_SCHOOL = 600
# Share of staff who also work in a second unit of their municipality.
SECOND_MEMBERSHIP_SHARE = 0.2
TWO_GUARDIAN_SHARE = 0.75
CHILDREN_PER_FAMILY = ((1, 40), (2, 40), (3, 15), (4, 5))
YOUNG_PERSON_AGE = 16

# Birth dates count back from a fixed day, so a scale always yields the same persons.
REFERENCE_DATE = datetime.date(2025, 6, 30)
MARKER_TABLE = "bench_dataset"

TITLE_BY_UNIT_KIND: dict[str, str] = {
    ServiceUnit.Kind.HEALTH_CENTRE: User.Title.PUBLIC_HEALTH_NURSE,
    ServiceUnit.Kind.PPT: User.Title.PSYCHOLOGIST,
    ServiceUnit.Kind.CHILD_WELFARE: User.Title.CHILD_WELFARE_WORKER,
    ServiceUnit.Kind.KINDERGARTEN: User.Title.KINDERGARTEN_TEACHER,
    ServiceUnit.Kind.SCHOOL: User.Title.TEACHER,
    ServiceUnit.Kind.FAMILY_COUNSELLING: User.Title.FAMILY_THERAPIST,
    ServiceUnit.Kind.LOW_THRESHOLD_TEAM: User.Title.SOCIAL_WORKER,
}

# The bench user's units in the largest municipality, and the role in each.
BENCH_ROLES = (
    (ServiceUnit.Kind.HEALTH_CENTRE, Membership.Role.WORKER),
    (ServiceUnit.Kind.PPT, Membership.Role.COORDINATOR),
    (ServiceUnit.Kind.CHILD_WELFARE, Membership.Role.WORKER),
    # The low-threshold team: its allocation view is benchmarked.
    (ServiceUnit.Kind.LOW_THRESHOLD_TEAM, Membership.Role.WORKER),
)


class IdentityNumbers:
    """Hands out unique synthetic identity numbers with valid control digits."""

    def __init__(self) -> None:
        self._next_individual: dict[datetime.date, int] = {}

    def issue(self, birth: datetime.date) -> tuple[str, datetime.date]:
        """A fresh number for `birth`, or for an earlier day once that day's numbers run out.

        Earlier, never later: a birth date must not move into the future.
        """
        for day in range(366):
            date = birth - datetime.timedelta(days=day)
            number = self._issue_for(date)
            if number is not None:
                return number, date
        raise RuntimeError(f"No synthetic identity numbers left near {birth}.")

    def _issue_for(self, birth: datetime.date) -> str | None:
        # The individual number's range tells the century: 000-499 for 1900-1999, 500-999
        # for 2000-2039.
        first, last = (0, 499) if birth.year < 2000 else (500, 999)
        individual = self._next_individual.get(birth, first)
        month = birth.month + SYNTHETIC_MONTH_OFFSET
        while individual <= last:
            base = f"{birth:%d}{month:02d}{birth:%y}{individual:03d}"
            individual += 1
            # A control digit of 10 cannot be written: that individual number is not issued.
            check1 = fodselsnummer.calc_check_digit1(base)
            if len(check1) != 1:
                continue
            check2 = fodselsnummer.calc_check_digit2(base + check1)
            if len(check2) != 1:
                continue
            self._next_individual[birth] = individual
            return base + check1 + check2
        self._next_individual[birth] = individual
        return None


@dataclass
class MunicipalityPlan:
    municipality: Municipality
    organisation: Organisation
    persons: int
    units: list[ServiceUnit]

    def unit_of_kind(self, kind: str) -> ServiceUnit:
        return next(unit for unit in self.units if unit.kind == kind)


@dataclass(frozen=True)
class RecordedDataset:
    scale: str
    generated_at: str
    seconds: float


def municipality_sizes(scale: Scale) -> list[int]:
    """Persons per municipality, largest first: Zipf weights, rounded to sum exactly."""
    weights = [1 / rank for rank in range(1, scale.municipalities + 1)]
    total = sum(weights)
    exact = [scale.persons * weight / total for weight in weights]
    sizes = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - sizes[i], reverse=True)
    for i in by_remainder[: scale.persons - sum(sizes)]:
        sizes[i] += 1
    return sizes


def organisation_numbers() -> Iterator[str]:
    """Valid, unique organisation numbers in a range the test factories do not use."""
    base = 91_000_000
    while True:
        for digit in "0123456789":
            if orgnr.is_valid(f"{base}{digit}"):
                yield f"{base}{digit}"
                break
        base += 1


def _add_municipalities(
    writer: RowWriter, scale: Scale, numbers: Iterator[str]
) -> list[MunicipalityPlan]:
    through = ServiceUnit.municipalities_served.through
    plans = []
    for index, persons in enumerate(municipality_sizes(scale)):
        name = municipality_name(index)
        municipality = writer.add(
            Municipality(
                number=f"{index + 1:04d}",
                name=name,
                county=COUNTIES[index * len(COUNTIES) // scale.municipalities],
            )
        )
        organisation = writer.add(
            Organisation(
                name=f"{name} kommune",
                kind=Organisation.Kind.MUNICIPALITY,
                org_number=next(numbers),
                municipality_id=municipality.pk,
            )
        )
        unit_names = [
            (ServiceUnit.Kind.HEALTH_CENTRE, f"Helsestasjonen i {name}"),
            (ServiceUnit.Kind.PPT, f"PPT {name}"),
            (ServiceUnit.Kind.CHILD_WELFARE, f"Barneverntjenesten i {name}"),
            # The low-threshold family team (Familiehjelpa's pathway, the allocation view).
            (ServiceUnit.Kind.LOW_THRESHOLD_TEAM, f"Familieteamet i {name}"),
        ]
        for n in range(1, max(1, persons // PERSONS_PER_KINDERGARTEN) + 1):
            unit_names.append((ServiceUnit.Kind.KINDERGARTEN, f"{name} barnehage {n}"))
        for n in range(1, max(1, persons // PERSONS_PER_SCHOOL) + 1):
            unit_names.append((ServiceUnit.Kind.SCHOOL, f"{name} skole {n}"))
        units = []
        for kind, unit_name in unit_names:
            unit = writer.add(
                ServiceUnit(
                    organisation_id=organisation.pk,
                    name=unit_name,
                    kind=kind,
                    # Written in bulk, past save(), which would fill it in.
                    domain=ServiceUnit.default_domain(kind),
                )
            )
            writer.add(through(serviceunit_id=unit.pk, municipality_id=municipality.pk))
            units.append(unit)
        plans.append(MunicipalityPlan(municipality, organisation, persons, units))
    return plans


def _add_family_counselling(
    writer: RowWriter, scale: Scale, plans: list[MunicipalityPlan], numbers: Iterator[str]
) -> list[ServiceUnit]:
    """One state organisation whose offices each serve a run of neighbouring municipalities."""
    through = ServiceUnit.municipalities_served.through
    state = writer.add(
        Organisation(
            name="Bufetat, familievernet",
            kind=Organisation.Kind.STATE_SERVICE,
            org_number=next(numbers),
        )
    )
    offices = []
    count = scale.family_counselling_offices
    for index in range(count):
        served = plans[index * len(plans) // count : (index + 1) * len(plans) // count]
        office = writer.add(
            ServiceUnit(
                organisation_id=state.pk,
                name=f"Familievernkontoret i {served[0].municipality.name}",
                kind=ServiceUnit.Kind.FAMILY_COUNSELLING,
                domain=ServiceUnit.default_domain(ServiceUnit.Kind.FAMILY_COUNSELLING),
            )
        )
        for plan in served:
            writer.add(through(serviceunit_id=office.pk, municipality_id=plan.municipality.pk))
        offices.append(office)
    return offices


def _add_user(
    writer: RowWriter,
    rng: random.Random,
    unit_kind: str,
    *,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """A staff user with a confirmed authenticator app, as every real staff member has."""
    pk = writer.next_id(User)
    user = writer.add(
        User(
            pk=pk,
            username=username or f"ansatt{pk}",
            first_name=first_name or rng.choice(GIVEN_NAMES),
            last_name=last_name or rng.choice(FAMILY_NAMES),
            professional_title=TITLE_BY_UNIT_KIND.get(unit_kind, User.Title.OTHER),
            # Unusable: benchmark sessions are made directly, and hashing ~22,000 passwords
            # with PBKDF2 would take hours.
            password=make_password(None),
        )
    )
    writer.add(TOTPDevice(user_id=user.pk, name="Autentiseringsapp", confirmed=True))
    return user


def _add_staff(
    writer: RowWriter,
    rng: random.Random,
    plans: list[MunicipalityPlan],
    offices: list[ServiceUnit],
) -> None:
    for plan in plans:
        units = plan.units
        for index in range(max(MIN_STAFF_PER_MUNICIPALITY, plan.persons // PERSONS_PER_STAFF)):
            unit = units[index % len(units)]
            if index < len(units):
                role = Membership.Role.LEADER
            elif index % 10 == 0:
                role = Membership.Role.COORDINATOR
            else:
                role = Membership.Role.WORKER
            user = _add_user(writer, rng, unit.kind)
            writer.add(Membership(user_id=user.pk, unit_id=unit.pk, role=role))
            if rng.random() < SECOND_MEMBERSHIP_SHARE:
                other = units[(index + 1 + rng.randrange(len(units) - 1)) % len(units)]
                writer.add(
                    Membership(user_id=user.pk, unit_id=other.pk, role=Membership.Role.WORKER)
                )
    for office in offices:
        for index in range(STAFF_PER_COUNSELLING_OFFICE):
            user = _add_user(writer, rng, office.kind)
            role = Membership.Role.LEADER if index == 0 else Membership.Role.WORKER
            writer.add(Membership(user_id=user.pk, unit_id=office.pk, role=role))


def _add_bench_user(writer: RowWriter, rng: random.Random, plan: MunicipalityPlan) -> None:
    """The user the benchmarks log in as: four roles in the largest municipality."""
    user = _add_user(
        writer,
        rng,
        ServiceUnit.Kind.HEALTH_CENTRE,
        username=BENCH_USERNAME,
        first_name="Bente",
        last_name="Benk",
    )
    for kind, role in BENCH_ROLES:
        writer.add(Membership(user_id=user.pk, unit_id=plan.unit_of_kind(kind).pk, role=role))


def _add_person(
    writer: RowWriter,
    rng: random.Random,
    numbers: IdentityNumbers,
    *,
    organisation_id: int,
    kind: str,
    family_name: str,
    birth: datetime.date,
) -> Person:
    number, birth = numbers.issue(birth)
    person = Person(
        organisation_id=organisation_id,
        kind=kind,
        given_name=rng.choice(GIVEN_NAMES),
        family_name=family_name,
        birth_date=birth,
    )
    # The product's own path: validates the number, then encrypts and hashes it.
    person.set_national_id(number)
    return writer.add(person)


def _add_families(
    writer: RowWriter, rng: random.Random, numbers: IdentityNumbers, plan: MunicipalityPlan
) -> None:
    """Families of one or two guardians and one to four children, until the quota is met."""
    sizes, weights = zip(*CHILDREN_PER_FAMILY, strict=True)
    days_per_year = 365
    remaining = plan.persons
    while remaining > 0:
        family_name = rng.choice(FAMILY_NAMES)
        child_ages = sorted(
            rng.randrange(18 * days_per_year) for _ in range(rng.choices(sizes, weights)[0])
        )
        guardian_count = 2 if rng.random() < TWO_GUARDIAN_SHARE else 1
        members = [
            (
                Person.Kind.GUARDIAN,
                REFERENCE_DATE
                - datetime.timedelta(
                    days=child_ages[-1] + rng.randrange(20 * days_per_year, 42 * days_per_year)
                ),
            )
            for _ in range(guardian_count)
        ]
        members += [
            (
                Person.Kind.YOUNG_PERSON
                if age >= YOUNG_PERSON_AGE * days_per_year
                else Person.Kind.CHILD,
                REFERENCE_DATE - datetime.timedelta(days=age),
            )
            for age in child_ages
        ]
        persons = [
            _add_person(
                writer,
                rng,
                numbers,
                organisation_id=plan.organisation.pk,
                kind=kind,
                family_name=family_name,
                birth=birth,
            )
            for kind, birth in members[:remaining]
        ]
        remaining -= len(persons)
        guardians = [p for p in persons if p.kind == Person.Kind.GUARDIAN]
        children = [p for p in persons if p.kind != Person.Kind.GUARDIAN]
        for guardian in guardians:
            step_parent = rng.random() < 0.1
            for child in children:
                writer.add(
                    GuardianRelation(
                        organisation_id=plan.organisation.pk,
                        guardian_id=guardian.pk,
                        child_id=child.pk,
                        kind=GuardianRelation.Kind.STEP
                        if step_parent
                        else GuardianRelation.Kind.BIOLOGICAL,
                        has_parental_responsibility=not step_parent,
                        lives_with_child=len(guardians) == 2 or rng.random() < 0.5,
                    )
                )


def generate(scale: Scale, *, progress: Callable[[str], None] = print) -> float:
    """Write the dataset for `scale` in one transaction; return the seconds it took."""
    if not settings.ACCEPT_SYNTHETIC_IDENTITY_NUMBERS:
        raise ImproperlyConfigured(
            "The benchmark data uses synthetic identity numbers, which production refuses. "
            "Run with FAMILIEBRO_MODE=test."
        )
    started = time.perf_counter()
    # A string seed is hashed deterministically: the same scale gives the same data.
    rng = random.Random(f"familiebro-bench-{scale.name}")
    with transaction.atomic():
        writer = RowWriter()
        # Ids after the shipped municipalities', though they give way below: the sequence is
        # moved past the ids written, and a sequence is not rolled back with a transaction,
        # so one moved below rows that come back would collide with them.
        writer.next_id(Municipality)
        # The benchmark's country is synthetic: the municipalities Familiebro ships (loaded
        # by a migration, nothing pointing at them yet) give way to its numbered ones.
        Municipality.objects.filter(organisation__isnull=True, units__isnull=True).delete()
        org_numbers = organisation_numbers()
        plans = _add_municipalities(writer, scale, org_numbers)
        offices = _add_family_counselling(writer, scale, plans, org_numbers)
        _add_staff(writer, rng, plans, offices)
        _add_bench_user(writer, rng, plans[0])
        writer.flush()
        progress(f"  organisations, units and staff: {time.perf_counter() - started:.1f} s")
        numbers = IdentityNumbers()
        done, reported = 0, 0
        for plan in plans:
            _add_families(writer, rng, numbers, plan)
            done += plan.persons
            if done * 10 // scale.persons > reported:
                reported = done * 10 // scale.persons
                elapsed = time.perf_counter() - started
                progress(f"  persons: {done:,} of {scale.persons:,} ({elapsed:.1f} s)")
        writer.finish()
        if scale.offers:
            generate_offers(scale, progress=progress)
        if scale.cases:
            generate_cases(scale, progress=progress)
        seconds = time.perf_counter() - started
        _record_dataset(scale, seconds)
    return seconds


def counted_models() -> list[type[models.Model]]:
    return [
        Municipality,
        Organisation,
        ServiceUnit,
        ServiceUnit.municipalities_served.through,
        User,
        Membership,
        TOTPDevice,
        Person,
        GuardianRelation,
        Offer,
        Offer.municipalities.through,
        OfferSession,
        *case_models(),
    ]


def case_models() -> list[type[models.Model]]:
    from familiebro.cases import models as cases
    from familiebro.privacy.models import Assignment

    return [
        cases.Case,
        Assignment,
        cases.Participant,
        cases.LogEntry,
        cases.Decision,
        cases.Milestone,
        cases.Goal,
        cases.Measure,
        cases.Meeting,
        cases.Deadline,
        cases.Handover,
        cases.IndividualPlan,
        cases.HelpRequest,
    ]


def table_counts() -> dict[str, int]:
    return {model._meta.db_table: model._default_manager.count() for model in counted_models()}


def recorded_dataset() -> RecordedDataset | None:
    """Which scale the database holds, as recorded by `generate`; None if none."""
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scale, generated_at, seconds FROM {MARKER_TABLE}")  # noqa: S608
        row = cursor.fetchone()
    return RecordedDataset(*row) if row else None


def forget_dataset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")


def _record_dataset(scale: Scale, seconds: float) -> None:
    # A table of its own rather than a model: it belongs to the benchmark database only.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scale VARCHAR(20) NOT NULL, "
            "generated_at VARCHAR(40) NOT NULL, seconds DOUBLE PRECISION NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (scale, generated_at, seconds) VALUES (%s, %s, %s)",  # noqa: S608
            [scale.name, timezone.now().isoformat(timespec="seconds"), round(seconds, 1)],
        )
