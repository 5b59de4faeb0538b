"""A health centre with a published course offer, a course of it, its leader, and helpers
that run the queued background tasks as the worker would."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from familiebro.core import crypto
from familiebro.core.models import Membership, ServiceUnit, User
from familiebro.groups.courses import actions
from familiebro.groups.models import Course, CourseSession
from familiebro.privacy.family import CITIZEN_SESSION_KEY, Citizen
from tests.catalogue.factories import PublishedOfferFactory
from tests.factories import identity_number
from tests.privacy import factories as make

PARENT_NUMBER = identity_number(datetime.date(1990, 4, 2))
OTHER_PARENT_NUMBER = identity_number(datetime.date(1988, 9, 17))


@dataclass
class Place:
    unit: ServiceUnit
    leader: User  # leads the course
    coordinator: User  # coordinator of the unit
    nurse: User  # a worker of the unit who does not lead the course
    course: Course
    session: CourseSession


@pytest.fixture
def place(db, settings, tmp_path) -> Place:
    settings.FAMILIEBRO_SMS_BACKEND = "file"
    settings.FAMILIEBRO_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.SITE_URL = "https://familiebro.example.no"
    unit = make.unit(name="Helsestasjonen Sentrum", kind=ServiceUnit.Kind.HEALTH_CENTRE)
    leader = make.member(unit, first_name="Kari", last_name="Kursleder")
    coordinator = make.member(unit, Membership.Role.COORDINATOR)
    nurse = make.member(unit, first_name="Nina", last_name="Sykepleier")
    offer = PublishedOfferFactory(unit=unit, title="Foreldreforberedende kurs")
    course = actions.create_course(
        leader,
        offer=offer,
        unit=unit,
        name="Foreldreforberedende kurs, våren",
        capacity=4,
        leader_gender="woman",
    )
    start = timezone.now() + datetime.timedelta(days=7)
    session = actions.add_session(
        leader,
        course,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Helsestasjonen, 2. etasje",
    )
    return Place(unit, leader, coordinator, nurse, course, session)


def citizen(number: str = PARENT_NUMBER) -> Citizen:
    return Citizen(identity_hash=crypto.lookup_hash(number))


def citizen_client(number: str = PARENT_NUMBER) -> Client:
    client = Client(raise_request_exception=False)
    session = client.session
    session[CITIZEN_SESSION_KEY] = {"identity_hash": crypto.lookup_hash(number), "id_token": ""}
    session.save()
    return client


def staff_client(user: User) -> Client:
    return make.logged_in(user, Client(raise_request_exception=False))


def enrol(place: Place, name: str = "Ola Nordmann", **fields: Any) -> Any:
    defaults = {"role": "father", "phone": "912 34 567", "staff": place.leader}
    return actions.enrol(place.course.pk, name=name, **(defaults | fields))


def run_tasks(now: datetime.datetime | None = None) -> list[Any]:
    """Run the queued tasks that are due, as the worker does, and take them off the queue;
    what each returned."""
    now = now or timezone.now()
    results = []
    while True:
        due = [
            t
            for t in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at", "pk")
            # django-tasks stores "no run_after" as the year 9999.
            if t.run_after.year == 9999 or t.run_after <= now
        ]
        if not due:
            return results
        for task in due:
            DBTaskResult.objects.filter(pk=task.pk).delete()
            function = import_string(task.task_path)
            results.append(function.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"]))


def sms_sent(settings: Any) -> list[dict[str, str]]:
    path = Path(settings.FAMILIEBRO_SMS_FILE)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]
