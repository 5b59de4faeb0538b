"""The appointment pages: staff set up a book, see a day's slots with bookings, book for a
family and record a no-show; a parent chooses a free time, confirms it and sees and cancels
it on Min side. Other people's ids give 404, bad input a Norwegian message and no 5xx."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familiebro.core import crypto
from familiebro.groups.appointments import services, slots
from familiebro.groups.models import AppointmentBook, Booking, Slot
from familiebro.portal.session import CITIZEN_KEY
from familiebro.privacy.family import Citizen
from tests.groups.appointments.conftest import PARENT_NUMBER, couple
from tests.privacy import factories as make

pytestmark = pytest.mark.django_db


def staff(user) -> Client:
    return make.logged_in(user, Client(raise_request_exception=False))


def parent(number: str = PARENT_NUMBER) -> Client:
    client = Client(raise_request_exception=False)
    session = client.session
    session[CITIZEN_KEY] = {"identity_hash": crypto.lookup_hash(number), "id_token": "", "acr": ""}
    session.save()
    return client


def first_free(book) -> Slot:
    return next(iter(slots.free_slots(book)))


def test_the_staff_set_up_a_book(tiltak):
    client = staff(tiltak.therapist)
    assert client.get(reverse("appointments:books")).status_code == 200
    form = client.get(reverse("appointments:book-create"))
    assert form.status_code == 200
    data = {
        "unit": tiltak.office.pk,
        "provider": tiltak.therapist.pk,
        "place_unit": tiltak.health_centre.pk,
        "place": "Helsestasjonen",
        "label": "Samtale på helsestasjonen",
        "weekday": "3",
        "every": "2",
        "starts_on": timezone.localdate().isoformat(),
        "day_starts": "12:00",
        "day_ends": "16:00",
        "slot_minutes": "45",
    }
    response = client.post(reverse("appointments:book-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    book = AppointmentBook.objects.latest("pk")
    assert (book.every, book.slot_minutes) == (2, 45)
    assert Slot.objects.filter(book=book).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"day_ends": "08:00"},
        {"unit": "999999"},
        {"provider": "abc"},
        {"slot_minutes": "5000"},
        {"starts_on": "31.02.2026"},
        {"video_link": "javascript:alert(1)"},
    ],
)
def test_bad_input_setting_up_a_book_is_explained(tiltak, changes):
    data = {
        "unit": tiltak.office.pk,
        "provider": tiltak.therapist.pk,
        "place_unit": tiltak.health_centre.pk,
        "place": "Helsestasjonen",
        "label": "Samtale",
        "weekday": "3",
        "every": "1",
        "starts_on": "2026-12-20",
        "day_starts": "12:00",
        "day_ends": "16:00",
        "slot_minutes": "45",
    } | changes
    response = staff(tiltak.therapist).post(reverse("appointments:book-create"), data)
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert not AppointmentBook.objects.exclude(pk=tiltak.book.pk).exists()


def test_the_day_view_shows_bookings_to_those_who_may_see_them(tiltak):
    slot = first_free(tiltak.book)
    services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    day = timezone.localtime(slot.starts_at).date().isoformat()
    url = reverse("appointments:book", args=[tiltak.book.pk]) + f"?dato={day}"
    therapist_page = staff(tiltak.therapist).get(url)
    assert therapist_page.status_code == 200
    assert "Marte Haugen" in therapist_page.content.decode()
    # A time nobody has booked is "ledig" (not "gratis", which is free of charge).
    assert "ledig" in therapist_page.content.decode()
    assert "gratis" not in therapist_page.content.decode()
    nurse_page = staff(tiltak.nurse).get(url).content.decode()
    assert "Marte Haugen" in nurse_page
    colleague_page = staff(tiltak.colleague).get(url).content.decode()
    assert "Marte Haugen" not in colleague_page
    for outsider in (tiltak.school_staff, tiltak.elsewhere):
        assert staff(outsider).get(url).status_code == 404
    assert staff(tiltak.therapist).get(url.replace(day, "not-a-date")).status_code == 200


def test_the_day_view_costs_the_same_queries_with_more_bookings(
    tiltak, django_assert_max_num_queries
):
    free = list(slots.free_slots(tiltak.book))
    day = timezone.localtime(free[0].starts_at).date()
    same_day = [s for s in free if timezone.localtime(s.starts_at).date() == day]
    client = staff(tiltak.therapist)
    url = reverse("appointments:book", args=[tiltak.book.pk]) + f"?dato={day.isoformat()}"
    services.book_for_family(tiltak.nurse, same_day[0].pk, couple(), agreed=True)
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for slot in same_day[1:]:
        services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).content.decode().count("Marte Haugen") == len(same_day)


def test_a_nurse_books_for_a_family_on_the_page(tiltak):
    slot = first_free(tiltak.book)
    url = reverse("appointments:book-slot", args=[tiltak.book.pk, slot.pk])
    client = staff(tiltak.nurse)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"kind": "couple", "name": "Marte", "email": "m@example.no"})
    assert refused.status_code == 400
    response = client.post(
        url, {"kind": "couple", "name": "Marte", "email": "m@example.no", "agreed": "on"}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:booking", args=[booking.pk])
    taken = client.post(
        url, {"kind": "couple", "name": "Kari", "email": "k@example.no", "agreed": "on"}
    )
    assert taken.status_code == 400
    assert "nearest free times" in taken.content.decode() or "nærmeste" in taken.content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": "nonsense"}, {"kind": "couple", "phone": "12", "agreed": "on", "name": "X"}],
)
def test_malformed_bookings_are_refused_without_an_error_page(tiltak, data):
    slot = first_free(tiltak.book)
    url = reverse("appointments:book-slot", args=[tiltak.book.pk, slot.pk])
    assert staff(tiltak.nurse).post(url, data).status_code == 400
    assert not Booking.objects.exists()


def test_other_peoples_ids_give_404(tiltak):
    booking = services.book_for_family(
        tiltak.nurse, first_free(tiltak.book).pk, couple(), agreed=True
    )
    for outsider in (tiltak.school_staff, tiltak.elsewhere, tiltak.colleague):
        client = staff(outsider)
        assert client.get(reverse("appointments:booking", args=[booking.pk])).status_code == 404
        assert client.post(reverse("appointments:follow-up", args=[booking.pk])).status_code == 404
    assert staff(tiltak.nurse).get(reverse("appointments:booking", args=[99999])).status_code == 404
    assert (
        staff(tiltak.nurse)
        .get(reverse("appointments:book-slot", args=[tiltak.book.pk, 99999]))
        .status_code
        == 404
    )


def test_the_provider_records_a_no_show_on_the_page(tiltak):
    slot = first_free(tiltak.book)
    booking = services.book_for_family(tiltak.nurse, slot.pk, couple(), agreed=True)
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    url = reverse("appointments:no-show", args=[booking.pk])
    assert staff(tiltak.nurse).post(url).status_code == 403
    booking.refresh_from_db()
    assert booking.no_show_at is None
    staff(tiltak.therapist).post(url)
    booking.refresh_from_db()
    assert booking.no_show_at is not None
    page = staff(tiltak.therapist).get(reverse("appointments:booking", args=[booking.pk]))
    assert "Vi krangler mye" in page.content.decode()


def test_a_parent_chooses_a_free_time_confirms_it_and_cancels_it_on_min_side(tiltak):
    choose = Client().get(reverse("appointments:choose", args=[tiltak.book.pk]))
    assert choose.status_code == 200
    slot = first_free(tiltak.book)
    confirm_url = reverse("appointments:confirm", args=[tiltak.book.pk, slot.pk])
    assert confirm_url in choose.content.decode()
    # Not logged in: asked to log in, nothing booked.
    assert "ID-porten" in Client().post(confirm_url, {"name": "X"}).content.decode()
    client = parent()
    assert client.get(confirm_url).status_code == 200
    assert client.post(confirm_url, {"name": "Marte"}).status_code == 400
    response = client.post(confirm_url, {"name": "Marte", "phone": "912 34 567"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.phone == "+4791234567"
    mine = client.get(reverse("appointments:mine"))
    assert "Samtale på helsestasjonen" in mine.content.decode()
    # Somebody else on Min side cannot cancel it.
    other = parent("01010112345")
    other.post(reverse("appointments:cancel-mine", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.is_active
    client.post(reverse("appointments:cancel-mine", args=[booking.pk]))
    booking.refresh_from_db()
    assert not booking.is_active
    # Taken times are not offered; the freed one is again.
    assert (
        confirm_url
        in Client().get(reverse("appointments:choose", args=[tiltak.book.pk])).content.decode()
    )


def test_the_cancellation_link_page_cancels_only_on_post_and_once(
    tiltak, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.book_for_family(tiltak.nurse, first_free(tiltak.book).pk, couple(), agreed=True)
    link = mail.outbox[0].body.split("http://127.0.0.1:8000")[-1].split()[0].rstrip(".")
    client = Client()
    assert client.get(link).status_code == 200
    assert Booking.objects.get().is_active
    assert client.post(link).status_code == 302
    assert not Booking.objects.get().is_active
    assert client.post(link).status_code == 400
    assert client.get(link).status_code == 404
    assert client.get("/timebestilling/avbestill/x" * 30 + "/").status_code == 404


def test_public_pages_for_missing_books_and_slots_give_404(tiltak):
    assert Client().get(reverse("appointments:choose", args=[99999])).status_code == 404
    assert (
        parent().get(reverse("appointments:confirm", args=[tiltak.book.pk, 99999])).status_code
        == 404
    )


def test_anonymous_visitors_see_no_staff_page(tiltak):
    response = Client().get(reverse("appointments:book", args=[tiltak.book.pk]))
    assert response.status_code == 302


def test_the_provider_adds_an_evening_time_and_more_weeks_on_the_page(tiltak):
    client = staff(tiltak.therapist)
    url = reverse("appointments:add-slot", args=[tiltak.book.pk])
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"date": day, "start_time": "19:00"})
    assert response.status_code == 302
    extra = Slot.objects.get(kind=Slot.Kind.EXTRA)
    assert timezone.localtime(extra.starts_at).strftime("%H:%M") == "19:00"
    again = client.post(url, {"date": day, "start_time": "19:00"})
    assert again.status_code == 400
    assert "already has a time" in again.content.decode() or "allerede" in again.content.decode()
    assert client.post(url, {"date": "nonsense", "start_time": "25:99"}).status_code == 400
    made = client.post(reverse("appointments:make-slots", args=[tiltak.book.pk]))
    assert made.status_code == 302
    # The nurse at the place books, but adds no time to the provider's book.
    nurse = staff(tiltak.nurse)
    assert nurse.post(reverse("appointments:make-slots", args=[tiltak.book.pk])).status_code == 403
    assert nurse.post(url, {"date": day, "start_time": "20:00"}).status_code == 403
    assert Slot.objects.filter(kind=Slot.Kind.EXTRA).count() == 1


def test_a_parent_downloads_their_appointments_for_their_calendar_discreetly(tiltak):
    import icalendar

    mine = services.book_as_citizen(
        Citizen(crypto.lookup_hash(PARENT_NUMBER)), first_free(tiltak.book).pk, couple()
    )
    services.book_for_family(tiltak.nurse, first_free(tiltak.book).pk, couple(), agreed=True)
    response = parent().get(reverse("appointments:calendar-file"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"appointment-{mine.pk}@familiebro.no"
    assert str(event["summary"]) == "Samtale på helsestasjonen"
    assert str(event["location"]) == "Helsestasjonen, Storgata 5, 2. etasje"
    assert event.decoded("dtstart") == mine.slot.starts_at
    text = response.content.decode()
    for secret in (tiltak.office.name, "krangler", "Marte"):
        assert secret not in text
    # Nobody else's file holds it, and staff get the login page for families.
    others = parent("01010112345").get(reverse("appointments:calendar-file"))
    other = icalendar.Calendar.from_ical(others.content)
    assert other.walk("VEVENT") == []
    assert (
        b"VCALENDAR" not in staff(tiltak.nurse).get(reverse("appointments:calendar-file")).content
    )
