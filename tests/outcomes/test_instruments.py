"""Questionnaires as data: what Familiebro ships, and that a published version never changes."""

from __future__ import annotations

import pytest

from familiebro.outcomes import instrument_services
from familiebro.outcomes.models import (
    Instrument,
    InstrumentVersion,
    Item,
    PublishedVersionError,
    Scale,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _published(key: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument__key=key, number=1)


def test_the_shipped_questionnaires_are_published_in_three_languages():
    keys = set(Instrument.objects.values_list("key", flat=True))
    assert {"trivsel", "samarbeid", "familiemote-evaluering", "tiltak-26", "indikatorer"} <= keys
    for version in InstrumentVersion.objects.filter(number=1):
        assert version.is_published
        for item in version.items.all():
            assert set(item.text) == {"nb", "nn", "en"}, item.key


def test_the_session_pair_has_four_lines_from_0_to_10_each():
    for key, kind in (("trivsel", "wellbeing"), ("samarbeid", "alliance")):
        version = _published(key)
        assert version.instrument.kind == kind and version.instrument.mode == "linked"
        assert [i.scale for i in version.items.all()] == [Scale.ZERO_TEN] * 4
    assert _published("samarbeid").cutoff == 36


def test_the_family_meeting_evaluation_has_four_statements_a_comment_who_and_age():
    version = _published("familiemote-evaluering")
    items = list(version.items.all())
    assert [i.scale for i in items] == ["0-5"] * 4 + ["text", "single", "single"]
    assert [c["key"] for c in items[5].choices] == ["parent", "child", "both"]
    assert version.instrument.mode == "anonymous"


def test_the_tiltak_26_survey_and_the_indicator_form():
    survey = [i.scale for i in _published("tiltak-26").items.all()]
    assert survey == ["single", "single", "yes_no", "yes_no", "1-5"]
    indicators = list(_published("indikatorer").items.all())
    assert len(indicators) == 4 and all(len(i.choices) == 3 for i in indicators)


def test_our_own_wording_not_the_licensed_scales():
    texts = " ".join(t for item in Item.objects.all() for t in item.text.values()).lower()
    # The licensed scales' own item words.
    for licensed in ("individually", "interpersonally", "socially", "overall:", "goals and topics"):
        assert licensed not in texts


def test_a_published_version_and_its_questions_never_change():
    version = _published("trivsel")
    version.note = "Endret"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        version.delete()
    item = version.items.first()
    item.text = {"nb": "Noe annet"}
    with pytest.raises(PublishedVersionError):
        item.save()
    with pytest.raises(PublishedVersionError):
        item.delete()
    with pytest.raises(PublishedVersionError):
        Item.objects.create(version=version, position=9, key="ny", text={"nb": "Ny"}, scale="text")
    assert Item.objects.get(pk=item.pk).text["nb"].startswith("Meg selv")


def test_an_editor_drafts_changes_and_publishes_a_new_version():
    admin = factories.UserFactory(is_instance_admin=True)
    instrument = Instrument.objects.get(key="trivsel")
    draft = instrument_services.start_draft(admin, instrument)
    assert (draft.number, draft.status) == (2, "draft")
    # A second editor gets the same draft, not another.
    assert instrument_services.start_draft(admin, instrument).pk == draft.pk
    items = instrument_services.items_of(draft)
    texts = {i.key: dict(i.text) for i in items}
    texts["meg-selv"]["nb"] = "Meg selv: slik jeg har hatt det i det siste"
    instrument_services.save_draft(
        admin, draft, intro={"nb": "Ny innledning"}, texts=texts, note="Ny tekst", cutoff=None
    )
    instrument_services.publish(admin, draft)
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == admin
    assert draft.items.get(key="meg-selv").text["nb"].endswith("i det siste")
    # Version 1 keeps its words.
    assert _published("trivsel").items.get(key="meg-selv").text["nb"] == (
        "Meg selv: slik jeg har hatt det"
    )
    with pytest.raises(Exception, match="published"):
        instrument_services.save_draft(admin, draft, intro={}, texts=texts, note="", cutoff=None)


def test_a_draft_question_needs_its_bokmal_text():
    from django.core.exceptions import ValidationError

    admin = factories.UserFactory(is_instance_admin=True)
    draft = instrument_services.start_draft(admin, Instrument.objects.get(key="samarbeid"))
    texts = {i.key: dict(i.text) for i in instrument_services.items_of(draft)}
    texts["lyttet"]["nb"] = "  "
    with pytest.raises(ValidationError) as refused:
        instrument_services.save_draft(admin, draft, intro={}, texts=texts, note="", cutoff=36)
    assert "lyttet-nb" in refused.value.message_dict


def test_only_instance_administrators_edit_questionnaires():
    from django.core.exceptions import PermissionDenied

    worker = factories.MembershipFactory().user
    with pytest.raises(PermissionDenied):
        instrument_services.start_draft(worker, Instrument.objects.get(key="trivsel"))
    with pytest.raises(PermissionDenied):
        instrument_services.instrument_list(worker)
