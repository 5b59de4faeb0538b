"""Staff single sign-on with the organisation's own identity provider: a real OpenID Connect
provider on loopback (tests/interop/oidc_provider.mjs) stands for Entra ID or Ansattporten."""

from __future__ import annotations

import http.server
import socket
import threading
import urllib.parse

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from familiebro.administration.models import OrganisationSignOn, StaffIdentity
from familiebro.core.models import Membership, OrganisationAdministrator
from familiebro.interop import oidc
from familiebro.privacy.models import AuditEvent
from tests.interop.oidc_server import STAFF_CLIENT_ID, STAFF_CLIENT_SECRET
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

PID = "01017012345"
LOGIN = reverse("login")
START = reverse("administration:sign-on-start")
ACCOUNT_SIGN_ON = reverse("administration:account-sign-on")
LIST = reverse("administration:sign-on-list")


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def town():
    return make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")


def sign_on_for(organisation, provider, **fields) -> OrganisationSignOn:
    values = {
        "label": "Log in with Stange kommune",
        "issuer": provider.issuer,
        "client_id": STAFF_CLIENT_ID,
        "authorization_origin": provider.issuer,
        "second_factor_acr": ["idporten-loa-high"],
        "second_factor_amr": [],
        "enabled": True,
        **fields,
    }
    sign_on = OrganisationSignOn(organisation=organisation, **values)
    sign_on.client_secret = STAFF_CLIENT_SECRET
    sign_on.save()
    return sign_on


@pytest.fixture
def stange(town, oidc_provider):
    return sign_on_for(town.organisation, oidc_provider)


def linked_nurse(town, sign_on, pid=PID, **fields):
    nurse = make.member(town, **fields)
    StaffIdentity.objects.create(
        user=nurse, sign_on=sign_on, issuer=sign_on.issuer, subject=f"sub-{pid}"
    )
    return nurse


def log_in_at_provider(client, provider, sign_on, pid=PID, **answer):
    started = client.post(START, {"organisasjon": sign_on.pk})
    assert started.status_code == 302
    authorization = started["Location"]
    back = provider.answer_for(authorization, pid, **answer)
    return authorization, client.get(back.removeprefix("http://testserver"))


def message_after(client, response) -> str:
    return client.get(response["Location"]).content.decode()


# --- Logging in -----------------------------------------------------------------------------


def test_the_login_page_offers_the_organisations_login_and_lets_the_form_reach_it(client, stange):
    page = client.get(LOGIN)
    assert "Log in with Stange kommune" in page.content.decode()
    assert stange.issuer in page["Content-Security-Policy"]
    # Only the login page lets forms reach the provider.
    assert stange.issuer not in client.get(reverse("front-page"))["Content-Security-Policy"]


def test_a_switched_off_login_is_not_offered(client, stange):
    stange.enabled = False
    stange.save()
    page = client.get(LOGIN)
    assert "Log in with Stange kommune" not in page.content.decode()
    assert stange.issuer not in page["Content-Security-Policy"]


def test_many_organisations_are_a_choice_of_organisation(client, oidc_provider):
    for number in range(5):
        organisation = make.unit(name=f"Enhet {number}").organisation
        sign_on_for(organisation, oidc_provider, label=f"Log in with kommune {number}")
    page = client.get(LOGIN).content.decode()
    assert "Your organisation" in page
    assert '<option value="' in page and "Log in with kommune 4" in page


def test_a_login_with_an_accepted_acr_needs_no_code(client, town, stange, oidc_provider):
    nurse = linked_nurse(town, stange)
    TOTPDevice.objects.create(user=nurse, name="app", confirmed=True)
    authorization, response = log_in_at_provider(client, oidc_provider, stange)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorization).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")
    assert client.get(reverse("staff-home")).status_code == 200
    login = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor_id=nurse.pk).get()
    assert login.detail["second_factor"] == "organisation_login"


def test_an_accepted_amr_counts_as_the_second_factor_too(client, town, oidc_provider):
    entra = sign_on_for(
        town.organisation, oidc_provider, second_factor_acr=[], second_factor_amr=["mfa"]
    )
    linked_nurse(town, entra)
    _authorization, response = log_in_at_provider(
        client, oidc_provider, entra, acr="idporten-loa-substantial", amr="pwd mfa"
    )
    assert response["Location"] == reverse("staff-home")


def test_a_login_without_an_accepted_second_factor_asks_for_the_code(
    client, town, stange, oidc_provider
):
    nurse = linked_nurse(town, stange)
    TOTPDevice.objects.create(user=nurse, name="app", confirmed=True)
    _authorization, response = log_in_at_provider(
        client, oidc_provider, stange, acr="idporten-loa-substantial"
    )
    assert response["Location"] == reverse("login-second-factor")
    # Not in yet: every staff page asks for the code first.
    assert client.get(reverse("staff-home"))["Location"] == reverse("login-second-factor")
    assert "Code from the app" in client.get(reverse("login-second-factor")).content.decode()


def test_an_identity_logs_in_only_through_the_login_it_was_linked_at(
    client, town, stange, oidc_provider
):
    # Hamar's login at the same issuer accepts a lower level as the second factor.
    hamar = sign_on_for(
        make.organisation(name="Hamar kommune"),
        oidc_provider,
        label="Log in with Hamar kommune",
        second_factor_acr=["idporten-loa-substantial", "idporten-loa-high"],
    )
    nurse = linked_nurse(town, stange)
    _authorization, response = log_in_at_provider(client, oidc_provider, hamar)
    assert response["Location"] == LOGIN
    page = message_after(client, response)
    assert "linked to your account through another organisation&#x27;s login button" in page
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.get(
        action=AuditEvent.Action.LOGIN_FAILED, detail__reason="linked_at_another_login"
    )
    assert (refused.actor_id, refused.organisation_id) == (nurse.pk, hamar.organisation_id)
    # Through Stange's own button the same identity gets in.
    _authorization, response = log_in_at_provider(client, oidc_provider, stange)
    assert response["Location"] == reverse("staff-home")


def test_an_unknown_subject_is_refused(client, town, stange, oidc_provider):
    linked_nurse(town, stange, pid="02027012345")
    _authorization, response = log_in_at_provider(client, oidc_provider, stange)
    assert response["Location"] == LOGIN
    page = message_after(client, response)
    assert "Your account is not linked to this login yet" in page
    assert "log in with your username and password once and link it" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, detail__reason="unknown_subject"
    ).exists()


def test_an_account_switched_off_in_familiebro_is_refused(client, town, stange, oidc_provider):
    linked_nurse(town, stange, is_active=False)
    _authorization, response = log_in_at_provider(client, oidc_provider, stange)
    assert response["Location"] == LOGIN
    page = message_after(client, response)
    assert "Your account in Familiebro is switched off" in page
    assert f"Ask the administrator at {town.organisation.name}" in page
    assert client.get(reverse("staff-home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_login_answer_is_used_once(client, town, stange, oidc_provider):
    linked_nurse(town, stange)
    started = client.post(START, {"organisasjon": stange.pk})
    back = oidc_provider.answer_for(started["Location"], PID).removeprefix("http://testserver")
    assert client.get(back)["Location"] == reverse("staff-home")
    client.logout()
    again = client.get(back)
    assert again["Location"] == LOGIN
    assert "The login had expired" in message_after(client, again)


def test_a_switched_off_login_cannot_be_started(client, stange):
    stange.enabled = False
    stange.save()
    response = client.post(START, {"organisasjon": stange.pk})
    assert response["Location"] == LOGIN
    assert "login is not in use" in message_after(client, response)


# --- Linking from the account page ----------------------------------------------------------


def test_a_member_of_staff_links_and_unlinks_their_organisations_login(
    client, town, stange, oidc_provider
):
    nurse = make.member(town)
    logged_in(nurse, client)
    assert ACCOUNT_SIGN_ON in client.get(reverse("account")).content.decode()
    page = client.get(ACCOUNT_SIGN_ON)
    assert f"Connect the login of {town.organisation.name}" in page.content.decode()
    assert stange.issuer in page["Content-Security-Policy"]
    started = client.post(
        reverse("administration:account-sign-on-link"), {"organisasjon": stange.pk}
    )
    assert started.status_code == 302
    back = oidc_provider.answer_for(started["Location"], PID)
    response = client.get(back.removeprefix("http://testserver"))
    assert response["Location"] == ACCOUNT_SIGN_ON
    assert "Your account is linked" in message_after(client, response)
    identity = StaffIdentity.objects.get(user=nurse)
    assert (identity.issuer, identity.subject) == (stange.issuer, f"sub-{PID}")
    assert AuditEvent.objects.filter(detail__event="organisation_login_linked").exists()

    # The next login goes through the provider.
    client.post(reverse("logout"))
    _authorization, login = log_in_at_provider(client, oidc_provider, stange)
    assert login["Location"] == reverse("staff-home")
    assert int(client.session["_auth_user_id"]) == nurse.pk

    unlinked = client.post(reverse("administration:account-sign-on-unlink", args=[identity.pk]))
    assert unlinked["Location"] == ACCOUNT_SIGN_ON
    assert not StaffIdentity.objects.filter(user=nurse).exists()
    assert AuditEvent.objects.filter(detail__event="organisation_login_unlinked").exists()


def test_a_login_linked_to_another_account_is_not_linked_again(client, town, stange, oidc_provider):
    linked_nurse(town, stange)
    other = make.member(town)
    logged_in(other, client)
    started = client.post(
        reverse("administration:account-sign-on-link"), {"organisasjon": stange.pk}
    )
    response = client.get(
        oidc_provider.answer_for(started["Location"], PID).removeprefix("http://testserver")
    )
    assert "already linked to another account" in message_after(client, response)
    assert not StaffIdentity.objects.filter(user=other).exists()


def test_only_the_logins_of_ones_own_organisations_can_be_linked(client, town, oidc_provider):
    elsewhere = sign_on_for(make.unit(name="BUP Hamar").organisation, oidc_provider)
    nurse = make.member(town)
    logged_in(nurse, client)
    assert "Connect the login of" not in client.get(ACCOUNT_SIGN_ON).content.decode()
    response = client.post(
        reverse("administration:account-sign-on-link"), {"organisasjon": elsewhere.pk}
    )
    assert response["Location"] == ACCOUNT_SIGN_ON
    assert "only the logins of the organisations you work in" in message_after(client, response)


def test_one_cannot_unlink_someone_elses_login(client, town, stange):
    identity = StaffIdentity.objects.get(user=linked_nurse(town, stange))
    logged_in(make.member(town), client)
    response = client.post(reverse("administration:account-sign-on-unlink", args=[identity.pk]))
    assert response.status_code == 403
    assert StaffIdentity.objects.filter(pk=identity.pk).exists()


# --- Setting it up --------------------------------------------------------------------------


def org_admin(organisation):
    admin = make.user()
    OrganisationAdministrator.objects.create(user=admin, organisation=organisation)
    return admin


def settings_form(provider, **changed):
    return {
        "label": "Log in with Stange kommune",
        "issuer": provider.issuer,
        "client_id": STAFF_CLIENT_ID,
        "client_secret": STAFF_CLIENT_SECRET,
        "second_factor_acr": "idporten-loa-substantial idporten-loa-high",
        "second_factor_amr": "",
        "enabled": "on",
        **changed,
    }


def test_an_organisation_administrator_sets_up_the_login_and_the_secret_is_never_shown(
    client, town, oidc_provider
):
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    page = client.get(edit).content.decode()
    assert "http://testserver/konto/organisasjon/innlogget/" in page
    response = client.post(edit, settings_form(oidc_provider))
    assert response["Location"] == LIST
    sign_on = OrganisationSignOn.objects.get(organisation=town.organisation)
    assert sign_on.client_secret == STAFF_CLIENT_SECRET
    assert STAFF_CLIENT_SECRET.encode() not in bytes(sign_on.client_secret_encrypted)
    assert sign_on.second_factor_acr == ["idporten-loa-substantial", "idporten-loa-high"]
    assert sign_on.authorization_origin == oidc_provider.issuer
    event = AuditEvent.objects.get(detail__event="sign_on_created")
    assert event.organisation_id == town.organisation.pk
    assert STAFF_CLIENT_SECRET not in str(event.detail)
    for url in (edit, LIST, LOGIN):
        assert STAFF_CLIENT_SECRET not in client.get(url).content.decode()
    assert "A secret is saved; it is never shown" in client.get(edit).content.decode()

    # Saved again without a secret: the saved one is kept.
    client.post(edit, settings_form(oidc_provider, client_secret="", label="Stange"))
    sign_on.refresh_from_db()
    assert (sign_on.label, sign_on.client_secret) == ("Stange", STAFF_CLIENT_SECRET)


def test_an_issuer_that_cannot_be_reached_is_named_and_nothing_is_saved(client, town):
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    response = client.post(edit, settings_form(type("P", (), {"issuer": "http://127.0.0.1:9"})()))
    assert response.status_code == 400
    assert "Familiebro could not reach http://127.0.0.1:9" in response.content.decode()
    assert STAFF_CLIENT_SECRET not in response.content.decode()
    assert not OrganisationSignOn.objects.exists()


def test_an_address_that_is_no_issuer_is_named_and_nothing_is_saved(client, town, oidc_provider):
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    not_an_issuer = f"{oidc_provider.issuer}/ingen"
    response = client.post(edit, settings_form(oidc_provider, issuer=not_an_issuer))
    assert response.status_code == 400
    assert f"{not_an_issuer} is not an OpenID Connect issuer" in response.content.decode()
    assert not OrganisationSignOn.objects.exists()


INTERNAL_ADDRESS_REFUSED = "Familiebro logs in only with providers on the internet"


def _resolving(monkeypatch, *answers):
    """socket.getaddrinfo answering each lookup with the next list of addresses."""
    lookups = iter(answers)

    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in next(lookups)
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_in_production_a_name_that_leads_inside_a_network_is_refused_before_any_fetch(
    client, town, settings, monkeypatch
):
    settings.PRODUCTION = True
    # One public address and one internal: which one a connection gets is not Familiebro's.
    _resolving(monkeypatch, ["93.184.216.34", "192.168.1.10"])
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    issuer = type("P", (), {"issuer": "https://login.example.com"})()
    response = client.post(edit, settings_form(issuer))
    assert response.status_code == 400
    assert INTERNAL_ADDRESS_REFUSED in response.content.decode()
    assert not OrganisationSignOn.objects.exists()


def test_in_production_a_name_that_changes_to_an_internal_address_is_not_connected_to(
    client, town, settings, monkeypatch
):
    settings.PRODUCTION = True
    # Public when checked, internal when connecting (a name re-pointed in between).
    _resolving(monkeypatch, ["93.184.216.34"], ["169.254.169.254"])
    connected: list = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    issuer = type("P", (), {"issuer": "https://login.example.com"})()
    response = client.post(edit, settings_form(issuer))
    assert response.status_code == 400
    assert INTERNAL_ADDRESS_REFUSED in response.content.decode()
    assert connected == []


@pytest.fixture
def answering_server():
    """A local server answering every GET with the status, headers and body set on it."""
    answer: dict = {"status": 200, "headers": {}, "body": b"{}"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(answer["status"])
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer["body"])))
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", answer
    finally:
        server.shutdown()
        server.server_close()


def test_an_issuer_that_redirects_is_not_followed(client, town, oidc_provider, answering_server):
    issuer, answer = answering_server
    answer.update(
        status=302,
        headers={"Location": f"{oidc_provider.issuer}/.well-known/openid-configuration"},
    )
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    response = client.post(edit, settings_form(oidc_provider, issuer=issuer))
    assert response.status_code == 400
    assert f"{issuer} is not an OpenID Connect issuer" in response.content.decode()
    assert not OrganisationSignOn.objects.exists()


def test_an_answer_too_large_to_be_a_description_is_not_read_to_the_end(
    client, town, answering_server
):
    issuer, answer = answering_server
    answer["body"] = b'{"issuer": "' + b"x" * (oidc.MAX_ANSWER_BYTES + 10) + b'"}'
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    response = client.post(edit, settings_form(type("P", (), {"issuer": issuer})()))
    assert response.status_code == 400
    assert f"{issuer} is not an OpenID Connect issuer" in response.content.decode()


def test_a_first_setup_needs_the_secret(client, town, oidc_provider):
    logged_in(org_admin(town.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    response = client.post(edit, settings_form(oidc_provider, client_secret=""))
    assert response.status_code == 400
    assert "Enter the client secret" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("instance_admin", True),
        ("organisation_admin", True),
        ("other_organisation_admin", False),
        ("unit_admin", False),
        ("caseworker", False),
    ],
)
def test_who_sets_up_an_organisations_login(client, town, who, allowed):
    user = {
        "instance_admin": lambda: make.user(is_instance_admin=True),
        "organisation_admin": lambda: org_admin(town.organisation),
        "other_organisation_admin": lambda: org_admin(make.unit(name="BUP Hamar").organisation),
        "unit_admin": lambda: make.member(town, role=Membership.Role.UNIT_ADMIN),
        "caseworker": lambda: make.member(town),
    }[who]()
    logged_in(user, client)
    edit = reverse("administration:sign-on-edit", args=[town.organisation.pk])
    assert client.get(edit).status_code == (200 if allowed else 403)
    listed = client.get(LIST)
    if who in ("unit_admin", "caseworker"):
        assert listed.status_code == 403
    else:
        assert listed.status_code == 200
        assert (town.organisation.name in listed.content.decode()) is allowed
    home = client.get(reverse("administration:home"))
    assert (LIST in home.content.decode()) is (who not in ("unit_admin", "caseworker"))
