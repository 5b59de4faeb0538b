"""The pathway pages in a real browser: zero axe-core violations on the list, a version and
the new-version page showing problems, and the editor and the choice work without
JavaScript and from the keyboard."""

from __future__ import annotations

import copy
import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from familiebro.cases import case_services
from familiebro.cases.models import PathwayVersion
from familiebro.cases.pathway_library import BTI, install_shipped
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

NEW_BTI = reverse("pathways:new-version", args=["bti"])


@pytest.fixture
def town(transactional_db) -> builders.Municipality:
    install_shipped()  # the live server's database is flushed between tests
    town = builders.municipality()
    builders.open_concern(town.teacher, town.kindergarten)
    return town


@pytest.fixture
def admin(town):
    return make.user(first_name="Ida", last_name="Drift", is_instance_admin=True)


def broken_bti() -> str:
    spec = copy.deepcopy(BTI)
    spec["start"] = "nowhere"
    spec["phases"][0]["decision"]["options"][1]["to"] = "level9"
    return json.dumps(spec, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_pathway_list_has_no_axe_violations(browsing, admin, language):
    page = browsing.axe_page(session_key=session_key_for(admin), language=language)
    page.goto(reverse("pathways:list"))
    assert page.locator("main table").count() == 3
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_version_has_no_axe_violations(browsing, town, language):
    page = browsing.axe_page(session_key=session_key_for(town.teacher), language=language)
    page.goto(reverse("pathways:version", args=["bti", 1]))
    assert page.locator("main ol:not(.fb-breadcrumbs__list) > li").count() == 4
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_new_version_page_with_problems_has_no_axe_violations(browsing, admin, language):
    page = browsing.axe_page(session_key=session_key_for(admin), language=language)
    page.goto(NEW_BTI)
    assert_no_axe_violations(page)
    page.locator("main textarea").fill(broken_bti())
    with page.expect_navigation():
        page.locator("main button[value=check]").click()
    assert page.locator("main [role=alert] li").count() == 2
    assert_no_axe_violations(page)


def test_without_javascript_a_new_version_is_checked_then_published_from_the_keyboard(
    browsing, town, admin
):
    page = browsing.new_page(
        session_key=session_key_for(admin), language="en", java_script_enabled=False
    )
    page.goto(NEW_BTI)
    page.locator("main textarea").fill(broken_bti())
    with page.expect_navigation():
        page.locator("main button[value=check]").click()
    problems = page.locator("main [role=alert] li a")
    assert problems.count() == 2
    # Each problem is a link to the text: following it puts the cursor there.
    problems.first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_spec"

    spec = copy.deepcopy(BTI)
    spec["phases"][0]["deadlines"][0]["days"] = 10
    page.locator("main textarea").fill(json.dumps(spec, ensure_ascii=False))
    page.locator("main button[value=publish]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == reverse("pathways:version", args=["bti", 2])
    assert "within 10 calendar days" in page.locator("main").inner_text()
    assert PathwayVersion.objects.filter(definition__key="bti").count() == 2


def test_without_javascript_a_leader_chooses_the_pathway_of_their_unit(browsing, town):
    page = browsing.new_page(
        session_key=session_key_for(town.nurse_leader), language="en", java_script_enabled=False
    )
    page.goto(reverse("pathways:choose"))
    page.get_by_label("Where").select_option(f"unit:{town.health_centre.pk}")
    page.get_by_label("Pathway for new cases").select_option("familiehjelpa")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "Familiehjelpa" in page.locator("main table").inner_text()
    assert case_services.pathway_for(town.health_centre).definition.key == "familiehjelpa"
