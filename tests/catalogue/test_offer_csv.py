"""Offers as CSV: export, import by id, all or nothing, and the two commands."""

import csv
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from familiebro.catalogue import actions, csv_io
from familiebro.catalogue.models import Offer, Programme
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.catalogue.factories import OfferFactory, target_group, topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def stange(db):
    return factories.MunicipalityFactory(number="3413", name="Stange")


@pytest.fixture
def offers(staff, unit, stange):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    first = actions.create_offer(
        staff,
        unit,
        {
            "title": "Foreldregruppe på arabisk (ICDP)",
            "summary": "Åtte møter.",
            "description": "Vi møtes åtte ganger.\nGratis, uten henvisning.",
            "programme": Programme.objects.get(slug="icdp"),
            "topics": [topic("parenting-role"), topic("minority-families")],
            "target_groups": [target_group("minority-language-parents")],
            "age_from_months": -9,
            "age_to_months": 216,
            "languages": ["ar", "nb"],
            "municipalities": [stange, hamar],
            "format_group": True,
            "capacity": 12,
            "contact_name": "Samira Haddad",
            "contact_phone": "35 58 10 00",
            "place": {
                "name": "Helsestasjonen",
                "address": "Kirkevegen 9",
                "postal_code": "2335",
                "city": "Stange",
                "municipality": stange,
            },
        },
    )
    actions.publish_offer(staff, first)
    second = actions.create_offer(
        staff,
        unit,
        {
            "title": "=Kurs med formel",
            "description": "Koster litt.",
            "is_free": False,
            "cost": "300 kroner",
            "url": "https://example.no/kurs",
        },
    )
    return [first, second]


def export(unit) -> str:
    out = io.StringIO()
    csv_io.export_offers(unit, out)
    return out.getvalue()


def upload(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def snapshot(offer: Offer) -> dict:
    offer = Offer.objects.get(pk=offer.pk)
    location = offer.locations.first()
    return {
        "fields": {name: getattr(offer, name) for name in actions.SCALAR_FIELDS},
        "status": offer.status,
        "topics": set(offer.topics.values_list("code", flat=True)),
        "target_groups": set(offer.target_groups.values_list("code", flat=True)),
        "municipalities": set(offer.municipalities.values_list("number", flat=True)),
        "place": (location.name, location.address, location.municipality_id) if location else None,
    }


def test_the_export_has_one_documented_row_per_offer(unit, offers):
    rows = rows_of(export(unit))
    assert [row["title"] for row in rows] == [
        "'=Kurs med formel",
        "Foreldregruppe på arabisk (ICDP)",
    ]
    icdp = rows[1]
    assert list(icdp) == list(csv_io.COLUMNS)
    assert icdp["topics"] == "minority-families|parenting-role"
    assert icdp["municipalities"] == "3403|3413"
    assert icdp["languages"] == "ar|nb"
    assert (icdp["age_from_months"], icdp["age_to_months"]) == ("-9", "216")
    assert icdp["programme"] == "icdp"
    assert icdp["format_group"] == "ja" and icdp["is_digital"] == "nei"
    assert icdp["status"] == "published"
    assert icdp["last_verified_at"]


def test_a_round_trip_changes_nothing(staff, unit, offers):
    before = [snapshot(offer) for offer in offers]
    events = AuditEvent.objects.count()
    report = csv_io.import_offers(staff, unit, upload(export(unit)))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert [snapshot(offer) for offer in offers] == before
    assert AuditEvent.objects.count() == events


def test_a_file_from_another_instance_recreates_the_offers_with_their_ids(staff, unit, offers):
    text = export(unit)
    before = {offer.pk: snapshot(offer) for offer in offers}
    Offer.objects.all().delete()
    report = csv_io.import_offers(staff, unit, upload(text))
    assert report.created == 2
    assert {offer.pk: snapshot(offer) for offer in Offer.objects.all()} == before


def test_an_edited_file_updates_by_id_and_adds_rows_without_one(staff, unit, offers):
    rows = rows_of(export(unit))
    rows[1]["title"] = "Foreldregruppe på arabisk"
    rows[1]["target_groups"] = "minority-language-parents|newly-arrived-parents"
    new = dict.fromkeys(csv_io.COLUMNS, "")
    new.update(title="Ammekafé", description="Drop-in fredager.", topics="infant-sleep-feeding")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_io.COLUMNS)
    writer.writeheader()
    writer.writerows([*rows, new])
    report = csv_io.import_offers(staff, unit, upload(out.getvalue()))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    offers[0].refresh_from_db()
    assert offers[0].title == "Foreldregruppe på arabisk"
    assert set(offers[0].target_groups.values_list("code", flat=True)) == {
        "minority-language-parents",
        "newly-arrived-parents",
    }
    added = Offer.objects.get(title="Ammekafé")
    assert added.unit == unit and added.status == Offer.Status.DRAFT


def test_a_broken_file_is_reported_row_by_row_and_nothing_is_imported(staff, unit, offers):
    foreign = OfferFactory(title="Naboens kurs")
    text = (
        "id,title,description,topics,age_from_months,format_group,status\n"
        ",Godt kurs,Helt i orden.,parenting-role,0,ja,\n"
        ",Kurs,Om kurset.,sovn,12,ja,\n"
        ",Kurs,Om kurset.,parenting-role,-12,kanskje,\n"
        f"{foreign.pk},Kapret,Tatt over.,,,,\n"
        ",,Uten tittel.,,,,\n"
        ",Uten tema,Publiser meg.,,,,published\n"
        "ikke-en-id,Kurs,Om kurset.,,,,\n"
    )
    events = AuditEvent.objects.count()
    report = csv_io.import_offers(staff, unit, upload(text))
    assert not report.ok
    errors = {error.line: error.message for error in report.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "Unknown codes: sovn" in errors[3]
    assert "Write ja or nei, not kanskje" in errors[4]
    assert "belongs to another unit" in errors[5]
    assert "needs a title and a description" in errors[6]
    assert "Choose at least one topic" in errors[7]
    assert "is not an offer id" in errors[8]
    assert "Nothing was imported: 6 rows were rejected" in report.summary()
    # All or nothing: the good row on line 2 was not kept either.
    assert not Offer.objects.filter(title="Godt kurs").exists()
    assert Offer.objects.get(pk=foreign.pk).title == "Naboens kurs"
    assert AuditEvent.objects.count() == events


def test_a_negative_age_beyond_pregnancy_is_explained(staff, unit):
    text = "title,description,age_from_months\nKurs,Om kurset.,-12\n"
    report = csv_io.import_offers(staff, unit, upload(text))
    assert "age_from_months: Give the age in months between -9" in report.errors[0].message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title,description\n\xff\xfeKurs,Om\n", "not UTF-8 text"),
        (b"", "The file is empty"),
        (b"title,farge\nKurs,bl\xc3\xa5\n", "columns Familiebro does not know: farge"),
        (b"title,description\n", "has a header but no offers"),
        (b"title,description\nKurs,Om,ekstra\n", "more cells than the first line"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(staff, unit, content, message):
    with pytest.raises(csv_io.UnreadableFile, match=message):
        csv_io.import_offers(staff, unit, io.BytesIO(content))
    assert not Offer.objects.exists()


def test_semicolon_separated_files_from_excel_are_read(staff, unit):
    text = "\ufefftitle;description;languages\nKurs;Om kurset.;nb|so\n"
    report = csv_io.import_offers(staff, unit, upload(text))
    assert report.created == 1
    assert Offer.objects.get().languages == " nb so "


def test_a_cell_that_looks_like_a_formula_is_defused_and_restored(staff, unit, offers):
    text = export(unit)
    assert "'=Kurs med formel" in text
    assert "'+4735581000" in text
    Offer.objects.all().delete()
    csv_io.import_offers(staff, unit, upload(text))
    assert Offer.objects.filter(title="=Kurs med formel").exists()
    assert Offer.objects.get(title__startswith="Foreldregruppe").contact_phone == "+4735581000"


def test_staff_of_another_unit_cannot_import_into_it(unit):
    from tests.privacy.factories import member

    outsider = member(factories.ServiceUnitFactory())
    with pytest.raises(Exception, match="Only staff of the unit"):
        csv_io.import_offers(outsider, unit, upload("title,description\nKurs,Om\n"))
    assert not Offer.objects.exists()


def test_the_commands_export_and_import_a_units_offers(unit, offers, tmp_path):
    out = io.StringIO()
    call_command(
        "export-offers", "--unit", str(unit.pk), "--format", "csv", stdout=out, stderr=io.StringIO()
    )
    assert rows_of(out.getvalue())[1]["title"] == "Foreldregruppe på arabisk (ICDP)"
    path = tmp_path / "tilbud.csv"
    path.write_text(out.getvalue().replace("Foreldregruppe på arabisk (ICDP)", "ICDP på arabisk"))
    result = io.StringIO()
    call_command("import-offers", str(path), "--unit", str(unit.pk), stdout=result)
    assert "1 changed" in result.getvalue()
    assert Offer.objects.filter(title="ICDP på arabisk").exists()


def test_the_import_command_reports_each_rejected_row_and_fails(unit, tmp_path):
    path = tmp_path / "feil.csv"
    path.write_text("title,description,topics\nKurs,Om kurset.,ukjent\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import-offers", str(path), "--unit", str(unit.pk), stderr=errors)
    assert "line 2: topics: Unknown codes: ukjent." in errors.getvalue()
    with pytest.raises(CommandError, match="no service unit with id 0"):
        call_command("import-offers", str(path), "--unit", "0")


def test_the_editor_page_downloads_and_imports_csv(staff_client, unit, offers, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = staff_client.get(reverse("offer-editor-export-csv") + f"?enhet={unit.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    changed = text.replace("Foreldregruppe på arabisk (ICDP)", "ICDP-gruppe")
    file = io.BytesIO(changed.encode("utf-8"))
    file.name = "tilbud.csv"
    response = staff_client.post(
        reverse("offer-editor-import"), {"unit": unit.pk, "file": file}, follow=True
    )
    assert "1 changed" in response.content.decode()
    assert Offer.objects.filter(title="ICDP-gruppe").exists()


def test_the_import_page_shows_the_rejected_rows(staff_client, unit, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = io.BytesIO(b"title,description,capacity\nKurs,Om kurset.,mange\n")
    file.name = "tilbud.csv"
    response = staff_client.post(reverse("offer-editor-import"), {"unit": unit.pk, "file": file})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write a whole number, not mange." in page
    assert '<th scope="row">line 2</th>' in page


def test_other_units_offers_cannot_be_exported(staff_client):
    other = factories.ServiceUnitFactory()
    response = staff_client.get(reverse("offer-editor-export-csv") + f"?enhet={other.pk}")
    assert response.status_code == 404
    unknown = staff_client.get(reverse("offer-editor-export-csv") + f"?enhet={uuid.uuid4()}")
    assert unknown.status_code == 404


# HSDS JSON, through the HSDS exporter and importer. --------------------------------------


def export_json(unit) -> str:
    out = io.StringIO()
    csv_io.export_offers_hsds(unit, out)
    return out.getvalue()


def json_upload(text: str, name: str = "tilbud.json") -> io.BytesIO:
    file = io.BytesIO(text.encode("utf-8"))
    file.name = name
    return file


def test_the_hsds_export_lists_the_units_offers_as_services(unit, offers):
    services_json = json.loads(export_json(unit))
    assert {service["name"] for service in services_json} == {
        "Foreldregruppe på arabisk (ICDP)",
        "=Kurs med formel",
    }
    by_name = {service["name"]: service for service in services_json}
    assert by_name["Foreldregruppe på arabisk (ICDP)"]["status"] == "active"
    assert by_name["=Kurs med formel"]["status"] == "inactive"


def test_an_hsds_round_trip_changes_nothing(staff, unit, offers):
    # HSDS ages are whole years from birth: HSDS output publishes pregnancy as 0, so an offer that
    # starts in pregnancy does not survive the trip. This one starts at birth.
    actions.update_offer(staff, offers[0], {"age_from_months": 0})
    before = [snapshot(offer) for offer in offers]
    result = csv_io.import_offers_file(staff, unit, json_upload(export_json(unit)))
    assert result.ok, result.problems
    assert [snapshot(offer) for offer in offers] == before


def test_an_hsds_file_with_a_broken_service_imports_nothing_and_says_why(staff, unit, offers):
    records = json.loads(export_json(unit))
    records[0]["name"] = "Nytt navn"
    records[1].pop("name")
    result = csv_io.import_offers_file(staff, unit, json_upload(json.dumps(records)))
    assert not result.ok
    assert "Nothing was imported: 1 records were rejected" in result.summary
    (problem,) = result.problems
    assert problem.where == "record 2"
    assert "name" in problem.message
    assert not Offer.objects.filter(title="Nytt navn").exists()


def test_a_file_that_is_not_json_says_where_it_breaks(staff, unit):
    with pytest.raises(csv_io.UnreadableFile, match=r"not valid JSON: .* line 1"):
        csv_io.import_offers_file(staff, unit, json_upload('[{"name": '))


def test_the_commands_also_speak_hsds_json(unit, offers, tmp_path):
    out = io.StringIO()
    call_command(
        "export-offers",
        "--unit",
        str(unit.pk),
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    path = tmp_path / "tilbud.json"
    path.write_text(out.getvalue().replace("=Kurs med formel", "Kurs uten formel"))
    result = io.StringIO()
    call_command("import-offers", str(path), "--unit", str(unit.pk), stdout=result)
    assert "1 updated, 1 unchanged" in result.getvalue()
    assert Offer.objects.filter(title="Kurs uten formel").exists()


def test_the_editor_page_downloads_hsds_json(staff_client, unit, offers):
    response = staff_client.get(reverse("offer-editor-export-hsds") + f"?enhet={unit.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert len(json.loads(response.content)) == 2


def test_the_import_page_reports_rejected_hsds_records(staff_client, unit, offers, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    records = json.loads(export_json(unit))
    records[0]["status"] = "closed for good"
    response = staff_client.post(
        reverse("offer-editor-import"),
        {"unit": unit.pk, "file": json_upload(json.dumps(records))},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: 1 records were rejected" in page
    assert '<th scope="row">record 1</th>' in page
