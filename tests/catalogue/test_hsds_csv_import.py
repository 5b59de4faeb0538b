"""Importing HSDS 3.0's tabular format: a directory of CSV tables, such as the official example."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from familiebro.catalogue.hsds.files import import_hsds_paths
from familiebro.catalogue.hsds.patch import same_json
from familiebro.catalogue.hsds.records import ImportReport
from familiebro.catalogue.hsds.render import export_offers_as_hsds
from familiebro.catalogue.hsds.schemas import schema_dir, schema_validator
from familiebro.catalogue.models import Location, Offer, Provider, Taxonomy, TaxonomyTerm

# The official example's tables. The specification's own examples/csv/datapackage.json is a
# symbolic link out of the folder, so it is not shipped: the cases it gives a clone (the link
# copied as a file, a link to nothing) are built by the tests below.
CSV_EXAMPLE = schema_dir().parent / "examples" / "csv"
# What a symbolic link becomes when it is copied as a file: a file holding just its target.
COPIED_LINK = "../../datapackage.json"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
TAXONOMY_ID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"
CONTACT_ID = "1e7efce3-639b-4880-940c-b95cd30cdb50"
ATTRIBUTE_ID = "ae58cc39-8b70-4ab1-8aea-786882e5ac8e"
MISSING_ID = "0d6f4a1c-2b9e-4c3a-8f7d-5e6b7a8c9d01"
ORGANIZATION_GONE = (f"{SERVICE_ID},{ORGANIZATION_ID}", f"{SERVICE_ID},{MISSING_ID}")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def import_dir(path: Path, partial: bool = False) -> ImportReport:
    return import_hsds_paths([path], partial=partial)


def example_copy(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> Path:
    """The official CSV example, with `edits` (file → (text, replacement)) made to it."""
    target = tmp_path / "package"
    target.mkdir()
    for source in CSV_EXAMPLE.iterdir():
        text = source.read_text(encoding="utf-8")
        old, new = (edits or {}).get(source.name, ("", ""))
        if old:
            assert old in text, (source.name, old)
            text = text.replace(old, new)
        (target / source.name).write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def example_with_copied_link(tmp_path: Path) -> Path:
    """The CSV example as a checkout that does not keep symbolic links gives it."""
    package = example_copy(tmp_path)
    (package / "datapackage.json").write_text(COPIED_LINK, encoding="utf-8")
    return package


def rows(name: str) -> list[dict[str, str]]:
    with (CSV_EXAMPLE / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def get_json(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def nothing_imported() -> bool:
    return not (
        Offer.objects.exists()
        or Provider.objects.exists()
        or Location.objects.exists()
        or TaxonomyTerm.objects.filter(pk=TERM_ID).exists()
        or Taxonomy.objects.filter(pk=TAXONOMY_ID).exists()
    )


# The official example ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_official_csv_example_imports_every_record_all_or_nothing():
    report = import_dir(CSV_EXAMPLE)

    assert report.ok and report.committed, report.lines()
    assert dict(report.created) == {
        "taxonomy": 1,
        "taxonomy_term": 1,
        "organization": 1,
        "location": 1,
        "service": 1,
        "service_at_location": 1,
    }
    offer = Offer.objects.get(pk=SERVICE_ID)
    assert offer.title == "Community Counselling"
    assert offer.status == Offer.Status.PUBLISHED
    assert str(offer.provider_id) == ORGANIZATION_ID
    assert [str(pk) for pk in offer.locations.values_list("pk", flat=True)] == [LOCATION_ID]
    assert offer.contact_name == "Ann Persona"
    assert offer.age_from_months == 12 * 12


@pytest.mark.django_db
def test_the_example_says_its_datapackage_is_a_copied_link_and_reads_the_hsds_file_names(
    example_with_copied_link,
):
    report = import_dir(example_with_copied_link)

    assert report.notes[0] == (
        "datapackage.json is not a data package description (it holds “../../datapackage.json”; "
        "a symbolic link copied as a file holds just its target); the tables are read by the "
        "file names HSDS 3.0 gives them (organizations.csv, services.csv, …)"
    )
    assert report.notes[1] == (
        "meta_table_descriptions.csv: 1 row(s) not imported: Familiebro keeps no descriptions "
        "of tables"
    )


@pytest.mark.django_db
def test_links_to_rows_the_example_does_not_have_are_dropped_with_a_warning_each():
    report = import_dir(CSV_EXAMPLE)

    assert report.warnings == [
        "organizations.csv, line 2: organization d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610: "
        "parent_organization_id cd09a387-91f4-4555-94ec-e799c35344cd: no organization has "
        "this id in this package or in Familiebro; the reference is dropped and the row imported",
        "locations.csv, line 2: location 3a19ff88-4620-4d17-9830-ac1d859eb5d5: organization_id "
        "985e4a42-bd9f-4edc-911d-0243a4640aca: no organization has this id in this package or "
        "in Familiebro; the reference is dropped and the row imported",
        "taxonomy_terms.csv, line 2: taxonomy_term 3f7b145d-84af-42d7-8fae-eaca714b02b2: "
        "taxonomy_id 07ff6aee-a219-438c-b694-d2fcb6c5373b: no taxonomy has this id in this "
        "package or in Familiebro; parent_id 0bc248fa-dc27-4650-9ba4-8f1a24ef16a2: no "
        "taxonomy_term has this id in this package or in Familiebro; the references are "
        "dropped and the row imported",
        f"contacts.csv, line 2: contact {CONTACT_ID}: organization_id "
        "ae67a707-5893-4225-b0b1-320ab9cb596b: no row of this package has this id; "
        "service_at_location_id 93eaf18d-1cd2-4ec7-bffb-3c9172ee5070: no row of this package "
        "has this id; the references are dropped and the row imported",
        f"attributes.csv, line 2: attribute {ATTRIBUTE_ID}: link_id "
        "f28dd44b-0c4d-479f-8e90-4c52219a8b3c: no row of this package has this id; the row is "
        "left out: it is imported only as part of the record it names",
        "metadata.csv, line 2: metadata 6cd71e9f-1013-49d9-8370-26b8f59d3e5a: resource_id "
        "38960354-e7d2-4cfa-a368-820f729d6ccf: no row of this package has this id; the row is "
        "left out: it is imported only as part of the record it names",
    ]
    # Dropped, not kept: what Familiebro publishes points only at records it has.
    assert Location.objects.get(pk=LOCATION_ID).provider_id is None
    assert TaxonomyTerm.objects.get(pk=TERM_ID).taxonomy_id is None


@pytest.mark.django_db
def test_importing_the_csv_example_twice_changes_nothing():
    import_dir(CSV_EXAMPLE)
    modified = Offer.objects.get().updated_at

    report = import_dir(CSV_EXAMPLE)

    assert report.unchanged["service"] == 1 and not report.created
    assert Offer.objects.get().updated_at == modified


# Round trip -------------------------------------------------------------------------------------


def same_fields(record: dict, row: dict[str, str], fields: tuple[str, ...]) -> None:
    for name in fields:
        assert str(record.get(name)) == row[name], (name, record.get(name), row[name])


@pytest.mark.django_db
def test_what_the_csv_example_imported_comes_back_in_the_hsds_export(client):
    import_dir(CSV_EXAMPLE)

    service = get_json(client, f"/api/hsds/services/{SERVICE_ID}")
    same_fields(service, rows("services.csv")[0], ("id", "name", "description", "status", "url"))
    assert service["minimum_age"] == 12 and service["maximum_age"] == 100
    assert service["organization"]["id"] == ORGANIZATION_ID
    same_fields(
        service["organization"],
        rows("organizations.csv")[0],
        ("id", "name", "description", "website", "year_incorporated"),
    )
    [sal] = service["service_at_locations"]
    same_fields(sal, rows("service_at_location.csv")[0], ("id", "description"))
    location = sal["location"]
    same_fields(location, rows("locations.csv")[0], ("id", "name", "latitude", "longitude"))
    same_fields(
        location["addresses"][0], rows("addresses.csv")[0], ("id", "address_1", "postal_code")
    )
    phone_row = rows("phones.csv")[0]
    [phone] = service["phones"]
    same_fields(phone, phone_row, ("id", "number", "description"))
    assert [p["id"] for p in sal["phones"]] == [phone_row["id"]]
    [contact] = service["contacts"]
    same_fields(contact, rows("contacts.csv")[0], ("id", "name", "title", "email"))
    assert [p["id"] for p in contact["phones"]] == [phone_row["id"]]
    [schedule] = service["schedules"]
    same_fields(schedule, rows("schedules.csv")[0], ("id", "byday", "opens_at", "closes_at"))
    assert service["program"]["id"] == rows("programs.csv")[0]["id"]
    assert [c["id"] for c in service["cost_options"]] == [rows("cost_options.csv")[0]["id"]]
    assert [lang["code"] for lang in service["languages"]] == ["ur"]

    organization = get_json(client, f"/api/hsds/organizations/{ORGANIZATION_ID}")
    assert [p["id"] for p in organization["phones"]] == [phone_row["id"]]
    assert [i["identifier"] for i in organization["organization_identifiers"]] == ["1234567"]
    assert [c["id"] for c in location["contacts"]] == [CONTACT_ID]
    assert [s["id"] for s in location["schedules"]] == [schedule["id"]]

    detail = get_json(client, f"/api/hsds/service_at_locations/{SAL_ID}")
    assert detail["service"]["id"] == SERVICE_ID and detail["location"]["id"] == LOCATION_ID
    term = get_json(client, f"/api/hsds/taxonomy_terms/{TERM_ID}")
    same_fields(term, rows("taxonomy_terms.csv")[0], ("id", "name", "code", "description"))
    taxonomy = get_json(client, f"/api/hsds/taxonomies/{TAXONOMY_ID}")
    same_fields(taxonomy, rows("taxonomies.csv")[0], ("id", "name", "version"))
    # The export behind export-offers --format json gives the same service.
    [exported] = export_offers_as_hsds(Offer.objects.all())
    assert same_json(exported, service)
    for url, schema in [
        (f"/api/hsds/services/{SERVICE_ID}", "compiled/service.json"),
        (f"/api/hsds/organizations/{ORGANIZATION_ID}", "compiled/organization.json"),
        (f"/api/hsds/service_at_locations/{SAL_ID}", "compiled/service_at_location.json"),
    ]:
        validator = schema_validator(schema)
        assert not [e.message for e in validator.iter_errors(get_json(client, url))], url


# Dangling required references --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_service_whose_organization_is_in_neither_the_package_nor_familiebro_is_rejected(
    tmp_path,
):
    package = example_copy(tmp_path, {"services.csv": ORGANIZATION_GONE})

    report = import_dir(package)

    assert [r.describe() for r in report.rejections] == [
        f"services.csv, line 2: service {SERVICE_ID}: organization_id: no organization has the "
        f"id {MISSING_ID} in Familiebro or in this import; import the organization too, or "
        "give it as organization",
        # It names the rejected service, so it cannot be imported either.
        f"service_at_location.csv, line 2: service_at_location {SAL_ID}: service_id: no "
        f"service has the id {SERVICE_ID} in Familiebro or in this import; import the service "
        "too, or give it as service",
    ]
    assert not report.committed and nothing_imported()


@pytest.mark.django_db
def test_a_service_at_location_whose_location_is_missing_is_rejected(tmp_path):
    package = example_copy(
        tmp_path,
        {"service_at_location.csv": (f"{SERVICE_ID},{LOCATION_ID}", f"{SERVICE_ID},{MISSING_ID}")},
    )

    report = import_dir(package)

    assert [r.describe() for r in report.rejections] == [
        f"service_at_location.csv, line 2: service_at_location {SAL_ID}: location_id: no "
        f"location has the id {MISSING_ID} in Familiebro or in this import; import the location "
        "too, or give it as location"
    ]
    assert nothing_imported()


@pytest.mark.django_db
def test_an_attribute_with_an_unknown_term_rejects_the_record_it_belongs_to(tmp_path):
    package = example_copy(
        tmp_path,
        {
            "attributes.csv": (
                f"f28dd44b-0c4d-479f-8e90-4c52219a8b3c,{TERM_ID}",
                f"{SERVICE_ID},{MISSING_ID}",
            )
        },
    )

    report = import_dir(package)

    assert report.rejections[0].describe() == (
        f"services.csv, line 2: service {SERVICE_ID}: attributes[0].taxonomy_term_id: no "
        f"taxonomy term has the id {MISSING_ID} in Familiebro or in this import; import the "
        "term too, or give it as taxonomy_term"
    )
    assert nothing_imported()


@pytest.mark.django_db
def test_partial_imports_what_does_not_depend_on_a_rejected_record(tmp_path):
    package = example_copy(tmp_path, {"services.csv": ORGANIZATION_GONE})

    report = import_dir(package, partial=True)

    assert report.committed
    assert [r.source for r in report.rejections] == [
        "services.csv, line 2",
        "service_at_location.csv, line 2",
    ]
    assert Provider.objects.filter(pk=ORGANIZATION_ID).exists()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_a_reference_to_a_record_already_in_familiebro_is_kept(tmp_path):
    import_dir(CSV_EXAMPLE)
    package = tmp_path / "services-only"
    package.mkdir()
    (package / "services.csv").write_text(
        (CSV_EXAMPLE / "services.csv")
        .read_text(encoding="utf-8")
        .replace("Community Counselling", "Samtaletilbud"),
        encoding="utf-8",
    )

    report = import_dir(package)

    assert report.ok, report.lines()
    assert report.notes[0] == (
        "services-only: there is no datapackage.json; the tables are read by the file names "
        "HSDS 3.0 gives them (organizations.csv, services.csv, …)"
    )
    # The program is not in this package nor one of Familiebro's: that link goes.
    assert report.warnings == [
        f"services.csv, line 2: service {SERVICE_ID}: program_id "
        "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42: no program has this id in this package or in "
        "Familiebro; the reference is dropped and the row imported"
    ]
    offer = Offer.objects.get(pk=SERVICE_ID)
    assert offer.title == "Samtaletilbud" and str(offer.provider_id) == ORGANIZATION_ID


# Broken packages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_table_without_an_id_column_is_refused_and_nothing_is_imported(tmp_path):
    package = example_copy(tmp_path, {"phones.csv": ("id,location_id", "identifier,location_id")})

    report = import_dir(package)

    assert [r.describe() for r in report.rejections] == [
        "phones.csv: the first line has no id column; HSDS tables name each row by its id in a "
        "column called id"
    ]
    assert report.summary() == (
        "Nothing was imported: 1 record(s) were rejected. Correct them and import again."
    )
    assert nothing_imported()


@pytest.mark.django_db
def test_a_table_that_is_not_utf8_is_refused_and_nothing_is_imported(tmp_path):
    package = example_copy(tmp_path)
    (package / "services.csv").write_bytes(
        (CSV_EXAMPLE / "services.csv").read_text(encoding="utf-8").encode("latin-1")
    )

    report = import_dir(package)

    rejection = report.rejections[0]
    assert rejection.source == "services.csv"
    assert rejection.reasons[0].startswith("the file is not UTF-8 text (byte ")
    assert rejection.reasons[0].endswith("save it as UTF-8 (Excel: “CSV UTF-8”) and import again")
    assert nothing_imported()


@pytest.mark.django_db
def test_a_csv_file_hsds_does_not_name_is_refused_and_nothing_is_imported(tmp_path):
    package = example_copy(tmp_path)
    (package / "volunteers.csv").write_text("id,name\n1,Kari\n", encoding="utf-8")

    report = import_dir(package)

    assert [r.describe() for r in report.rejections] == [
        "volunteers.csv: this is not a table of HSDS 3.0's tabular format; name it as HSDS does "
        "(organizations.csv, services.csv, phones.csv, …), list it in datapackage.json, or "
        "remove it"
    ]
    assert nothing_imported()


@pytest.mark.django_db
def test_a_cell_the_schema_wants_as_a_number_is_checked_as_a_number(tmp_path):
    package = example_copy(tmp_path, {"locations.csv": (",100,101,", ",north,101,")})

    report = import_dir(package)

    assert report.rejections[0].describe() == (
        f"locations.csv, line 2: location {LOCATION_ID}: latitude: 'north' is not of type 'number'"
    )
    assert nothing_imported()


@pytest.mark.django_db
def test_two_rows_with_one_id_are_refused(tmp_path):
    line = (CSV_EXAMPLE / "taxonomies.csv").read_text(encoding="utf-8").splitlines()[1]
    package = example_copy(tmp_path, {"taxonomies.csv": (line, f"{line}\n{line}")})

    report = import_dir(package)

    assert [r.describe() for r in report.rejections] == [
        f"taxonomies.csv, line 3: taxonomy {TAXONOMY_ID}: taxonomies.csv, line 2 has the same "
        "id; give each row its own id"
    ]
    assert nothing_imported()


@pytest.mark.django_db
def test_a_usable_datapackage_names_the_files(tmp_path):
    package = example_copy(tmp_path)
    (package / "services.csv").rename(package / "tjenester.csv")
    resources = [{"name": "service", "path": "tjenester.csv", "profile": "tabular-data-resource"}]
    (package / "datapackage.json").write_text(
        json.dumps({"name": "hsds", "resources": resources}), encoding="utf-8"
    )

    report = import_dir(package)

    assert report.ok, report.lines()
    assert not any("datapackage.json" in note for note in report.notes)
    assert report.created["service"] == 1


@pytest.mark.django_db
def test_a_datapackage_that_is_a_broken_symbolic_link_falls_back_to_the_hsds_file_names(
    tmp_path,
):
    package = example_copy(tmp_path)
    (package / "datapackage.json").symlink_to(COPIED_LINK)

    report = import_dir(package)

    assert report.ok and report.created["service"] == 1, report.lines()
    assert report.notes[0] == (
        "datapackage.json is a symbolic link to ../../datapackage.json, which is not there; "
        "the tables are read by the file names HSDS 3.0 gives them (organizations.csv, "
        "services.csv, …)"
    )


@pytest.mark.django_db
def test_a_single_csv_file_is_refused_with_what_to_give_instead():
    report = import_dir(CSV_EXAMPLE / "services.csv")

    assert [r.describe() for r in report.rejections] == [
        "services.csv: a table of HSDS's tabular format is imported with the others it refers "
        "to: give the directory that holds it"
    ]


# The command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_the_csv_example_and_prints_its_warnings(
    capsys, example_with_copied_link
):
    call_command("import-hsds", str(example_with_copied_link))

    output = capsys.readouterr()
    assert "services: 1 new, 0 updated, 0 unchanged" in output.out
    assert "datapackage.json is not a data package description" in output.out
    assert f"attributes.csv, line 2: attribute {ATTRIBUTE_ID}: link_id" in output.err
    assert Offer.objects.filter(pk=SERVICE_ID).exists()


@pytest.mark.django_db
def test_the_command_fails_on_a_broken_package_and_imports_nothing(tmp_path, capsys):
    package = example_copy(tmp_path, {"phones.csv": ("id,location_id", "identifier,location_id")})

    with pytest.raises(CommandError) as raised:
        call_command("import-hsds", str(package))

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        "Nothing was imported: 1 record(s) were rejected. Correct them and import again. "
        "Or use --partial to import the valid ones."
    )
    assert "phones.csv: the first line has no id column" in capsys.readouterr().err
    assert nothing_imported()


@pytest.mark.django_db
def test_tables_saved_by_a_norwegian_excel_with_semicolons_are_read(tmp_path):
    package = example_copy(tmp_path)
    for name in ("services.csv", "organizations.csv"):
        table = list(csv.reader(io.StringIO((CSV_EXAMPLE / name).read_text(encoding="utf-8"))))
        with (package / name).open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, delimiter=";").writerows(table)

    report = import_dir(package)

    assert report.ok, report.lines()
    assert Offer.objects.get(pk=SERVICE_ID).title == "Community Counselling"


@pytest.mark.django_db
def test_a_file_that_is_not_readable_as_csv_says_at_which_line(tmp_path):
    package = example_copy(tmp_path)
    (package / "taxonomies.csv").write_text('id,name\n"unclosed,x\n', encoding="utf-8")

    report = import_dir(package)

    [rejection] = [r for r in report.rejections if r.source == "taxonomies.csv"]
    assert rejection.reasons[0].startswith("not a readable CSV file at line 2 (")
    assert rejection.reasons[0].endswith("); save it again as CSV and import again")
    assert nothing_imported()
