"""Digital consent in a real Chromium, through the real OpenID provider: the nurse asks the
family, the mother gives it (it waits, nothing opens), the father gives it (it is in force,
BUP reads the child), the nurse sees who gave it, and the father's withdrawal ends it. A
young person gives their own. Every new page passes axe and fits a phone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from familiebro.cases.pathway_library import install_shipped
from familiebro.core.models import Person
from familiebro.privacy import policy
from familiebro.privacy.models import ConsentRequest, ConsentRule, Purpose
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.factories import identity_number
from tests.interop.oidc_server import configure, running_provider
from tests.privacy import factories as make
from tests.privacy.consent_request_scene import FATHER, MOTHER, family_with_logins, prepare

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(live_server.url) as provider:
        yield provider


@pytest.fixture
def town(transactional_db, settings, provider):
    # The live server's database is flushed between tests, with the texts and pathways.
    install_shipped()
    make.ensure_consent_texts()
    make.consent_text(Purpose.COORDINATION, "en")
    configure(settings, provider)
    town = builders.municipality()
    town.family = family_with_logins(town.nurse)
    make.assign(town.family.child, user=town.psychiatrist, domain=town.bup.domain)
    return town


def log_in(page, number: str) -> None:
    page.goto(reverse("portal:login"))
    page.locator("form[action$='id-porten/'] button").click()
    page.get_by_label("Fødselsnummer").fill(number)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"**{reverse('portal:home')}")


def bup_reads_the_child(town) -> bool:
    visible = policy.visible(town.psychiatrist, Person, Purpose.COORDINATION)
    return visible.filter(pk=town.family.child.pk).exists()


def ask_the_family(page, town) -> ConsentRequest:
    page.goto(reverse("consent-request", args=[town.family.child.pk]))
    page.locator("select[name=purpose]").select_option("coordination")
    page.get_by_text("Services elsewhere").click()
    page.get_by_label("Search for a service or an organisation").fill("BUP")
    page.locator(f"input[name=recipient_units][value='{town.bup.pk}']").check()
    page.locator("input[name=scope][value='measures_and_plans']").check()
    valid_to = timezone.localdate() + datetime.timedelta(days=180)
    page.locator("input[name=valid_to]").fill(valid_to.isoformat())
    page.locator("textarea[name=child_view]").fill("Åse vil at BUP skal hjelpe.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send to the family").click()
    refusals = page.locator(".ds-error-summary li").all_inner_texts()
    assert not refusals, refusals
    return ConsentRequest.objects.get(subject=town.family.child)


def give_with_the_keyboard(page, asked: ConsentRequest) -> None:
    link = page.get_by_role("link", name="Coordination across services, for Åse Sæther")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("BUP Hamar (Sykehuset Innlandet)", exact=True)).to_be_visible()
    page.get_by_label("I have read what the consent covers, and I agree.").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Give consent").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal:home')}")


def test_two_guardians_give_it_one_by_one_and_one_withdraws_it(browsing, town):
    nurse = browsing.new_page(language="en", session_key=session_key_for(town.nurse))
    asked = ask_the_family(nurse, town)
    assert not bup_reads_the_child(town)

    mother = browsing.new_page(language="en")
    log_in(mother, MOTHER)
    give_with_the_keyboard(mother, asked)
    expect(mother.get_by_text("It comes into force when everyone")).to_be_visible()
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.WAITING
    assert not bup_reads_the_child(town)  # one of two given: nothing opens

    nurse.goto(reverse("consent-request-detail", args=[town.family.child.pk, asked.pk]))
    expect(nurse.get_by_role("row", name="Ingrid Sæther")).to_contain_text("Given")
    expect(nurse.get_by_role("row", name="Ola Bråten")).to_contain_text("Not answered yet")

    father = browsing.new_page(language="en", java_script_enabled=False)
    log_in(father, FATHER)
    give_with_the_keyboard(father, asked)
    expect(father.get_by_text("It is in force from now.")).to_be_visible()
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    assert bup_reads_the_child(town)

    nurse.reload()
    expect(nurse.get_by_role("row", name="Ola Bråten")).to_contain_text("Given")
    expect(nurse.get_by_role("link", name="Open the consent in force")).to_be_visible()

    # The father withdraws it on Min side: it ends for both.
    with father.expect_navigation():
        father.locator(
            f"a[href='{reverse('portal:withdraw-consent', args=[asked.consent_id])}']"
        ).click()
    with father.expect_navigation():
        father.get_by_role("button", name="Withdraw the consent").click()
    assert not bup_reads_the_child(town)


def test_a_young_person_gives_their_own_consent(browsing, town):
    born = timezone.localdate().replace(year=timezone.localdate().year - 17)
    child = Person.objects.get(pk=town.family.child.pk)
    child.birth_date = born
    number = identity_number(born, synthetic=True)
    child.set_national_id(number)
    child.save()
    ConsentRule.objects.create(
        organisation=child.organisation,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=16,
    )
    asked = prepare(town.nurse, child, town.bup, child_view="")
    young = browsing.new_page(language="en", viewport=PHONE)
    log_in(young, number)
    give_with_the_keyboard(young, asked)
    asked.refresh_from_db()
    assert asked.status == ConsentRequest.Status.IN_FORCE
    assert bup_reads_the_child(town)
    # The parents were not asked, and do not see it.
    mother = browsing.new_page(language="en")
    log_in(mother, MOTHER)
    expect(mother.get_by_text("Consents waiting for your answer")).to_have_count(0)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_new_page_passes_axe_and_fits_a_phone(browsing, town, language, tmp_path):
    asked = prepare(town.nurse, town.family.child, town.bup)
    child = town.family.child
    staff = browsing.axe_page(
        language=language, session_key=session_key_for(town.nurse), viewport=PHONE
    )
    prepare_url = reverse("consent-request", args=[child.pk])
    staff.goto(prepare_url)
    assert_no_axe_violations(staff, path=prepare_url)
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    assert staff.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(staff, path=prepare_url)
    staff.screenshot(path=tmp_path / f"prepare-errors-{language}.png", full_page=True)
    for name, url in (
        ("consents", reverse("consent-list", args=[child.pk])),
        ("request", reverse("consent-request-detail", args=[child.pk, asked.pk])),
    ):
        staff.goto(url)
        assert_no_axe_violations(staff, path=url)
        staff.screenshot(path=tmp_path / f"{name}-{language}.png", full_page=True)

    mother = browsing.axe_page(language=language, viewport=PHONE)
    log_in(mother, MOTHER)
    assert_no_axe_violations(mother, path=reverse("portal:home"))
    give_url = reverse("portal:give-consent", args=[asked.pk])
    for name, url in (
        ("give", give_url),
        ("own-data", reverse("portal:own-data")),
        ("notices", reverse("portal:notice-settings")),
    ):
        mother.goto(url)
        assert_no_axe_violations(mother, path=url)
        assert mother.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        mother.screenshot(path=tmp_path / f"{name}-{language}.png", full_page=True)
    # Choosing SMS before a number is verified: the error, on the same page.
    notices_url = reverse("portal:notice-settings")
    mother.goto(notices_url)
    mother.locator("input[name=meetings][value=sms]").check()
    with mother.expect_navigation():
        mother.get_by_role(
            "button", name="Lagre valgene mine" if language == "nb" else "Save my choices"
        ).click()
    assert mother.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(mother, path=notices_url)
    mother.screenshot(path=tmp_path / f"notices-error-{language}.png", full_page=True)
    # Giving without the box ticked: the error, on the same page.
    mother.goto(give_url)
    with mother.expect_navigation():
        mother.locator("button[name=svar][value=gi]").click()
    assert mother.locator(".ds-error-summary").count() == 1
    assert_no_axe_violations(mother, path=give_url)
    mother.screenshot(path=tmp_path / f"give-error-{language}.png", full_page=True)
