"""The municipalities Familiebro ships, and keeping them current from a newer official list."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from familiebro.core import municipalities
from familiebro.core.models import Municipality, Organisation
from familiebro.privacy.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_shipped_list_has_every_municipality_and_county_in_force_from_2024():
    assert Municipality.objects.in_force().count() == 357
    assert Municipality.objects.values("county_number").distinct().count() == 15
    stange = Municipality.objects.get(number="3413")
    assert (stange.name, stange.county_number, stange.county) == ("Stange", "34", "Innlandet")
    tromso = Municipality.objects.get(number="5501")
    assert tromso.name == "Tromsø"
    assert tromso.names["sme"] == "Romsa"
    assert tromso.county == "Troms - Romsa - Tromssa"
    harstad = Municipality.objects.get(number="5503")
    assert (harstad.name, harstad.official_name) == ("Harstad", "Harstad - Hárstták")
    assert harstad.names == {"nb": "Harstad", "nn": "Harstad", "sme": "Hárstták"}
    assert Municipality.objects.get(number="5001").names["sma"] == "Tråante"
    assert Municipality.objects.get(number="1875").names["smj"] == "Hábmer"
    assert Municipality.objects.get(number="0301").name == "Oslo"
    assert Municipality.objects.get(number="4601").name == "Bergen"
    # Haram left Ålesund on 1 January 2024.
    assert Municipality.objects.get(number="1580").name == "Haram"
    assert not Municipality.objects.filter(number="5401").exists()  # Troms og Finnmark's


def test_a_factory_finds_the_shipped_municipality_by_its_number():
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    assert hamar.pk == Municipality.objects.get(number="3403").pk
    assert Municipality.objects.filter(number="3403").count() == 1


def newer_list(tmp_path, change):
    data = json.loads(municipalities.SHIPPED_LIST.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "kommuner.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def merge_stange_into_hamar_and_add_one(data):
    data["codes"] = [code for code in data["codes"] if code["code"] != "3413"]
    for code in data["codes"]:
        if code["code"] == "3403":
            code["name"] = "Hamar og Stange"
            code["names"] = {"nb": "Hamar og Stange", "nn": "Hamar og Stange"}
    data["codes"].append({"code": "3499", "name": "Nykommune", "parentCode": "34"})


def run(path):
    out = StringIO()
    call_command("update-municipalities", str(path), "--ended-on", "2028-01-01", stdout=out)
    return out.getvalue()


def test_a_newer_list_adds_renames_and_ends_without_deleting(tmp_path):
    stange = Municipality.objects.get(number="3413")
    organisation = factories.OrganisationFactory(municipality=stange, name="Stange kommune")
    path = newer_list(tmp_path, merge_stange_into_hamar_and_add_one)

    first = run(path)

    assert "1 added, 1 changed, 1 ended" in first
    assert "3403 Hamar → Hamar og Stange" in first
    assert "Ended: 3413 Stange" in first
    assert "Added: 3499 Nykommune" in first
    stange.refresh_from_db()
    assert stange.ended_on == datetime.date(2028, 1, 1)
    assert Organisation.objects.get(pk=organisation.pk).municipality == stange
    assert Municipality.objects.in_force().count() == 357
    assert Municipality.objects.get(number="3499").county == "Innlandet"
    event = AuditEvent.objects.filter(detail__event="municipalities_updated").get()
    assert event.detail["ended"] == ["3413"]

    second = run(path)

    assert "0 added, 0 changed, 0 ended, 0 back in force, 357 unchanged" in second
    assert AuditEvent.objects.filter(detail__event="municipalities_updated").count() == 1


def test_a_file_that_is_not_a_list_changes_nothing(tmp_path):
    path = tmp_path / "feil.json"
    path.write_text('{"codes": [{"code": "12", "name": "X"}]}', encoding="utf-8")
    with pytest.raises(CommandError, match="four-digit municipality number"):
        run(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a JSON file"):
        run(path)
    assert Municipality.objects.count() == 357
    assert not Municipality.objects.exclude(ended_on=None).exists()
