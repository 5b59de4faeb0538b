"""Inviting staff by e-mail: the e-mail, the single-use expiring link, creating the account
through it and on to the second factor, sending again and withdrawing."""

from __future__ import annotations

import datetime
import re
from email import message_from_bytes, policy

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

PASSWORD = "blå-fjord-sykkel-lampe"
LINK = re.compile(r"https?://\S+/konto/invitasjon/(\S+)/")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def unit():
    organisation = make.organisation(name="Stange kommune")
    return make.unit(organisation, name="Helsestasjonen i Stange")


@pytest.fixture
def admin(unit):
    admin = make.user(first_name="Anne", last_name="Admin")
    OrganisationAdministrator.objects.create(user=admin, organisation=unit.organisation)
    return admin


def invite(client, unit, **fields):
    data = {
        "first_name": "Nina",
        "last_name": "Berg",
        "email": "nina.berg@stange.kommune.no",
        "professional_title": "helsesykepleier",
        "unit": unit.pk,
        "role": "worker",
    }
    return client.post(reverse("administration:staff-invite"), data | fields)


def token_from(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def accept(client, token, username="nina.berg", password=PASSWORD, again=None):
    return client.post(
        reverse("administration:accept-invitation", args=[token]),
        {"username": username, "password": password, "password_again": again or password},
    )


def test_the_invitation_e_mail_carries_the_link_and_the_organisation_and_nothing_else(
    client, admin, unit
):
    response = invite(logged_in(admin, client), unit)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["nina.berg@stange.kommune.no"]
    assert "Stange kommune" in message.subject
    token = token_from(message.body)
    for detail in ("Nina", "Berg", "Helsestasjonen", "Anne", "Public health nurse", "Worker"):
        assert detail not in message.body and detail not in message.subject
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    assert invitation.token_hash == staff_actions.token_hash(token)
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)
    assert AuditEvent.objects.get(detail__event="invitation_sent").actor_id == admin.pk


def test_the_e_mail_goes_through_a_real_mail_server(admin, unit, smtp_server, client):
    invite(logged_in(admin, client), unit)
    [(recipients, content)] = smtp_server.wait_for(1)
    assert recipients == ["nina.berg@stange.kommune.no"]
    body = message_from_bytes(content, policy=policy.default).get_content()
    assert Invitation.objects.get().token_hash == staff_actions.token_hash(token_from(body))


def test_when_the_mail_server_is_down_nothing_is_kept(admin, unit, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    response = invite(logged_in(admin, client), unit)
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(detail__event="invitation_sent").exists()


def test_the_invited_person_creates_an_account_and_sets_up_the_second_factor_first(
    client, admin, unit
):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    page = client.get(reverse("administration:accept-invitation", args=[token]))
    assert page.status_code == 200
    assert "Stange kommune invites you to Familiebro" in page.content.decode()
    response = accept(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("login-second-factor-setup")
    nina = User.objects.get(username="nina.berg")
    assert (nina.first_name, nina.last_name, nina.email, nina.professional_title) == (
        "Nina",
        "Berg",
        "nina.berg@stange.kommune.no",
        "helsesykepleier",
    )
    assert nina.check_password(PASSWORD)
    assert list(nina.memberships.values_list("unit_id", "role")) == [(unit.pk, "worker")]
    # Nothing opens before the authenticator app is set up.
    assert client.get(reverse("staff-home"))["Location"] == reverse("login-second-factor")
    invitation = Invitation.objects.get()
    assert invitation.accepted_user == nina
    assert AuditEvent.objects.get(detail__event="invitation_accepted").actor_id == nina.pk


def test_the_link_works_once(client, admin, unit):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    accept(client, token)
    again = accept(client, token, username="someone.else")
    assert again.status_code == 410
    text = again.content.decode()
    assert "already been used" in text
    assert "Ask Anne Admin at Stange kommune" in text
    assert not User.objects.filter(username="someone.else").exists()


def test_an_expired_link_says_so_and_whom_to_ask(client, admin, unit):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    for response in (
        client.get(reverse("administration:accept-invitation", args=[token])),
        accept(client, token),
    ):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert "Ask Anne Admin at Stange kommune" in response.content.decode()
    assert not User.objects.filter(username="nina.berg").exists()


def test_an_unknown_link_is_told_plainly(client):
    response = client.get(reverse("administration:accept-invitation", args=["tull"]))
    assert response.status_code == 410
    assert "This link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "kort"}, "too short"),
        ({"password": "12345678901234"}, "entirely numeric"),
        ({"again": "noe-helt-annet-her"}, "The two passwords differ"),
        ({"username": "nina berg!"}, "Enter a valid username"),
        ({"username": ""}, "This field is required"),
    ],
)
def test_a_bad_username_or_password_is_told_and_nothing_is_made(
    client, admin, unit, fields, message
):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    response = accept(client, token, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(email="nina.berg@stange.kommune.no").count() == 0
    assert Invitation.objects.get().accepted_at is None
    # The link still works.
    assert accept(client, token).status_code == 302


def test_a_username_taken_is_told(client, admin, unit):
    make.user(username="Nina.Berg")
    invite(logged_in(admin), unit)
    response = accept(client, token_from(mail.outbox[0].body))
    assert response.status_code == 400
    assert "This username is taken" in response.content.decode()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid e-mail address"),
        ("NINA@stange.kommune.no", "already has an account"),
        ("ola@stange.kommune.no", "already has an invitation waiting"),
    ],
)
def test_a_bad_or_used_e_mail_address_is_told_and_nothing_is_sent(admin, unit, email, message):
    make.member(unit, email="nina@stange.kommune.no")
    client = logged_in(admin)
    invite(client, unit, email="ola@stange.kommune.no")
    mail.outbox.clear()
    response = invite(client, unit, email=email)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Invitation.objects.count() == 1
    assert not mail.outbox


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(client, admin, unit):
    admin_client = logged_in(admin)
    invite(admin_client, unit)
    old = token_from(mail.outbox[0].body)
    invitation = Invitation.objects.get()
    admin_client.post(reverse("administration:invitation-resend", args=[invitation.pk]))
    new = token_from(mail.outbox[1].body)
    assert new != old
    assert accept(client, old).status_code == 410
    assert accept(client, new).status_code == 302


def test_a_withdrawn_invitation_cannot_be_used(client, admin, unit):
    admin_client = logged_in(admin)
    invite(admin_client, unit)
    token = token_from(mail.outbox[0].body)
    invitation = Invitation.objects.get()
    admin_client.post(reverse("administration:invitation-withdraw", args=[invitation.pk]))
    response = accept(client, token)
    assert response.status_code == 410
    assert "has been withdrawn" in response.content.decode()
    admin_client.get(reverse("administration:staff"))  # shows the messages of the actions
    page = admin_client.get(reverse("administration:staff")).content.decode()
    assert "nina.berg@stange.kommune.no" not in page
    again = admin_client.post(reverse("administration:invitation-withdraw", args=[invitation.pk]))
    assert again.status_code == 302
    assert AuditEvent.objects.filter(detail__event="invitation_withdrawn").count() == 1


def test_an_instance_administrators_invitation_grants_the_role_on_the_authorisation(client, unit):
    operator = make.user(is_instance_admin=True)
    admin_client = logged_in(operator)
    refused = invite(admin_client, unit)
    assert refused.status_code == 400
    assert "authorised the role" in refused.content.decode()
    assert not mail.outbox
    invite(admin_client, unit, authorised_by="Kari Leder, kommunalsjef", reference="2026/77")
    accept(client, token_from(mail.outbox[0].body))
    nina = User.objects.get(username="nina.berg")
    authorisation = RoleAuthorisation.objects.get(user=nina)
    assert (authorisation.granted_by, authorisation.reference) == (operator, "2026/77")


def test_another_sign_in_method_can_accept_without_a_password(admin, unit):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    user = staff_actions.accept_invitation(token, {"username": "nina.berg", "password": None})
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, unit=unit).exists()


def test_a_link_whose_inviter_was_deactivated_says_so_and_makes_nothing(client, admin, unit):
    invite(logged_in(admin), unit)
    token = token_from(mail.outbox[0].body)
    admin.is_active = False
    admin.save()
    page = client.get(reverse("administration:accept-invitation", args=[token]))
    assert page.status_code == 410
    text = page.content.decode()
    assert "can no longer give the role you were invited to" in text
    assert "Ask the administrator at Stange kommune for a new invitation." in text
    assert accept(client, token).status_code == 410
    assert not User.objects.filter(email="nina.berg@stange.kommune.no").exists()


def test_sent_again_by_another_administrator_it_works_after_the_first_is_deactivated(
    client, admin, unit
):
    invite(logged_in(admin), unit, role="leader")
    colleague = make.user(first_name="Kari", last_name="Kollega")
    OrganisationAdministrator.objects.create(user=colleague, organisation=unit.organisation)
    logged_in(colleague).post(
        reverse("administration:invitation-resend", args=[Invitation.objects.get().pk])
    )
    admin.is_active = False
    admin.save()
    assert accept(client, token_from(mail.outbox[1].body)).status_code == 302
    assert Membership.objects.filter(unit=unit, role="leader", user__username="nina.berg")


def test_an_instance_administrator_cannot_send_again_an_invitation_without_authorisation(
    admin, unit
):
    invite(logged_in(admin), unit)
    mail.outbox.clear()
    instance_admin = make.user(is_instance_admin=True)
    response = logged_in(instance_admin).post(
        reverse("administration:invitation-resend", args=[Invitation.objects.get().pk]),
        follow=True,
    )
    assert "carries no authorisation from Stange kommune" in response.content.decode()
    assert not mail.outbox
    assert Invitation.objects.get().invited_by == admin


def test_another_organisations_account_gets_the_same_answer_and_the_link_says_it_exists(
    client, unit
):
    make.user(email="nina.berg@stange.kommune.no")
    hamar = make.unit(make.organisation(name="Hamar kommune"), name="PPT i Hamar")
    hamar_admin = make.user(first_name="Hans", last_name="Hamar")
    OrganisationAdministrator.objects.create(user=hamar_admin, organisation=hamar.organisation)
    assert invite(logged_in(hamar_admin), hamar).status_code == 302
    token = token_from(mail.outbox[0].body)
    page = client.get(reverse("administration:accept-invitation", args=[token])).content.decode()
    assert "An account with this e-mail address already exists." in page
    assert "tell Hans Hamar at Hamar kommune, who invited you, that you already have" in page
    assert User.objects.filter(email__iexact="nina.berg@stange.kommune.no").count() == 1


def test_another_organisations_waiting_invitation_is_not_told(admin, unit):
    invite(logged_in(admin), unit)
    hamar = make.unit(make.organisation(name="Hamar kommune"), name="PPT i Hamar")
    hamar_admin = make.user()
    OrganisationAdministrator.objects.create(user=hamar_admin, organisation=hamar.organisation)
    assert invite(logged_in(hamar_admin), hamar).status_code == 302
    assert Invitation.objects.count() == 2


def test_without_the_instances_address_no_invitation_is_sent(admin, unit, settings):
    settings.SITE_URL = ""
    response = invite(logged_in(admin), unit)
    assert response.status_code == 400
    assert "address is not set (FAMILIEBRO_SITE_URL)" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_the_link_sent_again_uses_the_instances_address(admin, unit, settings):
    settings.SITE_URL = "https://familiebro.stange.kommune.no/"
    settings.ALLOWED_HOSTS = ["*"]
    client = logged_in(admin)
    invite(client, unit)
    client.post(
        reverse("administration:invitation-resend", args=[Invitation.objects.get().pk]),
        HTTP_HOST="evil.example",
    )
    assert "https://familiebro.stange.kommune.no/konto/invitasjon/" in mail.outbox[1].body


def test_a_username_is_saved_normalised(client, admin, unit):
    invite(logged_in(admin), unit)
    assert (
        accept(client, token_from(mail.outbox[0].body), username="ｎｉｎａ.berg").status_code == 302
    )
    assert User.objects.filter(username="nina.berg").exists()
