"""Courses in a real Chromium on a phone-sized screen: a leader sets up a course and records
who came, a parent logged in on Min side enrols and cancels; zero axe-core violations on every
page, and enrolment works without JavaScript."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from familiebro.core import crypto
from familiebro.core.models import ServiceUnit
from familiebro.groups.courses import actions, tasks
from familiebro.groups.models import Enrolment
from familiebro.privacy.family import CITIZEN_SESSION_KEY
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.catalogue.factories import PublishedOfferFactory
from tests.factories import identity_number
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PARENT = identity_number(datetime.date(1991, 6, 12), synthetic=True)


def citizen_session_key(number: str) -> str:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[CITIZEN_SESSION_KEY] = {"identity_hash": crypto.lookup_hash(number), "id_token": ""}
    session.save()
    return session.session_key


@pytest.fixture
def course(transactional_db):
    unit = make.unit(name="Helsestasjonen Sentrum", kind=ServiceUnit.Kind.HEALTH_CENTRE)
    leader = make.member(unit, first_name="Kari", last_name="Kursleder")
    man = make.member(unit, first_name="Per", last_name="Kursleder")
    offer = PublishedOfferFactory(unit=unit, title="Foreldreforberedende kurs")
    course = actions.create_course(
        leader, offer=offer, unit=unit, name="Foreldreforberedende kurs, våren", capacity=2,
        leader_gender="woman",
    )  # fmt: skip
    actions.add_leader(leader, course, man.pk, "man")
    start = timezone.now() + datetime.timedelta(days=5)
    actions.add_session(
        leader, course, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
        place="Helsestasjonen, 2. etasje",
    )  # fmt: skip
    course.leader = leader
    return course


def test_a_leader_runs_the_course_on_a_phone(browsing, course):
    actions.enrol(course.pk, name="Ola Nordmann", role="father", partner_name="Kari Nordmann",
                  partner_role="mother", phone="91234567", staff=course.leader)  # fmt: skip
    actions.enrol(course.pk, name="Espen Venter", role="father", phone="91234568",
                  staff=course.leader, waiting_list=True)  # fmt: skip
    page = browsing.axe_page(session_key=session_key_for(course.leader), viewport=PHONE)
    session = course.sessions.get()
    for url, heading in [
        (reverse("courses:list"), "Kurs og grupper"),
        (reverse("courses:new"), "Nytt kurs eller ny gruppe"),
        (reverse("courses:detail", args=[course.pk]), course.name),
        (reverse("courses:new-session", args=[course.pk]), "Ny samling"),
        (reverse("courses:enrol", args=[course.pk]), "Påmelding til"),
        (reverse("courses:attendance", args=[course.pk, session.pk]), "Hvem kom"),
    ]:
        page.goto(url)
        assert_no_axe_violations(page, path=url, heading=heading)
    page.get_by_label("Ola Nordmann (far)").check()
    page.get_by_label("Kari Nordmann (mor)").check()
    page.get_by_role("button", name="Lagre oppmøtet").click()
    page.wait_for_url(f"**{reverse('courses:detail', args=[course.pk])}")
    assert "Fedrenes andel: 50 %" in page.inner_text("main")
    assert "Kvinnelig og mannlig kursleder" in page.inner_text("main")
    assert_no_axe_violations(page)


def test_a_parent_enrols_without_javascript_and_cancels_on_min_side(browsing, course):
    page = browsing.new_page(
        session_key=citizen_session_key(PARENT), viewport=PHONE, java_script_enabled=False
    )
    page.goto(reverse("courses:offer-courses", args=[course.offer_id]))
    page.get_by_role("link", name=f"Påmelding til {course.name}").click()
    page.get_by_label("Navnet på den som kommer", exact=True).fill("Ola Nordmann")
    page.get_by_label("Rolle i familien", exact=True).select_option("father")
    page.get_by_label("Mobilnummer").fill("912 34 567")
    page.get_by_role("button", name="Meld på").click()
    page.wait_for_url(f"**{reverse('courses:mine')}")
    assert "Du har fått plass" in page.inner_text("body")
    assert course.name in page.inner_text("main")
    page.get_by_role("button", name="Meld meg av").click()
    assert "Du er ikke lenger påmeldt" in page.inner_text("body")
    assert Enrolment.objects.get().status == Enrolment.Status.CANCELLED


def test_the_families_pages_pass_axe_on_a_phone(browsing, course):
    enrolment = actions.enrol(course.pk, name="Ola", role="father", phone="91234567",
                              staff=course.leader)  # fmt: skip
    token, hashed = tasks.new_token()
    Enrolment.objects.filter(pk=enrolment.pk).update(cancel_token_hash=hashed)
    visitor = browsing.axe_page(viewport=PHONE)
    for url, heading in [
        (reverse("courses:offer-courses", args=[course.offer_id]), "Kurs du kan melde deg på"),
        (reverse("courses:public", args=[course.pk]), course.name),
        (reverse("courses:cancel", args=[token]), "Meld deg av"),
    ]:
        visitor.goto(url)
        assert_no_axe_violations(visitor, path=url, heading=heading)
    visitor.get_by_role("button", name="Ja, meld meg av").click()
    assert_no_axe_violations(visitor, heading="Du er meldt av")
    # Without login: the form sends a code, and the page asks for it.
    visitor.goto(reverse("courses:public", args=[course.pk]))
    visitor.get_by_label("Navnet på den som kommer", exact=True).fill("Per Nordmann")
    visitor.get_by_label("Rolle i familien", exact=True).select_option("father")
    visitor.get_by_label("Mobilnummer").fill("912 34 568")
    visitor.get_by_role("button", name="Meld på").click()
    assert_no_axe_violations(
        visitor, path=reverse("courses:verify", args=[course.pk]), heading="Skriv inn koden"
    )
    parent = browsing.axe_page(session_key=citizen_session_key(PARENT), viewport=PHONE)
    for url, heading in [
        (reverse("courses:public", args=[course.pk]), course.name),
        (reverse("courses:mine"), "Kursene dine"),
    ]:
        parent.goto(url)
        assert_no_axe_violations(parent, path=url, heading=heading)
