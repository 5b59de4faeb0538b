"""Invisible direction controls are removed from every text people type or import.

U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates) reorder what follows
them without showing anything, so a text can read differently from what it holds. Arabic and
Hebrew text, and the marks LRM and RLM, pass through unchanged.
"""

from __future__ import annotations

import importlib
import io
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import familiebro
from familiebro.cases.models import HelpRequest, LogEntry
from familiebro.catalogue import csv_io
from familiebro.catalogue.models import Offer
from familiebro.core.forms import TypedTextRules
from familiebro.core.text import DIRECTION_CONTROLS, without_direction_controls
from tests.cases import builders
from tests.cases.test_case_pages import as_user, follow, url
from tests.cases.test_help_request_intake import hamar, health_centre, send  # noqa: F401
from tests.catalogue.test_editor_pages import offer_post

pytestmark = pytest.mark.django_db

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
# "Pris: 200 kr" that a right-to-left override would show as "rk 002 :sirP".
TRICKED = f"Pris: {RLO}200 kr{PDF} per {RLI}kurs{PDI}"
PLAIN = "Pris: 200 kr per kurs"
ARABIC = "دورة للأزواج الذين أصبحوا آباء"
HEBREW_WITH_MARK = "קורס להורים\u200f."


def test_every_control_is_removed_and_right_to_left_text_is_kept():
    assert without_direction_controls(TRICKED) == PLAIN
    assert without_direction_controls("".join(DIRECTION_CONTROLS)) == ""
    assert without_direction_controls(ARABIC) == ARABIC
    assert without_direction_controls(HEBREW_WITH_MARK) == HEBREW_WITH_MARK
    assert without_direction_controls({"a": [TRICKED, 1, None]}) == {"a": [PLAIN, 1, None]}


def test_an_offer_text_is_stored_without_them(staff_client, unit):
    response = staff_client.post(
        reverse("offer-editor-create"),
        offer_post(
            unit=str(unit.pk), title=f"Barselgruppe {RLI}i Stange{PDI}", cost=TRICKED, is_free=""
        ),
    )
    assert response.status_code == 302
    offer = Offer.objects.get(title="Barselgruppe i Stange")
    assert offer.cost == PLAIN


def test_an_offer_in_arabic_is_stored_as_typed(staff_client, unit):
    staff_client.post(
        reverse("offer-editor-create"),
        offer_post(unit=str(unit.pk), title=ARABIC, description=HEBREW_WITH_MARK),
    )
    offer = Offer.objects.get(title=ARABIC)
    assert offer.description == HEBREW_WITH_MARK


def test_a_request_for_help_is_stored_without_them(client, health_centre):  # noqa: F811
    response = send(client, health_centre, message=TRICKED, requester_name=f"{RLO}Kari{PDF}")
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.message == PLAIN
    assert request.requester_name == "Kari"


def test_a_log_entry_is_stored_without_them():
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)
    teacher = as_user(town.teacher)
    follow(teacher, teacher.post(url("write-log", case), {"log-kind": "note", "log-text": TRICKED}))
    assert case.log_entries.get(kind=LogEntry.Kind.NOTE).text == PLAIN


def test_an_imported_csv_offer_is_stored_without_them(staff, unit):
    text = f"title;description;languages\nKurs {RLI}for fedre{PDI};{TRICKED};nb\n"
    report = csv_io.import_offers(staff, unit, io.BytesIO(text.encode()))
    assert report.created == 1, report.errors
    offer = Offer.objects.get(unit=unit)
    assert offer.title == "Kurs for fedre"
    assert offer.description == PLAIN


def all_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class the project defines, wherever it is defined."""
    for module in pkgutil.walk_packages(familiebro.__path__, "familiebro."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, pending = [], [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("familiebro."):
                found.append(subclass)
    return found


def test_every_form_of_the_project_removes_them():
    form_classes = all_form_classes()
    assert len(form_classes) > 40
    uncovered = [
        f"{form.__module__}.{form.__qualname__}"
        for form in form_classes
        if not issubclass(form, TypedTextRules)
        and any(isinstance(field, forms.CharField) for field in form.base_fields.values())
    ]
    assert not uncovered, (
        "These forms take text without familiebro.core.forms' rules; base them on "
        f"familiebro.core.forms.Form, ModelForm or StyledForm: {uncovered}"
    )


def test_a_form_shown_again_with_errors_shows_the_cleaned_text(client, health_centre):  # noqa: F811
    response = send(client, health_centre, message=TRICKED, storage_notice_agreed=None)
    assert response.status_code == 400
    assert PLAIN in response.content.decode()
    assert RLO not in response.content.decode()
