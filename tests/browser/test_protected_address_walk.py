"""A protected address in a real browser: the kindergarten teacher records the mother's
strictly confidential address on her person page (on a phone), then writes in the shared log
that the mother and the child live at a crisis shelter: the log warns,
and saves only once she ticks that she has checked the text. axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from familiebro.cases.pathway_library import install_shipped
from familiebro.core.models import AddressProtection, Person
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}
TEXT = "Mor og Åse bor på krisesenteret i påvente av ny bolig."


def test_the_teacher_records_the_protection_and_the_log_warns(browsing, transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)
    mother = case.child.guardians_rel.get(guardian__given_name="Ingrid").guardian
    teacher = session_key_for(town.teacher)

    page = browsing.axe_page(session_key=teacher, viewport=NARROW)
    page.goto(f"/ansatt/personer/{mother.pk}/")
    assert_no_axe_violations(page, heading="Ingrid Sæther")
    page.get_by_label("Adressesperre i folkeregisteret").select_option(
        label="Strengt fortrolig adresse (kode 6)"
    )
    page.get_by_role("button", name="Lagre adressesperren").click()
    expect(
        page.get_by_text("Adressesperren er lagret: Strengt fortrolig adresse (kode 6).")
    ).to_be_visible()
    expect(page.get_by_text("Registrert av Siri Barnehagelærer", exact=False)).to_be_visible()
    assert_no_axe_violations(page, heading="Ingrid Sæther")
    assert (
        Person.objects.get(pk=mother.pk).address_protection
        == AddressProtection.STRICTLY_CONFIDENTIAL
    )

    log = browsing.axe_page(session_key=teacher)
    log.goto(f"/ansatt/saker/{case.pk}/logg/")
    log.locator("#log summary").click()  # the form opens on demand
    log.get_by_label("Loggføring", exact=True).fill(TEXT)
    # Under a parallel test run the answer can take long: wait for it, not a fixed time.
    with log.expect_response(lambda r: r.request.method == "POST", timeout=30_000):
        log.get_by_role("button", name="Skriv i loggen").click()
    expect(
        log.locator("#id_log-third_party_checked_error").get_by_text(
            "Noen i denne familien har sperret adresse.", exact=False
        )
    ).to_be_visible()
    expect(log.locator("#id_log-third_party_checked_error")).to_contain_text("«krisesenteret»")
    assert not case.log_entries.filter(text=TEXT).exists()
    assert_no_axe_violations(log)
    log.get_by_label("Jeg har sjekket teksten: lagre den som den er").check()
    log.get_by_role("button", name="Skriv i loggen").click()
    expect(log.get_by_text("Loggføringen er lagt inn i stafettloggen.")).to_be_visible()
    assert case.log_entries.filter(text=TEXT).exists()
    assert_no_axe_violations(log)


def test_the_page_for_a_decision_under_barneloven_47_is_accessible(browsing, transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)
    case.child.guardians_rel.filter(guardian__given_name="Ola").update(
        has_parental_responsibility=False
    )
    page = browsing.axe_page(session_key=session_key_for(town.teacher), viewport=NARROW)
    page.goto(f"/ansatt/personer/{case.child.pk}/")
    page.get_by_role("link", name="Registrer en avgjørelse om opplysninger", exact=False).click()
    heading = "Opplysninger til en forelder uten foreldreansvar"
    assert_no_axe_violations(page, heading=heading)
    page.get_by_role("button", name="Registrer beslutningen").click()
    expect(page.get_by_text("Skriv hva forelderen ba om.")).to_be_visible()
    assert_no_axe_violations(page, heading=heading)
    page.get_by_label("Hva forelderen ba om").fill("Hvordan har Åse det i barnehagen?")
    page.get_by_label("Beslutning", exact=True).select_option(label="Opplysninger gitt")
    page.get_by_label("Hva forelderen fikk vite").fill("Åse trives og leker godt.")
    page.get_by_role("button", name="Registrer beslutningen").click()
    expect(page.get_by_text("Beslutningen er registrert.")).to_be_visible()
    expect(page.get_by_text("Åse trives og leker godt.")).to_be_visible()
    assert_no_axe_violations(page)
