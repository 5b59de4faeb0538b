"""Session scales in a real browser: a couple fills the wellbeing scale on their own phones at a
session at the health centre, the family therapist sees the change graph, and when the scores
fall below the expected band the case's coordinator is told. axe-core checks every page on the
way, the phone-sized form with its errors and the questionnaire editor too. Every form is a
plain form (tests/outcomes posts them without JavaScript); the graph is drawn on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from familiebro.cases import participant_services
from familiebro.cases.models import Notification
from familiebro.cases.pathway_library import install_shipped as install_pathways
from familiebro.outcomes.instrument_library import install_shipped as install_questionnaires
from familiebro.outcomes.models import AnonymousAnswer, ScaleScore
from tests import factories
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.outcomes.helpers import set_norm
from tests.privacy import factories as make

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _shipped(transactional_db):
    # The live server's database is flushed between tests: the shipped data comes back.
    install_pathways()
    install_questionnaires()


PHONE = {"width": 390, "height": 844}


def answer_on_the_phone(browsing, url: str, values: list[int], who: str) -> None:
    phone = browsing.axe_page(viewport=PHONE)
    phone.goto(url)
    assert_no_axe_violations(phone, heading="Trivselsskala")
    expect(phone.get_by_text(f"Du svarer som: {who}")).to_be_visible()
    # Sent half-filled first: what to do, and the link still works.
    phone.get_by_role("button", name="Send svarene").click()
    expect(phone.get_by_text("Svar på dette spørsmålet.").first).to_be_visible()
    assert_no_axe_violations(phone, heading="Trivselsskala")
    for group, value in zip(phone.locator("fieldset").all(), values, strict=True):
        group.get_by_label(str(value), exact=True).check()
    phone.get_by_role("button", name="Send svarene").click()
    assert_no_axe_violations(phone, heading="Takk for svarene")


def make_link(therapist, case_pk: int, who: str, session: int) -> str:
    therapist.goto(f"/ansatt/saker/{case_pk}/skalaer/")
    therapist.get_by_role("group", name="Hvem svarer").get_by_label(who, exact=True).check()
    therapist.get_by_role("group", name="Skala").get_by_label(
        "Trivselsskala (ved starten av timen)"
    ).check()
    therapist.get_by_label("Timens nummer").fill(str(session))
    therapist.get_by_role("button", name="Lag lenken").click()
    assert_no_axe_violations(therapist, heading="En lenke til familiens egen telefon")
    return therapist.locator(".fb-link-url").inner_text().strip()


def test_a_couple_fills_the_scale_on_their_phones_and_a_worsening_reaches_the_coordinator(
    browsing, transactional_db
):
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)  # the nurse coordinates
    therapist_user = make.member(town.health_centre, first_name="Terje", last_name="Terapeut")
    participant_services.add_participant(
        town.nurse, case, unit=town.health_centre, user=therapist_user, role="Familieterapeut"
    )
    set_norm("trivsel", {"expected_change": [0, 4], "band": 3})

    # The therapist opens the case's scales and adds the couple.
    therapist = browsing.axe_page(session_key=session_key_for(therapist_user))
    therapist.goto(f"/ansatt/saker/{case.pk}/mal-og-tiltak/")
    therapist.get_by_role("link", name="Familiens trivsels- og samarbeidsskalaer").click()
    assert_no_axe_violations(therapist, heading="Timeskalaer")
    therapist.get_by_role("button", name="Legg til").click()
    assert_no_axe_violations(therapist, heading="Timeskalaer")
    for who in ("Mor", "Far"):
        therapist.get_by_label("Hvem fyller ut skalaene").fill(who)
        therapist.get_by_role("group", name="Rolle").get_by_label("Forelder").check()
        therapist.get_by_role("button", name="Legg til").click()
        expect(therapist.get_by_text(f"{who} er lagt til.")).to_be_visible()

    # Session 1: each parent answers on their own phone.
    answer_on_the_phone(browsing, make_link(therapist, case.pk, "Mor", 1), [5, 5, 5, 5], "Mor")
    answer_on_the_phone(browsing, make_link(therapist, case.pk, "Far", 1), [6, 6, 6, 6], "Far")
    # Session 2: the mother is better, the father worse than the band allows (24 + 4 - 3).
    answer_on_the_phone(browsing, make_link(therapist, case.pk, "Mor", 2), [7, 6, 6, 6], "Mor")
    answer_on_the_phone(browsing, make_link(therapist, case.pk, "Far", 2), [5, 5, 5, 5], "Far")
    assert ScaleScore.objects.filter(channel="link").count() == 4

    # The therapist sees both graphs, with the numbers and the colours in words.
    therapist.goto(f"/ansatt/saker/{case.pk}/skalaer/")
    assert_no_axe_violations(therapist, heading="Timeskalaer")
    expect(therapist.get_by_role("img", name="Endringsgraf for Mor")).to_be_visible()
    expect(therapist.get_by_role("img", name="Endringsgraf for Far")).to_be_visible()
    father = therapist.get_by_role("table", name="Skårene til Far")
    expect(father.get_by_role("row").nth(2)).to_contain_text("20")
    expect(therapist.get_by_text("Rød: under båndet rundt forventet forløp")).to_be_visible()
    expect(therapist.get_by_text("Grønn: på eller over forventet forløp")).to_be_visible()

    # The coordinator is told, with the case's reference and what to consider.
    assert Notification.objects.filter(user=town.nurse).count() == 1
    coordinator = browsing.axe_page(session_key=session_key_for(town.nurse))
    coordinator.goto("/ansatt/varsler/")
    expect(coordinator.get_by_text(f"Sak {case.reference}: en trivselsskår")).to_be_visible()


def test_the_fill_page_and_the_questionnaire_editor_pass_axe(browsing, transactional_db):
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    nurse = browsing.axe_page(session_key=session_key_for(town.nurse), viewport=PHONE)
    nurse.goto(f"/ansatt/saker/{case.pk}/skalaer/")
    nurse.get_by_label("Hvem fyller ut skalaene").fill("Ola")
    nurse.get_by_role("group", name="Rolle").get_by_label("Barn eller ungdom").check()
    nurse.get_by_role("button", name="Legg til").click()
    nurse.get_by_role("link", name="Fyll ut samarbeidsskalaen med Ola her").click()
    assert_no_axe_violations(nurse, heading="Samarbeidsskala")
    nurse.get_by_role("button", name="Lagre svarene").click()
    assert_no_axe_violations(nurse, heading="Samarbeidsskala")

    admin = browsing.axe_page(
        session_key=session_key_for(factories.UserFactory(is_instance_admin=True))
    )
    admin.goto("/ansatt/skjema/")
    assert_no_axe_violations(admin, heading="Skjemaer")
    admin.get_by_role("link", name="Samarbeidsskala").click()
    assert_no_axe_violations(admin, heading="Samarbeidsskala")
    admin.get_by_role("button", name="Lag en ny versjon").click()
    assert_no_axe_violations(admin, heading="Samarbeidsskala, versjon 2")
    admin.get_by_role("button", name="Publiser denne versjonen").click()
    assert_no_axe_violations(admin, heading="Samarbeidsskala, versjon 2")
    expect(admin.get_by_text("Versjonen er publisert.")).to_be_visible()


def test_an_anonymous_evaluation_handed_out_and_answered_on_a_phone(browsing, transactional_db):
    town = builders.municipality()
    nurse = browsing.axe_page(session_key=session_key_for(town.nurse))
    nurse.goto("/ansatt/")
    nurse.get_by_role("link", name="Anonyme evalueringer").click()
    assert_no_axe_violations(nurse, heading="Anonyme evalueringer")
    nurse.get_by_role("button", name="Lag lenken").click()
    assert_no_axe_violations(nurse, heading="Anonyme evalueringer")
    nurse.get_by_role("group", name="Etter hva").get_by_label("Familiemøte").check()
    nurse.get_by_role("group", name="Skjema").get_by_label(
        "Evaluering av familiemøtet (Kvalitet i alle ledd)"
    ).check()
    nurse.get_by_role("button", name="Lag lenken").click()
    assert_no_axe_violations(nurse, heading="En anonym evaluering til familien")
    url = nurse.locator(".fb-link-url").inner_text().strip()

    phone = browsing.axe_page(viewport=PHONE)
    phone.goto(url)
    heading = "Evaluering av familiemøtet"
    assert_no_axe_violations(phone, heading=heading)
    expect(phone.get_by_text("Ikke skriv navn, telefonnumre")).to_be_visible()
    phone.get_by_role("button", name="Send svarene").click()
    assert_no_axe_violations(phone, heading=heading)
    for group in phone.locator("fieldset").all()[:4]:
        group.get_by_label("5", exact=True).check()
    phone.get_by_role("group", name="Hvem svarer?").get_by_label("Forelder", exact=True).check()
    phone.get_by_role("group", name="Barnets alder").get_by_label("6–12 år").check()
    phone.get_by_role("button", name="Send svarene").click()
    assert_no_axe_violations(phone, heading="Takk for svarene")
    assert AnonymousAnswer.objects.get().age_band == "6-12"


def test_the_leader_redacts_and_releases_a_held_comment(browsing, transactional_db):
    from familiebro.outcomes import evaluation_services

    town = builders.municipality()
    made = evaluation_services.make_evaluation_link(
        town.nurse, town.health_centre.pk, "family_meeting", "familiemote-evaluering"
    )
    token = made.url.rstrip("/").rsplit("/", 1)[1]
    evaluation_services.answer_evaluation(
        token,
        {
            "forstatt": 5,
            "tema": 4,
            "form": 4,
            "nyttig": 5,
            "svarer": "parent",
            "alder": "6-12",
            "kommentar": "Takk til Kari, ring 91234567",
        },
    )
    leader = browsing.axe_page(session_key=session_key_for(town.nurse_leader), viewport=PHONE)
    leader.goto("/ansatt/evalueringer/")
    leader.get_by_role("link", name="Kommentarer som er holdt tilbake til deg").click()
    assert_no_axe_violations(leader, heading="Kommentarer som er holdt tilbake")
    comment = leader.get_by_role("textbox").first
    expect(comment).to_have_value("Takk til Kari, ring 91234567")
    comment.fill("Takk til [navn]")
    leader.get_by_role("button", name="Frigi kommentaren").click()
    assert_no_axe_violations(leader, heading="Kommentarer som er holdt tilbake")
    expect(leader.get_by_text("Kommentaren er frigitt.")).to_be_visible()
    expect(leader.get_by_text("Ingen kommentarer venter på deg.")).to_be_visible()
    answer = AnonymousAnswer.objects.get()
    assert not answer.held and answer.answers["kommentar"] == "Takk til [navn]"
