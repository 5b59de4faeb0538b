"""Logging in to Min side with ID-porten (a real OpenID Connect provider on loopback)."""

from __future__ import annotations

import datetime
import urllib.parse

import pytest
from django.urls import reverse

from familiebro.core import crypto
from familiebro.portal import session
from tests.factories import identity_number
from tests.interop.oidc_server import LOGGED_OUT

pytestmark = pytest.mark.django_db

PID = identity_number(datetime.date(1984, 2, 3), synthetic=True)


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def start(client):
    response = client.post(reverse("portal:login-start"))
    assert response.status_code == 302
    return response["Location"]


def come_back(client, answer: str):
    return client.get(answer.removeprefix("http://testserver"))


def test_a_parent_logs_in_with_id_porten_and_reaches_min_side(client, citizen_login):
    authorization = start(client)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorization).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["idporten-loa-high"]
    response = come_back(client, citizen_login.answer_for(authorization, PID))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    stored = client.session[session.CITIZEN_KEY]
    assert stored["identity_hash"] == crypto.lookup_hash(PID)
    assert PID not in str(dict(client.session))
    page = client.get(reverse("portal:home"))
    assert page.status_code == 200
    assert "Log out" in page.content.decode()


def test_the_login_page_offers_id_porten(client, citizen_login):
    page = client.get(reverse("portal:login")).content.decode()
    assert "Log in with ID-porten" in page


def test_min_side_sends_someone_not_logged_in_to_the_login_page(client, citizen_login):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")


def test_an_answer_cannot_be_used_twice(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID)
    come_back(client, answer)
    client.post(reverse("portal:logout"))
    again = come_back(client, answer)
    assert again.status_code == 400
    assert "The login had expired or was started in another window" in again.content.decode()
    assert session.CITIZEN_KEY not in client.session


def test_an_answer_with_another_state_is_refused(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID)
    forged = answer.replace("state=", "state=x")
    response = come_back(client, forged)
    assert response.status_code == 400
    assert session.CITIZEN_KEY not in client.session


def test_a_login_on_a_lower_level_of_assurance_is_refused(client, citizen_login, settings):
    settings.CITIZEN_OIDC_ACR_VALUES = ["idporten-loa-high"]
    authorization = start(client)
    answer = citizen_login.answer_for(authorization, PID, acr="idporten-loa-substantial")
    response = come_back(client, answer)
    assert response.status_code == 400
    assert "high security level" in response.content.decode()
    assert session.CITIZEN_KEY not in client.session


def test_cancelling_at_id_porten_says_so_without_an_error_page(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID, action="abort")
    response = come_back(client, answer)
    assert response.status_code == 400
    assert "The login was cancelled" in response.content.decode()


def test_a_code_the_provider_did_not_issue_is_refused(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID)
    parts = urllib.parse.urlsplit(answer)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["code"] = "not-a-code"
    response = client.get(f"{parts.path}?{urllib.parse.urlencode(query)}")
    assert response.status_code == 400
    assert "did not accept the login" in response.content.decode()


def test_logging_out_ends_the_session_here_and_at_id_porten(client, citizen_login):
    come_back(client, citizen_login.answer_for(start(client), PID))
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response["Location"])
    assert response["Location"].startswith(citizen_login.issuer)
    query = urllib.parse.parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == [LOGGED_OUT]
    assert query["id_token_hint"]
    assert client.get(reverse("portal:home")).status_code == 302


def test_a_staff_session_is_not_a_citizen_session(staff_client, citizen_login):
    response = staff_client.get(reverse("portal:home"))
    assert response.status_code == 302


def test_logging_in_as_a_citizen_ends_a_staff_session(staff_client, citizen_login):
    come_back(staff_client, citizen_login.answer_for(start(staff_client), PID))
    assert staff_client.get(reverse("staff-home")).status_code == 302
    assert staff_client.get(reverse("portal:home")).status_code == 200


def test_without_a_provider_the_login_page_says_login_is_not_set_up(client, settings):
    settings.CITIZEN_OIDC_ISSUER = ""
    page = client.get(reverse("portal:login")).content.decode()
    assert "Login for families is not set up on this service yet" in page
    response = client.post(reverse("portal:login-start"))
    assert response.status_code == 400
    assert "not set up" in response.content.decode()


def test_an_unreachable_provider_gives_a_clear_message(client, settings):
    settings.CITIZEN_OIDC_ISSUER = "http://127.0.0.1:9"
    settings.CITIZEN_OIDC_CLIENT_ID = "familiebro"
    settings.CITIZEN_OIDC_CLIENT_SECRET = "secret"
    response = client.post(reverse("portal:login-start"))
    assert response.status_code == 400
    assert "ID-porten could not be reached" in response.content.decode()


def test_a_demo_instance_without_id_porten_lists_the_demo_families(client, settings):
    settings.CITIZEN_OIDC_ISSUER = ""
    settings.DEMO_MODE = True
    page = client.get(reverse("portal:login")).content.decode()
    assert "Demo: log in as a family" in page
    assert "Log in as Marte Haugen" in page
    response = client.post(reverse("portal:demo-login"), {"demo": "marte"})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_demo_logins_do_not_exist_outside_a_demo_instance(client, settings):
    settings.CITIZEN_OIDC_ISSUER = ""
    settings.DEMO_MODE = False
    assert "Demo: log in" not in client.get(reverse("portal:login")).content.decode()
    assert client.post(reverse("portal:demo-login"), {"demo": "marte"}).status_code == 404
    assert session.CITIZEN_KEY not in client.session


def test_demo_logins_give_way_to_id_porten_where_it_is_set_up(client, citizen_login, settings):
    settings.DEMO_MODE = True
    assert "Demo: log in" not in client.get(reverse("portal:login")).content.decode()
    assert client.post(reverse("portal:demo-login"), {"demo": "marte"}).status_code == 404
