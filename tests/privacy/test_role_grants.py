"""Instance administrators give roles in a controller's units only on its authorisation."""

import pytest
from django.core.management import CommandError, call_command

from familiebro.core.models import Membership
from familiebro.privacy import grants
from familiebro.privacy.models import AuditEvent, RoleAuthorisation
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make.user(username="drift", is_instance_admin=True)


@pytest.fixture
def newcomer():
    return make.user(username="ny.ansatt")


def grant(unit, **options):
    call_command(
        "grant-role",
        "--admin=drift",
        "--user=ny.ansatt",
        f"--unit={unit.pk}",
        "--role=worker",
        *[f"--{name.replace('_', '-')}={value}" for name, value in options.items()],
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Name who at"),
        ({"authorised_by": "Kari Nordmann, kommunalsjef"}, "Give the reference"),
        ({"reference": "2026/1234"}, "Name who at"),
    ],
)
def test_without_the_controllers_authorisation_no_role_is_given(
    unit, admin, newcomer, options, message
):
    with pytest.raises(CommandError, match=message):
        grant(unit, **options)
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not RoleAuthorisation.objects.exists()
    assert not AuditEvent.objects.filter(purpose=grants.GRANT_PURPOSE).exists()


def test_with_the_authorisation_the_role_is_given_kept_and_audited(unit, admin, newcomer):
    grant(unit, authorised_by="Kari Nordmann, kommunalsjef", reference="2026/1234")
    membership = Membership.objects.get(user=newcomer)
    assert (membership.unit, membership.role) == (unit, Membership.Role.WORKER)
    authorisation = RoleAuthorisation.objects.get()
    assert (authorisation.organisation, authorisation.granted_by) == (unit.organisation, admin)
    assert (authorisation.authorised_by, authorisation.reference) == (
        "Kari Nordmann, kommunalsjef",
        "2026/1234",
    )
    event = AuditEvent.objects.get(purpose=grants.GRANT_PURPOSE)
    assert (event.actor_id, event.organisation_id) == (admin.pk, unit.organisation_id)
    assert event.object_ids == [str(authorisation.pk)]
    assert event.detail["membership_id"] == membership.pk
    # The trail holds no names or free text: those are in the authorisation.
    assert "Nordmann" not in str(event.detail)


def test_only_an_instance_administrator_gives_roles(unit, newcomer):
    leader = make.member(unit, Membership.Role.LEADER)
    with pytest.raises(Exception, match="Only an instance administrator"):
        grants.grant_role(
            leader,
            user=newcomer,
            unit=unit,
            role=Membership.Role.WORKER,
            authorised_by="Kari Nordmann, kommunalsjef",
            reference="2026/1234",
        )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_role_already_held_is_not_given_twice(unit, admin, newcomer):
    grant(unit, authorised_by="Kari Nordmann, kommunalsjef", reference="2026/1234")
    with pytest.raises(CommandError, match="already has this role"):
        grant(unit, authorised_by="Kari Nordmann, kommunalsjef", reference="2026/1235")
    assert RoleAuthorisation.objects.count() == 1
