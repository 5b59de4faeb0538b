"""Who may do what on the staff pages: the instance's administrator, the organisation's own
administrator, another organisation's administrator, the unit's administrator and a
caseworker, for each thing the pages do. A refusal changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from familiebro.administration import staff_actions
from familiebro.administration.models import Invitation
from familiebro.core.models import Membership, OrganisationAdministrator, User
from familiebro.privacy.models import AuditEvent, RoleAuthorisation
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

AUTHORISATION = {"authorised_by": "Kari Leder, kommunalsjef", "reference": "2026/1234"}


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


class World:
    def __init__(self) -> None:
        self.organisation = make.organisation(name="Stange kommune")
        self.unit = make.unit(self.organisation, name="Helsestasjonen i Stange")
        self.other_unit = make.unit(self.organisation, name="Skolehelsetjenesten i Stange")
        self.elsewhere = make.unit(name="Helsestasjonen i Hamar")
        self.nina = make.member(self.unit, first_name="Nina", last_name="Helsesykepleier")
        self.nina.email = "nina@stange.kommune.no"
        self.nina.save()
        self.membership = Membership.objects.get(user=self.nina)
        self.invitation = Invitation.objects.create(
            organisation=self.organisation,
            unit=self.unit,
            role=Membership.Role.WORKER,
            first_name="Ola",
            last_name="Jordmor",
            email="ola@stange.kommune.no",
            # Sent with the controller's authorisation, as an instance administrator's is: so
            # every administrator here may send it again (one without it is refused to an
            # instance administrator, see test_staff_invitations.py).
            authorised_by=AUTHORISATION["authorised_by"],
            reference=AUTHORISATION["reference"],
            token_hash=staff_actions.token_hash("ventende"),
            sent_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        self.actors = {
            "instance_admin": make.user(is_instance_admin=True),
            "organisation_admin": make.user(),
            "other_organisation_admin": make.user(),
            "unit_admin": make.member(self.unit, role=Membership.Role.UNIT_ADMIN),
            "caseworker": make.member(self.unit),
        }
        OrganisationAdministrator.objects.create(
            user=self.actors["organisation_admin"], organisation=self.organisation
        )
        OrganisationAdministrator.objects.create(
            user=self.actors["other_organisation_admin"], organisation=self.elsewhere.organisation
        )

    def state(self) -> tuple:
        self.nina.refresh_from_db()
        self.invitation.refresh_from_db()
        return (
            sorted(Membership.objects.values_list("user_id", "unit_id", "role")),
            Invitation.objects.count(),
            self.invitation.token_hash,
            self.invitation.withdrawn_at,
            self.nina.is_active,
            AuditEvent.objects.filter(purpose=staff_actions.PURPOSE).count(),
            len(mail.outbox),
        )


@pytest.fixture
def world() -> World:
    return World()


def _list(client, w):
    return client.get(reverse("administration:staff"))


def _detail(client, w):
    return client.get(reverse("administration:staff-member", args=[w.nina.pk]))


def _invite(client, w):
    return client.post(
        reverse("administration:staff-invite"),
        {
            "first_name": "Per",
            "last_name": "Lege",
            "email": "per@stange.kommune.no",
            "professional_title": "lege",
            "unit": w.unit.pk,
            "role": "worker",
            **AUTHORISATION,
        },
    )


def _add_role(client, w):
    return client.post(
        reverse("administration:staff-add-role", args=[w.nina.pk]),
        {"unit": w.unit.pk, "role": "coordinator", **AUTHORISATION},
    )


def _remove_role(client, w):
    return client.post(
        reverse("administration:staff-remove-role", args=[w.nina.pk, w.membership.pk])
    )


def _move(client, w):
    return client.post(
        reverse("administration:staff-move", args=[w.nina.pk]),
        {"membership": w.membership.pk, "unit": w.other_unit.pk, **AUTHORISATION},
    )


def _deactivate(client, w):
    return client.post(reverse("administration:staff-deactivate", args=[w.nina.pk]))


def _resend(client, w):
    return client.post(reverse("administration:invitation-resend", args=[w.invitation.pk]))


def _withdraw(client, w):
    return client.post(reverse("administration:invitation-withdraw", args=[w.invitation.pk]))


ACTIONS = {
    "list": _list,
    "detail": _detail,
    "invite": _invite,
    "add_role": _add_role,
    "remove_role": _remove_role,
    "move": _move,
    "deactivate": _deactivate,
    "resend": _resend,
    "withdraw": _withdraw,
}
READS = {"list", "detail"}
# What each actor gets: "ok" (done: 200 for a read, a redirect for an action), 403 (no
# administrator), 404 (an administrator, but someone or something outside what they run: no
# page tells whether it exists), or 400 (a unit outside what they run is no choice in the
# form: told so, nothing changed).
EXPECTED = {
    "instance_admin": dict.fromkeys(ACTIONS, "ok"),
    "organisation_admin": dict.fromkeys(ACTIONS, "ok"),
    "other_organisation_admin": dict.fromkeys(ACTIONS, 404) | {"list": "ok", "invite": 400},
    "unit_admin": dict.fromkeys(ACTIONS, "ok") | {"move": 400},
    "caseworker": dict.fromkeys(ACTIONS, 403),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", EXPECTED)
def test_each_administrator_does_what_they_run_and_nothing_else(world, actor, action):
    client = logged_in(world.actors[actor])
    before = world.state()
    response = ACTIONS[action](client, world)
    expected = EXPECTED[actor][action]
    if expected == "ok":
        assert response.status_code == (200 if action in READS else 302), response.content[:500]
        if action not in READS:
            assert world.state() != before
    else:
        assert response.status_code == expected
        assert world.state() == before
        if expected == 400:
            assert "Choose one of the units you administer." in response.content.decode()


def test_another_organisations_administrator_does_not_see_its_staff(world):
    page = logged_in(world.actors["other_organisation_admin"]).get(reverse("administration:staff"))
    assert "Nina" not in page.content.decode()
    assert "ola@stange.kommune.no" not in page.content.decode()


def test_a_unit_administrator_sees_only_their_units_staff(world):
    elsewhere_nurse = make.member(world.elsewhere, first_name="Hanne", last_name="Hamar")
    Membership.objects.create(user=elsewhere_nurse, unit=world.other_unit, role="worker")
    page = logged_in(world.actors["unit_admin"]).get(reverse("administration:staff")).content
    assert b"Nina" in page
    assert b"Hanne" not in page


def test_a_role_the_instance_administrator_gives_needs_the_controllers_authorisation(world):
    client = logged_in(world.actors["instance_admin"])
    url = reverse("administration:staff-add-role", args=[world.nina.pk])
    refused = client.post(url, {"unit": world.unit.pk, "role": "leader"})
    assert refused.status_code == 400
    assert "authorised the role" in refused.content.decode()
    assert not Membership.objects.filter(user=world.nina, role="leader").exists()
    assert client.post(url, {"unit": world.unit.pk, "role": "leader", **AUTHORISATION}).status_code
    authorisation = RoleAuthorisation.objects.get(user=world.nina, role="leader")
    assert authorisation.reference == "2026/1234"


def test_the_organisations_administrator_gives_a_role_directly_and_it_is_audited(world):
    admin = world.actors["organisation_admin"]
    logged_in(admin).post(
        reverse("administration:staff-add-role", args=[world.nina.pk]),
        {"unit": world.other_unit.pk, "role": "leader"},
    )
    assert Membership.objects.filter(user=world.nina, unit=world.other_unit, role="leader").exists()
    assert not RoleAuthorisation.objects.exists()
    event = AuditEvent.objects.get(detail__event="role_added")
    assert event.actor_id == admin.pk
    assert event.object_ids == [str(world.nina.pk)]
    assert event.organisation_id == world.organisation.pk


def test_a_role_already_held_is_refused_with_a_message(world):
    response = logged_in(world.actors["organisation_admin"]).post(
        reverse("administration:staff-add-role", args=[world.nina.pk]),
        {"unit": world.unit.pk, "role": "worker"},
    )
    assert response.status_code == 400
    assert "already has this role" in response.content.decode()


def test_moving_ends_the_old_role_and_starts_the_new_in_one_audited_action(world):
    logged_in(world.actors["organisation_admin"]).post(
        reverse("administration:staff-move", args=[world.nina.pk]),
        {"membership": world.membership.pk, "unit": world.other_unit.pk},
    )
    assert list(Membership.objects.filter(user=world.nina).values_list("unit_id", "role")) == [
        (world.other_unit.pk, "worker")
    ]
    event = AuditEvent.objects.get(detail__event="staff_moved")
    assert event.detail["from_unit_id"] == world.unit.pk
    assert event.detail["unit_id"] == world.other_unit.pk


def test_an_unknown_unit_or_role_is_told_and_changes_nothing(world):
    client = logged_in(world.actors["organisation_admin"])
    before = world.state()
    for data in ({"unit": "99999", "role": "worker"}, {"unit": world.unit.pk, "role": "boss"}):
        response = client.post(reverse("administration:staff-add-role", args=[world.nina.pk]), data)
        assert response.status_code == 400
    assert world.state() == before


def test_an_administrator_cannot_deactivate_themselves(world):
    admin = world.actors["unit_admin"]
    response = logged_in(admin).post(reverse("administration:staff-deactivate", args=[admin.pk]))
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.parametrize("actor", ["organisation_admin", "unit_admin"])
def test_an_administrator_cannot_change_their_own_roles(world, actor):
    admin = world.actors[actor]
    client = logged_in(admin)
    before = sorted(Membership.objects.values_list("user_id", "unit_id", "role"))
    page = client.get(reverse("administration:staff-member", args=[admin.pk])).content.decode()
    assert "You cannot change your own roles" in page
    response = client.post(
        reverse("administration:staff-add-role", args=[admin.pk]),
        {"unit": world.unit.pk, "role": "leader"},
    )
    assert response.status_code == 400
    assert "You cannot change your own roles" in response.content.decode()
    own = Membership.objects.filter(user=admin).first()
    if own is not None:
        response = client.post(reverse("administration:staff-remove-role", args=[admin.pk, own.pk]))
        assert response.status_code == 400
    assert sorted(Membership.objects.values_list("user_id", "unit_id", "role")) == before


def test_two_instance_administrators_cannot_deactivate_each_other(world):
    first = world.actors["instance_admin"]
    second = make.user(is_instance_admin=True)
    staff_actions.deactivate_staff(first, second)
    # The second acts on what their page showed before they were deactivated.
    with pytest.raises(staff_actions.ValidationError, match="last active administrator"):
        staff_actions.deactivate_staff(second, first)
    first.refresh_from_db()
    assert first.is_active


def test_someone_working_in_another_organisation_is_not_deactivated_by_this_one(world):
    Membership.objects.create(user=world.nina, unit=world.elsewhere, role="worker")
    client = logged_in(world.actors["organisation_admin"])
    page = client.get(reverse("administration:staff-member", args=[world.nina.pk]))
    assert "also works in units you do not administer" in page.content.decode()
    assert "Helsestasjonen i Hamar" not in page.content.decode()
    response = client.post(reverse("administration:staff-deactivate", args=[world.nina.pk]))
    assert response.status_code == 403
    assert "also works in units you do not administer" in response.content.decode()
    world.nina.refresh_from_db()
    assert world.nina.is_active


def test_deactivating_ends_every_session_at_once_and_keeps_the_trail(world):
    nina_client = logged_in(world.nina)
    assert nina_client.get(reverse("staff-home")).status_code == 200
    trail_before = AuditEvent.objects.filter(actor_id=world.nina.pk).count()
    admin_client = logged_in(world.actors["organisation_admin"])
    admin_client.post(reverse("administration:staff-deactivate", args=[world.nina.pk]))
    assert nina_client.get(reverse("staff-home")).status_code == 302
    assert AuditEvent.objects.filter(actor_id=world.nina.pk).count() == trail_before
    assert AuditEvent.objects.filter(detail__event="account_deactivated").exists()
    page = admin_client.get(reverse("administration:staff")).content.decode()
    assert "Deactivated" in page
    admin_client.post(reverse("administration:staff-reactivate", args=[world.nina.pk]))
    world.nina.refresh_from_db()
    assert world.nina.is_active
    assert User.objects.get(pk=world.nina.pk).memberships.count() == 1


def test_a_deactivated_account_cannot_log_in_with_the_right_password(world, client):
    world.nina.set_password("riktig-passord-for-nina")
    world.nina.save()
    logged_in(world.actors["organisation_admin"]).post(
        reverse("administration:staff-deactivate", args=[world.nina.pk])
    )
    response = client.post(
        reverse("login"),
        {"username": world.nina.username, "password": "riktig-passord-for-nina"},
    )
    assert response.status_code == 400
    assert "The username or password is wrong" in response.content.decode()


def test_the_staff_list_searches_by_name_and_e_mail(world):
    client = logged_in(world.actors["organisation_admin"])
    by_name = client.get(reverse("administration:staff"), {"q": "nina"}).content.decode()
    assert "Nina Helsesykepleier" in by_name and "Ola Jordmor" not in by_name
    by_email = client.get(reverse("administration:staff"), {"q": "ola@stange"}).content.decode()
    assert "Ola Jordmor" in by_email and "Nina Helsesykepleier" not in by_email
    nobody = client.get(reverse("administration:staff"), {"q": "zzz"}).content.decode()
    assert "Nobody matches the search" in nobody


def test_the_staff_list_shows_roles_state_and_last_login(world):
    world.nina.last_login = timezone.make_aware(datetime.datetime(2026, 11, 3, 8, 15))
    world.nina.save()
    page = logged_in(world.actors["organisation_admin"]).get(reverse("administration:staff"))
    text = page.content.decode()
    assert "Helsestasjonen i Stange: Worker" in text
    assert "3. November 2026" in text
    assert "nina@stange.kommune.no" in text
    assert "Active" in text


def test_the_staff_section_is_on_the_administration_start_page(world):
    page = logged_in(world.actors["unit_admin"]).get(reverse("administration:home"))
    assert reverse("administration:staff") in page.content.decode()


def test_a_unit_administrator_is_told_who_gives_the_leader_role(world):
    response = logged_in(world.actors["unit_admin"]).post(
        reverse("administration:staff-add-role", args=[world.nina.pk]),
        {"unit": world.unit.pk, "role": "leader"},
    )
    assert response.status_code == 400
    assert "Only the administrator of Stange kommune gives and removes the role leader." in (
        response.content.decode()
    )


def test_a_unit_administrator_gives_the_coordinator_role(world):
    response = logged_in(world.actors["unit_admin"]).post(
        reverse("administration:staff-add-role", args=[world.nina.pk]),
        {"unit": world.unit.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.nina, unit=world.unit, role="coordinator")


def test_a_unit_administrator_cannot_remove_the_leaders_role(world):
    leader = Membership.objects.create(
        user=make.user(first_name="Lise", last_name="Leder"), unit=world.unit, role="leader"
    )
    response = logged_in(world.actors["unit_admin"]).post(
        reverse("administration:staff-remove-role", args=[leader.user_id, leader.pk])
    )
    assert response.status_code == 400
    assert "gives and removes the role leader" in response.content.decode()
    assert Membership.objects.filter(pk=leader.pk).exists()


@pytest.mark.parametrize("role", [Membership.Role.LEADER, Membership.Role.UNIT_ADMIN])
def test_a_unit_administrator_cannot_deactivate_someone_whose_role_they_cannot_remove(world, role):
    """A unit administrator removes workers' and coordinators' roles, not a leader's or
    another unit administrator's: so deactivating the account, which ends them all, is not
    theirs to do either. The organisation's administrator can."""
    world.membership.role = role
    world.membership.save()
    client = logged_in(world.actors["unit_admin"])
    page = client.get(reverse("administration:staff-member", args=[world.nina.pk]))
    assert "This person holds a role only the organisation" in page.content.decode()
    assert "Deactivate the account" not in page.content.decode()
    response = client.post(reverse("administration:staff-deactivate", args=[world.nina.pk]))
    assert response.status_code == 403
    world.nina.refresh_from_db()
    assert world.nina.is_active
    logged_in(world.actors["organisation_admin"]).post(
        reverse("administration:staff-deactivate", args=[world.nina.pk])
    )
    world.nina.refresh_from_db()
    assert not world.nina.is_active


def test_a_unit_administrator_deactivates_a_worker_of_their_unit_alone(world):
    client = logged_in(world.actors["unit_admin"])
    assert (
        "Deactivate the account"
        in client.get(reverse("administration:staff-member", args=[world.nina.pk])).content.decode()
    )
    client.post(reverse("administration:staff-deactivate", args=[world.nina.pk]))
    world.nina.refresh_from_db()
    assert not world.nina.is_active
