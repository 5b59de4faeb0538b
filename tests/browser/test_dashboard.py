"""The leader's figures in a real browser: the dashboard with its charts and tables, on a wide
and on a 390-pixel-wide screen, without JavaScript, with the period form's errors, in bokmål
and English. axe-core checks every page; the CSP watch checks the SVG charts need no inline
style or script."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.reports import records

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}
URL = reverse("reports:dashboard")


@pytest.fixture
def town(transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    return records.stange()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_leader_reads_the_figures_of_march_on_a_narrow_screen(browsing, town, language):
    session = session_key_for(town.team_leader)
    english = language == "en"
    page = browsing.axe_page(language=language, session_key=session, viewport=NARROW)
    page.goto(f"{URL}?omfang=unit-{town.team.pk}&periode=month&fra=2026-03-10")
    heading = "Figures for Familiehjelpa" if english else "Tall for Familiehjelpa"
    assert_no_axe_violations(page, path=URL, heading=heading)
    channel = page.get_by_role(
        "region",
        name=(
            "Requests for help, by how they came"
            if english
            else "Henvendelser, etter hvordan de kom inn"
        ),
    )
    expect(channel.get_by_role("row", name="14")).to_be_visible()
    assert page.locator("svg.fb-chart").count() >= 5

    # A period that cannot be read: the form says what to do.
    page.get_by_label("Period" if english else "Periode", exact=True).select_option("custom")
    page.get_by_role("button", name="Show the figures" if english else "Vis tallene").click()
    expect(page.locator(".ds-validation-message").first).to_be_visible()
    assert_no_axe_violations(page, path=URL)


def test_the_organisations_figures_without_javascript(browsing, town):
    session = session_key_for(town.nurse_leader)
    page = browsing.new_page(session_key=session, java_script_enabled=False)
    page.goto(URL)
    page.get_by_label("Tall for", exact=True).select_option(f"organisation-{town.organisation.pk}")
    page.get_by_label("Periode", exact=True).select_option("year")
    page.get_by_label("Fra", exact=True).fill("2026-03-10")
    page.get_by_role("button", name="Vis tallene").click()
    expect(page.locator("h2").first).to_contain_text("Fra 1. januar 2026 til 31. desember 2026")
    expect(page.locator("h1")).to_have_text("Tall for Stange kommune")
