"""A disclosure request in a real browser: child welfare asks BUP about a child, BUP's leader
answers (without JavaScript: plain forms), child welfare reads the answer, and the mother sees
on Min side that BUP disclosed information to child welfare and on which ground. axe-core
checks every page on the way, the request form with its errors too."""

from __future__ import annotations

import base64
import datetime
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from familiebro.core import crypto
from familiebro.portal import session as citizen_session
from familiebro.privacy.models import DisclosureRequest
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.factories import identity_number
from tests.privacy.disclosure_scene import ANSWER, QUESTION, scene

pytestmark = pytest.mark.browser

MOTHER_NUMBER = identity_number(datetime.date(1985, 2, 1))
NARROW = {"width": 390, "height": 844}


def citizen_session_key(identity_number: str) -> str:
    """A session of a parent logged in with ID-porten, as portal.session.log_in leaves it."""
    sealed = crypto.encrypt("id-token", associated_data=citizen_session._ID_TOKEN_CONTEXT)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[citizen_session.CITIZEN_KEY] = {
        "identity_hash": crypto.lookup_hash(identity_number),
        "id_token": base64.b64encode(sealed).decode(),
        "acr": "idporten-loa-high",
    }
    store.create()
    return store.session_key


def test_a_disclosure_request_answered_by_the_holder_and_seen_by_the_family(
    browsing, transactional_db, tmp_path
):
    world = scene()
    world.mother.set_national_id(MOTHER_NUMBER)
    world.mother.save()

    # Child welfare asks, from the child's page.
    asker = browsing.axe_page(session_key=session_key_for(world.caseworker))
    asker.goto(f"/ansatt/personer/{world.child.pk}/")
    asker.get_by_role("link", name="Be en annen tjeneste om opplysninger").click()
    heading = "Be en annen tjeneste om opplysninger"
    assert_no_axe_violations(asker, heading=heading)
    asker.get_by_role("button", name="Send forespørselen").click()
    expect(asker.get_by_text("Velg tjenesten du spør.").first).to_be_visible()
    assert_no_axe_violations(asker, heading=heading)
    asker.screenshot(path=tmp_path / "request-errors.png", full_page=True)
    asker.get_by_label("Hvilken tjeneste spør du?").select_option(
        label="BUP Hamar (Sykehuset Innlandet)"
    )
    asker.get_by_label("Forespørsel fra barnevernet", exact=False).check()
    asker.get_by_label("Hva trenger du å vite, og hvorfor?").fill(QUESTION)
    asker.get_by_role("button", name="Send forespørselen").click()
    expect(asker.get_by_text("Forespørselen er sendt til BUP Hamar.")).to_be_visible()
    assert_no_axe_violations(asker, heading="Forespørsel om Ella Berg")
    sent = DisclosureRequest.objects.get()
    sent_path = f"/ansatt/utleveringer/sendt/{sent.pk}/"
    assert asker.url.endswith(sent_path)

    # BUP's leader is told on the start page and reads the request on a phone ...
    leader_session = session_key_for(world.bup_leader)
    holder = browsing.axe_page(session_key=leader_session, viewport=NARROW)
    holder.goto("/ansatt/")
    holder.get_by_role("link", name="Se forespørslene til enhetene dine").click()
    assert_no_axe_violations(holder, heading="Forespørsler om opplysninger")
    holder.get_by_role("link", name="Fra Barneverntjenesten i Hamar", exact=False).click()
    assert_no_axe_violations(holder, heading="Forespørsel om opplysninger til BUP Hamar")
    expect(holder.get_by_text(QUESTION)).to_be_visible()
    received_path = f"/ansatt/utleveringer/mottatt/{sent.pk}/"
    assert holder.url.endswith(received_path)

    # ... and answers with plain forms, without JavaScript.
    plain = browsing.new_page(session_key=leader_session, java_script_enabled=False)
    plain.goto(received_path)
    plain.get_by_label("Utlever opplysninger").check()
    plain.get_by_label("Hvilken av deres registreringer gjelder svaret?").select_option(
        label="Ella Berg, 02.05.2016"
    )
    plain.get_by_label("Hva du utleverer, eller hvorfor du avslår").fill(ANSWER)
    plain.get_by_role("button", name="Registrer svaret").click()
    expect(plain.get_by_text("Svaret ditt er registrert")).to_be_visible()
    assert plain.url.endswith(received_path)
    holder.goto(received_path)
    expect(holder.get_by_text(ANSWER)).to_be_visible()
    assert_no_axe_violations(holder, heading="Forespørsel om opplysninger til BUP Hamar")
    holder.screenshot(path=tmp_path / "answered-390.png", full_page=True)

    # Child welfare reads the answer in its own record.
    asker.goto(sent_path)
    expect(asker.get_by_text(ANSWER)).to_be_visible()
    assert_no_axe_violations(asker, heading="Forespørsel om Ella Berg")

    # The mother sees the disclosure in the access log on Min side.
    mother = browsing.axe_page(session_key=citizen_session_key(MOTHER_NUMBER))
    mother.goto(f"/min-side/innsyn/{world.child.pk}/")
    expect(
        mother.get_by_text("Utleverte opplysninger til Barneverntjenesten i Hamar, Hamar kommune")
    ).to_be_visible()
    expect(
        mother.get_by_text("Forespørsel fra barnevernet: opplysningsplikten", exact=False).first
    ).to_be_visible()
    expect(mother.get_by_text("Ba BUP Hamar, Sykehuset Innlandet om opplysninger")).to_be_visible()
    assert_no_axe_violations(mother, heading="Ella Berg")
    mother.screenshot(path=tmp_path / "family-log.png", full_page=True)
