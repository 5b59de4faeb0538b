"""Findings of a second review of the administration part (organisations and units, consent
texts, single sign-on), written as an outsider's attacks. Each test fails today and passes once
the finding is fixed; its severity is in its docstring."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from familiebro.administration import organisation_actions
from familiebro.core.models import OrganisationAdministrator
from familiebro.privacy import consent_reads
from tests.administration.test_sign_on import (
    linked_nurse,
    log_in_at_provider,
    settings_form,
    sign_on_for,
)
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _admin_of(organisation, **fields):
    admin = make.user(**fields)
    OrganisationAdministrator.objects.create(user=admin, organisation=organisation)
    return admin


# --- HIGH: another organisation's login with the same issuer skips the own second factor ----


def test_another_organisations_login_at_the_same_issuer_does_not_pass_the_own_second_factor(
    client, oidc_provider
):
    """HIGH. Two organisations may set up a login at the same issuer (ID-porten, Feide, a
    shared Entra tenant). log_in() finds the account by (issuer, subject) alone, not by the
    sign-on the identity was linked at, and then applies the acr/amr rule of the sign-on used.
    Stange accepts only `idporten-loa-high` as its staff's second factor; Hamar's administrator
    sets up Hamar's login at the same issuer accepting `idporten-loa-substantial`. Stange's
    nurse, logging in through Hamar's button at the lower level, lands in Stange's account with
    the second factor counted as passed (and the login audited under Hamar's sign-on).
    Reproduce: two OrganisationSignOn rows with one issuer, different second_factor_acr; log in
    through the laxer one with an identity linked at the stricter one."""
    stange_unit = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    stange = sign_on_for(stange_unit.organisation, oidc_provider)
    hamar = sign_on_for(
        make.organisation(name="Hamar kommune"),
        oidc_provider,
        label="Log in with Hamar kommune",
        second_factor_acr=["idporten-loa-substantial"],
    )
    nurse = linked_nurse(stange_unit, stange)
    _authorization, response = log_in_at_provider(
        client, oidc_provider, hamar, acr="idporten-loa-substantial"
    )
    assert response.get("Location") != reverse("staff-home")
    home = client.get(reverse("staff-home"))
    assert not (home.status_code == 200 and home.wsgi_request.user.pk == nurse.pk)


# --- MEDIUM: discovery fetches whatever address an administrator types, in production too ---


def test_the_issuer_check_does_not_fetch_an_internal_address_in_production(
    client, settings, monkeypatch
):
    """MEDIUM (SSRF). Saving an organisation's login makes the server fetch
    `<issuer>/.well-known/openid-configuration` at once. In production only https is refused
    at the scheme, nothing else: an organisation's administrator (not the operator) who types
    https://169.254.169.254 or https://10.0.0.5:8443 has the web server request a cloud
    metadata service or an internal host, and the page's two different messages ("could not
    reach" / "is not an OpenID Connect issuer") tell them which internal hosts and ports
    answer. urllib also follows redirects, so a public https issuer can bounce the fetch to
    http://127.0.0.1. Reproduce: PRODUCTION=True, post the sign-on form with such an issuer."""
    settings.PRODUCTION = True
    fetched: list[str] = []

    def recording_urlopen(request, *args, **kwargs):
        fetched.append(getattr(request, "full_url", str(request)))
        raise urllib.error.URLError("not fetched in tests")

    monkeypatch.setattr(urllib.request, "urlopen", recording_urlopen)
    unit = make.unit(name="Helsestasjonen i Stange")
    logged_in(_admin_of(unit.organisation), client)
    edit = reverse("administration:sign-on-edit", args=[unit.organisation.pk])
    for internal in ("https://169.254.169.254", "https://10.0.0.5:8443", "https://localhost"):
        issuer = type("P", (), {"issuer": internal})()
        response = client.post(edit, settings_form(issuer))
        assert response.status_code == 400
    assert fetched == []


# --- MEDIUM: a consent text's placeholder may carry a format spec ----------------------------


def test_a_placeholder_with_a_format_spec_is_not_publishable():
    """MEDIUM (denial of service; text integrity). text_problems() checks only the names of
    the placeholders, so `{child:>900000000}` passes and is then given to str.format_map: every
    rendering of that consent text (Min side, the staff's consent form, the PDF) builds a
    900 MB string and takes the worker down. `{recipients:.0}` passes too and silently prints
    nothing where the family is told who receives their information, and `{child!r}` prints
    Python's repr. Reproduce: publish a text whose body is "Om {child:>900000000}." on the
    consent text page of one's organisation, then open any consent using it."""
    for body in ("Om {child:>900000000}.", "Til {recipients:.0}.", "Om {child!r}."):
        assert consent_reads.text_problems("Samtykke", body), body


# --- MEDIUM: a Stange administrator learns and appoints another organisation's staff ---------


def test_appointing_by_username_does_not_reach_another_organisations_staff(client):
    """MEDIUM. The administrator form takes any username on the instance. An administrator of
    Stange appoints a Hamar worker (not a member of any Stange unit) and the answer names them
    ("Hans Hamar is now an administrator of Stange kommune"); a wrong guess says "No staff
    account has the username". That reveals who works for other data controllers, by name,
    one guess at a time, and hands another controller's employee administrator rights without
    their own organisation knowing. (The first review closed the same leak on invitations.)
    Reproduce: POST administrator-appoint with another organisation's username."""
    stange = make.unit(name="Barnehagen i Stange").organisation
    hamar_unit = make.unit(name="Helsestasjonen i Hamar")
    hans = make.member(hamar_unit, username="hans.hamar", first_name="Hans", last_name="Hamar")
    logged_in(_admin_of(stange), client)
    response = client.post(
        reverse("administration:administrator-appoint", args=[stange.pk]),
        {"username": "hans.hamar"},
        follow=True,
    )
    assert not OrganisationAdministrator.objects.filter(user=hans, organisation=stange).exists()
    assert "Hans Hamar" not in response.content.decode()


# --- MEDIUM: a unit named in a consent is not a unit "with records" --------------------------


def test_a_unit_named_as_a_consents_recipient_keeps_its_confidentiality_domain():
    """MEDIUM. unit_has_records() skips every many-to-many relation, so a unit that families'
    consents name as recipient (Consent.recipient_units), or that took part in anonymous
    consultations, counts as having no records: its domain can be changed (by the form or by
    re-importing the CSV with another `domene`). The family consented to share with the
    health centre under the health service's duty of confidentiality; after the change the same
    consent lets the data reach a unit working under, say, child welfare. Reproduce: a consent
    naming a unit; change the unit's domain on its page."""
    unit = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    child, guardian, _relation = make.child_with_guardian(unit.organisation)
    make.consent(child, recipient_units=[unit], giver=guardian)
    admin = _admin_of(unit.organisation)
    before = organisation_actions.snapshot(unit, organisation_actions.UNIT_FIELDS)
    new_domain = "child_welfare" if unit.domain != "child_welfare" else "education"
    unit.domain = new_domain
    with pytest.raises(ValidationError):
        organisation_actions.save_unit(admin, unit, before, unit.municipalities_served.all())


# --- LOW: the last administrator of an organisation removes themself ------------------------


def test_the_last_administrator_of_an_organisation_is_not_removed(client):
    """LOW. remove_administrator() has no check that someone is left: the only administrator
    of an organisation can remove themself (one click, no confirmation of the consequence), and
    the organisation then has nobody to manage its staff, consent texts, retention or login
    until an instance administrator appoints one. Deactivation already refuses the last
    instance administrator; the same rule is missing here. Reproduce: as the sole
    administrator, press Remove on one's own row on the organisation page."""
    stange = make.unit(name="Barnehagen i Stange").organisation
    anne = _admin_of(stange, first_name="Anne")
    appointment = OrganisationAdministrator.objects.get(user=anne)
    logged_in(anne, client)
    client.post(reverse("administration:administrator-remove", args=[stange.pk, appointment.pk]))
    assert OrganisationAdministrator.objects.filter(organisation=stange).exists()


# --- LOW/MEDIUM: a staff file rolled back after its first e-mails were sent ------------------


def test_a_staff_import_that_is_rolled_back_has_sent_no_invitations(monkeypatch, mailoutbox):
    """LOW/MEDIUM. import_staff() sends each row's invitation e-mail at once, inside the one
    transaction of the file. When a later row is refused only as it is written (the mail server
    refuses that address, a role the writer refuses), the whole file is rolled back, as the
    page says ("nothing is kept"), yet the e-mails already handed to the mail server have gone
    out: those people hold links to invitations that do not exist, and the administrator is
    told nothing was done. Reproduce: a staff CSV of three new people where the mail server
    refuses the third address; import it without "good rows only"."""
    import smtplib

    from django.core.mail import EmailMessage

    from familiebro.administration import staff_import
    from familiebro.administration.models import Invitation

    stange = make.organisation(name="Stange kommune")
    make.unit(stange, name="Helsestasjonen i Stange")
    admin = _admin_of(stange, first_name="Anne")
    original_send = EmailMessage.send

    def refuse_the_third(self, *args, **kwargs):
        if "per@" in self.to[0]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user")})
        return original_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_the_third)
    data = (
        b"fornavn;etternavn;epost;stilling;enhet;rolle\n"
        b"Kari;Nordmann;kari@stange.kommune.no;;Helsestasjonen i Stange;medarbeider\n"
        b"Ola;Hansen;ola@stange.kommune.no;;Helsestasjonen i Stange;medarbeider\n"
        b"Per;Lie;per@stange.kommune.no;;Helsestasjonen i Stange;medarbeider\n"
    )
    report = staff_import.import_staff(admin, data)
    assert not report.applied
    assert not Invitation.objects.exists()
    assert [message.to for message in mailoutbox] == []


# --- MEDIUM: an organisation's rule deletes at once what an archive rule preserves -----------


def test_an_organisation_cannot_delete_at_once_what_an_archive_rule_preserves(client):
    """MEDIUM. The instance's defaults preserve and deposit what archive rules keep (health
    centre and child welfare records, arkivlova § 9 c, seeded by privacy migration 0015). An
    organisation's administrator sets their own rule for the same category and kind of unit,
    0 days and "delete": retention_rules.rule_problems() checks only the bounds (0 to 36,500
    days) and whether "preserve" is possible, so it is accepted, overrides the archive rule, and
    the next retention sweep deletes the records instead of depositing them. Reproduce: on
    /ansatt/administrasjon/oppbevaring/<id>/ choose such a category and kind, 0 days, delete."""
    from familiebro.privacy.models import RetentionRule

    archive_rule = RetentionRule.objects.filter(organisation=None, outcome="preserve").first()
    assert archive_rule is not None, "the instance's archive rules are seeded"
    town = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    logged_in(_admin_of(town.organisation), client)
    response = client.post(
        reverse("administration:retention-organisation", args=[town.organisation_id]),
        {
            "category": archive_rule.category,
            "unit_kind": archive_rule.unit_kind,
            "days": "0",
            "outcome": "delete",
        },
    )
    assert response.status_code == 400
    assert not RetentionRule.objects.filter(organisation=town.organisation).exists()


# --- LOW: an issuer that cuts its answer short gives a server error --------------------------


def test_an_issuer_that_cuts_its_answer_short_is_named_not_a_server_error(client):
    """LOW. oidc._fetch_json() catches URLError, TimeoutError and ValueError only. An address
    that answers 200 with a Content-Length longer than the body it sends (or resets the
    connection mid-body) raises http.client.IncompleteRead / ConnectionResetError while the
    JSON is read, and the administrator's sign-on page answers 500 instead of "could not
    reach". Reproduce: point the issuer at a server that closes the connection early."""
    import http.server
    import threading

    class CutShort(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"issuer": "')
            self.wfile.flush()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), CutShort)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        unit = make.unit(name="Helsestasjonen i Stange")
        logged_in(_admin_of(unit.organisation), client)
        client.raise_request_exception = False
        issuer = type("P", (), {"issuer": f"http://127.0.0.1:{server.server_port}"})()
        response = client.post(
            reverse("administration:sign-on-edit", args=[unit.organisation.pk]),
            settings_form(issuer),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 400
