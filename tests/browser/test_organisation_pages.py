"""The organisation and unit pages of the administration area in a real browser: zero axe-core
violations in bokmål and English, also with form errors and an import report, and a unit
created without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import (
    Membership,
    Municipality,
    Organisation,
    OrganisationAdministrator,
    ServiceUnit,
)
from tests import factories
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser


@pytest.fixture
def town(transactional_db):
    # The live server's database is flushed between tests: the municipalities with it.
    stange, _ = Municipality.objects.get_or_create(
        number="3413", defaults={"name": "Stange", "county": "Innlandet"}
    )
    organisation = factories.OrganisationFactory(
        name="Stange kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        org_number="974760673",
        municipality=stange,
    )
    unit = make.unit(organisation, name="Helsestasjonen i Stange", kind="helsestasjon")
    unit.municipalities_served.set([stange])
    return unit


@pytest.fixture
def admin(town):
    return make.user(first_name="Ida", last_name="Drift", is_instance_admin=True)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_organisation_pages_have_no_axe_violations(browsing, town, admin, language):
    organisation = town.organisation
    OrganisationAdministrator.objects.create(
        user=make.user(first_name="Kari", last_name="Nordmann"), organisation=organisation
    )
    page = browsing.axe_page(session_key=session_key_for(admin), language=language)
    for url in [
        reverse("administration:home"),
        reverse("administration:organisations"),
        reverse("administration:organisation", args=[organisation.pk]),
        reverse("administration:organisation-create"),
        reverse("administration:organisation-change", args=[organisation.pk]),
        reverse("administration:units"),
        reverse("administration:unit", args=[town.pk]),
        reverse("administration:unit-create", args=[organisation.pk]),
        reverse("administration:unit-import"),
    ]:
        page.goto(url)
        assert_no_axe_violations(page, path=url)
    # A form with errors.
    page.goto(reverse("administration:organisation-create"))
    page.locator("main input[name=name]").fill("Feil")
    page.locator("main input[name=org_number]").fill("123")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("main .ds-validation-message").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_import_report_has_no_axe_violations(browsing, town, admin, language, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_text(
        "organisasjonsnummer;enhet;type;kommunenummer\n"
        "974760673;PPT Stange;ppt;3413\n"
        "974760673;Rakett;rakett;9999\n",
        encoding="utf-8",
    )
    page = browsing.axe_page(session_key=session_key_for(admin), language=language)
    page.goto(reverse("administration:unit-import"))
    page.locator("main input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("main table tbody tr").count() == 2
    assert_no_axe_violations(page)
    assert not ServiceUnit.objects.filter(name="PPT Stange").exists()


def test_a_unit_administrator_changes_their_unit_without_javascript(browsing, town):
    unit_admin = make.member(town, role=Membership.Role.UNIT_ADMIN)
    page = browsing.new_page(
        session_key=session_key_for(unit_admin), language="en", java_script_enabled=False
    )
    page.goto(reverse("administration:units"))
    page.get_by_role("link", name="Helsestasjonen i Stange").click()
    assert page.locator("main select[name=domain]").is_disabled()
    page.locator("main input[name=phone_hours]").fill("Weekdays 8–15")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "The changes are saved." in page.content()
    town.refresh_from_db()
    assert town.phone_hours == "Weekdays 8–15"
