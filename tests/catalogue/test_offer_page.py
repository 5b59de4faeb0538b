"""The public offer page, its translations and its iCalendar file."""

import datetime
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from familiebro.catalogue.models import Offer, OpeningHours, Programme
from tests import factories
from tests.catalogue.factories import (
    FinderOfferFactory,
    LocationFactory,
    OfferSessionFactory,
    OfferTranslationFactory,
    OpeningHoursFactory,
    target_group,
    topic,
)

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _english_pages(client, settings, tmp_path):
    # The assertions read the English source strings, whatever the nb/nn catalogues say.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"


@pytest.fixture
def offer(db):
    programme = Programme.objects.get(slug="godt-samliv")
    programme.evidence_level = Programme.EvidenceLevel.LEVEL_3
    programme.evidence_source_url = "https://ungsinn.no/post_tiltak/godt-samliv/"
    programme.save()
    offer = FinderOfferFactory(
        title="Godt samliv på Hamar",
        summary="Kurs for par som har fått sitt første barn.",
        description="To kvelder om å være kjærester og foreldre samtidig.\n\nVi serverer mat.",
        programme=programme,
        age_from_months=-3,
        age_to_months=12,
        topics=[topic("couple-relationship")],
        target_groups=[target_group("first-time-parents")],
        locations=[
            LocationFactory(
                name="Familiens hus",
                address="Parkgata 2",
                postal_code="2317",
                city="Hamar",
                municipality=factories.MunicipalityFactory(number="3403", name="Hamar"),
            )
        ],
        languages=" nb en ar ",
        is_free=True,
        referral_required=False,
        format_group=True,
        how_to_sign_up="Meld dere på hos helsestasjonen.",
        capacity=12,
        contact_name="Kari Nordmann",
        contact_title="Helsesykepleier",
        contact_phone="+4762511000",
        phone_hours="Mandag til fredag 9–11",
        contact_email="kari@example.no",
        contact_photo=SimpleUploadedFile("kari.png", PIXEL_PNG, content_type="image/png"),
    )
    OpeningHoursFactory(offer=offer, weekday=OpeningHours.Weekday.WEDNESDAY, note="Drop-in")
    OfferSessionFactory(
        offer=offer,
        title="Første kveld",
        starts_at=timezone.now() + datetime.timedelta(days=7),
    )
    OfferSessionFactory(
        offer=offer,
        title="Kveld 0, allerede holdt",
        starts_at=timezone.now() - datetime.timedelta(days=7),
    )
    return offer


def page(client, offer, **params):
    response = client.get(f"/tilbud/{offer.pk}/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_offer_page_shows_everything_a_parent_needs(client, offer):
    text = page(client, offer)
    for expected in (
        "Godt samliv på Hamar",
        "Kurs for par som har fått sitt første barn.",
        "<p>Vi serverer mat.</p>",
        "From 3 months before birth to 1 year",
        "Couple relationship",  # topics and target groups in the page's language
        "First-time parents",
        "Familiens hus",
        "Parkgata 2",
        "Drop-in",
        "Første kveld",
        "Meld dere på hos helsestasjonen.",
        "No referral needed",
        "Free",
        "Kari Nordmann",
        "Helsesykepleier",
        'href="tel:+4762511000"',
        "Mandag til fredag 9–11",
        'alt="Photo of Kari Nordmann"',
    ):
        assert expected in text, expected
    assert "allerede holdt" not in text  # sessions already held are not listed


def test_the_contact_button_leads_to_the_request_form_of_the_offer(client, offer):
    assert f'href="/tilbud/{offer.pk}/ta-kontakt/"' in page(client, offer)


def test_the_programme_and_its_evidence_level_are_explained_in_words(client, offer):
    text = page(client, offer)
    assert "About the programme Godt samliv" in text
    assert "Level 3: probable effect" in text
    assert "Studies suggest that the programme helps, but the evidence is not yet strong." in text
    assert 'href="https://ungsinn.no/post_tiltak/godt-samliv/"' in text


def test_the_opening_hours_are_an_accessible_table(client, offer):
    text = page(client, offer)
    assert "<caption" in text
    assert '<th scope="row">Wednesday</th>' in text
    assert "09:00–11:00" in text


def test_the_page_links_the_calendar_file_when_there_are_dates(client, offer):
    assert f'href="/tilbud/{offer.pk}/kalender.ics"' in page(client, offer)
    offer.sessions.all().delete()
    assert "kalender.ics" not in page(client, offer)


def test_draft_retired_and_unknown_offers_are_not_found(client, offer):
    for status in (Offer.Status.DRAFT, Offer.Status.RETIRED):
        Offer.objects.filter(pk=offer.pk).update(status=status)
        assert client.get(f"/tilbud/{offer.pk}/").status_code == 404
    assert client.get(f"/tilbud/{uuid.uuid4()}/").status_code == 404
    assert client.get("/tilbud/not-an-id/").status_code == 404


def test_a_stale_offer_warns_the_parent(client, offer):
    assert "has not checked this information" not in page(client, offer)
    Offer.objects.filter(pk=offer.pk).update(
        last_verified_at=timezone.now() - datetime.timedelta(days=190)
    )
    assert "has not checked this information in the last 6 months" in page(client, offer)


# Translations -------------------------------------------------------------------------------


def test_the_offer_in_arabic_is_shown_right_to_left(client, offer):
    OfferTranslationFactory(
        offer=offer,
        language="ar",
        title="حياة زوجية جيدة",
        summary="دورة للأزواج",
        description="أمسيتان عن الحياة الزوجية.",
        how_to_sign_up="سجلوا في المركز الصحي.",
    )
    text = page(client, offer, språk="ar")
    assert re.search(
        r'<header class="fb-offer__header" lang="ar" dir="rtl">\s*<h1[^>]*>حياة زوجية جيدة</h1>',
        text,
    )
    assert (
        '<div class="fb-prose" lang="ar" dir="rtl"><p>أمسيتان عن الحياة الزوجية.</p></div>' in text
    )
    assert "سجلوا في المركز الصحي." in text
    assert "is not described in" not in text
    # The page's own words stay in the interface language, left to right.
    assert '<html lang="en"' in text


def test_a_missing_translation_falls_back_to_bokmaal_with_a_note(client, offer):
    OfferTranslationFactory(offer=offer, language="en", title="Good couple life")
    text = page(client, offer, språk="so")
    header = (
        r'<header class="fb-offer__header" lang="nb" dir="ltr">\s*<h1[^>]*>Godt samliv på Hamar'
    )
    assert re.search(header, text)
    assert 'This offer is not described in <bdi lang="so">Soomaali</bdi> yet' in text
    assert "shown in Norwegian (bokmål)" in text


def test_the_page_offers_the_languages_the_offer_is_written_in(client, offer):
    OfferTranslationFactory(offer=offer, language="en", title="Good couple life")
    OfferTranslationFactory(offer=offer, language="ar", title="حياة زوجية جيدة")
    text = page(client, offer)
    assert 'href="?språk=en" lang="en" dir="ltr"' in text
    assert 'href="?språk=ar" lang="ar" dir="rtl"' in text
    english = page(client, offer, språk="en")
    assert '<h1 class="ds-heading" data-size="lg" id="offer-title">Good couple life</h1>' in english
    assert 'lang="en" dir="ltr"' in english


def test_a_part_missing_in_the_translation_is_shown_in_bokmaal_and_marked_so(client, offer):
    OfferTranslationFactory(offer=offer, language="en", title="Good couple life", how_to_sign_up="")
    text = page(client, offer, språk="en")
    assert '<div class="fb-prose" lang="nb"><p>Meld dere på hos helsestasjonen.</p></div>' in text


def test_an_unknown_language_code_shows_bokmaal_without_a_note(client, offer):
    text = page(client, offer, språk="xx")
    assert "Godt samliv på Hamar" in text
    assert "is not described in" not in text


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("other_offers", [10, 60])
def test_the_offer_page_costs_the_same_queries_however_many_offers(
    client, offer, other_offers, django_assert_max_num_queries
):
    for number in range(other_offers):
        extra = FinderOfferFactory(title=f"Tilbud {number}", topics=[topic("violence")])
        OfferSessionFactory(offer=extra)
    for number in range(3):
        OfferSessionFactory(offer=offer, title=f"Kveld {number}")
    OfferTranslationFactory(offer=offer, language="ar", title="حياة زوجية جيدة")
    with django_assert_max_num_queries(8):
        assert client.get(f"/tilbud/{offer.pk}/", {"språk": "ar"}).status_code == 200


# iCalendar --------------------------------------------------------------------------------


def parse_icalendar(raw: bytes) -> list[dict[str, list[str]]]:
    """A minimal RFC 5545 reader: checks the line rules and returns the components, each
    as property name -> values (TEXT values unescaped)."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical), "bare line breaks"
    assert all(len(line.encode()) <= 75 for line in physical), "a line is not folded"
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    components: list[dict[str, list[str]]] = []
    stack: list[dict[str, list[str]]] = []
    for line in logical:
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if name == "BEGIN":
            stack.append({"BEGIN": [value]})
        elif name == "END":
            component = stack.pop()
            assert component["BEGIN"] == [value], f"END:{value} closes BEGIN:{component['BEGIN']}"
            components.append(component)
        else:
            unescaped = re.sub(
                r"\\([\\;,nN])",
                lambda m: "\n" if m.group(1) in "nN" else m.group(1),
                value,
            )
            stack[-1].setdefault(name, []).append(unescaped)
    assert not stack, "unclosed component"
    return components


def calendar(client, offer):
    response = client.get(f"/tilbud/{offer.pk}/kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return parse_icalendar(response.content)


def test_the_calendar_file_is_valid_icalendar_with_one_event_per_future_session(client, offer):
    long_title = "Samling om søvn, mat; og hverdagen\\ med en lang tittel som må brettes æøå " * 2
    session = OfferSessionFactory(offer=offer, title=long_title)
    components = calendar(client, offer)
    calendar_component = components[-1]
    assert calendar_component["BEGIN"] == ["VCALENDAR"]
    assert calendar_component["VERSION"] == ["2.0"]
    assert calendar_component["PRODID"]
    events = [c for c in components if c["BEGIN"] == ["VEVENT"]]
    assert len(events) == 2  # the session already held is left out
    uids = [event["UID"][0] for event in events]
    assert len(set(uids)) == 2
    assert f"{session.pk}@familiebro.no" in uids
    for event in events:
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"][0])
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTART"][0])
        assert event["DTEND"][0] > event["DTSTART"][0]
        assert event["URL"] == [f"http://testserver/tilbud/{offer.pk}/"]
        assert event["LOCATION"] == ["Familiens hus, Parkgata 2, 2317 Hamar"]
    long_event = next(e for e in events if e["UID"] == [f"{session.pk}@familiebro.no"])
    assert long_event["SUMMARY"] == [f"Godt samliv på Hamar: {long_title}"]
    assert long_event["DTSTART"] == [
        session.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    ]
    assert long_event["DESCRIPTION"][0].startswith(
        "Kurs for par som har fått sitt første barn.\n\n"
    )


def test_an_offer_without_future_sessions_has_no_calendar_file(client, offer):
    offer.sessions.filter(starts_at__gt=timezone.now()).delete()
    assert client.get(f"/tilbud/{offer.pk}/kalender.ics").status_code == 404


def test_a_draft_offer_has_no_calendar_file(client, offer):
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.DRAFT)
    assert client.get(f"/tilbud/{offer.pk}/kalender.ics").status_code == 404
