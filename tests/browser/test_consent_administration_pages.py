"""The consent texts, consent rules, retention and role pages in a real browser: axe-core
finds nothing on any of them, with a refusal shown too, in bokmål and English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import OrganisationAdministrator
from tests import factories
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(transactional_db):
    # The flushed database has no consent texts: the instance's come back here.
    make.ensure_consent_texts()
    unit = factories.ServiceUnitFactory(name="Helsestasjonen")
    user = make.user()
    OrganisationAdministrator.objects.create(user=user, organisation=unit.organisation)
    return user, unit.organisation


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_consent_and_retention_pages_have_no_axe_violations(browsing, admin, language):
    user, organisation = admin
    page = browsing.axe_page(language=language, session_key=session_key_for(user))
    pages = [
        reverse("administration:consent-texts-organisation", args=[organisation.pk]),
        reverse("administration:consent-text-publish", args=[organisation.pk]),
        reverse("administration:consent-rules-organisation", args=[organisation.pk]),
        reverse("administration:retention-organisation", args=[organisation.pk]),
        reverse("administration:roles"),
    ]
    for path in pages:
        page.goto(path)
        assert_no_axe_violations(page, path=path)

    # The preview, and a refused placeholder, on the publishing page.
    publish = pages[1]
    page.goto(publish)
    page.locator("textarea").fill("Hei {child}.\n\n{controller} deler med {recipients}.")
    page.locator("button[name=preview]").click()
    assert "Kari Nordmann" in page.locator("main").inner_text()
    assert_no_axe_violations(page, path=publish)
    page.locator("textarea").fill("Hei {barn}.")
    page.locator("button[name=publish]").click()
    assert "{barn}" in page.locator(".ds-validation-message").first.inner_text()
    assert_no_axe_violations(page, path=publish)

    # A rule above the law's age is refused, with its message.
    rules = pages[2]
    page.goto(rules)
    page.locator("select[name=domain]").select_option("health")
    page.locator("select[name=givers]").select_option("young_person")
    page.locator("input[name=young_person_age]").fill("17")
    page.locator("form.fb-form button[type=submit]").click()
    assert page.locator(".ds-validation-message, .ds-alert").count() > 0
    assert_no_axe_violations(page, path=rules)
