"""The role table is asked of the rules themselves: change a rule and the table changes; and
making the examples to ask leaves nothing behind."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from familiebro.administration import role_table
from familiebro.core.models import Membership, Organisation, Person, User
from familiebro.privacy import menu
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

ROLES = reverse("administration:roles")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def cell(table, group, label, role):
    roles = [str(r) for r in table.roles]
    for g in table.groups:
        if g.heading == group:
            for row in g.rows:
                if row.label == label:
                    return row.allowed[roles.index(role)]
    raise AssertionError(f"no row {label} in {group}")


def test_the_table_says_what_the_rules_say_and_keeps_nothing():
    before = (User.objects.count(), Organisation.objects.count(), Person.objects.count())
    table = role_table.role_table("health")
    menu_group = "Areas of the staff menu"
    assert cell(table, menu_group, "My cases", "Worker") is True
    assert cell(table, menu_group, "My cases", "Organisation administrator") is False
    assert cell(table, menu_group, "Administration", "Unit administrator") is True
    assert cell(table, menu_group, "Crisis numbers", "Instance administrator") is True
    assert cell(table, menu_group, "Break-glass access", "Worker") is True
    policy_group = "A family's data (the access policy)"
    reads = "Reads the data of a person their unit is assigned to (need to know)"
    assert cell(table, policy_group, reads, "Worker") is True
    assert cell(table, policy_group, reads, "Organisation administrator") is False
    assert cell(table, policy_group, reads, "Instance administrator") is False
    assert (User.objects.count(), Organisation.objects.count(), Person.objects.count()) == before
    gives = "Gives and removes the leader and unit administrator roles in the unit"
    setting_up = "Setting up and publishing"
    assert cell(table, setting_up, gives, "Organisation administrator") is True
    assert cell(table, setting_up, gives, "Unit administrator") is False
    assert cell(table, setting_up, gives, "Leader") is False
    # In a school, no one breaks the glass.
    school = role_table.role_table("education")
    assert cell(school, menu_group, "Break-glass access", "Worker") is False


def test_changing_a_menu_rule_changes_the_table(monkeypatch):
    label = "Allocation meeting"
    assert cell(role_table.role_table(), "Areas of the staff menu", label, "Coordinator")
    changed = tuple(
        dataclasses.replace(area, who=menu.leaders) if str(area.label) == label else area
        for area in menu.MENU
    )
    monkeypatch.setattr(menu, "MENU", changed)
    table = role_table.role_table()
    assert not cell(table, "Areas of the staff menu", label, "Coordinator")
    assert cell(table, "Areas of the staff menu", label, "Leader")


def test_any_staff_member_reads_the_table_and_a_strange_service_is_ignored():
    unit = make.unit()
    client = logged_in(make.member(unit, role=Membership.Role.WORKER))
    response = client.get(ROLES, {"tjeneste": "<script>"})
    assert response.status_code == 200
    assert "What each role may do" in response.content.decode()


def test_the_table_is_not_for_the_public(client):
    assert client.get(ROLES).status_code == 302
