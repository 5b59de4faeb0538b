"""familiebro create-instance-admin: the first administrator of an instance, and their first
login through the real login pages, which make them set up an authenticator app first."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from familiebro.core.models import User
from familiebro.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "fjell-kaffe-trapp-solsikke"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def environment(monkeypatch):
    values = {
        "FAMILIEBRO_ADMIN_USERNAME": "drift",
        "FAMILIEBRO_ADMIN_NAME": "Ada Kristine Drift",
        "FAMILIEBRO_ADMIN_EMAIL": "drift@stange.kommune.no",
        "FAMILIEBRO_ADMIN_PASSWORD": PASSWORD,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create-instance-admin", *args, stdout=out)
    return out.getvalue()


def test_it_makes_an_instance_administrator_from_the_environment(environment):
    output = run("--no-input")
    assert "drift is an instance administrator" in output
    admin = User.objects.get(username="drift")
    assert admin.is_instance_admin and admin.is_active
    assert (admin.first_name, admin.last_name) == ("Ada Kristine", "Drift")
    assert admin.check_password(PASSWORD)
    assert AuditEvent.objects.filter(detail__event="instance_admin_created").count() == 1


def test_it_asks_when_run_interactively(monkeypatch):
    answers = iter(["drift", "Ada Drift", "drift@stange.kommune.no"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    run()
    assert User.objects.get(username="drift").is_instance_admin


def test_it_refuses_two_different_passwords(monkeypatch):
    answers = iter(["drift", "Ada Drift", "drift@stange.kommune.no"])
    passwords = iter([PASSWORD, "noe-annet-enn-det"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))
    with pytest.raises(CommandError, match="passwords differ"):
        run()
    assert not User.objects.exists()


def test_it_refuses_a_username_that_exists(environment):
    User.objects.create(username="Drift")
    with pytest.raises(CommandError, match="username drift already exists"):
        run("--no-input")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FAMILIEBRO_ADMIN_PASSWORD", "drift12", "too short"),
        ("FAMILIEBRO_ADMIN_EMAIL", "drift", "valid e-mail"),
        ("FAMILIEBRO_ADMIN_NAME", "Ada", "first and last name"),
    ],
)
def test_it_refuses_what_is_wrong_and_makes_nothing(
    environment, monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CommandError, match=message):
        run("--no-input")
    assert not User.objects.exists()


def test_it_names_the_variables_missing(environment, monkeypatch):
    monkeypatch.delenv("FAMILIEBRO_ADMIN_EMAIL")
    with pytest.raises(CommandError, match="FAMILIEBRO_ADMIN_EMAIL"):
        run("--no-input")


def test_the_first_login_sets_up_the_authenticator_app_before_anything_else(environment, client):
    run("--no-input")
    response = client.post(reverse("login"), {"username": "drift", "password": PASSWORD})
    assert response["Location"] == reverse("login-second-factor-setup")
    # Neither the administration pages nor any other opens before the app is set up.
    assert client.get(reverse("administration:home"))["Location"] == reverse("login-second-factor")
    assert client.get(reverse("login-second-factor"))["Location"] == reverse(
        "login-second-factor-setup"
    )
    assert client.get(reverse("login-second-factor-setup")).status_code == 200
    device = TOTPDevice.objects.get(user__username="drift", confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    codes_page = client.post(reverse("login-second-factor-setup"), {"code": f"{totp.token():06d}"})
    assert codes_page.status_code == 200
    home = client.get(reverse("administration:home"))
    assert home.status_code == 200
    assert reverse("administration:staff") in home.content.decode()
