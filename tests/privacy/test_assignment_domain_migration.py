"""Upgrading an instance: each need to know already given gets the confidentiality domain it
was given in, and nobody loses or gains access by the upgrade."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("privacy", "0009_audit_keyed_chain"),
    ("cases", "0008_case_need_to_know_given"),
    ("core", "0003_service_unit_confidentiality_domain"),
]
AFTER = [("privacy", "0010_assignment_domain")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_upgrade():
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    migrate(executor.loader.graph.leaf_nodes())


def test_every_assignment_gets_the_domain_it_was_given_in(before_upgrade):
    apps = before_upgrade
    Organisation = apps.get_model("core", "Organisation")
    ServiceUnit = apps.get_model("core", "ServiceUnit")
    User = apps.get_model("core", "User")
    Membership = apps.get_model("core", "Membership")
    Person = apps.get_model("core", "Person")
    Assignment = apps.get_model("privacy", "Assignment")
    Case = apps.get_model("cases", "Case")
    PathwayVersion = apps.get_model("cases", "PathwayVersion")

    town = Organisation.objects.create(name="Stange kommune", org_number="964950768")
    health_centre = ServiceUnit.objects.create(
        organisation=town, name="Helsestasjonen", kind="helsestasjon", domain="health"
    )
    kindergarten = ServiceUnit.objects.create(
        organisation=town, name="Barnehagen", kind="barnehage", domain="education"
    )
    nurse = User.objects.create(username="nurse")
    educator = User.objects.create(username="educator")  # also works in the health centre
    left = User.objects.create(username="left")  # no longer has a unit
    Membership.objects.create(user=nurse, unit=health_centre, role="worker")
    Membership.objects.create(user=educator, unit=kindergarten, role="worker")
    Membership.objects.create(user=educator, unit=health_centre, role="worker")
    child = Person.objects.create(
        organisation=town, kind="child", given_name="Emma", family_name="Berg"
    )
    if not PathwayVersion.objects.exists():
        # A test on a real database before this one emptied the tables (and with them the
        # pathways the migrations ship): put them back as the migration does.
        shipped = importlib.import_module("familiebro.cases.migrations.0004_shipped_pathways")
        shipped.seed(apps, None)
    now = timezone.now()
    case = Case.objects.create(
        reference="SAK-TEST1",
        organisation=town,
        unit=health_centre,
        child=child,
        pathway_version=PathwayVersion.objects.first(),
        phase="start",
        status="open",
        origin="staff_concern",
        received_at=now,
        opened_at=now,
        opened_by=nurse,
    )

    def assign(**who):
        return Assignment.objects.create(organisation=town, person=child, reason="test", **who)

    by_unit = assign(unit=kindergarten)
    by_case = assign(user=educator)
    case.need_to_know_given.add(by_case)
    registered = assign(user=nurse)
    in_two_domains = assign(user=educator)
    of_one_who_left = assign(user=left)

    apps = migrate(AFTER)
    Assignment = apps.get_model("privacy", "Assignment")
    domain = dict(Assignment.objects.values_list("pk", "domain"))

    assert domain[by_unit.pk] == "education"
    assert domain[by_case.pk] == "health"  # the case's unit, not both of hers
    assert domain[registered.pk] == "health"
    assert domain[of_one_who_left.pk] == ""  # opens nothing a unit holds
    # What she had before, she keeps: one assignment in each of her domains.
    assert sorted(
        Assignment.objects.filter(user_id=educator.pk)
        .exclude(pk=by_case.pk)
        .values_list("domain", flat=True)
    ) == ["education", "health"]
    assert in_two_domains.pk in domain
