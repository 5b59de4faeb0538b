"""Asking for help without a referral: the public form, its receipt, the e-mail to the unit,
and the protections against misuse (honeypot, size limit, rate limit per address)."""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from familiebro.cases.help_requests import rate_limit, services, storage_notice
from familiebro.cases.models import HelpRequest, RateLimitWindow
from familiebro.core.models import Membership, ServiceUnit
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.catalogue.factories import OfferFactory, ProviderFactory, PublishedOfferFactory

pytestmark = pytest.mark.django_db

START = "/ta-kontakt/"
RECEIPT = "/ta-kontakt/kvittering/"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NAME = "Kari Nordmann"
MESSAGE = "Vi krangler mye om leggetida og er slitne."
# A checksum-valid synthetic identity number (month + 80), never a real person's.
IDENTITY_NUMBER = factories.identity_number(datetime.date(2015, 6, 15), synthetic=True)


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    # The assertions read the English source strings, whatever the nb/nn catalogues say.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _tasks_run_at_once_and_mail_stays_here(settings):
    settings.TASKS = IMMEDIATE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def hamar(db):
    return factories.MunicipalityFactory(number="3403", name="Hamar")


@pytest.fixture
def health_centre(hamar) -> ServiceUnit:
    organisation = factories.OrganisationFactory(name="Hamar kommune", municipality=hamar)
    return factories.ServiceUnitFactory(
        organisation=organisation,
        name="Helsestasjonen på Hamar",
        kind=ServiceUnit.Kind.HEALTH_CENTRE,
        email="helsestasjonen@hamar.example",
    )


def form_data(chosen: ServiceUnit | None = None, **overrides) -> dict[str, str]:
    """The form as a browser sends it: unticked boxes are absent."""
    data = {
        "requester_role": "parent",
        "requester_name": NAME,
        "phone": "912 34 567",
        "email": "",
        "preferred_contact_time": "Etter klokka 15",
        "child_age_months": "24",
        "message": MESSAGE,
        "storage_notice_agreed": "on",
        "notice_version": storage_notice.CURRENT_VERSION,
        "website": "",
    }
    if chosen is not None:
        data["unit"] = str(chosen.pk)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def start_url(unit: ServiceUnit) -> str:
    municipality = unit.organisation.municipality
    return f"{START}?kommune={municipality.number}"


def send(
    client: Client,
    receiving_unit: ServiceUnit,
    *,
    address: str = "198.51.100.10",
    forwarded_for: str = "",
    **overrides,
):
    """Send the general form to `receiving_unit`; `overrides` change or drop (None) fields."""
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(start_url(receiving_unit), form_data(receiving_unit, **overrides), **extra)


def text_of(response) -> str:
    return response.content.decode()


# Sending, the deadline and the receipt -------------------------------------------------------


def test_a_parent_sends_a_request_and_lands_on_the_receipt_with_the_reference(
    client, health_centre
):
    response = send(client, health_centre)

    assert response.status_code == 302
    assert response["Location"] == RECEIPT
    stored = HelpRequest.objects.get()
    assert stored.unit == health_centre
    assert stored.organisation == health_centre.organisation
    assert stored.channel == HelpRequest.Channel.WEB
    assert stored.requester_name == NAME
    assert stored.phone == "+4791234567"
    assert stored.child_age_months == 24
    assert stored.message == MESSAGE
    assert stored.status == HelpRequest.Status.NEW
    assert stored.storage_notice_version == storage_notice.CURRENT_VERSION
    assert stored.language == "en"
    assert re.fullmatch(r"FB-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", stored.reference)

    receipt = client.get(RECEIPT)
    assert receipt.status_code == 200
    assert stored.reference in text_of(receipt)
    assert "Helsestasjonen på Hamar contacts you within 7 days" in text_of(receipt)


def test_the_first_contact_is_due_seven_calendar_days_after_the_request_arrived(
    client, health_centre
):
    before = timezone.now()
    send(client, health_centre)
    after = timezone.now()

    stored = HelpRequest.objects.get()
    assert before <= stored.received_at <= after
    assert stored.first_contact_due_at - stored.received_at == datetime.timedelta(days=7)


def test_a_unit_with_its_own_deadline_gets_requests_due_after_its_own_number_of_days(
    client, health_centre
):
    health_centre.first_contact_days = 3
    health_centre.save()

    send(client, health_centre)

    stored = HelpRequest.objects.get()
    assert stored.first_contact_due_at - stored.received_at == datetime.timedelta(days=3)
    assert "within 3 days" in text_of(client.get(RECEIPT))


def test_the_receipt_address_holds_neither_the_reference_nor_anything_about_the_person(
    client, health_centre
):
    response = send(client, health_centre, email="kari@example.no")

    location = urlsplit(response["Location"])
    assert (location.path, location.query, location.fragment) == (RECEIPT, "", "")
    stored = HelpRequest.objects.get()
    page = text_of(client.get(RECEIPT))
    assert stored.reference in page
    for personal in (NAME, "91234567", "kari@example.no", MESSAGE, "Etter klokka 15"):
        assert personal not in page


def test_the_receipt_page_without_a_sent_request_says_there_is_nothing_to_show(client):
    response = client.get(RECEIPT)

    assert response.status_code == 404
    assert "No request to show" in text_of(response)


def test_pages_with_what_the_person_typed_are_never_cached(client, health_centre):
    refused = send(client, health_centre, requester_name="")
    assert "no-store" in refused["Cache-Control"]
    send(client, health_centre)
    assert "no-store" in client.get(RECEIPT)["Cache-Control"]


def test_the_form_works_with_the_csrf_check_a_browser_goes_through(health_centre):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(start_url(health_centre))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)

    response = browser.post(
        start_url(health_centre),
        {**form_data(health_centre), "csrfmiddlewaretoken": token.decode()},
    )

    assert response.status_code == 302
    assert HelpRequest.objects.count() == 1


def test_a_request_from_an_offer_page_goes_to_the_unit_that_runs_the_offer(client, health_centre):
    offer = PublishedOfferFactory(unit=health_centre, title="Barselgruppe på Hamar")

    page = client.get(f"/tilbud/{offer.pk}/ta-kontakt/")
    assert page.status_code == 200
    assert "Barselgruppe på Hamar" in text_of(page)
    assert 'name="unit"' not in text_of(page)
    response = client.post(f"/tilbud/{offer.pk}/ta-kontakt/", form_data())

    assert response["Location"] == RECEIPT
    stored = HelpRequest.objects.get()
    assert (stored.unit, stored.offer) == (health_centre, offer)


def test_an_offer_that_is_not_published_cannot_be_asked_about(client, health_centre):
    draft = OfferFactory(unit=health_centre)

    assert client.get(f"/tilbud/{draft.pk}/ta-kontakt/").status_code == 404
    assert client.post(f"/tilbud/{draft.pk}/ta-kontakt/", form_data()).status_code == 404
    assert not HelpRequest.objects.exists()


def test_an_imported_offer_without_a_unit_sends_people_to_its_own_contact_details(client):
    offer = PublishedOfferFactory(unit=None, provider=ProviderFactory(name="Frivillig forening"))

    page = client.get(f"/tilbud/{offer.pk}/ta-kontakt/")

    assert page.status_code == 200
    assert "does not receive requests through Familiebro" in text_of(page)
    assert 'method="post"' not in text_of(page).split("<main", 1)[1]


# Which services can be chosen ------------------------------------------------------------------


def test_the_general_page_lists_the_services_that_receive_requests_where_the_family_lives(
    client, hamar, health_centre
):
    organisation = health_centre.organisation
    child_welfare = factories.ServiceUnitFactory(
        organisation=organisation, name="Barnevernet", kind=ServiceUnit.Kind.CHILD_WELFARE
    )
    ppt = factories.ServiceUnitFactory(
        organisation=organisation, name="PP-tjenesten", kind=ServiceUnit.Kind.PPT
    )
    PublishedOfferFactory(unit=ppt, title="Kurs for foreldre")
    family_counselling = factories.ServiceUnitFactory(
        organisation=factories.OrganisationFactory(
            name="Bufetat", kind="state_service", municipality=None
        ),
        name="Familievernkontoret Hedmarken",
        kind=ServiceUnit.Kind.FAMILY_COUNSELLING,
    )
    family_counselling.municipalities_served.add(hamar)
    elsewhere = factories.ServiceUnitFactory(name="Helsestasjonen i Elverum")

    page = text_of(client.get(start_url(health_centre)))

    assert "Helsestasjonen på Hamar" in page
    assert "Familievernkontoret Hedmarken" in page
    assert "PP-tjenesten" in page  # it has a published offer
    assert child_welfare.name not in page
    assert elsewhere.name not in page


def test_the_municipality_chosen_in_the_finder_is_the_default(client, health_centre):
    client.cookies["fb_kommune"] = "3403"

    page = text_of(client.get(START))

    assert "Helsestasjonen på Hamar" in page
    assert '<option value="3403" selected>' in page


def test_a_municipality_without_receiving_services_points_to_the_finder(client):
    empty = factories.MunicipalityFactory(number="3401", name="Kongsvinger")

    page = client.get(f"{START}?kommune={empty.number}")

    assert "No service in Kongsvinger receives requests through Familiebro yet" in text_of(page)
    assert 'href="/finn-hjelp/"' in text_of(page)


def test_a_service_that_does_not_receive_requests_cannot_be_chosen_by_editing_the_form(
    client, health_centre
):
    child_welfare = factories.ServiceUnitFactory(
        organisation=health_centre.organisation, kind=ServiceUnit.Kind.CHILD_WELFARE
    )

    response = client.post(start_url(health_centre), {**form_data(), "unit": str(child_welfare.pk)})

    assert response.status_code == 400
    assert "Choose one of the services in the list." in text_of(response)
    assert not HelpRequest.objects.exists()


# What must be filled in, and what is refused -----------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit": ""}, "Choose the service you want to contact."),
        ({"requester_role": None}, "Choose who is asking: a parent, a young person, or a"),
        ({"requester_name": "  "}, "Enter your name, so the service knows whom to ask for."),
        (
            {"phone": "", "email": ""},
            "Enter a phone number or an e-mail address, so the service can reach you.",
        ),
        ({"phone": "12"}, "12 is not a valid phone number. Check the digits and the country"),
        ({"email": "kari@"}, "Enter an e-mail address like navn@eksempel.no"),
        ({"requester_name": "K" * 201}, "The name can be at most 200 characters."),
        ({"message": "x" * 2001}, "Write at most 2000 characters."),
        ({"child_age_months": "300"}, "Choose the child&#x27;s age from the list."),
        ({"storage_notice_agreed": None}, "Tick the box to agree that the request is stored"),
        (
            {"requester_role": "professional"},
            "Tick the box to confirm that the family knows about this request.",
        ),
        (
            {"notice_version": "2020-1"},
            "The text about how we store your request has changed since you opened the page.",
        ),
    ],
    ids=[
        "no service",
        "no role",
        "no name",
        "no way to reach",
        "bad phone",
        "bad e-mail",
        "long name",
        "long message",
        "unknown age",
        "no agreement",
        "professional without the family's knowledge",
        "old storage notice",
    ],
)
def test_a_request_that_cannot_be_used_says_what_to_fix_and_stores_nothing(
    client, health_centre, overrides, message
):
    response = send(client, health_centre, **overrides)

    assert response.status_code == 400
    assert message in text_of(response)
    assert 'class="ds-error-summary' in text_of(response)
    assert not HelpRequest.objects.exists()
    assert not RateLimitWindow.objects.exists()
    assert mail.outbox == []


def test_a_professional_who_confirms_the_family_knows_can_ask_on_their_behalf(
    client, health_centre
):
    send(client, health_centre, requester_role="professional", family_knows="on")

    stored = HelpRequest.objects.get()
    assert stored.requester_role == HelpRequest.RequesterRole.PROFESSIONAL
    assert stored.family_knows is True


def test_an_e_mail_address_alone_is_enough_to_be_reached(client, health_centre):
    send(client, health_centre, phone="", email="kari@example.no")

    assert HelpRequest.objects.get().email == "kari@example.no"


def test_an_identity_number_in_the_free_text_is_refused_and_nothing_is_stored(
    client, health_centre
):
    response = send(client, health_centre, message=f"Gjelder sønnen min, {IDENTITY_NUMBER}.")

    assert response.status_code == 400
    assert "Remove the identity number (fødselsnummer) from the text." in text_of(response)
    assert not HelpRequest.objects.exists()
    assert mail.outbox == []


def test_an_identity_number_written_with_a_space_is_refused_too(client, health_centre):
    spaced = f"{IDENTITY_NUMBER[:6]} {IDENTITY_NUMBER[6:]}"

    response = send(client, health_centre, message=f"Fødselsnummer {spaced}")

    assert response.status_code == 400
    assert not HelpRequest.objects.exists()


def test_the_form_warns_not_to_write_sensitive_details_and_shows_the_storage_notice(
    client, health_centre
):
    page = text_of(client.get(start_url(health_centre)))

    assert "Do not write identity numbers, diagnoses or other sensitive details" in page
    notice = storage_notice.storage_notice("en")
    assert escape(notice.paragraphs[0]) in page
    assert f'value="{storage_notice.CURRENT_VERSION}"' in page


def test_the_storage_notice_is_shown_in_bokmal_by_default(health_centre):
    page = Client().get(start_url(health_centre)).content.decode()

    assert storage_notice.storage_notice("nb").paragraphs[0] in page
    assert '<div lang="nb">' in page


def test_the_new_request_is_audited_without_any_personal_data(client, health_centre):
    send(client, health_centre, email="kari@example.no")

    stored = HelpRequest.objects.get()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.object_type == "cases.helprequest"
    assert event.object_ids == [str(stored.pk)]
    assert event.organisation_id == health_centre.organisation_id
    recorded = json.dumps(event.detail, ensure_ascii=False)
    assert recorded == json.dumps({"channel": "web", "unit_id": health_centre.pk})
    for personal in (NAME, "91234567", "kari@example.no", MESSAGE):
        assert personal not in recorded


# The e-mail to the unit ----------------------------------------------------------------------


def test_the_unit_is_emailed_the_reference_deadline_and_link_and_nothing_about_the_person(
    client, health_centre
):
    send(client, health_centre, email="kari@example.no")

    stored = HelpRequest.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["helsestasjonen@hamar.example"]
    assert stored.reference in message.subject
    assert stored.reference in message.body
    assert f"http://testserver/ansatt/henvendelser/{stored.pk}/" in message.body
    due = timezone.localdate(stored.first_contact_due_at)
    assert str(due.year) in message.body and str(due.day) in message.body
    everything = message.subject + message.body + str(message.message())
    for personal in (NAME, "Kari", "91234567", "kari@example.no", MESSAGE, "Etter klokka"):
        assert personal not in everything


def test_a_unit_without_its_own_address_has_its_leaders_emailed(client, health_centre):
    health_centre.email = ""
    health_centre.save()
    leader = factories.MembershipFactory(unit=health_centre, role=Membership.Role.LEADER).user
    leader.email = "leder@hamar.example"
    leader.save()
    worker = factories.MembershipFactory(unit=health_centre).user
    worker.email = "ansatt@hamar.example"
    worker.save()

    send(client, health_centre)

    assert [m.to for m in mail.outbox] == [["leder@hamar.example"]]


def test_a_unit_nobody_can_be_emailed_about_still_gets_the_request_in_its_inbox(
    client, health_centre
):
    health_centre.email = ""
    health_centre.save()

    response = send(client, health_centre)

    assert response["Location"] == RECEIPT
    assert HelpRequest.objects.count() == 1
    assert mail.outbox == []


def test_the_email_is_queued_in_the_same_transaction_as_the_request(
    client, health_centre, settings
):
    # With the production task backend the e-mail waits in the database for the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

    send(client, health_centre)
    send(client, health_centre, requester_name="")

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "familiebro.cases.tasks.notify_unit_of_help_request"
    assert HelpRequest.objects.get().reference in json.dumps(queued.args_kwargs)
    assert NAME not in json.dumps(queued.args_kwargs, ensure_ascii=False)
    assert mail.outbox == []


def test_the_email_to_the_unit_is_delivered_by_a_real_smtp_server(
    client, health_centre, smtp_server
):
    send(client, health_centre)

    assert smtp_server.arrived.wait(timeout=10), "the SMTP server received nothing"
    (recipients, content) = smtp_server.messages[0]
    assert recipients == ["helsestasjonen@hamar.example"]
    text = content.decode("utf-8", errors="replace")
    assert HelpRequest.objects.get().reference in text
    assert "Kari" not in text and "Nordmann" not in text and "krangler" not in text


# Protection against misuse --------------------------------------------------------------------


def test_a_filled_honeypot_gets_the_normal_receipt_but_nothing_is_stored(client, health_centre):
    response = send(client, health_centre, website="https://spam.example")

    assert response.status_code == 302
    assert response["Location"] == RECEIPT
    receipt = client.get(RECEIPT)
    assert receipt.status_code == 200
    assert re.search(r"FB-[2-9A-Z]{4}-[2-9A-Z]{4}", text_of(receipt))
    assert not HelpRequest.objects.exists()
    assert not RateLimitWindow.objects.exists()
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_out_of_sight_and_out_of_reach_for_people(client, health_centre):
    page = text_of(client.get(start_url(health_centre)))

    trap = re.search(r'<div class="fb-trap" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap, "the honeypot must sit in a hidden, aria-hidden wrapper"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", trap.group(1)).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


def test_a_request_body_over_the_size_limit_is_refused_with_a_clear_message(client, health_centre):
    padding = "x" * (33 * 1024)

    response = send(client, health_centre, preferred_contact_time=padding)

    assert response.status_code == 413
    assert "Your request is too large to be sent (more than 32 kB)" in text_of(response)
    assert not HelpRequest.objects.exists()
    assert not RateLimitWindow.objects.exists()


def test_a_form_filled_to_every_limit_in_any_script_is_not_too_large(client, health_centre):
    # Four-byte characters (emoji) are the largest a browser sends: 12 bytes once encoded.
    response = send(
        client,
        health_centre,
        requester_name="😀" * services.MAX_NAME_LENGTH,
        preferred_contact_time="😀" * services.MAX_CONTACT_TIME_LENGTH,
        message="😀" * services.MAX_MESSAGE_LENGTH,
    )

    assert response.status_code == 302
    assert HelpRequest.objects.count() == 1


def test_the_sixth_request_from_one_address_within_an_hour_is_refused(client, health_centre):
    for _ in range(5):
        assert send(client, health_centre, address="203.0.113.7").status_code == 302

    refused = send(client, health_centre, address="203.0.113.7")

    assert refused.status_code == 429
    assert "You have already sent 5 requests from this network within 60 minutes" in text_of(
        refused
    )
    assert "call the service" in text_of(refused)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert HelpRequest.objects.count() == 5
    assert len(mail.outbox) == 5
    # What the person typed is still there, so nothing is lost while they wait or call.
    assert MESSAGE in text_of(refused)


def test_another_address_is_not_held_back_by_the_first(client, health_centre):
    for _ in range(5):
        send(client, health_centre, address="203.0.113.7")

    assert send(client, health_centre, address="203.0.113.8").status_code == 302


def test_requests_refused_for_errors_do_not_count_against_the_limit(client, health_centre):
    for _ in range(6):
        send(client, health_centre, address="203.0.113.7", requester_name="")

    assert send(client, health_centre, address="203.0.113.7").status_code == 302


def test_the_limit_opens_again_when_the_hour_has_passed(health_centre):
    start = timezone.now()
    for _ in range(5):
        rate_limit.count_request("203.0.113.7", now=start)
    with pytest.raises(rate_limit.RateLimited):
        rate_limit.count_request("203.0.113.7", now=start + datetime.timedelta(minutes=59))

    rate_limit.count_request("203.0.113.7", now=start + datetime.timedelta(minutes=61))

    assert RateLimitWindow.objects.get().count == 1


def test_counters_that_have_run_out_are_deleted(health_centre):
    start = timezone.now()
    rate_limit.count_request("203.0.113.1", now=start)
    rate_limit.count_request("203.0.113.2", now=start)

    rate_limit.count_request("203.0.113.3", now=start + datetime.timedelta(hours=2))

    assert RateLimitWindow.objects.count() == 1


def test_the_counter_keeps_a_keyed_hash_never_the_address(client, health_centre):
    send(client, health_centre, address="203.0.113.7")

    key = RateLimitWindow.objects.get().key
    assert "203.0.113" not in key
    assert key == rate_limit.client_key("203.0.113.7")
    assert key != rate_limit.client_key("203.0.113.8")


def test_ipv6_clients_are_counted_by_their_64_network(health_centre):
    assert rate_limit.client_key("2001:db8:1:2::1") == rate_limit.client_key("2001:db8:1:2:ffff::9")
    assert rate_limit.client_key("2001:db8:1:2::1") != rate_limit.client_key("2001:db8:1:3::1")


def test_a_forwarded_address_is_ignored_unless_a_trusted_proxy_sets_it(
    client, health_centre, settings
):
    for n in range(5):
        send(client, health_centre, address="10.0.0.1", forwarded_for=f"203.0.113.{n}")
    # Without a trusted proxy, the forged header changes nothing: the sender is 10.0.0.1.
    assert send(client, health_centre, address="10.0.0.1").status_code == 429

    settings.TRUSTED_PROXY_HOPS = 1
    behind_proxy = send(client, health_centre, address="10.0.0.1", forwarded_for="198.51.100.99")
    assert behind_proxy.status_code == 302
    assert RateLimitWindow.objects.filter(key=rate_limit.client_key("198.51.100.99")).exists()


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_used():
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.99"
    )
    assert rate_limit.client_address(request) == "10.0.0.1"
    with override_settings(TRUSTED_PROXY_HOPS=1):
        # The client may have written "1.2.3.4" itself; the proxy appended what it saw.
        assert rate_limit.client_address(request) == "198.51.100.99"


# References --------------------------------------------------------------------------------------


def test_references_are_readable_aloud_and_never_repeat(client, health_centre):
    references = {services.new_reference() for _ in range(2000)}

    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(r"FB-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
        assert not set(reference[3:]) & set("01OILU")


def test_a_clash_of_references_draws_a_new_one(client, health_centre, monkeypatch):
    taken = HelpRequest.objects.create(
        reference="FB-AAAA-AAAA",
        organisation=health_centre.organisation,
        unit=health_centre,
        channel=HelpRequest.Channel.PHONE,
        requester_role=HelpRequest.RequesterRole.PARENT,
        requester_name="Eksisterende",
        received_at=timezone.now(),
        first_contact_due_at=timezone.now(),
    )
    draws = iter(["FB-AAAA-AAAA", "FB-BBBB-BBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(draws))

    send(client, health_centre)

    assert set(HelpRequest.objects.values_list("reference", flat=True)) == {
        taken.reference,
        "FB-BBBB-BBBB",
    }


def test_the_service_refuses_a_unit_that_does_not_receive_requests(health_centre):
    child_welfare = factories.ServiceUnitFactory(kind=ServiceUnit.Kind.CHILD_WELFARE)
    details = services.RequestDetails(
        requester_role="parent", requester_name=NAME, phone="91234567"
    )

    with pytest.raises(ValidationError) as refused:
        services.submit_help_request(
            unit=child_welfare,
            details=details,
            storage_notice_version=storage_notice.CURRENT_VERSION,
            client_address="203.0.113.7",
            site_url="https://familiebro.example/",
        )

    assert "does not receive requests" in str(refused.value)
    assert not HelpRequest.objects.exists()
