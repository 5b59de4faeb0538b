"""Upgrading an instance: the anonymous consultations' retention period drops from the old
default of 5 years to 1 year, but a period the data controller set is kept.

The migration's data step is run on the current tables (a migration test that migrates back
and forth would empty the data other tests rely on)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from familiebro.privacy.models import RetentionRule

pytestmark = pytest.mark.django_db

upgrade = importlib.import_module("familiebro.privacy.migrations.0012_consultation_report_prompt")

OLD_REFERENCE = (
    "No personal data; kept 5 years for learning and statistics, then deleted "
    "(GDPR art. 5(1)(e) applied as good practice)"
)


def period_after_upgrade(period_days: int) -> tuple[int, str]:
    RetentionRule.objects.update_or_create(
        category="anonymous_consultation",
        defaults={
            "period_days": period_days,
            "outcome": "delete",
            "legal_reference": OLD_REFERENCE,
        },
    )
    upgrade.shorten(apps, None)
    rule = RetentionRule.objects.get(category="anonymous_consultation")
    return rule.period_days, rule.legal_reference


def test_the_old_default_of_five_years_becomes_one_year():
    period, reference = period_after_upgrade(5 * 365)
    assert period == 365
    assert "pseudonymous" in reference


def test_a_period_the_controller_set_is_kept():
    assert period_after_upgrade(3 * 365) == (3 * 365, OLD_REFERENCE)
