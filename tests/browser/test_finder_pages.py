"""The finder on a phone, the way back from an offer to its results, the crisis numbers and
the programme register, in a real browser; axe-core on every new page."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from familiebro.catalogue.models import CrisisLine, TaxonomyTerm
from tests import factories
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.catalogue.factories import FinderOfferFactory, topic
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(transactional_db):
    """What the migrations seed (topics, programmes, crisis numbers), put back when an earlier
    test's live-server flush has emptied the database."""
    if not TaxonomyTerm.objects.exists():
        for migration in ("0003_programmes_and_taxonomy", "0009_programme_register"):
            import_module(f"familiebro.catalogue.migrations.{migration}").forwards(
                django_apps, None
            )
    if not CrisisLine.objects.exists():
        import_module("familiebro.catalogue.migrations.0008_crisis_lines").forwards(
            django_apps, None
        )


@pytest.fixture
def catalogue(seeded):
    hamar = factories.MunicipalityFactory(name="Hamar", number="3403")
    for number in range(25):
        FinderOfferFactory(
            title=f"Søvnkurs {number:02d}",
            summary="Når babyen sover dårlig om natta.",
            description="Et kurs om søvn for foreldre til de minste.",
            topics=[topic("infant-sleep-feeding")],
            municipalities=[hamar],
        )
    # Five offers with one title, run by different units in different places.
    for unit_name in ("Helsestasjonen Sentrum", "Helsestasjonen Ottestad"):
        FinderOfferFactory(
            title="Samtale på helsestasjonen",
            description="En samtale om det som er vanskelig.",
            unit=factories.ServiceUnitFactory(name=unit_name),
            municipalities=[hamar],
        )
    return hamar


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_on_a_phone_the_first_result_is_in_the_first_screen_after_searching(
    browsing, catalogue, javascript, tmp_path
):
    page = browsing.new_page(language="nb", viewport=PHONE, java_script_enabled=javascript)
    page.goto("/finn-hjelp/")
    page.get_by_role("searchbox").fill("søvn")
    if javascript:
        with page.expect_response(lambda response: "/finn-hjelp/?" in response.url):
            page.get_by_role("button", name="Vis tilbud", exact=True).click()
    else:
        with page.expect_navigation():
            page.get_by_role("button", name="Vis tilbud", exact=True).click()

    first = page.locator(".fb-results > li").first
    expect(first).to_contain_text("Søvnkurs")
    # With htmx the results are swapped in: measure the title once the swap has settled.
    expect(first.locator("h3")).to_be_visible()
    page.screenshot(path=str(tmp_path / "finder-phone.png"))
    box = first.locator("h3").bounding_box()
    assert box is not None
    # The first result's title is on the screen the search left the parent on, and within
    # the page's first screen: no scrolling past the filters to reach it.
    top_in_page = box["y"] + page.evaluate("window.scrollY")
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert top_in_page + box["height"] <= PHONE["height"], top_in_page
    # The filters are folded away, and open with one tap.
    filters = page.locator("details.fb-finder__filters")
    expect(filters).not_to_have_attribute("open", "")
    page.locator("details.fb-finder__filters > summary").click()
    expect(page.get_by_label("Barnets alder")).to_be_visible()


def test_back_to_the_results_keeps_the_words_the_filters_and_the_page(browsing, catalogue):
    page = browsing.new_page(language="en", java_script_enabled=False)
    page.goto("/finn-hjelp/?q=søvn&kommune=3403&gratis=on&side=2")
    expect(page.locator(".fb-pagination [aria-current=page]")).to_contain_text("Page 2 of 2")
    with page.expect_navigation():
        page.locator(".fb-results a").first.click()
    assert "/tilbud/" in page.url

    with page.expect_navigation():
        page.get_by_role("link", name="Back to the results").click()

    assert page.url.endswith("/finn-hjelp/?q=s%C3%B8vn&kommune=3403&gratis=on&side=2")
    expect(page.locator(".fb-pagination [aria-current=page]")).to_contain_text("Page 2 of 2")
    expect(page.get_by_role("searchbox")).to_have_value("søvn")
    expect(page.get_by_label("Free of charge")).to_be_checked()


def test_offers_that_share_a_title_say_who_runs_them_and_where(browsing, catalogue):
    page = browsing.new_page(language="en")
    page.goto("/finn-hjelp/?q=samtale")

    titles = page.locator(".fb-results h3").all_inner_texts()
    assert len(titles) == 2
    assert sorted(title.split(",")[0] for title in titles) == [
        "Samtale på helsestasjonen – Helsestasjonen Ottestad",
        "Samtale på helsestasjonen – Helsestasjonen Sentrum",
    ], titles


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_finder_with_crisis_numbers_and_nothing_found_has_no_axe_violations(
    browsing, catalogue, language
):
    page = browsing.axe_page(language=language, viewport=PHONE)
    page.goto("/finn-hjelp/?q=vold&kommune=3403&gratis=on")

    expect(page.locator(".fb-crisis")).to_contain_text("116 111")
    assert_no_axe_violations(page, path="/finn-hjelp/")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_programme_register_and_a_programme_page_have_no_axe_violations(
    browsing, catalogue, language
):
    page = browsing.axe_page(language=language)
    page.goto("/finn-hjelp/program/")
    assert_no_axe_violations(page, path="/finn-hjelp/program/")
    page.goto("/finn-hjelp/program/pmto/")
    assert_no_axe_violations(page, path="/finn-hjelp/program/pmto/")


def test_the_register_editors_have_no_axe_violations(browsing, seeded):
    admin = make.user(is_instance_admin=True)
    page = browsing.axe_page(language="en", session_key=session_key_for(admin))
    line = CrisisLine.objects.get(phone="116 111")
    for path in (
        "/ansatt/krisenummer/",
        f"/ansatt/krisenummer/{line.pk}/",
        "/ansatt/program/",
        "/ansatt/program/pmto/",
    ):
        page.goto(path)
        assert_no_axe_violations(page, path=path)
    # With an error: the summary and the field's message.
    page.goto("/ansatt/krisenummer/nytt/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".ds-error-summary")).to_be_visible()
    assert_no_axe_violations(page, path="/ansatt/krisenummer/nytt/")
