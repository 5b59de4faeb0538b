"""The controller's checks of the access log in a real browser: a leader hides a colleague's
break-glass access from the family with a reason and an end date, and reviews the access log
of the period, on a 390-pixel-wide screen and without JavaScript. axe-core checks each page,
with its errors too, in bokmål and English."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.core.models import Membership, Person
from familiebro.privacy import exceptional, policy
from familiebro.privacy.models import AccessLogReview, ExceptionalAccess
from tests import factories
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def scene(transactional_db):
    """A health centre's leader, and a nurse of theirs who broke the glass to a child of the
    organisation and read the child's record."""
    unit = factories.ServiceUnitFactory(name="Helsestasjonen")
    leader = make.member(unit, Membership.Role.LEADER, last_name="Leder")
    nurse = make.member(unit, last_name="Berg")
    child = factories.PersonFactory(organisation=unit.organisation, family_name="Berg")
    make.assign(child, user=make.member(make.unit(unit.organisation, name="Legevakten")))
    access = exceptional.open_access(
        nurse,
        person_id=child.pk,
        found_person_ids=[child.pk],
        looked_up_at=timezone.now(),
        reason="Barnet er innlagt akutt i natt",
    )
    policy.get_or_404(nurse, Person, child.pk, policy.Purpose.CASEWORK)
    return leader, access


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_leader_hides_an_access_and_reviews_the_log_on_a_narrow_screen(
    browsing, scene, language
):
    leader, access = scene
    session = session_key_for(leader)
    english = language == "en"
    page = browsing.axe_page(language=language, session_key=session, viewport=NARROW)

    page.goto(reverse("exceptional-access-report"))
    assert_no_axe_violations(page, path=reverse("exceptional-access-report"))
    hide = "Hide from the family" if english else "Skjul for familien"
    page.get_by_role("link", name=hide).click()
    hiding = reverse("exceptional-access-hiding", args=[access.pk])
    assert_no_axe_violations(page, path=hiding)
    submit = "Hide until the date" if english else "Skjul til datoen"
    page.get_by_role("button", name=submit).click()
    expect(page.locator(".ds-validation-message").first).to_be_visible()
    assert_no_axe_violations(page, path=hiding)

    # The decision itself, without JavaScript: a plain form.
    plain = browsing.new_page(
        language=language, session_key=session, java_script_enabled=False, viewport=NARROW
    )
    plain.goto(hiding)
    assert plain.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
    until = timezone.localdate() + datetime.timedelta(days=30)
    plain.locator("textarea").fill("Undersøkelsen ville bli skadet om foreldrene fikk vite det")
    plain.locator("input[type=date]").fill(f"{until:%Y-%m-%d}")
    with plain.expect_navigation():
        plain.get_by_role("button", name=submit).click()
    hidden = "Hidden from the family until" if english else "Skjult for familien til og med"
    expect(plain.locator("main")).to_contain_text(f"{hidden} {until:%d.%m.%Y}")
    assert ExceptionalAccess.objects.get(pk=access.pk).hidden_until == until

    # The review of the access log: the nurse's read of a person with her family name.
    review = reverse("access-review")
    page.goto(review)
    assert_no_axe_violations(page, path=review)
    expect(page.locator("main")).to_contain_text(access.user.display_name())
    # What sticks out to the right, outside the tables that scroll on their own.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                && !el.closest('.fb-table-wrapper'))
            .map(el => el.tagName + '.' + el.className)"""
    )
    assert page.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"], wide
    plain.goto(review)
    record = "Record the review" if english else "Registrer gjennomgangen"
    with plain.expect_navigation():
        plain.get_by_role("button", name=record).click()
    expect(plain.locator(".ds-validation-message").first).to_be_visible()
    plain.get_by_role("textbox", name="Your notes" if english else "Merknadene dine").fill(
        "Snakket med Berg: nødtilgangen var nødvendig."
    )
    with plain.expect_navigation():
        plain.get_by_role("button", name=record).click()
    done = "Your review is recorded." if english else "Gjennomgangen din er registrert."
    expect(plain.locator("body")).to_contain_text(done)
    assert AccessLogReview.objects.get().reviewed_by == leader
    assert_no_axe_violations(page, path=review)
