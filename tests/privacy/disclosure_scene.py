"""A municipality's child welfare service and a health trust's BUP, each with its own
registration of the same child: the world of the disclosure tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from familiebro.core.models import Membership, Organisation, Person, ServiceUnit
from tests import factories
from tests.factories import identity_number
from tests.privacy import factories as make

NUMBER = identity_number(datetime.date(2016, 5, 2))
QUESTION = "Vi undersøker en bekymringsmelding. Er Ella i behandling hos dere, og for hva?"
ANSWER = "Ella har vært til tre samtaler hos BUP for angst siden august."


@dataclass
class Scene:
    town: Organisation
    welfare: ServiceUnit  # child welfare of the municipality: the asking service
    caseworker: Any  # works with the child in child welfare
    welfare_leader: Any
    child: Person  # the municipality's registration
    mother: Person
    trust: Organisation
    bup: ServiceUnit  # the holding service
    bup_leader: Any
    bup_worker: Any  # works with the child at BUP
    trust_child: Person  # the trust's registration of the same child


def registered(organisation: Organisation, **fields: Any) -> Person:
    person = factories.PersonFactory(organisation=organisation, **fields)
    person.set_national_id(NUMBER)
    person.save()
    return person


def scene() -> Scene:
    town = factories.OrganisationFactory(name="Hamar kommune")
    welfare = factories.ServiceUnitFactory(
        organisation=town, name="Barneverntjenesten i Hamar", kind=ServiceUnit.Kind.CHILD_WELFARE
    )
    caseworker = make.member(welfare, first_name="Berit", last_name="Saksbehandler")
    welfare_leader = make.member(welfare, Membership.Role.LEADER, first_name="Vera")
    child, mother, _ = make.child_with_guardian(town, given_name="Ella", family_name="Berg")
    child.set_national_id(NUMBER)
    child.birth_date = datetime.date(2016, 5, 2)
    child.save()
    make.assign(child, user=caseworker)
    trust = make.organisation(name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST)
    bup = factories.ServiceUnitFactory(
        organisation=trust, name="BUP Hamar", kind=ServiceUnit.Kind.BUP
    )
    bup_leader = make.member(bup, Membership.Role.LEADER, first_name="Lars", last_name="Leder")
    bup_worker = make.member(bup, first_name="Pål", last_name="Psykolog")
    trust_child = registered(
        trust, given_name="Ella", family_name="Berg", birth_date=datetime.date(2016, 5, 2)
    )
    make.assign(trust_child, user=bup_worker)
    return Scene(
        town,
        welfare,
        caseworker,
        welfare_leader,
        child,
        mother,
        trust,
        bup,
        bup_leader,
        bup_worker,
        trust_child,
    )
