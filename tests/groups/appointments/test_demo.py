"""The demo's appointment book: the family therapist's every-other-Thursday at the health
centre in Rana, with bookings the therapist and the booking midwife find."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import User
from familiebro.demo.data import load_demo_data
from familiebro.groups.appointments.demo import load_demo_appointments
from familiebro.groups.models import Booking
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


def test_the_therapist_finds_the_couple_the_midwife_booked_and_a_second_load_adds_nothing():
    load_demo_data()
    couple = Booking.objects.get(kind=Booking.Kind.COUPLE)
    therapist = logged_in(User.objects.get(username="familieterapeut"))
    page = therapist.get(reverse("appointments:booking", args=[couple.pk])).content.decode()
    assert "Line Eriksen" in page
    assert "Mye krangling om søvn og ansvar." in page
    books = therapist.get(reverse("appointments:books")).content.decode()
    assert "Helsestasjonen i Rana" in books
    assert load_demo_appointments() == 0
    assert Booking.objects.count() == 3
