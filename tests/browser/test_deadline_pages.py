"""Zero axe-core violations on "My deadlines" and "Notifications"."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.cases.deadlines import reminders
from familiebro.cases.pathway_library import install_shipped
from familiebro.core.models import Membership
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.cases import builders
from tests.privacy import factories as make

pytestmark = pytest.mark.browser


@pytest.fixture
def town(transactional_db, settings) -> builders.Municipality:
    install_shipped()  # the live server's database is flushed between tests
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    town = builders.municipality()
    # The teacher also leads the kindergarten: her own deadlines and the unit's overdue ones.
    Membership.objects.create(
        user=town.teacher, unit=town.kindergarten, role=Membership.Role.LEADER
    )
    colleague = make.member(town.kindergarten, first_name="Per", last_name="Pedagog")
    now = timezone.now()
    for days_old in (1, 14, 20):
        builders.open_concern(
            town.teacher, town.kindergarten, received_at=now - datetime.timedelta(days=days_old)
        )
    builders.open_concern(
        colleague, town.kindergarten, received_at=now - datetime.timedelta(days=20)
    )
    reminders.sweep()
    return town


def page_as(browsing, user, language: str):
    return browsing.axe_page(session_key=session_key_for(user), language=language)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_my_deadlines_has_no_axe_violations(browsing, town, language):
    page = page_as(browsing, town.teacher, language)
    page.goto(reverse("cases:deadlines"))
    assert page.locator("main tbody tr").count() == 4
    assert_no_axe_violations(page, path=reverse("cases:deadlines"))


@pytest.mark.parametrize("language", ["nb", "en"])
def test_notifications_have_no_axe_violations_before_and_after_marking_them_read(
    browsing, town, language
):
    page = page_as(browsing, town.teacher, language)
    page.goto(reverse("cases:notifications"))
    assert page.locator("main li").count() >= 3
    assert_no_axe_violations(page, path=reverse("cases:notifications"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("main form").count() == 0
    assert_no_axe_violations(page, path=reverse("cases:notifications"))
