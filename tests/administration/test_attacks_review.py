"""Findings of a review of the administration part, written as an outsider's attacks. Each
test fails today and passes once the finding is fixed; its severity is in its docstring.

What held (tried and refused) is covered by test_staff_delegation.py and
test_staff_invitations.py and is not repeated here."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from familiebro.core.models import Membership, OrganisationAdministrator, Person
from familiebro.privacy import policy
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

PASSWORD = "blå-fjord-sykkel-lampe"
LINK = re.compile(r"https?://\S+/konto/invitasjon/(\S+)/")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


class World:
    def __init__(self) -> None:
        self.organisation = make.organisation(name="Stange kommune")
        self.kindergarten = make.unit(self.organisation, name="Barnehagen i Stange")
        self.nina = make.member(self.kindergarten, first_name="Nina", last_name="Pedagog")
        self.unit_admin = make.member(
            self.kindergarten, role=Membership.Role.UNIT_ADMIN, first_name="Ulf"
        )
        self.organisation_admin = make.user(first_name="Anne", last_name="Admin")
        OrganisationAdministrator.objects.create(
            user=self.organisation_admin, organisation=self.organisation
        )
        self.hamar_admin = make.user(first_name="Hans", last_name="Hamar")
        OrganisationAdministrator.objects.create(
            user=self.hamar_admin, organisation=make.organisation(name="Hamar kommune")
        )


@pytest.fixture
def world() -> World:
    return World()


def _invite(client, unit, **fields):
    data = {
        "first_name": "Per",
        "last_name": "Venn",
        "email": "per.venn@stange.kommune.no",
        "professional_title": "",
        "unit": unit.pk,
        "role": "worker",
    }
    return client.post(reverse("administration:staff-invite"), data | fields)


def _token(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def _accept(client, token, username="per.venn"):
    return client.post(
        reverse("administration:accept-invitation", args=[token]),
        {"username": username, "password": PASSWORD, "password_again": PASSWORD},
    )


# --- MEDIUM/HIGH: a unit administrator makes more unit administrators ------------------------


@pytest.mark.parametrize("role", ["unit_admin", "leader"])
def test_a_unit_administrator_cannot_give_a_role_above_their_own(world, role):
    """Severity MEDIUM-HIGH. The table in docs/administration.md: a unit administrator is
    "given by the organisation's administrator" (its Staff section contradicts it and lists
    every role). Today a unit administrator gives unit_admin (and leader) to anyone in the
    unit: two unit administrators then give each other the leader role, so the rule "nobody
    gives their own roles" falls with one friend, and a leader's oversight (the access
    review, the unit's persons where the controller turned it on) is the unit
    administrator's to hand out."""
    client = logged_in(world.unit_admin)
    response = client.post(
        reverse("administration:staff-add-role", args=[world.nina.pk]),
        {"unit": world.kindergarten.pk, "role": role},
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user=world.nina, role=role).exists()


@pytest.mark.parametrize("role", ["unit_admin", "leader"])
def test_a_unit_administrator_cannot_invite_a_role_above_their_own(world, role):
    """Severity MEDIUM-HIGH. The same through an invitation: a unit administrator invites a
    second address of their own as unit administrator or leader of the unit, and has a
    second account above the first, without the organisation's administrator."""
    response = _invite(logged_in(world.unit_admin), world.kindergarten, role=role)
    assert response.status_code == 400
    assert not mail.outbox


# --- HIGH: a unit administrator reads the unit's families -------------------------------------


def test_a_unit_administrator_reads_no_family_of_their_unit(world):
    """Severity HIGH. docs/administration.md: "no administrator role is a casework role, so
    the access policy opens no person, case or record to it". A unit_admin membership counts
    as a place in the unit (policy.scope_of puts it in unit_ids), so a unit's need to know
    about a family opens the family to its unit administrator, and to anyone a unit
    administrator makes unit administrator (finding above)."""
    child = Person.objects.create(
        organisation=world.organisation,
        kind=Person.Kind.CHILD,
        given_name="Emma",
        family_name="Berg",
        birth_date="2021-05-01",
    )
    make.assign(child, unit=world.kindergarten)
    assert policy.visible(world.nina, Person, policy.Purpose.CASEWORK).filter(pk=child.pk)
    page = logged_in(world.unit_admin).get(reverse("person-detail", args=[child.pk]))
    assert "Emma" not in page.content.decode()
    seen = policy.visible(world.unit_admin, Person, policy.Purpose.CASEWORK)
    assert not seen.filter(pk=child.pk).exists()


# --- MEDIUM: an invitation outlives its inviter's right to give the role ---------------------


AUTHORISATION = {"authorised_by": "Kari Leder, kommunalsjef", "reference": "2026/1234"}


@pytest.mark.parametrize("how", ["role_removed", "deactivated", "instance_admin_deactivated"])
def test_an_invitation_gives_no_role_once_the_inviter_may_no_longer_give_it(world, how, client):
    """Severity MEDIUM. An administrator invites a friend (or a second address of their own)
    as leader, then loses the administrator role or is deactivated. The link still makes the
    account with the leader role a week later: acceptance does not ask whether the inviter
    may still give it (grants.grant_role asks is_instance_admin, not is_active), and removing
    or deactivating the administrator leaves their invitations open."""
    admin = world.organisation_admin
    extra = {}
    if how == "instance_admin_deactivated":
        admin = make.user(is_instance_admin=True)
        make.user(is_instance_admin=True)
        extra = AUTHORISATION
    _invite(logged_in(admin), world.kindergarten, role="leader", **extra)
    token = _token(mail.outbox[0].body)
    if how == "role_removed":
        OrganisationAdministrator.objects.filter(user=admin).delete()
    else:
        admin.is_active = False
        admin.save()
    _accept(client, token)
    assert not Membership.objects.filter(role="leader", unit=world.kindergarten).exists()


# --- LOW: another organisation's administrator learns who has an account --------------------


def test_another_organisations_administrator_does_not_learn_who_has_an_account(world):
    """Severity LOW. The staff pages show nothing of another organisation's staff, but the
    invitation form tells Hamar's administrator that an address has an account on the
    instance (and, with another message, that Stange has an invitation waiting for it): an
    oracle for who works where, one address at a time."""
    world.nina.email = "nina.pedagog@stange.kommune.no"
    world.nina.save()
    hamar_unit = make.unit(
        OrganisationAdministrator.objects.get(user=world.hamar_admin).organisation, name="PPT"
    )
    known = _invite(
        logged_in(world.hamar_admin), hamar_unit, email="nina.pedagog@stange.kommune.no"
    ).content.decode()
    assert "already has an account" not in known
    assert "already has an invitation waiting" not in known


# --- LOW: the invitation link is built from the request's Host header ------------------------


def test_the_invitation_link_uses_the_instances_address_not_the_requests_host(world, settings):
    """Severity LOW. The link in the e-mail is built from the Host of the administrator's
    request (build_absolute_uri), not from SITE_URL as the deadline reminders do: behind a
    proxy that passes another allowed host name, or on an instance with several names, the
    new staff member gets a link to an address that is not the instance's."""
    settings.SITE_URL = "https://familiebro.stange.kommune.no"
    settings.ALLOWED_HOSTS = ["*"]
    client = logged_in(world.organisation_admin)
    client.post(
        reverse("administration:staff-invite"),
        {
            "first_name": "Per",
            "last_name": "Venn",
            "email": "per.venn@stange.kommune.no",
            "unit": world.kindergarten.pk,
            "role": "worker",
        },
        HTTP_HOST="evil.example",
    )
    assert "evil.example" not in mail.outbox[0].body
    assert "https://familiebro.stange.kommune.no/konto/invitasjon/" in mail.outbox[0].body


# --- MEDIUM: the link is written to the server's access log ---------------------------------


def test_the_invitation_link_is_not_written_to_the_servers_access_log():
    """Severity MEDIUM. docs/administration.md: "only its SHA-256 hash is kept, so nobody can
    rebuild the link from the database". gunicorn's access log (familiebro/gunicorn_conf.py)
    writes the path, token and all, when the invited person opens the link: anyone who reads
    the logs (an operator, a log service) accepts an invitation opened but not yet answered
    and becomes staff in the unit with the invited person's name."""
    import datetime
    import logging
    import types

    from gunicorn.config import Config

    from familiebro import gunicorn_conf

    config = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        if hasattr(gunicorn_conf, name):
            config.set(name, getattr(gunicorn_conf, name))
    logger = config.logger_class(config)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger.access_log.addHandler(Keep())
    token = "N8ucWAy5ViOUlSJDz79zMfWj37UYDyuEpW62yP3QhJI"
    path = f"/konto/invitasjon/{token}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = types.SimpleNamespace(status="200 OK", sent=1000, headers=[])
    logger.access(response, types.SimpleNamespace(headers=[]), environ, datetime.timedelta(0))
    assert lines, "gunicorn wrote no access line"
    assert token not in "\n".join(lines)


# --- LOW: a look-alike of a taken username ----------------------------------------------------


def test_a_look_alike_of_a_taken_username_is_refused(world, client):
    """Severity LOW. The invited person chooses "ｎｉｎａ" (full-width letters) where "nina"
    exists: accept_invitation compares case-insensitively but does not normalise the username
    (User.normalize_username, NFKC) as Django's own account forms do, so a second account
    whose username reads as a colleague's is made, on staff pages and in what names staff."""
    world.nina.username = "nina"
    world.nina.save()
    _invite(logged_in(world.organisation_admin), world.kindergarten)
    response = _accept(client, _token(mail.outbox[0].body), username="ｎｉｎａ")
    assert response.status_code == 400
    assert "This username is taken" in response.content.decode()
