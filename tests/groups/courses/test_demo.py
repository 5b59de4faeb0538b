"""The demo's courses: the postnatal group in Stange with its participants and waiting list,
and the open kindergarten's headcounts; the demo mother sees her enrolment on Min side."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.demo.data import load_demo_data
from familiebro.groups.courses.demo import DEMO_PARENT_IDENTITY_NUMBER, load_demo_courses
from familiebro.groups.models import Course, Enrolment, Headcount
from tests.groups.courses.conftest import citizen_client

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_course_with_a_waiting_list_and_a_headcount_course():
    load_demo_data()
    postnatal = Course.objects.get(name="Barselgruppe, våren")
    assert postnatal.enrolments.filter(status=Enrolment.Status.WAITING).exists()
    assert postnatal.sessions.filter(attended__isnull=False).exists()
    assert Headcount.objects.filter(session__course__name="Åpen barnehage").exists()
    mine = citizen_client(DEMO_PARENT_IDENTITY_NUMBER).get(reverse("courses:mine"))
    assert "Barselgruppe, våren" in mine.content.decode()
    assert load_demo_courses() == 0
