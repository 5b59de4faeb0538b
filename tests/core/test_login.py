"""Staff login: password, second factor, lockout, idle timeout, logout, demo logins."""

import datetime
import json
import re
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from familiebro.accounts import services as accounts
from familiebro.core.models import Membership, User
from familiebro.privacy.audit import verify_chain
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "feil-passord-feil-passord"


# --- Helpers --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english(client):
    # Assert on the English msgids, whatever translations exist.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def app(staff):
    """A confirmed authenticator app for `staff`."""
    return TOTPDevice.objects.create(user=staff, name="app", confirmed=True)


@pytest.fixture
def no_throttle(settings):
    """django-otp's own delay after a wrong code, switched off to test our lockout alone."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


class Clock:
    def __init__(self):
        self.offset = datetime.timedelta()

    def advance(self, **kwargs):
        self.offset += datetime.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock (sessions, lockout) forward without waiting."""
    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


def code_from(device, steps_ahead=0):
    """The code the user's app shows now (or a later time step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code_for(device):
    valid = {code_from(device, steps) for steps in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1000000, 111111)) if c not in valid)


def english_client():
    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return other


def enter_password(client, username, password=TEST_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def enter_code(client, code):
    return client.post(reverse("login-second-factor"), {"code": code})


def log_in_fully(client, user, device):
    enter_password(client, user.username)
    response = enter_code(client, code_from(device))
    assert response.status_code == 302
    return response


def page(response):
    return response.content.decode()


def reaches_staff_home(client):
    return client.get(reverse("staff-home")).status_code == 200


def audit_details(action):
    return [e.detail for e in AuditEvent.objects.filter(action=action).order_by("id")]


def refresh(user):
    user.refresh_from_db()
    return user


# --- The password step ----------------------------------------------------------------------


def test_the_login_page_labels_its_fields_for_people_and_password_managers(client):
    html = page(client.get(reverse("login")))
    assert '<label class="ds-label" for="id_username">Username</label>' in html
    assert '<label class="ds-label" for="id_password">Password</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'class="ds-input"' in html
    assert "After 5 failed attempts in a row, the account is locked for 15 minutes." in html


def test_a_correct_password_leads_to_the_code_step_but_not_yet_in(client, staff, app):
    response = enter_password(client, staff.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("login-second-factor")
    assert not reaches_staff_home(client)
    html = page(client.get(reverse("login-second-factor")))
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(client, staff):
    wrong_password = enter_password(client, staff.username, WRONG_PASSWORD)
    unknown_user = enter_password(client, "finnes-ikke", WRONG_PASSWORD)
    message = "The username or password is wrong, or the account is locked"
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert message in page(wrong_password)
    assert message in page(unknown_user)
    assert [d["reason"] for d in audit_details("login_failed")] == [
        "wrong_password",
        "unknown_user",
    ]


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password(client, staff, app):
    staff.is_active = False
    staff.save()
    response = enter_password(client, staff.username)
    assert response.status_code == 400
    assert "The username or password is wrong, or the account is locked" in page(response)


def test_empty_fields_are_explained_next_to_each_field(client):
    html = page(client.post(reverse("login"), {"username": "", "password": ""}))
    assert html.count('class="ds-validation-message"') == 2
    assert 'aria-invalid="true"' in html


# --- The second factor ----------------------------------------------------------------------


def test_the_code_from_the_app_completes_the_login(client, staff, app):
    enter_password(client, staff.username)
    response = enter_code(client, code_from(app))
    assert response["Location"] == reverse("staff-home")
    assert reaches_staff_home(client)
    assert audit_details("login") == [{"second_factor": "authenticator_app"}]


def test_a_code_shown_as_two_groups_is_accepted(client, staff, app):
    enter_password(client, staff.username)
    code = code_from(app)
    enter_code(client, f"{code[:3]} {code[3:]}")
    assert reaches_staff_home(client)


def test_a_wrong_code_is_explained_next_to_the_field(client, staff, app):
    enter_password(client, staff.username)
    response = enter_code(client, wrong_code_for(app))
    assert response.status_code == 400
    html = page(response)
    assert "The code is wrong or has expired." in html
    start = html.index('for="id_code"')
    code_field = html[start : html.index("</form>", start)]
    assert "The code is wrong or has expired." in code_field
    assert not reaches_staff_home(client)


def test_a_code_that_is_not_six_digits_is_explained(client, staff, app):
    enter_password(client, staff.username)
    response = enter_code(client, "12ab")
    assert "Enter the 6 digits the app shows" in page(response)
    assert refresh(staff).failed_login_count == 0


def test_a_code_cannot_be_used_twice(client, staff, app):
    code = code_from(app)
    enter_password(client, staff.username)
    enter_code(client, code)
    assert reaches_staff_home(client)

    eavesdropper = english_client()
    enter_password(eavesdropper, staff.username)
    response = enter_code(eavesdropper, code)
    assert "The code is wrong or has expired." in page(response)
    assert not reaches_staff_home(eavesdropper)


def test_a_quick_second_guess_is_asked_to_wait(client, staff, app):
    enter_password(client, staff.username)
    enter_code(client, wrong_code_for(app))
    response = enter_code(client, code_from(app))
    assert "Wait a few seconds, then try again." in page(response)
    assert refresh(staff).failed_login_count == 1


def test_the_login_returns_to_the_page_first_asked_for(client, staff, app):
    response = client.get(reverse("person-lookup"))
    assert response.status_code == 302
    next_url = reverse("person-lookup")
    assert response["Location"] == f"{reverse('login')}?next={next_url}"
    html = page(client.get(response["Location"]))
    assert f'name="next" value="{next_url}"' in html
    enter_password(client, staff.username, next=next_url)
    assert enter_code(client, code_from(app))["Location"] == next_url


def test_a_next_address_on_another_site_is_ignored(client, staff, app):
    enter_password(client, staff.username, next="https://angriper.example/")
    assert enter_code(client, code_from(app))["Location"] == reverse("staff-home")


def test_the_code_page_sends_anyone_not_past_the_password_to_the_login(client):
    assert client.get(reverse("login-second-factor"))["Location"] == reverse("login")
    assert client.get(reverse("login-second-factor-setup"))["Location"] == reverse("login")


# --- Setting up the app ---------------------------------------------------------------------


def test_without_an_app_the_user_is_asked_to_set_one_up(client, staff):
    response = enter_password(client, staff.username)
    assert response["Location"] == reverse("login-second-factor-setup")
    assert client.get(reverse("login-second-factor"))["Location"] == reverse(
        "login-second-factor-setup"
    )
    html = page(client.get(reverse("login-second-factor-setup")))
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert '<img src="data:image/svg+xml;' in html
    assert "QR code for adding Familiebro to the authenticator app" in html
    secret = accounts.authenticator_setup(device).secret
    assert secret.replace(" ", "") in device.config_url
    assert secret in html
    assert 'autocomplete="one-time-code"' in html
    assert not reaches_staff_home(client)


def test_the_setup_page_has_no_inline_script_or_style(client, staff):
    enter_password(client, staff.username)
    html = page(client.get(reverse("login-second-factor-setup")))
    assert " style=" not in html
    assert "<style" not in html
    assert re.findall(r"<script[^>]*>", html) == [
        f'<script src="{settings.STATIC_URL}vendor/htmx/htmx.min.js" defer>'
    ]


def test_reloading_the_setup_page_keeps_the_same_key(client, staff):
    enter_password(client, staff.username)
    client.get(reverse("login-second-factor-setup"))
    client.get(reverse("login-second-factor-setup"))
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_confirming_the_app_shows_ten_recovery_codes_once_and_logs_in(client, staff):
    enter_password(client, staff.username)
    client.get(reverse("login-second-factor-setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("login-second-factor-setup"), {"code": code_from(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", page(response))
    assert len(codes) == 10
    assert "they are shown only this once" in page(response)
    assert response["Cache-Control"].startswith("max-age=0")

    assert refresh(device).confirmed
    assert reaches_staff_home(client)
    events = [d["event"] for d in audit_details("security")]
    assert events == ["authenticator_enrolled", "recovery_codes_created"]
    assert audit_details("login") == [{"second_factor": "authenticator_app_enrolled"}]
    account_page = page(client.get(reverse("account")))
    assert "You have 10 unused recovery codes." in account_page
    assert not any(code in account_page for code in codes)


def test_a_wrong_code_during_setup_leaves_the_app_unconfirmed(client, staff):
    enter_password(client, staff.username)
    client.get(reverse("login-second-factor-setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("login-second-factor-setup"), {"code": wrong_code_for(device)})
    assert response.status_code == 400
    assert "The code is wrong or has expired." in page(response)
    assert not refresh(device).confirmed
    assert not reaches_staff_home(client)


def test_someone_with_an_app_cannot_set_up_another(client, staff, app):
    enter_password(client, staff.username)
    response = client.get(reverse("login-second-factor-setup"))
    assert response["Location"] == reverse("login-second-factor")
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_the_password_alone_cannot_replace_an_app_already_set_up(client, staff, app):
    unconfirmed = TOTPDevice.objects.create(user=staff, name="attacker", confirmed=False)
    enter_password(client, staff.username)
    response = client.post(reverse("login-second-factor-setup"), {"code": code_from(unconfirmed)})
    assert response["Location"] == reverse("login-second-factor")
    assert not refresh(unconfirmed).confirmed
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).get() == app
    with pytest.raises(accounts.AlreadySetUp):
        accounts.enrol_totp_device(staff)


# --- Recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client, staff, app):
    first_code = accounts.create_new_recovery_codes(staff)[0]
    enter_password(client, staff.username)
    response = client.post(reverse("login-second-factor"), {"recovery_code": first_code})
    assert response["Location"] == reverse("staff-home")
    assert "You have 9 recovery codes left." in page(client.get(reverse("staff-home")))
    assert {"event": "recovery_code_used", "recovery_codes_left": 9} in audit_details("security")
    assert audit_details("login") == [{"second_factor": "recovery_code"}]

    client.post(reverse("logout"))
    enter_password(client, staff.username)
    response = client.post(reverse("login-second-factor"), {"recovery_code": first_code})
    assert "This recovery code is wrong or has already been used." in page(response)
    assert not reaches_staff_home(client)


def test_a_recovery_code_is_accepted_without_the_gap_and_in_capitals(client, staff, app):
    code = accounts.create_new_recovery_codes(staff)[0]
    enter_password(client, staff.username)
    client.post(reverse("login-second-factor"), {"recovery_code": code.replace(" ", "").upper()})
    assert reaches_staff_home(client)


def test_new_recovery_codes_replace_the_old_ones(staff_client, staff):
    old = accounts.create_new_recovery_codes(staff)
    response = staff_client.post(reverse("account-new-recovery-codes"))
    new = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", page(response))
    assert len(new) == 10
    assert "The old ones no longer work." in page(response)
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert stored == {accounts.normalise_recovery_code(c) for c in new}
    assert not stored & {accounts.normalise_recovery_code(c) for c in old}


# --- Lockout --------------------------------------------------------------------------------


def locked_message_time(user):
    return formats.time_format(timezone.localtime(refresh(user).locked_until), "H:i")


def test_it_locks_the_account_after_five_failed_passwords(client, staff, app):
    for _ in range(5):
        enter_password(client, staff.username, WRONG_PASSWORD)
    response = enter_password(client, staff.username)
    assert response.status_code == 400
    assert "The username or password is wrong, or the account is locked" in page(response)
    assert not client.session.get("_auth_user_id")
    lock = next(d for d in audit_details("security") if d["event"] == "account_locked")
    assert lock["failed_attempts"] == 5


def test_the_lock_lasts_the_configured_number_of_minutes(client, staff):
    before = timezone.now()
    for _ in range(5):
        enter_password(client, staff.username, WRONG_PASSWORD)
    locked_for = refresh(staff).locked_until - before
    assert datetime.timedelta(minutes=15) <= locked_for < datetime.timedelta(minutes=16)


def the_answer(response, username):
    """What a login attempt tells whoever made it: the status, the session it leaves, and the
    page with the two things that differ between any two renderings of it (the CSRF token and
    the username typed) blanked out."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page(response))
    html = html.replace(f'value="{username}"', 'value=""')
    return response.status_code, sorted(response.cookies), html


def test_a_locked_account_answers_the_right_password_exactly_as_a_wrong_one(client, staff, app):
    for _ in range(5):
        enter_password(client, staff.username, WRONG_PASSWORD)

    right = enter_password(english_client(), staff.username)
    wrong = enter_password(english_client(), staff.username, WRONG_PASSWORD)
    unknown = enter_password(english_client(), "finnes-ikke", WRONG_PASSWORD)
    colleague = factories.UserFactory()
    not_locked = enter_password(english_client(), colleague.username, WRONG_PASSWORD)

    assert the_answer(right, staff.username) == the_answer(wrong, staff.username)
    assert the_answer(right, staff.username) == the_answer(unknown, "finnes-ikke")
    assert the_answer(right, staff.username) == the_answer(not_locked, colleague.username)
    assert right.status_code == 400
    assert "Your account is locked" not in page(right)


def test_every_attempt_during_the_lock_is_counted_and_starts_the_lock_again(
    client, staff, app, clock
):
    for _ in range(5):
        enter_password(client, staff.username, WRONG_PASSWORD)
    first_lock_ends = refresh(staff).locked_until

    clock.advance(minutes=10)
    enter_password(client, staff.username, WRONG_PASSWORD)
    clock.advance(minutes=6)  # the first lock has run out by now
    assert timezone.now() > first_lock_ends

    # The right password is still refused: the guess ten minutes in started the lock again.
    response = enter_password(client, staff.username)
    assert "The username or password is wrong, or the account is locked" in page(response)
    assert not client.session.get("_auth_user_id")
    assert refresh(staff).failed_login_count == 7
    assert [d.get("failed_attempts") for d in audit_details("login_failed")] == list(range(1, 8))
    assert [d["reason"] for d in audit_details("login_failed")][5:] == ["locked", "locked"]

    clock.advance(minutes=16)
    log_in_fully(client, staff, app)
    assert reaches_staff_home(client)


def test_the_login_page_says_that_attempts_during_the_lock_start_it_again(client):
    html = page(client.get(reverse("login")))
    assert "every attempt is refused, even with the right password" in html


def test_wrong_codes_count_towards_the_lock_and_end_the_session(client, staff, app, no_throttle):
    for _ in range(2):
        enter_password(client, staff.username, WRONG_PASSWORD)
    enter_password(client, staff.username)
    for _ in range(2):
        assert enter_code(client, wrong_code_for(app)).status_code == 400
    response = enter_code(client, wrong_code_for(app))
    assert response["Location"] == reverse("login")
    html = page(client.get(response["Location"]))
    assert f"Your account is locked until {locked_message_time(staff)}" in html
    assert client.get(reverse("login-second-factor"))["Location"] == reverse("login")


def test_wrong_recovery_codes_count_towards_the_lock(client, staff, app, no_throttle):
    accounts.create_new_recovery_codes(staff)
    enter_password(client, staff.username)
    for _ in range(5):
        response = client.post(reverse("login-second-factor"), {"recovery_code": "aaaa aaaa"})
    assert response["Location"] == reverse("login")
    assert refresh(staff).locked_until is not None


def test_the_correct_password_alone_does_not_reset_the_count(client, staff, app):
    for _ in range(4):
        enter_password(client, staff.username, WRONG_PASSWORD)
    enter_password(client, staff.username)
    assert refresh(staff).failed_login_count == 4
    enter_code(client, wrong_code_for(app))
    assert refresh(staff).locked_until is not None


def test_a_successful_login_resets_the_count(client, staff, app):
    for _ in range(4):
        enter_password(client, staff.username, WRONG_PASSWORD)
    log_in_fully(client, staff, app)
    assert refresh(staff).failed_login_count == 0
    client.post(reverse("logout"))
    for _ in range(4):
        enter_password(client, staff.username, WRONG_PASSWORD)
    assert refresh(staff).locked_until is None


def test_the_account_opens_again_when_the_lock_runs_out(client, staff, app, clock):
    for _ in range(5):
        enter_password(client, staff.username, WRONG_PASSWORD)
    clock.advance(minutes=16)
    enter_password(client, staff.username, WRONG_PASSWORD)
    assert refresh(staff).failed_login_count == 1  # a fresh count
    log_in_fully(client, staff, app)
    assert reaches_staff_home(client)
    assert refresh(staff).locked_until is None


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database cannot serve concurrent writers; BEGIN IMMEDIATE "
    "serialises them on a real SQLite file. Runs on PostgreSQL (make test-postgres).",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_failed_attempts_cannot_slip_past_the_limit(staff):
    attempts = 8
    start = threading.Barrier(attempts)
    errors = []

    def attempt():
        try:
            start.wait()
            enter_password(english_client(), staff.username, WRONG_PASSWORD)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    staff = refresh(staff)
    # Every attempt was counted (those after the limit too), none lost to a concurrent one, and
    # the lock came exactly once.
    assert staff.failed_login_count == attempts
    assert len(audit_details("login_failed")) == attempts
    assert [d["event"] for d in audit_details("security")] == ["account_locked"]
    counts = sorted(d["failed_attempts"] for d in audit_details("login_failed"))
    assert counts == list(range(1, attempts + 1))


# --- Idle timeout ---------------------------------------------------------------------------


def test_an_idle_session_ends_after_the_idle_time(staff_client, clock):
    assert reaches_staff_home(staff_client)
    clock.advance(seconds=settings.SESSION_COOKIE_AGE + 1)
    response = staff_client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive(staff_client, clock):
    for _ in range(3):
        clock.advance(seconds=settings.SESSION_COOKIE_AGE - 60)
        assert reaches_staff_home(staff_client)


def session_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).expire_date


def test_the_session_is_renewed_at_most_once_per_interval(staff_client, clock):
    assert reaches_staff_home(staff_client)
    renewed = session_expiry(staff_client)
    # Within the interval a page costs no session write, so the expiry stays where it was.
    clock.advance(seconds=settings.SESSION_RENEWAL_SECONDS - 5)
    assert reaches_staff_home(staff_client)
    assert session_expiry(staff_client) == renewed
    # After it, the next page renews the idle time from now.
    clock.advance(seconds=10)
    assert reaches_staff_home(staff_client)
    assert session_expiry(staff_client) >= renewed + datetime.timedelta(
        seconds=settings.SESSION_RENEWAL_SECONDS
    )


def test_an_idle_session_ends_at_most_one_interval_early(staff_client, clock):
    assert reaches_staff_home(staff_client)
    clock.advance(seconds=settings.SESSION_RENEWAL_SECONDS - 5)
    assert reaches_staff_home(staff_client)  # not a renewal: too soon after the last one
    clock.advance(seconds=settings.SESSION_COOKIE_AGE - settings.SESSION_RENEWAL_SECONDS + 10)
    # Idle for less than the idle time since the last page, but more since the last renewal.
    response = staff_client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_cookie_ends_with_the_browser(client, staff, app):
    log_in_fully(client, staff, app)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"]
    assert cookie["httponly"]


# --- Logging out ----------------------------------------------------------------------------


def test_logging_out_ends_the_session_and_is_audited(staff_client, staff):
    response = staff_client.post(reverse("logout"))
    assert response["Location"] == reverse("front-page")
    assert "You are logged out." in page(staff_client.get(reverse("front-page")))
    assert not reaches_staff_home(staff_client)
    assert AuditEvent.objects.filter(action="logout", actor_id=staff.pk).count() == 1


def test_logging_out_needs_a_post(staff_client):
    assert staff_client.get(reverse("logout")).status_code == 405
    assert reaches_staff_home(staff_client)


def test_logging_out_everywhere_ends_other_sessions_but_keeps_this_one(client, staff, app):
    log_in_fully(client, staff, app)
    elsewhere = english_client()
    enter_password(elsewhere, staff.username)
    enter_code(elsewhere, code_from(app, steps_ahead=1))
    assert reaches_staff_home(elsewhere)

    response = client.post(reverse("logout-everywhere"))
    assert response["Location"] == reverse("account")
    assert "You are now logged out on all other devices" in page(client.get(reverse("account")))
    assert reaches_staff_home(client)
    assert not reaches_staff_home(elsewhere)
    assert {"event": "logout_everywhere"} in audit_details("security")


def test_logging_out_everywhere_keeps_the_second_factor_of_this_session(staff_client, staff):
    staff_client.post(reverse("logout-everywhere"))
    assert DEVICE_ID_SESSION_KEY in staff_client.session
    assert reaches_staff_home(staff_client)


def test_logging_out_everywhere_needs_a_post(staff_client, staff):
    assert staff_client.get(reverse("logout-everywhere")).status_code == 405
    assert refresh(staff).session_generation == 0


def test_the_account_page_needs_a_complete_login(client, staff, app):
    enter_password(client, staff.username)
    assert client.get(reverse("account"))["Location"] == reverse("login-second-factor")
    assert client.post(reverse("logout-everywhere"))["Location"] == reverse("login-second-factor")


def test_the_account_page_shows_who_is_logged_in_and_the_second_factor(staff_client, staff):
    html = page(staff_client.get(reverse("account")))
    assert staff.username in html
    assert staff.get_full_name() in html
    assert "Authenticator app set up on" in html
    assert "Log out everywhere else" in html


# --- Demo logins ----------------------------------------------------------------------------


@pytest.fixture
def demo_user(unit):
    user = factories.UserFactory(
        username="demo-helsesykepleier",
        first_name="Hanne",
        last_name="Helse",
        professional_title=User.Title.PUBLIC_HEALTH_NURSE,
        is_demo_account=True,
        password=settings.DEMO_PASSWORD,
    )
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.COORDINATOR)
    return user


def test_the_login_page_lists_the_demo_logins_in_demo_mode(client, settings, demo_user, unit):
    settings.DEMO_MODE = True
    html = page(client.get(reverse("login")))
    assert "Demo logins" in html
    for shown in (
        "demo-helsesykepleier",
        "Hanne Helse",
        "Public health nurse",
        unit.name,
        "Coordinator",
        settings.DEMO_PASSWORD,
    ):
        assert shown in html


def test_the_login_page_lists_no_demo_logins_outside_demo_mode(client, settings, demo_user):
    settings.DEMO_MODE = False
    html = page(client.get(reverse("login")))
    assert "Demo logins" not in html
    assert "demo-helsesykepleier" not in html
    assert settings.DEMO_PASSWORD not in html


def test_a_demo_account_skips_the_second_factor_in_demo_mode(client, settings, demo_user):
    settings.DEMO_MODE = True
    response = enter_password(client, demo_user.username, settings.DEMO_PASSWORD)
    assert response["Location"] == reverse("staff-home")
    assert reaches_staff_home(client)
    assert audit_details("login") == [{"second_factor": "skipped_demo_account"}]


def test_a_demo_account_needs_the_second_factor_outside_demo_mode(client, settings, demo_user):
    settings.DEMO_MODE = False
    response = enter_password(client, demo_user.username, settings.DEMO_PASSWORD)
    assert response["Location"] == reverse("login-second-factor-setup")
    assert not reaches_staff_home(client)


def test_an_ordinary_account_needs_the_second_factor_in_demo_mode(client, settings, staff):
    settings.DEMO_MODE = True
    enter_password(client, staff.username)
    assert not reaches_staff_home(client)


# --- The audit trail ------------------------------------------------------------------------


def test_the_audit_trail_records_attempts_without_passwords_or_codes(client, staff, app):
    recovery_code = accounts.create_new_recovery_codes(staff)[0]
    wrong_code, right_code = wrong_code_for(app), code_from(app)
    enter_password(client, staff.username, WRONG_PASSWORD)
    enter_password(client, staff.username)
    enter_code(client, wrong_code)
    time.sleep(1.1)  # django-otp's delay after a wrong code
    enter_code(client, right_code)
    client.post(reverse("logout"))

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "security",  # recovery codes created
        "login_failed",
        "login_failed",
        "login",
        "logout",
    ]
    trail = json.dumps(
        list(AuditEvent.objects.values("actor_label", "object_ids", "detail")), default=str
    )
    for secret in (
        TEST_PASSWORD,
        WRONG_PASSWORD,
        wrong_code,
        right_code,
        recovery_code,
        recovery_code.replace(" ", ""),
    ):
        assert secret not in trail
    assert verify_chain().ok
