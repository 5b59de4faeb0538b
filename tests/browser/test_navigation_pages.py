"""Finding one's way in a real Chromium: a leader's start page with its counts, the staff
menu and breadcrumbs, and the searchable inbox and My cases have zero axe-core violations,
and the menu and a search work with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from familiebro.cases.pathway_library import install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.browser.test_shell import tab_to
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def town(transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    town = builders.municipality()
    builders.open_concern(town.nurse_leader, town.health_centre)
    HelpRequestFactory(unit=town.health_centre, requester_name="Aud Fjellheim")
    HelpRequestFactory(unit=town.health_centre, requester_name="Per Dalen")
    return town


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_start_page_and_the_searchable_lists_have_no_axe_violations(browsing, town, language):
    page = browsing.axe_page(language=language, session_key=session_key_for(town.nurse_leader))
    for path in ("/ansatt/", "/ansatt/saker/?q=a", "/ansatt/henvendelser/?q=Aud"):
        page.goto(path)
        assert_no_axe_violations(page, path=path.split("?")[0])


@pytest.mark.parametrize("java_script", [True, False])
def test_the_menu_and_the_inbox_search_work_with_the_keyboard_alone(browsing, town, java_script):
    page = browsing.new_page(
        language="en",
        java_script_enabled=java_script,
        session_key=session_key_for(town.nurse_leader),
    )
    page.goto("/ansatt/")
    expect(page.locator(".fb-tile").first).to_be_visible()
    tab_to(page, page.locator(".fb-staff-menu a", has_text="Requests for help"), limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/ansatt/henvendelser/")
    tab_to(page, page.locator("input[name=q]"), limit=80)
    page.keyboard.type("Fjellheim")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.locator("main table")
    expect(table).to_contain_text("Aud Fjellheim")
    expect(table).not_to_contain_text("Per Dalen")
    # The way back: the breadcrumbs lead home.
    expect(page.locator(".fb-breadcrumbs a")).to_have_attribute("href", "/ansatt/")
