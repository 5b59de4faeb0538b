"""The staff import page and the invitation's organisation login in a real browser: zero
axe-core violations in bokmål and English, also with an import report, and an import without
JavaScript."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from familiebro.administration import staff_actions
from familiebro.administration.models import Invitation, OrganisationSignOn
from familiebro.core.models import OrganisationAdministrator
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser


@pytest.fixture
def unit(transactional_db):
    return make.unit(
        make.organisation(name="Stange kommune"),
        name="Helsestasjonen i Stange",
        kind="helsestasjon",
    )


@pytest.fixture
def admin(unit):
    user = make.user(first_name="Anne", last_name="Admin")
    OrganisationAdministrator.objects.create(user=user, organisation=unit.organisation)
    return user


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_import_page_and_its_report_have_no_axe_violations(
    browsing, unit, admin, language, tmp_path
):
    path = tmp_path / "ansatte.csv"
    path.write_text(
        "fornavn;etternavn;epost;stilling;enhet;rolle\n"
        "Kari;Nordmann;kari@x.no;Jordmor;Helsestasjonen i Stange;medarbeider\n"
        "Ola;Hansen;ola;Lærer;Skolen;sjef\n",
        encoding="utf-8",
    )
    page = browsing.axe_page(session_key=session_key_for(admin), language=language)
    page.goto(reverse("administration:staff-import"))
    assert_no_axe_violations(page)
    page.locator("main input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("main table tbody tr").count() == 3
    assert_no_axe_violations(page)
    assert not Invitation.objects.exists()


def test_staff_are_imported_without_javascript(browsing, unit, admin, tmp_path):
    path = tmp_path / "ansatte.csv"
    path.write_text(
        "fornavn;etternavn;epost;stilling;enhet;rolle\n"
        "Kari;Nordmann;kari@x.no;Jordmor;Helsestasjonen i Stange;medarbeider\n",
        encoding="utf-8",
    )
    page = browsing.new_page(
        session_key=session_key_for(admin), language="en", java_script_enabled=False
    )
    page.goto(reverse("administration:home"))
    page.get_by_role("link", name="Import staff").click()
    page.locator("main input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "Imported: 1 invited, 0 given a role, 0 unchanged." in page.content()
    assert Invitation.objects.get().email == "kari@x.no"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_invitation_pages_with_the_organisations_login_have_no_axe_violations(
    browsing, unit, admin, language
):
    sign_on = OrganisationSignOn(
        organisation=unit.organisation,
        label="Logg inn med Stange kommune",
        issuer="https://login.example.no",
        client_id="familiebro",
        authorization_origin="https://login.example.no",
        enabled=True,
    )
    sign_on.client_secret = "hemmelig"
    sign_on.save()
    staff_actions.invite_staff(
        admin,
        first_name="Nina",
        last_name="Berg",
        email="nina@x.no",
        professional_title="helsesykepleier",
        unit=unit,
        role="worker",
    )
    match = re.search(r"/konto/invitasjon/(\S+)/", mail.outbox[-1].body)
    assert match
    token = match.group(1)
    page = browsing.axe_page(language=language)
    page.goto(reverse("administration:accept-invitation", args=[token]))
    assert_no_axe_violations(page)
    page.locator("main a[href$='organisasjon/']").click()
    page.wait_for_load_state()
    assert page.locator("main button[type=submit]").inner_text() == "Logg inn med Stange kommune"
    assert_no_axe_violations(page)
