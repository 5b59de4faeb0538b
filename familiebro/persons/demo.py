"""Demo data of the persons part: fictional families, each registered with one of the demo
organisations of familiebro.core.demo, and the need to know their organisation's working units
have of them.

Identity numbers are synthetic in the way Norway's test data (Skatteetaten's Tenor) makes them:
80 is added to the birth month and the control digits are computed over those digits. The
instance accepts them only in demo and test mode, so none of these persons can exist in a
production register. The ninth digit follows the usual convention (even: female, odd: male).

`load_demo_families()` is idempotent: it looks every person up by identity number (or name)
and creates only what is missing, so a second run writes nothing, not even audit events.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from familiebro.core import crypto
from familiebro.core.demo import (
    BUFETAT_NORD,
    BUFETAT_VEST,
    HELSE_MORE_OG_ROMSDAL,
    HOME_START,
    LILLESTROM_KOMMUNE,
    MOLDE_KOMMUNE,
    NAMSOS_KOMMUNE,
    RANA_KOMMUNE,
    SKIEN_KOMMUNE,
    STANGE_KOMMUNE,
    LoadResult,
)
from familiebro.core.identifiers import birth_date_from_identity_number, normalise_identity_number
from familiebro.core.models import GuardianRelation, Organisation, Person, ServiceUnit
from familiebro.privacy.models import Assignment

from . import services

Relation = GuardianRelation.Kind


@dataclass(frozen=True)
class PersonSpec:
    key: str
    kind: Person.Kind
    given_name: str
    family_name: str
    # The birth date is read from the identity number, so the two can never disagree.
    national_id: str | None


@dataclass(frozen=True)
class RelationSpec:
    guardian: str
    child: str
    kind: GuardianRelation.Kind
    has_parental_responsibility: bool
    lives_with_child: bool = True


@dataclass(frozen=True)
class FamilySpec:
    # Shown on the Min side login of a demo instance, in the visitor's language.
    situation: str | Promise
    organisation: str
    members: tuple[PersonSpec, ...]
    relations: tuple[RelationSpec, ...] = ()


CHILD = Person.Kind.CHILD
YOUNG = Person.Kind.YOUNG_PERSON
GUARDIAN = Person.Kind.GUARDIAN
EXPECTANT = Person.Kind.EXPECTANT_PARENT

FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec(
        _("Parents who called Familiehjelpa themselves about sleep and conflict at home."),
        STANGE_KOMMUNE,
        (
            PersonSpec("marte", GUARDIAN, "Marte", "Haugen", "17849121278"),
            PersonSpec("jonas", GUARDIAN, "Jonas", "Haugen", "02898934996"),
            PersonSpec("emma", CHILD, "Emma", "Haugen", "11861954058"),
            PersonSpec("noah", CHILD, "Noah", "Haugen", "28822461567"),
        ),
        (
            RelationSpec("marte", "emma", Relation.BIOLOGICAL, True),
            RelationSpec("jonas", "emma", Relation.BIOLOGICAL, True),
            RelationSpec("marte", "noah", Relation.BIOLOGICAL, True),
            RelationSpec("jonas", "noah", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        _("Separated parents; the father has no parental responsibility and lives elsewhere."),
        STANGE_KOMMUNE,
        (
            PersonSpec("silje", GUARDIAN, "Silje", "Lund", "05928717668"),
            PersonSpec("thomas", GUARDIAN, "Thomas", "Berg", "21838526338"),
            PersonSpec("oskar", CHILD, "Oskar", "Lund", "09901570199"),
        ),
        (
            RelationSpec("silje", "oskar", Relation.BIOLOGICAL, True),
            RelationSpec("thomas", "oskar", Relation.BIOLOGICAL, False, lives_with_child=False),
        ),
    ),
    FamilySpec(
        # The father is known by name only: no birth date, no number.
        _(
            "Expectant parents at the health centre; the father is registered by name only, "
            "without an identity number."
        ),
        STANGE_KOMMUNE,
        (
            PersonSpec("nora", EXPECTANT, "Nora", "Ahmed", "14889642891"),
            PersonSpec("ali", EXPECTANT, "Ali", "Ahmed", None),
        ),
    ),
    FamilySpec(
        _("First-time parents offered a couple conversation on the visiting therapist's day."),
        RANA_KOMMUNE,
        (
            PersonSpec("ida", GUARDIAN, "Ida", "Johansen", "30819432267"),
            PersonSpec("magnus", GUARDIAN, "Magnus", "Olsen", "08919215799"),
            PersonSpec("selma", CHILD, "Selma", "Olsen", "19882683462"),
        ),
        (
            RelationSpec("ida", "selma", Relation.BIOLOGICAL, True),
            RelationSpec("magnus", "selma", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        # The same couple, as the family counselling office in Mo i Rana knows them after the
        # visiting therapist's day: the office keeps its own record (familiebro.cases.demo).
        _("The same first-time parents in couple conversations at the family counselling office."),
        BUFETAT_NORD,
        (
            PersonSpec("ida", GUARDIAN, "Ida", "Johansen", "30819432267"),
            PersonSpec("magnus", GUARDIAN, "Magnus", "Olsen", "08919215799"),
            PersonSpec("selma", CHILD, "Selma", "Olsen", "19882683462"),
        ),
        (
            RelationSpec("ida", "selma", Relation.BIOLOGICAL, True),
            RelationSpec("magnus", "selma", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        _("Parents who are separating, in mediation at the family counselling office."),
        BUFETAT_NORD,
        (
            PersonSpec("kari", GUARDIAN, "Kari", "Nilsen", "14859140069"),
            PersonSpec("per", GUARDIAN, "Per", "Hansen", "02918840187"),
            PersonSpec("ella", CHILD, "Ella", "Hansen", "23862140265"),
        ),
        (
            RelationSpec("kari", "ella", Relation.BIOLOGICAL, True),
            RelationSpec("per", "ella", Relation.BIOLOGICAL, True, lives_with_child=False),
        ),
    ),
    FamilySpec(
        _("A single father with a teenage son, who consents for himself, and a younger daughter."),
        RANA_KOMMUNE,
        (
            PersonSpec("erik", GUARDIAN, "Erik", "Pedersen", "25858009734"),
            PersonSpec("sander", YOUNG, "Sander", "Pedersen", "03870956966"),
            PersonSpec("lea", CHILD, "Lea", "Pedersen", "14821374287"),
        ),
        (
            RelationSpec("erik", "sander", Relation.BIOLOGICAL, True),
            RelationSpec("erik", "lea", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        # Foster parents care for the child but the birth mother keeps parental responsibility.
        _("A boy in foster care after a care order; his mother keeps parental responsibility."),
        NAMSOS_KOMMUNE,
        (
            PersonSpec("anne", GUARDIAN, "Anne", "Kristiansen", "19897528463"),
            PersonSpec("rolf", GUARDIAN, "Rolf", "Kristiansen", "02847340781"),
            PersonSpec("hanne", GUARDIAN, "Hanne", "Moe", "30869303425"),
            PersonSpec("aksel", CHILD, "Aksel", "Moe", "27911492178"),
        ),
        (
            RelationSpec("anne", "aksel", Relation.FOSTER, False),
            RelationSpec("rolf", "aksel", Relation.FOSTER, False),
            RelationSpec("hanne", "aksel", Relation.BIOLOGICAL, True, lives_with_child=False),
        ),
    ),
    FamilySpec(
        _(
            "A couple with a little daughter, registered by the family counselling office in "
            "Nordfjord."
        ),
        BUFETAT_VEST,
        (
            PersonSpec("solveig", GUARDIAN, "Solveig", "Myklebust", "12839037862"),
            PersonSpec("arne", GUARDIAN, "Arne", "Myklebust", "24908823148"),
            PersonSpec("live", CHILD, "Live", "Myklebust", "06852565630"),
        ),
        (
            RelationSpec("solveig", "live", Relation.BIOLOGICAL, True),
            RelationSpec("arne", "live", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        _("A family new to Norway with two young children, registered in Skien."),
        SKIEN_KOMMUNE,
        (
            PersonSpec("amina", GUARDIAN, "Amina", "Yusuf", "20829214068"),
            PersonSpec("hassan", GUARDIAN, "Hassan", "Yusuf", "15928646146"),
            PersonSpec("yasmin", CHILD, "Yasmin", "Yusuf", "17892050848"),
            PersonSpec("idris", CHILD, "Idris", "Yusuf", "04842278991"),
        ),
        (
            RelationSpec("amina", "yasmin", Relation.BIOLOGICAL, True),
            RelationSpec("hassan", "yasmin", Relation.BIOLOGICAL, True),
            RelationSpec("amina", "idris", Relation.BIOLOGICAL, True),
            RelationSpec("hassan", "idris", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        _("Parents of a boy with a disability, registered in Lillestrøm."),
        LILLESTROM_KOMMUNE,
        (
            PersonSpec("linh", GUARDIAN, "Linh", "Nguyen", "07878933421"),
            PersonSpec("minh", GUARDIAN, "Minh", "Nguyen", "19818707331"),
            PersonSpec("an", CHILD, "An", "Nguyen", "23831887575"),
        ),
        (
            RelationSpec("linh", "an", Relation.BIOLOGICAL, True),
            RelationSpec("minh", "an", Relation.BIOLOGICAL, True),
        ),
    ),
    FamilySpec(
        _("A boy in Molde; his mother has parental responsibility, his stepfather does not."),
        MOLDE_KOMMUNE,
        (
            PersonSpec("kristin", GUARDIAN, "Kristin", "Strand", "08888425676"),
            PersonSpec("ola", GUARDIAN, "Ola", "Vik", "11828212178"),
            PersonSpec("jakob", CHILD, "Jakob", "Strand", "29851259153"),
        ),
        (
            RelationSpec("kristin", "jakob", Relation.BIOLOGICAL, True),
            RelationSpec("ola", "jakob", Relation.STEP, False),
        ),
    ),
    FamilySpec(
        # The same mother and son as in Molde: each data controller keeps its own record.
        _("The same boy and his mother, as the health trust with BUP Molde has registered them."),
        HELSE_MORE_OG_ROMSDAL,
        (
            PersonSpec("kristin", GUARDIAN, "Kristin", "Strand", "08888425676"),
            PersonSpec("jakob", CHILD, "Jakob", "Strand", "29851259153"),
        ),
        (RelationSpec("kristin", "jakob", Relation.BIOLOGICAL, True),),
    ),
    FamilySpec(
        _("A young mother of twins, registered by Home-Start Familiekontakten in Stange."),
        HOME_START,
        (
            PersonSpec("julie", GUARDIAN, "Julie", "Eriksen", "15859840296"),
            PersonSpec("tiril", CHILD, "Tiril", "Eriksen", "09812596036"),
            PersonSpec("theo", CHILD, "Theo", "Eriksen", "09812596117"),
        ),
        (
            RelationSpec("julie", "tiril", Relation.BIOLOGICAL, True),
            RelationSpec("julie", "theo", Relation.BIOLOGICAL, True),
        ),
    ),
)


def load_demo_families(organisations: dict[str, Organisation], result: LoadResult) -> None:
    """Register whatever is missing of the families and their guardian relations."""
    # Read once, so a second load costs two queries here rather than two per family.
    working_units: dict[int, list[ServiceUnit]] = {}
    for unit in ServiceUnit.objects.filter(kind__in=WORKING_UNIT_KINDS):
        working_units.setdefault(unit.organisation_id, []).append(unit)
    assigned = set(Assignment.objects.filter(reason="demo").values_list("person_id", "unit_id"))
    for family in FAMILIES:
        organisation = organisations[family.organisation]
        members: dict[str, Person] = {}
        for spec in family.members:
            person = _find_person(organisation, spec)
            if person is None:
                person = services.register_person(
                    None,
                    organisation,
                    kind=spec.kind,
                    given_name=spec.given_name,
                    family_name=spec.family_name,
                    birth_date=_birth_date(spec),
                    national_id=spec.national_id,
                )
                result.persons += 1
            members[spec.key] = person
        _assign_working_units(members.values(), working_units.get(organisation.pk, []), assigned)
        related = set(
            GuardianRelation.objects.filter(child__in=members.values()).values_list(
                "guardian_id", "child_id"
            )
        )
        for relation in family.relations:
            guardian, child = members[relation.guardian], members[relation.child]
            if (guardian.pk, child.pk) in related:
                continue
            services.relate_guardian(
                None,
                guardian,
                child,
                kind=relation.kind,
                has_parental_responsibility=relation.has_parental_responsibility,
                lives_with_child=relation.lives_with_child,
            )
            result.guardian_relations += 1


# The units that work with every demo family of their organisation, so that demo staff have a
# need to know and see the families (real units get this from requests and cases).
WORKING_UNIT_KINDS = (
    ServiceUnit.Kind.HEALTH_CENTRE,
    ServiceUnit.Kind.LOW_THRESHOLD_TEAM,
    ServiceUnit.Kind.FAMILY_COUNSELLING,
    ServiceUnit.Kind.BUP,
    ServiceUnit.Kind.VOLUNTARY,
)


def _assign_working_units(
    persons: Iterable[Person], units: list[ServiceUnit], existing: set[tuple[int, int]]
) -> None:
    for person in persons:
        for unit in units:
            if (person.pk, unit.pk) not in existing:
                Assignment.objects.create(
                    organisation_id=unit.organisation_id, person=person, unit=unit, reason="demo"
                )
                existing.add((person.pk, unit.pk))


def _find_person(organisation: Organisation, spec: PersonSpec) -> Person | None:
    persons = Person.objects.filter(organisation=organisation)
    if spec.national_id:
        number = normalise_identity_number(spec.national_id)
        return persons.filter(national_id_hash=crypto.lookup_hash(number)).first()
    # Without an identity number the name is all there is to recognise the person by.
    return persons.filter(
        national_id_hash__isnull=True,
        kind=spec.kind,
        given_name=spec.given_name,
        family_name=spec.family_name,
    ).first()


def _birth_date(spec: PersonSpec) -> datetime.date | None:
    if spec.national_id is None:
        return None
    return birth_date_from_identity_number(normalise_identity_number(spec.national_id))
