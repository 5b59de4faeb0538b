"""A referral in a real browser: the nurse refers a child from the case to BUP (seeing BUP's
waiting list before she sends), writes the draft until every mark of a good referral is in
place, and sends it; BUP, on a phone, finds it waiting, accepts, starts and completes it; the
nurse sees each step in the referral's history, and the mother sees each step in the case's
shared log on Min side. axe-core checks every page on the way."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from familiebro.cases.pathway_library import install_shipped
from familiebro.referrals import intake_services
from familiebro.referrals.models import Capacity, Referral
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.browser.test_disclosure_walk import citizen_session_key
from tests.factories import identity_number
from tests.referrals import builders

pytestmark = pytest.mark.browser

MOTHER_NUMBER = identity_number(datetime.date(1984, 2, 3))
NARROW = {"width": 390, "height": 844}


def test_a_referral_to_bup_is_followed_to_the_end_by_the_nurse_and_the_mother(
    browsing, transactional_db, tmp_path
):
    install_shipped()  # the live server's database is flushed between tests
    w = builders.world()
    builders.referral_consent(w)
    intake_services.set_capacity(w.bup_admin, w.town.bup, Capacity.WAITING_LIST, "Om lag 8 uker")
    w.mother.set_national_id(MOTHER_NUMBER)
    w.mother.save()

    # The nurse refers from the case.
    nurse = browsing.axe_page(session_key=session_key_for(w.town.nurse))
    nurse.goto(f"/ansatt/saker/{w.case.pk}/")
    nurse.get_by_role("link", name="Henvis til en annen tjeneste").click()
    assert_no_axe_violations(nurse, heading="Ny henvisning")
    expect(nurse.get_by_text("Om lag 8 uker")).to_be_visible()
    nurse.get_by_role("button", name="Skriv henvisningen").click()
    expect(
        nurse.get_by_text("Velg en tjeneste og en type henvisning den tar imot.")
    ).to_be_visible()
    assert_no_axe_violations(nurse, heading="Ny henvisning")
    nurse.get_by_label("Hvilken tjeneste, og hvilken type henvisning?").select_option(
        label="BUP Hamar (Sykehuset Innlandet): Utredning i BUP – Venteliste"
    )
    nurse.get_by_role("button", name="Skriv henvisningen").click()
    assert_no_axe_violations(nurse, heading="Skriv henvisningen")
    nurse.get_by_label("Spørsmålet ditt til mottakeren").fill(builders.QUESTION)
    nurse.get_by_role("button", name="Lagre utkastet").click()
    # Saved as a draft; the marks still missing are named.
    expect(nurse.get_by_text("Mangler").first).to_be_visible()
    assert_no_axe_violations(nurse, heading="Henvisning: Utredning i BUP")
    nurse.get_by_role("link", name="Skriv eller endre utkastet").click()
    nurse.get_by_label("Din egen vurdering").fill(builders.ASSESSMENT)
    nurse.get_by_label("Hva som er prøvd").fill(builders.TRIED)
    nurse.get_by_label("Familiens eget syn og ønsker").fill("Mor ønsker utredning.")
    nurse.get_by_label("Hvor lenge har vanskene vart?").fill("Et halvt år.")
    nurse.get_by_label("Logg").check()
    nurse.get_by_role("button", name="Lagre utkastet").click()
    nurse.get_by_role("button", name="Send henvisningen").click()
    expect(nurse.get_by_text("Henvisningen er sendt.")).to_be_visible()
    assert_no_axe_violations(nurse, heading="Henvisning: Utredning i BUP")
    referral = Referral.objects.get()

    # BUP finds it waiting, on a phone, and takes it through to the end.
    bup = browsing.axe_page(session_key=session_key_for(w.town.psychiatrist), viewport=NARROW)
    bup.goto("/ansatt/")
    bup.get_by_role("link", name="Henvisninger").first.click()
    assert_no_axe_violations(bup, heading="Henvisninger som venter på oss")
    bup.get_by_role("link", name="Åse Sæther").click()
    assert_no_axe_violations(bup, heading="Henvisning: Utredning i BUP")
    expect(bup.get_by_text(builders.QUESTION)).to_be_visible()
    for action in ("Godta", "Start", "Fullfør"):
        bup.get_by_label(action, exact=True).check()
        bup.get_by_role("button", name="Lagre endringen").click()
        expect(bup.get_by_text("Statusen til henvisningen er endret.")).to_be_visible()
    assert_no_axe_violations(bup, heading="Henvisning: Utredning i BUP")
    bup.screenshot(path=tmp_path / "bup-completed.png", full_page=True)
    referral.refresh_from_db()
    assert referral.status == "completed"

    # The nurse sees each step, and the sent list.
    nurse.goto(f"/ansatt/henvisninger/{referral.pk}/")
    history = nurse.get_by_role("region", name="Historikk")
    for status in ("Sendt", "Godtatt", "Startet", "Fullført"):
        expect(history.get_by_text(status, exact=False).first).to_be_visible()
    nurse.goto("/ansatt/henvisninger/sendt/")
    assert_no_axe_violations(nurse, heading="Sendt fra min enhet")

    # The mother sees each step in the case's shared log on Min side.
    mother = browsing.axe_page(session_key=citizen_session_key(MOTHER_NUMBER))
    mother.goto(f"/min-side/saker/{w.case.pk}/")
    for status in ("Sendt.", "Godtatt.", "Startet.", "Fullført."):
        expect(mother.get_by_text(f"Utredning i BUP): {status}").first).to_be_visible()
    assert_no_axe_violations(mother)


def test_the_unit_administrator_sets_what_bup_takes_on_a_phone(browsing, transactional_db):
    install_shipped()  # the live server's database is flushed between tests
    w = builders.world()
    admin = browsing.axe_page(session_key=session_key_for(w.bup_admin), viewport=NARROW)
    admin.goto(f"/ansatt/administrasjon/enheter/{w.town.bup.pk}/")
    admin.get_by_role("link", name="Henvisningstyper og kapasitet").click()
    assert_no_axe_violations(admin, heading="Henvisninger til BUP Hamar")
    admin.get_by_label("Ingen kapasitet").check()
    admin.get_by_label("Beskjed til dem som henviser").fill("Ingen nye før mars")
    admin.get_by_role("button", name="Lagre kapasiteten").click()
    expect(admin.get_by_text("Kapasiteten er lagret.")).to_be_visible()
    admin.get_by_role("link", name="Legg til en henvisningstype").click()
    admin.get_by_role("button", name="Lagre").click()
    expect(admin.get_by_text("Velg hvilken type henvisning det er.")).to_be_visible()
    assert_no_axe_violations(admin, heading="Ny henvisningstype")
    admin.get_by_label("Henvisningstype").select_option(label="Habiliteringsutredning")
    admin.get_by_label("Navnet henviserne ser").fill("Habiliteringsutredning")
    admin.get_by_label("Hva barnet selv sier").check()
    admin.get_by_role("button", name="Lagre").click()
    admin.get_by_role("link", name="Habiliteringsutredning").click()
    assert_no_axe_violations(admin, heading="Habiliteringsutredning")


def test_a_unit_says_on_a_phone_which_referrals_it_takes(browsing, transactional_db):
    """The unit's administrator adds a kind of referral and sets the capacity on a phone: the
    form fits the screen (a select's long options do not widen it), and axe finds nothing."""
    install_shipped()  # the live server's database is flushed between tests
    w = builders.world()
    admin = browsing.axe_page(session_key=session_key_for(w.bup_admin), viewport=NARROW)
    admin.goto(f"/ansatt/henvisninger/enheter/{w.town.bup.pk}/typer/ny/")
    assert_no_axe_violations(admin, heading="Ny henvisningstype")
    assert admin.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
    admin.get_by_label("Henvisningstype").select_option(
        label="Utredning i psykisk helsevern for barn og unge"
    )
    admin.get_by_label("Navnet henviserne ser").fill("Utredning av angst")
    admin.get_by_role("button", name="Lagre").click()
    expect(admin.get_by_text("Utredning av angst").first).to_be_visible()
    assert_no_axe_violations(admin)
    assert admin.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
