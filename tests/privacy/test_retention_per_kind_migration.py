"""Upgrading an instance to retention per controller and kind of unit: the rules already in
the table become the defaults for every controller and kind with their period, outcome and
reference unchanged (so a period the data controller set is kept), and the archive rules are
added for the kinds of unit they keep, without overwriting a rule already there.

The migration's data step is run on the current tables (a migration test that migrates back
and forth would empty the data other tests rely on); the schema step is checked by reading
the rules as the migration left them in the test database."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from familiebro.privacy.models import RetentionRule

pytestmark = pytest.mark.django_db

upgrade = importlib.import_module("familiebro.privacy.migrations.0015_retention_per_unit_kind")


def test_the_rules_from_before_are_the_defaults_for_every_controller_and_kind():
    defaults = RetentionRule.objects.filter(organisation=None, unit_kind="")
    assert {r.category: (r.period_days, r.outcome) for r in defaults} == {
        "anonymous_consultation": (365, "delete"),
        "inactive_person": (730, "anonymise"),
        "ended_consent": (3650, "delete"),
        "ended_exceptional_access": (3650, "delete"),
        "ended_assignment": (3650, "delete"),
        "closed_help_request": (365, "delete"),
        "closed_case": (1825, "delete"),
    }


def test_a_period_the_controller_set_is_kept_and_the_archive_rules_are_added():
    RetentionRule.objects.exclude(organisation=None, unit_kind="").delete()
    RetentionRule.objects.filter(category="closed_case").update(
        period_days=7 * 365, legal_reference="Kommunens arkivplan"
    )
    upgrade.seed(apps, None)
    default = RetentionRule.objects.get(category="closed_case", organisation=None, unit_kind="")
    assert (default.period_days, default.outcome, default.legal_reference) == (
        7 * 365,
        "delete",
        "Kommunens arkivplan",
    )
    kinds = {
        r.unit_kind: r.outcome
        for r in RetentionRule.objects.filter(category="closed_case").exclude(unit_kind="")
    }
    assert kinds == {
        "helsestasjon": "preserve",
        "skolehelsetjeneste": "preserve",
        "barnevern": "preserve",
    }


def test_a_rule_for_a_kind_already_set_is_not_overwritten():
    RetentionRule.objects.filter(category="closed_case", unit_kind="barnevern").update(
        period_days=10 * 365, outcome="preserve", legal_reference="Bufdir"
    )
    upgrade.seed(apps, None)
    rule = RetentionRule.objects.get(category="closed_case", unit_kind="barnevern")
    assert (rule.period_days, rule.legal_reference) == (10 * 365, "Bufdir")
