"""Tiltak 26 as data: the family counselling office (a state organisation) offers its
therapist's Wednesday at the municipality's health centre; the health centre's nurse books
couples; a school in the same municipality and another municipality's health centre stand by."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from familiebro.core.models import Membership, Organisation, ServiceUnit
from familiebro.groups.appointments import services
from familiebro.groups.models import AppointmentBook
from tests.privacy import factories as make

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PARENT_NUMBER = "17849121278"


@dataclass
class Tiltak:
    office: ServiceUnit
    therapist: Any
    colleague: Any  # another therapist at the office
    office_leader: Any
    health_centre: ServiceUnit
    nurse: Any
    school_staff: Any
    elsewhere: Any  # a nurse of another municipality
    book: AppointmentBook


def next_weekday(weekday: int, after: datetime.date) -> datetime.date:
    return after + datetime.timedelta(days=(weekday - after.weekday()) % 7 or 7)


def set_up(therapist: Any, office: ServiceUnit, place: ServiceUnit, **changes: Any) -> Any:
    first = next_weekday(2, timezone.localdate() + datetime.timedelta(days=2))
    fields = services.BookFields(
        unit=office,
        provider=therapist,
        place_unit=place,
        place="Helsestasjonen, Storgata 5, 2. etasje",
        label="Samtale på helsestasjonen",
        weekday=first.weekday(),
        every=AppointmentBook.Every.WEEK,
        starts_on=first,
        ends_on=None,
        day_starts=datetime.time(9, 0),
        day_ends=datetime.time(12, 0),
        slot_minutes=60,
        video_link="https://video.example.no/rom/42",
        office_place="Familievernkontoret, Kirkegata 1",
    )
    for name, value in changes.items():
        object.__setattr__(fields, name, value)
    return services.set_up_book(therapist, fields)


@pytest.fixture
def tiltak(db, settings) -> Tiltak:
    return build_tiltak(settings)


def build_tiltak(settings: Any) -> Tiltak:
    settings.TASKS = IMMEDIATE_TASKS
    state = make.organisation(kind=Organisation.Kind.STATE_SERVICE, name="Bufetat region nord")
    office = make.unit(
        state, name="Familievernkontoret i Rana", kind=ServiceUnit.Kind.FAMILY_COUNSELLING
    )
    therapist = make.member(office, first_name="Tone", last_name="Terapeut", email="tone@fv.no")
    colleague = make.member(office)
    office_leader = make.member(office, Membership.Role.LEADER)
    rana = make.factories.MunicipalityFactory(name="Rana")
    municipality = make.organisation(
        name="Rana kommune", kind=Organisation.Kind.MUNICIPALITY, municipality=rana
    )
    # The office serves the municipality, so its staff find the health centre as a place.
    office.municipalities_served.add(rana)
    health_centre = make.unit(municipality, name="Rana helsestasjon")
    health_centre.municipalities_served.add(rana)
    nurse = make.member(health_centre, first_name="Nina", last_name="Sykepleier")
    school = make.unit(municipality, name="Rana skole", kind=ServiceUnit.Kind.SCHOOL)
    elsewhere_unit = make.unit(make.organisation(), name="Annen helsestasjon")
    return Tiltak(
        office=office,
        therapist=therapist,
        colleague=colleague,
        office_leader=office_leader,
        health_centre=health_centre,
        nurse=nurse,
        school_staff=make.member(school),
        elsewhere=make.member(elsewhere_unit),
        book=set_up(therapist, office, health_centre),
    )


def couple(**changes: Any) -> services.Family:
    values = {
        "kind": "couple",
        "name": "Marte Haugen",
        "partner_name": "Ola Haugen",
        "email": "marte@example.no",
        "shared_with_provider": "Vi krangler mye etter at babyen kom.",
    }
    return services.Family(**(values | changes))
