"""Logging in to Min side with ID-porten (a real OpenID Connect provider on loopback)."""

from __future__ import annotations

import datetime
import json
import urllib.parse

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from joserfc import jws
from joserfc.errors import DecodeError

from familiebro.core import crypto
from familiebro.interop import oidc
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


def come_back_with(client, answer: str, **changed: str):
    """Come back with the provider's answer, some of its parameters changed."""
    parts = urllib.parse.urlsplit(answer)
    query = {**dict(urllib.parse.parse_qsl(parts.query)), **changed}
    return client.get(f"{parts.path}?{urllib.parse.urlencode(query)}")


def test_a_parent_logs_in_with_id_porten_and_reaches_min_side(client, citizen_login):
    authorization = start(client)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorization).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["idporten-loa-high"]
    response = come_back(client, citizen_login.answer_for(authorization, PID))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[session.CITIZEN_KEY]["identity_hash"] == crypto.lookup_hash(PID)
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
    response = come_back_with(client, answer, code="not-a-code")
    assert response.status_code == 400
    assert "did not accept the login" in response.content.decode()


def test_logging_out_ends_the_session_here_and_posts_the_end_to_id_porten(client, citizen_login):
    come_back(client, citizen_login.answer_for(start(client), PID))
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'action="{citizen_login.issuer}/session/end"' in page
    assert 'name="id_token_hint"' in page
    assert f'value="{LOGGED_OUT}"' in page
    assert client.get(reverse("portal:home")).status_code == 302


def test_the_session_holds_neither_the_identity_number_nor_a_readable_id_token(
    client, citizen_login
):
    come_back(client, citizen_login.answer_for(start(client), PID))
    stored = Session.objects.get(pk=client.session.session_key).get_decoded()
    assert PID not in json.dumps(stored)
    with pytest.raises(DecodeError):
        jws.extract_compact(stored[session.CITIZEN_KEY]["id_token"].encode())


def test_an_answer_to_another_login_attempt_is_refused(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID)
    pending = client.session[session.PENDING_KEY]
    pending["nonce"] = "the nonce of another attempt"
    stored = client.session
    stored[session.PENDING_KEY] = pending
    stored.save()
    response = come_back(client, answer)
    assert response.status_code == 400
    assert "The login could not be verified" in response.content.decode()
    assert session.CITIZEN_KEY not in client.session


def test_an_id_token_with_a_broken_signature_is_refused(client, citizen_login, monkeypatch):
    real = oidc._fetch_json

    def tampered(url, *args):
        answer = real(url, *args)
        if "id_token" in answer:
            head, body, signature = answer["id_token"].split(".")
            answer["id_token"] = f"{head}.{body}.{signature[::-1]}"
        return answer

    monkeypatch.setattr(oidc, "_fetch_json", tampered)
    response = come_back(client, citizen_login.answer_for(start(client), PID))
    assert response.status_code == 400
    assert "The login could not be verified" in response.content.decode()
    assert session.CITIZEN_KEY not in client.session


def test_an_answer_naming_another_issuer_is_refused(client, citizen_login):
    answer = citizen_login.answer_for(start(client), PID)
    response = come_back_with(client, answer, iss="https://elsewhere.example")
    assert response.status_code == 400
    assert "The answer did not come from ID-porten" in response.content.decode()


def test_a_staff_login_after_a_citizen_login_drops_the_citizen(client, citizen_login, staff):
    come_back(client, citizen_login.answer_for(start(client), PID))
    client.force_login(staff)
    assert session.CITIZEN_KEY not in client.session


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


def test_a_provider_whose_metadata_lacks_its_endpoints_gives_a_clear_message(
    client, citizen_login, monkeypatch
):
    monkeypatch.setattr(oidc, "_discovered", {})
    monkeypatch.setattr(oidc, "_fetch_json", lambda url, *args: {"issuer": citizen_login.issuer})
    response = client.post(reverse("portal:login-start"))
    assert response.status_code == 400
    assert "ID-porten could not be reached" in response.content.decode()
