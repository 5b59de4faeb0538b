"""Zero axe-core violations on the thesaurus editor page and on the finder when it shows
results for other words than the parent's own, in bokmål and English; the editor saves a
version with the keyboard alone."""

import pytest

from familiebro.catalogue.finder import thesaurus
from familiebro.catalogue.models import Thesaurus
from tests.browser.conftest import assert_no_axe_violations
from tests.catalogue.factories import FinderOfferFactory

pytestmark = pytest.mark.browser

THESAURUS_URL = "/ansatt/tilbud/sokeord/"


@pytest.fixture(autouse=True)
def _fresh_thesaurus():
    thesaurus.forget()
    yield
    thesaurus.forget()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_thesaurus_page_has_no_axe_violations(staff_page, language):
    page = staff_page(axe=True, language=language)
    page.goto(THESAURUS_URL)
    assert page.locator("main textarea").count() == 1
    assert_no_axe_violations(page, path=THESAURUS_URL)


def test_an_editor_saves_a_version_with_the_keyboard(staff_page):
    page = staff_page(language="nb")
    page.goto(THESAURUS_URL)
    page.locator("main textarea").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("nb | hjertesorg => gått fra hverandre")
    page.keyboard.press("Tab")
    page.keyboard.type("Nytt ord")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Thesaurus.objects.order_by("-version").first().note == "Nytt ord"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_results_for_other_words_have_no_axe_violations(browsing, language):
    FinderOfferFactory(
        title="Fortsatt foreldre",
        description="Kurs for foreldre etter skilsmisse.",
    )
    page = browsing.axe_page(language=language)
    page.goto("/finn-hjelp/?q=skillsmise")
    assert page.locator("#showing-for a").count() == 1
    assert_no_axe_violations(page, path="/finn-hjelp/")
