"""The offer editor pages under /ansatt/tilbud/."""

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from familiebro.catalogue import actions, reads
from familiebro.catalogue.models import Offer
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.catalogue.factories import OfferFactory, target_group, topic
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

LIST_URL = "/ansatt/tilbud/"


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    # The assertions read the English source strings; bokmål is the default language.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _media_in_a_temporary_directory(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"


def edit_url(offer):
    return reverse("offer-editor-edit", args=[offer.pk])


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def offer_post(**overrides):
    """The offer form as a browser posts it: unticked boxes are absent."""
    data = {
        "title": "Barselgruppe",
        "summary": "Møt andre nybakte foreldre.",
        "description": "Fire møter på helsestasjonen.",
        "programme": "",
        "topics": [str(topic("infant-sleep-feeding").pk)],
        "target_groups": [str(target_group("parents-of-infants").pk)],
        "age_from_months": "0",
        "age_to_months": "6",
        "languages": ["nb"],
        "other_languages": "",
        "other_municipalities": "",
        "place_name": "Helsestasjonen",
        "place_address": "Kirkevegen 9",
        "place_postal_code": "2335",
        "place_city": "Stange",
        "place_municipality": "",
        "is_free": "on",
        "format_group": "on",
        "cost": "",
        "capacity": "8",
        "how_to_sign_up": "Ring oss.",
        "url": "",
        "contact_name": "Ingrid Bakken",
        "contact_title": "Helsesykepleier",
        "contact_phone": "62 56 10 00",
        "contact_email": "",
        "phone_hours": "Hverdager 08.30–11.00",
        **management("hours"),
        **management("sessions"),
    }
    data.update(overrides)
    return data


def test_the_list_shows_my_units_offers_with_status_last_confirmed_and_a_stale_flag(
    staff_client, unit
):
    fresh = OfferFactory(
        unit=unit, title="Ammekafé", status=Offer.Status.PUBLISHED, last_verified_at=timezone.now()
    )
    old = OfferFactory(
        unit=unit,
        title="Foreldrekafé",
        status=Offer.Status.PUBLISHED,
        last_verified_at=timezone.now() - datetime.timedelta(days=243),
    )
    OfferFactory(title="Naboens kurs")
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert fresh.title in page and old.title in page
    assert "Naboens kurs" not in page
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    old_row = next(row for row in rows if "Foreldrekafé" in row)
    fresh_row = next(row for row in rows if "Ammekafé" in row)
    assert "Needs checking" in old_row and "Needs checking" not in fresh_row
    assert "Published" in fresh_row
    assert "1 published offer has not been confirmed for more than 183 days" in page


def test_the_editor_needs_a_login(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_other_units_offers_are_not_found_on_any_editor_address(staff_client):
    foreign = OfferFactory(status=Offer.Status.PUBLISHED)
    for name in ("offer-editor-edit", "offer-editor-preview"):
        assert staff_client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("offer-editor-publish", "offer-editor-verify", "offer-editor-retire"):
        assert staff_client.post(reverse(name, args=[foreign.pk])).status_code == 404
    translation = reverse("offer-editor-translation", args=[foreign.pk, "ar"])
    assert staff_client.get(translation).status_code == 404
    assert staff_client.get(f"{LIST_URL}?enhet={foreign.unit_id}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Offer.Status.PUBLISHED


def test_a_new_offer_is_saved_as_a_draft_of_the_chosen_unit(staff_client, unit):
    response = staff_client.post(reverse("offer-editor-create"), offer_post(unit=str(unit.pk)))
    offer = Offer.objects.get(title="Barselgruppe")
    assert response.status_code == 302
    assert response["Location"] == edit_url(offer)
    assert offer.unit == unit
    assert offer.status == Offer.Status.DRAFT
    assert offer.contact_phone == "+4762561000"
    assert list(offer.topics.all()) == [topic("infant-sleep-feeding")]
    assert offer.locations.get().address == "Kirkevegen 9"


class _FormDefaults(HTMLParser):
    """What a browser posts for the first form in <main> left as it is shown: text inputs'
    values, ticked boxes and each select's selected (or else first) option."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("file", "submit"):
            if found.get("type") in ("checkbox", "radio"):
                if "checked" in found:
                    self.data.append((name, found.get("value") or "on"))
            else:
                self.data.append((name, found.get("value") or ""))
        elif tag == "textarea" and name:
            self.data.append((name, ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((found.get("value") or "", "selected" in found))

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.data.append((self._select, (chosen or [self._options[0][0]])[0]))
            self._select = None


def test_a_new_offer_saved_as_the_page_shows_it_is_kept(staff_client, unit):
    """The empty rows of opening hours and dates, left untouched, are no rows: saving asks
    for no opening times."""
    page = _FormDefaults()
    page.feed(staff_client.get(reverse("offer-editor-create")).content.decode())
    data: dict[str, list[str]] = {}
    for name, value in page.data:
        data.setdefault(name, []).append(value)
    data |= {
        "title": ["Samtale om søvn"],
        "description": ["En samtale med helsesykepleier."],
        "topics": [str(topic("infant-sleep-feeding").pk)],
        "contact_phone": ["62 56 10 00"],
    }
    response = staff_client.post(reverse("offer-editor-create"), data)
    assert response.status_code == 302, re.findall(
        r"ds-validation-message[^>]*>([^<]*)", response.content.decode()
    )
    offer = Offer.objects.get(title="Samtale om søvn")
    assert not offer.opening_hours.exists()


def test_a_form_with_mistakes_shows_every_one_and_saves_nothing(staff_client, unit):
    response = staff_client.post(
        reverse("offer-editor-create"),
        offer_post(
            unit=str(unit.pk),
            title="",
            age_from_months="-20",
            other_municipalities="9999",
            **{
                **management("sessions", total=1),
                "sessions-0-date": "2031-03-04",
                "sessions-0-starts": "18:00",
                "sessions-0-ends": "17:00",
            },
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Correct these and save again" in page
    assert "No municipality has the number 9999" in page
    assert "The session must end after it starts" in page
    assert not Offer.objects.exists()


def test_the_formsets_save_weekly_opening_hours_and_dated_sessions(staff_client, unit):
    offer = OfferFactory(unit=unit)
    data = offer_post(
        **management("hours", total=2),
        **{
            "hours-0-weekday": "0",
            "hours-0-opens_at": "15:00",
            "hours-0-closes_at": "19:00",
            "hours-0-note": "Drop-in",
        },
        **management("sessions", total=2),
        **{
            "sessions-0-title": "Første møte",
            "sessions-0-date": "2031-03-04",
            "sessions-0-starts": "18:00",
            "sessions-0-ends": "20:00",
        },
    )
    response = staff_client.post(edit_url(offer), data)
    assert response.status_code == 302
    hours = offer.opening_hours.get()
    assert (hours.weekday, hours.opens_at, hours.closes_at, hours.note) == (
        0,
        datetime.time(15),
        datetime.time(19),
        "Drop-in",
    )
    session = offer.sessions.get()
    assert timezone.localtime(session.starts_at) == timezone.make_aware(
        datetime.datetime(2031, 3, 4, 18, 0)
    )
    offer.refresh_from_db()
    assert offer.open_evenings
    # The page shows the saved rows, and two empty rows to add more.
    page = staff_client.get(edit_url(offer)).content.decode()
    assert 'name="sessions-TOTAL_FORMS" value="3"' in page
    assert 'value="Første møte"' in page
    assert f'name="sessions-0-id" value="{session.pk}"' in page


def test_ticking_delete_removes_a_session(staff_client, unit):
    offer = OfferFactory(unit=unit)
    start = timezone.make_aware(datetime.datetime(2031, 3, 4, 18, 0))
    session = offer.sessions.create(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    data = offer_post(
        **{
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "1",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
            "sessions-0-id": str(session.pk),
            "sessions-0-date": "2031-03-04",
            "sessions-0-starts": "18:00",
            "sessions-0-ends": "20:00",
            "sessions-0-DELETE": "on",
        }
    )
    assert staff_client.post(edit_url(offer), data).status_code == 302
    assert not offer.sessions.exists()


def test_a_contact_photo_can_be_uploaded_and_removed(staff_client, unit):
    offer = OfferFactory(unit=unit)
    image = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(image, "PNG")
    image.name = "ingrid-bakken-privat.png"
    image.seek(0)
    assert staff_client.post(edit_url(offer), offer_post(contact_photo=image)).status_code == 302
    offer.refresh_from_db()
    assert offer.contact_photo.name.startswith("contacts/")
    assert "ingrid" not in offer.contact_photo.name
    assert offer.contact_photo.storage.exists(offer.contact_photo.name)
    response = staff_client.post(edit_url(offer), offer_post(**{"contact_photo-clear": "on"}))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert not offer.contact_photo


def test_a_file_that_is_not_a_picture_is_refused_as_photo(staff_client, unit):
    offer = OfferFactory(unit=unit)
    upload = io.BytesIO(b"%PDF-1.4 not a picture")
    upload.name = "cv.pdf"
    response = staff_client.post(edit_url(offer), offer_post(contact_photo=upload))
    assert response.status_code == 400
    offer.refresh_from_db()
    assert not offer.contact_photo


def test_publishing_from_the_page_names_what_is_missing(staff_client, unit):
    offer = OfferFactory(unit=unit, contact_phone="")
    response = staff_client.post(reverse("offer-editor-publish", args=[offer.pk]), follow=True)
    page = response.content.decode()
    assert "Choose at least one topic" in page
    assert "Give a way to get in touch" in page
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DRAFT


def test_publish_confirm_and_retire_buttons(staff_client, staff, unit):
    offer = OfferFactory(unit=unit)
    offer.topics.add(topic("parenting-role"))
    response = staff_client.post(reverse("offer-editor-publish", args=[offer.pk]), follow=True)
    assert "The offer is published" in response.content.decode()
    Offer.objects.filter(pk=offer.pk).update(
        last_verified_at=timezone.now() - datetime.timedelta(days=200)
    )
    page = staff_client.get(edit_url(offer)).content.decode()
    assert "Nobody has confirmed this offer for more than 183 days" in page
    response = staff_client.post(reverse("offer-editor-verify", args=[offer.pk]), follow=True)
    assert "marked as checked today" in response.content.decode()
    offer.refresh_from_db()
    assert offer.verified_by == staff
    assert not reads.is_stale(offer)
    staff_client.post(reverse("offer-editor-retire", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.RETIRED
    assert staff_client.get(reverse("offer-editor-publish", args=[offer.pk])).status_code == 405


def test_an_arabic_translation_is_saved_and_previewed_right_to_left(staff_client, unit):
    offer = OfferFactory(unit=unit, title="Foreldregruppe på arabisk")
    url = reverse("offer-editor-translation", args=[offer.pk, "ar"])
    form_page = staff_client.get(url).content.decode()
    assert re.search(r'<textarea[^>]*lang="ar"[^>]*dir="rtl"|dir="rtl"[^>]*lang="ar"', form_page)
    response = staff_client.post(
        url,
        {
            "title": "مجموعة للآباء والأمهات",
            "summary": "لقاءات باللغة العربية",
            "description": "نلتقي ثماني مرات في المركز الصحي.",
            "how_to_sign_up": "",
        },
    )
    assert response.status_code == 302
    assert offer.translations.get(language="ar").title == "مجموعة للآباء والأمهات"
    preview = staff_client.get(reverse("offer-editor-preview", args=[offer.pk]) + "?språk=ar")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert re.search(r'lang="ar" dir="rtl"[^>]*>\s*<h1[^>]*>مجموعة للآباء والأمهات', page)
    assert "Preview" in page
    bokmal = staff_client.get(reverse("offer-editor-preview", args=[offer.pk])).content.decode()
    assert "Foreldregruppe på arabisk" in bokmal


def test_a_translation_can_be_removed(staff_client, unit):
    offer = OfferFactory(unit=unit)
    actions.translate_offer(None, offer, "en", title="Course", description="About it.")
    url = reverse("offer-editor-translation-remove", args=[offer.pk, "en"])
    assert staff_client.post(url).status_code == 302
    assert not offer.translations.exists()


def test_a_translation_into_a_language_offers_do_not_have_is_not_found(staff_client, unit):
    offer = OfferFactory(unit=unit)
    url = reverse("offer-editor-translation", args=[offer.pk, "de"])
    assert staff_client.get(url).status_code == 404


def test_the_page_change_is_audited_as_the_logged_in_user(staff_client, staff, unit):
    offer = OfferFactory(unit=unit)
    staff_client.post(edit_url(offer), offer_post(title="Ammekafé"))
    event = AuditEvent.objects.filter(object_ids=[str(offer.pk)]).latest("id")
    assert event.actor_id == staff.pk
    assert "title" in event.detail["fields"]


def test_staff_without_a_unit_are_told_to_ask_for_a_role(client):
    client = logged_in(factories.UserFactory(), client)
    response = client.get(reverse("offer-editor-create"))
    assert response.status_code == 403
    assert "no role in any unit" in response.content.decode()


def test_the_list_page_costs_the_same_number_of_queries_for_5_and_40_offers(
    staff_client, unit, django_assert_max_num_queries
):
    verifier = factories.UserFactory()

    def add_offers(count):
        for number in range(count):
            offer = OfferFactory(
                unit=unit,
                status=Offer.Status.PUBLISHED,
                last_verified_at=timezone.now() - datetime.timedelta(days=number * 10),
                verified_by=verifier,
            )
            offer.topics.add(topic("parenting-role"))

    def list_page_queries(expected_rows):
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL)
        assert response.content.decode().count("<tr>") == expected_rows + 1
        return len(queries)

    add_offers(5)
    staff_client.get(LIST_URL)  # the first request of a session writes it
    with django_assert_max_num_queries(12):
        at_5 = list_page_queries(5)
    add_offers(35)
    assert list_page_queries(40) == at_5


def test_the_edit_page_shows_the_stale_notice_and_translation_links(staff_client, unit):
    offer = OfferFactory(unit=unit)
    page = staff_client.get(edit_url(offer)).content.decode()
    assert '<span lang="ar" dir="rtl">العربية</span>' in page
    assert reverse("offer-editor-translation", args=[offer.pk, "ti"]) in page
