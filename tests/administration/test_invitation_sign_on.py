"""Accepting an invitation with the organisation's own login, against a real OpenID Connect
provider on loopback (tests/interop/oidc_provider.mjs): the account is made without a password
and linked to the provider's identity in one step, and the second-factor rule of the
organisation's login applies."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from familiebro.administration import staff_actions
from familiebro.administration.models import Invitation, StaffIdentity
from familiebro.core.models import Membership, OrganisationAdministrator, User
from familiebro.privacy.models import AuditEvent
from tests.administration.test_sign_on import sign_on_for
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db

PID = "02028012345"
LINK = re.compile(r"https?://\S+/konto/invitasjon/(\S+)/")


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def unit():
    return make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")


@pytest.fixture
def stange(unit, oidc_provider):
    return sign_on_for(unit.organisation, oidc_provider)


def invite(unit, email="nina.berg@stange.kommune.no") -> str:
    admin = make.user()
    OrganisationAdministrator.objects.create(user=admin, organisation=unit.organisation)
    staff_actions.invite_staff(
        admin,
        first_name="Nina",
        last_name="Berg",
        email=email,
        professional_title="helsesykepleier",
        unit=unit,
        role="coordinator",
    )
    match = LINK.search(mail.outbox[-1].body)
    assert match
    return match.group(1)


def accept_with_provider(client, provider, token, username="nina.berg@stange.kommune.no", **answer):
    started = client.post(
        reverse("administration:accept-invitation-sign-on", args=[token]), {"username": username}
    )
    assert started.status_code == 302, started.content.decode()
    authorization = started["Location"]
    assert authorization.startswith(provider.issuer)
    assert token not in authorization
    back = provider.answer_for(authorization, PID, **answer)
    assert token not in back
    return client.get(back.removeprefix("http://testserver"))


def test_the_invitation_offers_the_organisations_login(client, unit, stange):
    token = invite(unit)
    page = client.get(reverse("administration:accept-invitation", args=[token])).content.decode()
    assert "Use your organisation's login" in page
    start = client.get(reverse("administration:accept-invitation-sign-on", args=[token]))
    assert start.status_code == 200
    assert "Log in with Stange kommune" in start.content.decode()
    assert stange.issuer in start["Content-Security-Policy"]


def test_no_offer_without_a_login_in_use(client, unit, stange):
    stange.enabled = False
    stange.save()
    token = invite(unit)
    page = client.get(reverse("administration:accept-invitation", args=[token])).content.decode()
    assert "Use your organisation" not in page
    start = client.get(reverse("administration:accept-invitation-sign-on", args=[token]))
    assert start.status_code == 302


def test_the_organisations_login_makes_the_account_links_it_and_logs_in(
    client, unit, stange, oidc_provider
):
    token = invite(unit)
    response = accept_with_provider(client, oidc_provider, token)
    # The provider showed a second factor the organisation accepts: no code asked for.
    assert response["Location"] == reverse("staff-home")
    user = User.objects.get(email="nina.berg@stange.kommune.no")
    assert not user.has_usable_password()
    assert (user.first_name, user.professional_title) == ("Nina", "helsesykepleier")
    assert Membership.objects.filter(user=user, unit=unit, role="coordinator").exists()
    identity = StaffIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (stange.issuer, f"sub-{PID}")
    assert Invitation.objects.get().accepted_user == user
    events = set(
        AuditEvent.objects.filter(actor_id=user.pk).values_list("detail__event", flat=True)
    )
    assert {"invitation_accepted", "organisation_login_linked"} <= events
    assert client.get(reverse("staff-home")).status_code == 200
    # The link is used up.
    again = client.get(reverse("administration:accept-invitation", args=[token]))
    assert again.status_code == 410


def test_without_the_accepted_second_factor_the_authenticator_app_is_set_up(
    client, unit, stange, oidc_provider
):
    token = invite(unit)
    response = accept_with_provider(client, oidc_provider, token, acr="idporten-loa-low")
    assert response["Location"] == reverse("login-second-factor-setup")
    assert client.get(reverse("staff-home")).status_code != 200


def test_an_identity_linked_to_another_account_makes_nothing(client, unit, stange, oidc_provider):
    other = make.member(unit)
    StaffIdentity.objects.create(
        user=other, sign_on=stange, issuer=stange.issuer, subject=f"sub-{PID}"
    )
    token = invite(unit)
    response = accept_with_provider(client, oidc_provider, token)
    assert response["Location"] == reverse("administration:accept-invitation", args=[token])
    assert "already linked to another account" in client.get(response["Location"]).content.decode()
    assert not User.objects.filter(email="nina.berg@stange.kommune.no").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_taken_username_makes_nothing_and_asks_for_another(client, unit, stange, oidc_provider):
    make.user(username="nina")
    token = invite(unit)
    response = accept_with_provider(client, oidc_provider, token, username="nina")
    assert response["Location"] == reverse("administration:accept-invitation-sign-on", args=[token])
    assert "This username is taken" in client.get(response["Location"]).content.decode()
    assert not StaffIdentity.objects.exists()
    response = accept_with_provider(client, oidc_provider, token, username="nina.berg")
    assert StaffIdentity.objects.get().user.username == "nina.berg"


def test_a_withdrawn_invitation_cannot_be_accepted_by_the_login(
    client, unit, stange, oidc_provider
):
    token = invite(unit)
    started = client.post(
        reverse("administration:accept-invitation-sign-on", args=[token]), {"username": "nina"}
    )
    Invitation.objects.update(withdrawn_at=Invitation.objects.get().sent_at)
    back = oidc_provider.answer_for(started["Location"], PID)
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 410
    assert not User.objects.filter(username="nina").exists()
