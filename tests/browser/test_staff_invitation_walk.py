"""An organisation's administrator invites a public health nurse in a real browser; the nurse
opens the link from the e-mail, sets a password, sets up her authenticator app and lands on
the staff home with her role. axe-core checks each page of the walk, in bokmål and English."""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from email import policy as email_policy
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from familiebro.core.models import Membership, OrganisationAdministrator, User
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

PASSWORD = "blå-fjord-sykkel-lampe"
LINK = re.compile(r"https?://\S+/konto/invitasjon/\S+/")

WORDS = {
    "nb": {
        "staff": "Ansatte",
        "invite": "Inviter en ansatt",
        "first": "Fornavn",
        "last": "Etternavn",
        "email": "E-post",
        "unit": "Enhet",
        "role": "Rolle",
        "send": "Send invitasjonen",
        "username": "Brukernavn",
        "password": "Passord",
        "again": "Passord en gang til",
        "create": "Lag kontoen",
        "confirm": "Bekreft og gå videre",
        "worker": "Medarbeider",
        "accept_heading": "Lag kontoen din",
        "expired_heading": "Invitasjonslenken virker ikke",
    },
    "en": {
        "staff": "Staff",
        "invite": "Invite a member of staff",
        "first": "First name",
        "last": "Last name",
        "email": "E-mail",
        "unit": "Unit",
        "role": "Role",
        "send": "Send the invitation",
        "username": "Username",
        "password": "Password",
        "again": "Password again",
        "create": "Create the account",
        "confirm": "Confirm and continue",
        "worker": "Worker",
        "accept_heading": "Create your account",
        "expired_heading": "The invitation link does not work",
    },
}


@pytest.fixture
def scene(transactional_db):
    organisation = make.organisation(name="Stange kommune")
    unit = make.unit(organisation, name="Helsestasjonen i Stange")
    admin = make.user(first_name="Anne", last_name="Admin")
    OrganisationAdministrator.objects.create(user=admin, organisation=organisation)
    return admin, unit


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_invited_nurse_creates_her_account_and_lands_on_the_staff_home(
    browsing, scene, smtp_server, language
):
    admin, unit = scene
    words = WORDS[language]
    page = browsing.axe_page(language=language, session_key=session_key_for(admin))

    page.goto(reverse("administration:home"))
    page.get_by_role("link", name=words["staff"]).first.click()
    assert_no_axe_violations(page, path=reverse("administration:staff"))
    page.get_by_role("link", name=words["invite"]).click()
    invite_path = reverse("administration:staff-invite")
    assert_no_axe_violations(page, path=invite_path)
    # A bad address is told beside the field, and the page still passes axe.
    page.get_by_label(words["first"]).fill("Nina")
    page.get_by_label(words["last"]).fill("Berg")
    page.get_by_label(words["email"], exact=True).fill("nina-ved-stange")
    page.get_by_label(words["unit"]).select_option(label=f"{unit.name} (Stange kommune)")
    page.get_by_label(words["role"]).select_option(value=Membership.Role.WORKER)
    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator(".ds-validation-message").first).to_be_visible()
    assert_no_axe_violations(page, path=invite_path)
    page.get_by_label(words["email"], exact=True).fill("nina.berg@stange.kommune.no")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator("main")).to_contain_text("nina.berg@stange.kommune.no")
    assert_no_axe_violations(page, path=reverse("administration:staff"))

    [(recipients, content)] = smtp_server.wait_for(1)
    assert recipients == ["nina.berg@stange.kommune.no"]
    body = message_from_bytes(content, policy=email_policy.default).get_content()
    link = LINK.search(body)
    assert link, body
    accept_path = urlsplit(link.group(0)).path

    # The nurse, in a browser of her own.
    nurse_page = browsing.axe_page(language=language)
    nurse_page.goto(accept_path)
    assert_no_axe_violations(nurse_page, path=accept_path, heading=words["accept_heading"])
    nurse_page.get_by_label(words["username"]).fill("nina.berg")
    nurse_page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    nurse_page.get_by_label(words["again"]).fill("ikke-det-samme-passordet")
    nurse_page.get_by_role("button", name=words["create"]).click()
    expect(nurse_page.locator(".ds-validation-message").first).to_be_visible()
    assert_no_axe_violations(nurse_page, path=accept_path)
    nurse_page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    nurse_page.get_by_label(words["again"]).fill(PASSWORD)
    nurse_page.get_by_role("button", name=words["create"]).click()

    setup_path = reverse("login-second-factor-setup")
    expect(nurse_page).to_have_url(re.compile(re.escape(setup_path) + "$"))
    nurse = User.objects.get(username="nina.berg")
    nurse_page.locator("input[name=code]").fill(current_code(nurse))
    nurse_page.get_by_role("button", name=words["confirm"]).click()
    # The recovery codes, once, then on to the staff home.
    nurse_page.goto(reverse("staff-home"))
    assert_no_axe_violations(nurse_page, path=reverse("staff-home"))
    expect(nurse_page.locator("main")).to_contain_text(unit.name)
    expect(nurse_page.locator("main")).to_contain_text(words["worker"])

    # The link is spent: it says so, and whom to ask.
    spent = browsing.axe_page(language=language)
    spent.goto(accept_path)
    assert_no_axe_violations(spent, path=accept_path, heading=words["expired_heading"])
    expect(spent.locator("main")).to_contain_text("Anne Admin")

    # The administrator sees her in the staff list, with her role and her first login.
    page.goto(reverse("administration:staff"))
    expect(page.locator("main")).to_contain_text("Nina Berg")
    page.get_by_role("link", name="Nina Berg").click()
    assert_no_axe_violations(
        page, path=reverse("administration:staff-member", args=[nurse.pk]), heading="Nina Berg"
    )


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_administrator_moves_and_deactivates_a_nurse(browsing, scene, language):
    admin, unit = scene
    other = make.unit(unit.organisation, name="Skolehelsetjenesten i Stange")
    nurse = make.member(unit, first_name="Nina", last_name="Berg")
    english = language == "en"
    page = browsing.axe_page(language=language, session_key=session_key_for(admin))
    detail = reverse("administration:staff-member", args=[nurse.pk])
    page.goto(detail)
    assert_no_axe_violations(page, path=detail, heading="Nina Berg")

    # Moving to the unit she is in is told beside the field, and nothing changes.
    move = page.locator("form", has=page.locator("#move_unit"))
    move.locator("#move_unit").select_option(label=f"{unit.name} (Stange kommune)")
    with page.expect_navigation():
        move.get_by_role("button").click()
    expect(page.locator(".ds-validation-message").first).to_be_visible()
    assert_no_axe_violations(page, path=reverse("administration:staff-move", args=[nurse.pk]))
    page.goto(detail)
    move = page.locator("form", has=page.locator("#move_unit"))
    move.locator("#move_unit").select_option(label=f"{other.name} (Stange kommune)")
    with page.expect_navigation():
        move.get_by_role("button").click()
    assert list(Membership.objects.filter(user=nurse).values_list("unit_id", flat=True)) == [
        other.pk
    ]

    deactivate = "Deactivate the account" if english else "Deaktiver kontoen"
    with page.expect_navigation():
        page.get_by_role("button", name=deactivate).click()
    assert_no_axe_violations(page, path=detail)
    expect(page.locator("main")).to_contain_text(
        "Deactivated: cannot log in" if english else "Deaktivert: kan ikke logge inn"
    )
    nurse.refresh_from_db()
    assert not nurse.is_active
