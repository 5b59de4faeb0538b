"""Recording who consents in which capacity, in a real browser: the record screen with its
new choices has no axe violations (also with errors, and on a narrow screen), and recording
a consent given in the guardians' place works by keyboard without JavaScript."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.privacy.models import Capacity, Consent, Purpose
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make
from tests.privacy import factories_consent as privacy_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["nb", "nn", "en"]


@pytest.fixture
def worker_and_child(transactional_db):
    """A health centre worker who registered a ten-year-old and the guardians, and a BUP unit
    a consent may name. The flushed database gets consent texts in every language."""
    unit = make.unit(name="Helsestasjon", kind="helsestasjon")
    worker = make.member(unit)
    for purpose in Purpose.values:
        for language in LANGUAGES:
            make.consent_text(purpose, language)
    ten = timezone.localdate() - datetime.timedelta(days=365 * 10 + 5)
    family = privacy_factories.family(worker, child_born=ten)
    privacy_factories.health_trust_unit()
    return session_key_for(worker), family


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_record_screen_with_its_errors_has_no_axe_violations(
    browsing, worker_and_child, language
):
    session_key, family = worker_and_child
    page = browsing.axe_page(language=language, session_key=session_key)
    page.goto(reverse("consent-record", args=[family.child.pk]))
    assert_no_axe_violations(page)
    # Sent empty but for a capacity without a name: every error is shown with its field.
    page.locator("input[name=in_place_of_guardians][value=child_welfare_care_order]").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(page)


def test_the_record_screen_has_no_axe_violations_on_a_narrow_screen(browsing, worker_and_child):
    session_key, family = worker_and_child
    page = browsing.axe_page(
        language="nb", session_key=session_key, viewport={"width": 390, "height": 844}
    )
    page.goto(reverse("consent-record", args=[family.child.pk]))
    assert_no_axe_violations(page)


def test_a_consent_in_the_guardians_place_is_recorded_by_keyboard_without_javascript(
    browsing, worker_and_child
):
    session_key, family = worker_and_child
    page = browsing.new_page(language="en", session_key=session_key, java_script_enabled=False)
    page.goto(reverse("consent-record", args=[family.child.pk]))
    page.get_by_label("What is the consent for?").select_option(Purpose.COORDINATION)
    page.get_by_label("Whose information does the consent cover?").select_option("health")
    # A service of another organisation is among the services elsewhere, opened on demand.
    page.get_by_text("Services elsewhere").click()
    page.get_by_label("BUP Hamar (Sykehuset Innlandet)").check()
    page.get_by_label("Measures and plans").check()
    last_day = timezone.localdate() + datetime.timedelta(days=90)
    page.get_by_label("Last day the consent is valid").fill(last_day.isoformat())
    page.get_by_label("Orally, recorded by staff").check()
    page.get_by_label("Child welfare service, after a care order").check()
    page.get_by_label("Name of the service or the representative").fill(
        "Barneverntjenesten i Stange"
    )
    page.get_by_label("The child's own view").fill("Vil at BUP skal vite det.")
    page.get_by_label("Witness").fill("Kari Kollega")
    # By keyboard: Enter in a text field sends the form with its first button.
    page.get_by_label("Witness").press("Enter")
    page.wait_for_load_state()
    consent = Consent.objects.get()
    assert page.url.endswith(reverse("consent-detail", args=[family.child.pk, consent.pk]))
    giver = consent.givers.get()
    assert (giver.name, giver.capacity) == (
        "Barneverntjenesten i Stange",
        Capacity.CHILD_WELFARE_CARE_ORDER,
    )
    main = page.locator("main")
    expect(main).to_contain_text("Barneverntjenesten i Stange")
    expect(main).to_contain_text("child welfare service, after a care order")
    expect(main).to_contain_text("Vil at BUP skal vite det.")
