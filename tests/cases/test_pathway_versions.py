"""Pathway definitions as data: a new version changes new cases only; moving is explicit."""

from __future__ import annotations

import copy
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from familiebro.cases import case_services
from familiebro.cases.models import Case, Deadline, PathwayVersion
from familiebro.cases.pathway_library import BTI
from familiebro.cases.pathways import services as pathway_services
from familiebro.privacy.models import AuditEvent
from tests.cases import builders

pytestmark = pytest.mark.django_db


def bti_with_level0_days(days: int) -> dict:
    spec = copy.deepcopy(BTI)
    spec["phases"][0]["deadlines"][0]["days"] = days
    return spec


def level0_due(case: Case) -> datetime.datetime:
    return timezone.localtime(Deadline.objects.get(case=case, key="level0_decision").due_at)


def test_a_new_version_applies_to_new_cases_and_running_cases_keep_theirs():
    town = builders.municipality()
    running = builders.open_concern(town.teacher, town.kindergarten)
    assert level0_due(running) - timezone.localtime(running.received_at) == datetime.timedelta(14)

    version = pathway_services.publish_version("bti", bti_with_level0_days(10), "Kortere frist")
    assert version.number == 2
    new = case_services.open_case(
        town.teacher,
        child=builders.child_of(town.teacher),
        unit=town.kindergarten,
        origin=Case.Origin.STAFF_CONCERN,
        concern="Ny uro.",
    )
    assert new.pathway_version == version
    assert level0_due(new) - timezone.localtime(new.received_at) == datetime.timedelta(10)
    running.refresh_from_db()
    assert running.pathway_version.number == 1
    assert level0_due(running) - timezone.localtime(running.received_at) == datetime.timedelta(14)


def test_a_published_version_cannot_be_edited():
    version = PathwayVersion.objects.get(definition__key="bti", number=1)
    version.spec = bti_with_level0_days(3)
    with pytest.raises(ValueError, match="publish a new one"):
        version.save()
    version.refresh_from_db()
    assert version.parsed.phases[0].deadlines[0].days == 14


def test_a_broken_specification_is_refused_with_every_problem_listed():
    spec = copy.deepcopy(BTI)
    spec["start"] = "nowhere"
    spec["phases"][0]["decision"]["options"][1]["to"] = "level9"
    with pytest.raises(ValidationError) as refused:
        pathway_services.publish_version("bti", spec)
    text = " ".join(refused.value.messages)
    assert "'nowhere'" in text
    assert "'level9'" in text
    assert PathwayVersion.objects.filter(definition__key="bti").count() == 1


def test_moving_cases_is_explicit_maps_phases_and_is_audited():
    town = builders.municipality()
    case = builders.open_concern(town.teacher, town.kindergarten)
    renamed = copy.deepcopy(BTI)
    renamed["phases"][0]["key"] = "niva0"
    renamed["start"] = "niva0"
    pathway_services.publish_version("bti", renamed)

    report = pathway_services.move_cases("bti", 1, 2)
    assert report.moved == []
    assert report.unmapped == {"level0": 1}
    assert "--phase level0=<new phase>" in report.summary()

    with pytest.raises(ValidationError, match="no phase level_zero"):
        pathway_services.move_cases("bti", 1, 2, {"level0": "level_zero"})

    report = pathway_services.move_cases("bti", 1, 2, {"level0": "niva0"})
    assert report.moved == [case.reference]
    case.refresh_from_db()
    assert (case.pathway_version.number, case.phase) == (2, "niva0")
    event = AuditEvent.objects.filter(object_type="cases.case", action="change").latest("id")
    assert event.detail["phase"] == ["level0", "niva0"]


def test_the_pathway_command_exports_publishes_and_chooses(tmp_path):
    town = builders.municipality()
    out = io.StringIO()
    call_command("pathway", "export", "familiehjelpa", stdout=out)
    spec = json.loads(out.getvalue())
    spec["phases"][0]["deadlines"][0]["days"] = 5
    path = tmp_path / "familiehjelpa.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    call_command("pathway", "publish", "familiehjelpa", str(path), "--note", "5 dager", stdout=out)
    assert "Published familiehjelpa v2" in out.getvalue()
    municipality = town.kindergarten.organisation.municipality
    call_command(
        "pathway", "choose", "familiehjelpa", "--municipality", municipality.number, stdout=out
    )
    assert case_services.pathway_for(town.kindergarten).definition.key == "familiehjelpa"
    assert case_services.pathway_for(town.kindergarten).number == 2

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("pathway", "publish", "familiehjelpa", str(path))
    with pytest.raises(CommandError, match="There is no pathway 'bti2'"):
        call_command("pathway", "export", "bti2")
