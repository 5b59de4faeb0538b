"""A parent books the family therapist's time at the health centre in a real Chromium, on a
phone-sized screen: chooses a free time, confirms it logged in with ID-porten, sees it on Min
side, cancels it by the link in the confirmation and books another. The staff's pages (the
books, setting one up, the day, booking for a family, one booking) pass axe too. Without
JavaScript the booking works the same."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from familiebro.core import crypto
from familiebro.groups.appointments import slots
from familiebro.groups.models import Booking
from familiebro.portal.session import CITIZEN_KEY
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.groups.appointments.conftest import PARENT_NUMBER, build_tiltak

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def walk_tiltak(transactional_db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_tiltak(settings)


def citizen_session() -> str:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[CITIZEN_KEY] = {
        "identity_hash": crypto.lookup_hash(PARENT_NUMBER),
        "id_token": "",
        "acr": "idporten-loa-high",
    }
    session.create()
    return session.session_key


def fits_the_phone(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_a_parent_books_cancels_by_link_and_rebooks_on_a_phone(browsing, walk_tiltak):
    book = walk_tiltak.book
    page = browsing.axe_page(session_key=citizen_session(), viewport=PHONE)
    choose = reverse("appointments:choose", args=[book.pk])
    page.goto(choose)
    assert_no_axe_violations(page, path=choose, heading="Samtale på helsestasjonen")
    fits_the_phone(page)
    first, second = list(slots.free_slots(book))[:2]
    page.locator(f"a[href='{reverse('appointments:confirm', args=[book.pk, first.pk])}']").click()
    assert_no_axe_violations(page, heading="Bestill timen")
    fits_the_phone(page)
    page.get_by_label("Navnet ditt").fill("Marte Haugen")
    page.get_by_label("Navnet til den andre forelderen", exact=False).fill("Ola Haugen")
    page.get_by_label("E-post", exact=False).fill("marte@example.no")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    mine = reverse("appointments:mine")
    assert_no_axe_violations(page, path=mine, heading="Mine timer")
    fits_the_phone(page)
    assert Booking.objects.get().slot == first

    [confirmation] = mail.outbox
    link = re.search(r"https?://\S+/timebestilling/avbestill/[\w-]+/", confirmation.body).group(0)
    path = "/" + link.split("/", 3)[3]
    page.goto(path)
    assert_no_axe_violations(page, path=path, heading="Avbestill timen")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_no_axe_violations(page, path=choose)
    assert not Booking.objects.get().is_active

    page.locator(f"a[href='{reverse('appointments:confirm', args=[book.pk, second.pk])}']").click()
    page.get_by_label("Navnet ditt").fill("Marte Haugen")
    page.get_by_label("Mobilnummer", exact=True).fill("912 34 567")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(mine)
    assert Booking.objects.filter(cancelled_at__isnull=True).get().slot == second


def test_booking_works_without_javascript(browsing, walk_tiltak):
    book = walk_tiltak.book
    slot = next(iter(slots.free_slots(book)))
    page = browsing.new_page(
        session_key=citizen_session(), java_script_enabled=False, viewport=PHONE
    )
    page.goto(reverse("appointments:confirm", args=[book.pk, slot.pk]))
    page.get_by_label("Navnet ditt").fill("Marte Haugen")
    page.get_by_label("Mobilnummer", exact=True).fill("912 34 567")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("appointments:mine"))
    assert Booking.objects.get().slot == slot


def test_the_staff_pages_pass_axe(browsing, walk_tiltak):
    t = walk_tiltak
    slot = next(iter(slots.free_slots(t.book)))
    nurse = browsing.axe_page(session_key=session_key_for(t.nurse), viewport=PHONE)
    day = f"{reverse('appointments:book', args=[t.book.pk])}?dato={slot.starts_at:%Y-%m-%d}"
    nurse.goto(day)
    assert_no_axe_violations(nurse, heading="Samtale på helsestasjonen")
    book_slot = reverse("appointments:book-slot", args=[t.book.pk, slot.pk])
    nurse.goto(book_slot)
    assert_no_axe_violations(nurse, path=book_slot, heading="Bestill time for en familie")
    fits_the_phone(nurse)
    nurse.get_by_label("Samtale for et par").check()
    nurse.get_by_label("Forelderens navn").fill("Marte Haugen")
    nurse.get_by_label("E-post", exact=True).fill("marte@example.no")
    nurse.get_by_role("checkbox", name="Familien har sagt ja", exact=False).check()
    with nurse.expect_navigation():
        nurse.locator("main form button[type=submit]").click()
    booking = Booking.objects.get()
    assert_no_axe_violations(
        nurse, path=reverse("appointments:booking", args=[booking.pk]), heading="Samtale for et par"
    )
    therapist = browsing.axe_page(session_key=session_key_for(t.therapist))
    for name in ("appointments:books", "appointments:book-create"):
        therapist.goto(reverse(name))
        assert_no_axe_violations(therapist, path=reverse(name))
    therapist.goto(day)
    assert_no_axe_violations(therapist, heading="Samtale på helsestasjonen")
    therapist.goto(reverse("appointments:booking", args=[booking.pk]))
    assert_no_axe_violations(therapist, heading="Samtale for et par")
