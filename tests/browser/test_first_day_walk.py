"""The first day in production (docs/operations.md, "First day in production") in a real
browser, from an empty database to a request for help answered:

`create-instance-admin` → the administrator's first login (password, then the authenticator
app) → the municipality as an organisation → its health centre → a nurse invited by e-mail →
the health centre's offer published in the offer editor → a parent, without logging in, finds
it in the finder and asks to be contacted → the nurse opens her invitation, makes her account,
sets up her authenticator app, finds the request from her home page and records the first
contact; the administrator then looks at the instance's health. axe-core checks every
administration page the walk passes through.

Nothing comes from the demo data or a factory: the only rows made outside the browser are
those the migrations make on a real instance (municipalities, topics, the thesaurus), which the
live server's flush removes, put back with the same functions the migrations call.
"""

from __future__ import annotations

import datetime
import re
import time
from email import message_from_bytes
from email import policy as email_policy
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from familiebro.cases.models import HelpRequest
from familiebro.catalogue.models import Offer, TaxonomyTerm, Thesaurus
from familiebro.core import municipalities
from familiebro.core.models import Municipality, Organisation, ServiceUnit, User
from tests.browser.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "fjell-kaffe-trapp-solsikke"
NURSE_PASSWORD = "blå-fjord-sykkel-lampe"
NURSE_EMAIL = "nina.berg@stange.kommune.no"
INVITATION_LINK = re.compile(r"https?://\S+/konto/invitasjon/\S+/")
OFFER_TITLE = "Samtale om søvn på helsestasjonen"


@pytest.fixture
def empty_instance(transactional_db, monkeypatch):
    """A migrated instance with no accounts, organisations or offers: what the migrations
    load, and nothing else."""
    municipalities.apply_list(
        Municipality,
        municipalities.read_list(),
        today=datetime.date(2024, 1, 1),
        end_missing=False,
    )
    if not TaxonomyTerm.objects.exists():
        import_module("familiebro.catalogue.migrations.0003_programmes_and_taxonomy").forwards(
            django_apps, None
        )
    if not Thesaurus.objects.exists():
        import_module("familiebro.catalogue.migrations.0007_search_terms").load_default_thesaurus(
            django_apps, None
        )
    assert not User.objects.exists()
    assert not Organisation.objects.exists()
    assert not Offer.objects.exists()
    for name, value in {
        "FAMILIEBRO_ADMIN_USERNAME": "drift",
        "FAMILIEBRO_ADMIN_NAME": "Ada Drift",
        "FAMILIEBRO_ADMIN_EMAIL": "drift@stange.kommune.no",
        "FAMILIEBRO_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def follow(page, name: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=name, exact=True).first.click()


def open_section(page, label: str) -> None:
    """A card of the administration home, by its heading."""
    page.goto(reverse("administration:home"))
    card = page.locator(
        "main a.ds-card", has=page.locator(".ds-heading", has_text=re.compile(f"^{label}$"))
    )
    with page.expect_navigation():
        card.click()


def no_errors_shown(page) -> None:
    """Fail with each message and the field it stands by, if the page refused the form."""
    errors = page.locator(".ds-validation-message").evaluate_all(
        "nodes => nodes.map(n => (n.closest('.ds-field, fieldset')?.innerText || n.innerText))"
    )
    assert not errors, errors


def authenticator_code(user: User) -> str:
    """The code the authenticator app shows for the key the set-up page gave."""
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def set_up_the_authenticator(page, username: str) -> None:
    """On the set-up page a first login ends on: enter the app's code, then leave the
    recovery codes for the staff home."""
    expect(page.locator("h1")).to_have_text("Set up the second factor")
    page.locator("input[name=code]").fill(authenticator_code(User.objects.get(username=username)))
    submit(page, "Confirm and continue")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    follow(page, "I have saved the codes – continue")
    assert urlsplit(page.url).path == reverse("staff-home")


def log_in_for_the_first_time(page, username: str, password: str) -> None:
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    submit(page, "Log in")
    assert urlsplit(page.url).path == reverse("login-second-factor-setup")
    set_up_the_authenticator(page, username)


def create_the_municipality(page) -> Organisation:
    page.goto(reverse("administration:home"))
    assert_no_axe_violations(page, heading="Administration")
    open_section(page, "Organisations")
    assert_no_axe_violations(page, path=reverse("administration:organisations"))
    follow(page, "New organisation")
    assert_no_axe_violations(page, heading="New organisation")
    page.locator("main input[name=name]").fill("Stange kommune")
    page.locator("main select[name=kind]").select_option(Organisation.Kind.MUNICIPALITY)
    page.locator("main input[name=org_number]").fill("974 760 673")
    page.locator("main input[name=municipality_number]").fill("3413")
    page.locator("main input[name=served]").fill("3413")
    submit(page, "Save")
    no_errors_shown(page)
    organisation = Organisation.objects.get(org_number="974760673")
    assert_no_axe_violations(
        page,
        path=reverse("administration:organisation", args=[organisation.pk]),
        heading="Stange kommune",
    )
    expect(page.locator("main")).to_contain_text("Stange kommune is created.")
    return organisation


def create_the_health_centre(page, organisation: Organisation) -> ServiceUnit:
    follow(page, "New unit")
    assert_no_axe_violations(
        page, path=reverse("administration:unit-create", args=[organisation.pk])
    )
    page.locator("main input[name=name]").fill("Helsestasjonen i Stange")
    page.locator("main select[name=kind]").select_option(ServiceUnit.Kind.HEALTH_CENTRE)
    page.locator("main select[name=domain]").select_option("health")
    page.locator("main input[name=phone]").fill("62 56 20 00")
    page.locator("main input[name=phone_hours]").fill("Mandag til fredag 8–15")
    page.locator("main input[name=email]").fill("helsestasjonen@stange.kommune.no")
    page.locator("main input[name=served]").fill("3413")
    submit(page, "Save")
    no_errors_shown(page)
    assert_no_axe_violations(
        page, path=reverse("administration:organisation", args=[organisation.pk])
    )
    expect(page.locator("main")).to_contain_text("Helsestasjonen i Stange is created.")
    unit = ServiceUnit.objects.get(organisation=organisation)
    assert unit.domain == "health"
    assert [m.number for m in unit.municipalities_served.all()] == ["3413"]
    return unit


def invite_the_nurse(page, unit: ServiceUnit, smtp_server) -> str:
    """Invite the nurse as a worker; returns the path of the link in her e-mail."""
    open_section(page, "Staff")
    assert_no_axe_violations(page, path=reverse("administration:staff"))
    follow(page, "Invite a member of staff")
    assert_no_axe_violations(page, path=reverse("administration:staff-invite"))
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_label("E-mail", exact=True).fill(NURSE_EMAIL)
    page.get_by_label("Unit").select_option(label="Helsestasjonen i Stange (Stange kommune)")
    page.get_by_label("Role").select_option("worker")
    # The instance's administrator is not the municipality's own administrator: the role is
    # given on the municipality's written authorisation, which the invitation names.
    page.locator("main input[name=authorised_by]").fill("Kari Leder, kommunalsjef helse")
    page.locator("main input[name=reference]").fill("2026/1234")
    submit(page, "Send the invitation")
    no_errors_shown(page)
    assert_no_axe_violations(page, path=reverse("administration:staff"))
    expect(page.locator("main")).to_contain_text(NURSE_EMAIL)

    [(recipients, content)] = smtp_server.wait_for(1)
    assert recipients == [NURSE_EMAIL]
    body = message_from_bytes(content, policy=email_policy.default).get_content()
    link = INVITATION_LINK.search(body)
    assert link, body
    return urlsplit(link.group(0)).path


def publish_the_offer(page, unit: ServiceUnit) -> Offer:
    page.goto(reverse("offer-editor-list"))
    assert_no_axe_violations(page, path=reverse("offer-editor-list"))
    page.goto(f"{reverse('offer-editor-create')}?enhet={unit.pk}")
    assert_no_axe_violations(page, heading="New offer")
    page.locator("main select[name=unit]").select_option(str(unit.pk))
    page.locator("main input[name=title]").fill(OFFER_TITLE)
    page.locator("main input[name=summary]").fill("Når babyen sover dårlig om natta.")
    page.locator("main textarea[name=description]").fill(
        "En samtale med helsesykepleier om søvn og rutiner for de minste."
    )
    sleep = TaxonomyTerm.objects.get(code="infant-sleep-feeding")
    page.locator(f"main input[name=topics][value='{sleep.pk}']").check()
    page.locator("main input[name=contact_phone]").fill("62 56 20 00")
    submit(page, "Save as draft")
    no_errors_shown(page)
    offer = Offer.objects.get(title=OFFER_TITLE)
    assert offer.unit == unit
    assert [m.number for m in offer.municipalities.all()] == ["3413"]
    submit(page, "Publish")
    expect(page.locator("main")).to_contain_text("The offer is published.")
    assert_no_axe_violations(page, path=reverse("offer-editor-edit", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    return offer


def ask_for_help_as_a_parent(page, offer: Offer) -> str:
    """A parent, not logged in, finds the offer and asks the unit to call; returns the
    reference on the receipt."""
    page.goto(reverse("finder:finder"))
    page.locator("select[name=kommune]").select_option("3413")
    page.get_by_role("searchbox").fill("søvn")
    submit(page, "Show offers")
    with page.expect_navigation():
        page.locator(".fb-results").get_by_role("link", name=OFFER_TITLE).click()
    assert urlsplit(page.url).path == reverse("finder:offer", args=[offer.pk])
    follow(page, "Get in touch")
    expect(page.locator("h1")).to_have_text("Ask to be contacted")
    page.locator("input[name=requester_role][value=parent]").check()
    page.locator("input[name=requester_name]").fill("Kari Nordmann")
    page.locator("input[name=phone]").fill("912 34 567")
    page.locator("textarea[name=message]").fill("Babyen sover lite, og vi er slitne.")
    page.locator("input[name=storage_notice_agreed]").check()
    submit(page, "Send request")
    expect(page.locator("h1")).to_have_text("Your request has been sent")
    reference = page.locator(".fb-receipt__reference").inner_text().strip()
    assert reference
    return reference


def test_from_an_empty_database_to_a_request_answered(browsing, empty_instance, smtp_server):
    # The operator, on the server: the first instance administrator, from the environment.
    call_command("create-instance-admin", "--no-input")
    admin = User.objects.get(username="drift")
    assert admin.is_instance_admin

    # 1. The administrator's first login: the password, then the authenticator app.
    page = browsing.axe_page(language="en")
    log_in_for_the_first_time(page, "drift", ADMIN_PASSWORD)
    expect(page.locator("h1")).to_have_text("Welcome, Ada Drift")

    # 2. The municipality as an organisation, and 3. its health centre.
    organisation = create_the_municipality(page)
    unit = create_the_health_centre(page, organisation)

    # 4. The nurse is invited as a worker.
    invitation_path = invite_the_nurse(page, unit, smtp_server)

    # 5. The health centre's offer, published in the offer editor.
    offer = publish_the_offer(page, unit)

    # 6. A parent, without logging in, finds the offer and asks to be contacted.
    parent = browsing.new_page(language="en")
    reference = ask_for_help_as_a_parent(parent, offer)
    request = HelpRequest.objects.get()
    assert (request.unit, request.offer, request.status) == (unit, offer, HelpRequest.Status.NEW)
    assert request.reference == reference

    # 7. The nurse opens her invitation, makes her account and sets up her authenticator app.
    nurse = browsing.new_page(language="en")
    nurse.goto(invitation_path)
    expect(nurse.locator("h1")).to_have_text("Create your account")
    nurse.get_by_label("Username").fill("nina.berg")
    nurse.get_by_label("Password", exact=True).fill(NURSE_PASSWORD)
    nurse.get_by_label("Password again").fill(NURSE_PASSWORD)
    submit(nurse, "Create the account")
    no_errors_shown(nurse)
    assert urlsplit(nurse.url).path == reverse("login-second-factor-setup")
    set_up_the_authenticator(nurse, "nina.berg")
    main = nurse.locator("main")
    expect(main).to_contain_text("Helsestasjonen i Stange")
    expect(main).to_contain_text("Worker")

    # 8. Her home page counts the new request; the inbox lists it; she opens it.
    new_requests = nurse.locator("a.fb-tile", has_text="New requests")
    expect(new_requests.locator(".fb-tile__count")).to_have_text("1")
    with nurse.expect_navigation():
        new_requests.click()
    assert urlsplit(nurse.url).path == reverse("inbox:list")
    follow(nurse, reference)
    expect(nurse.locator("h1")).to_have_text(f"Request {reference}")
    expect(main).to_contain_text("Kari Nordmann")
    expect(main).to_contain_text("Babyen sover lite, og vi er slitne.")
    expect(main).to_contain_text(OFFER_TITLE)

    # 9. She has called the parent: the first contact is recorded.
    submit(nurse, "Mark as contacted")
    expect(main).to_contain_text(f"Request {reference} is marked as contacted.")
    expect(main).to_contain_text("First contacted")
    expect(nurse.get_by_role("button", name="Mark as contacted")).to_have_count(0)
    request.refresh_from_db()
    assert request.status == HelpRequest.Status.CONTACTED
    assert request.first_contacted_at is not None

    # 10. Monitoring: the load balancer's check, and the instance health for the
    # administrator and, as JSON, for a monitoring system.
    healthz = page.request.get(reverse("healthz"))
    assert (healthz.status, healthz.json()["status"]) == (200, "ok")
    page.goto(reverse("administration:health"))
    assert_no_axe_violations(page, heading="Instance health")
    health = page.request.get(reverse("administration:health-json"))
    assert health.status == 200
    # No `familiebro worker` runs beside the test server: the check says so.
    assert health.json()["checks"]["worker"]["status"] == "red"
