"""Importing HSDS 3.0 directories: the official examples, broken files, and partial imports."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familiebro.catalogue.hsds.files import import_hsds_paths
from familiebro.catalogue.hsds.importer import import_hsds_records
from familiebro.catalogue.hsds.patch import apply_patch, make_patch, same_json
from familiebro.catalogue.hsds.records import ImportReport
from familiebro.catalogue.hsds.render import export_offers_as_hsds
from familiebro.catalogue.hsds.schemas import schema_dir, schema_validator
from familiebro.catalogue.models import Location, Offer, Provider, Taxonomy, TaxonomyTerm
from tests.catalogue import factories as cf

EXAMPLES = schema_dir().parent / "examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
TAXONOMY_ID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"


@pytest.fixture(autouse=True)
def _english():
    # The messages are compared as written (the English msgids), whatever is translated.
    with translation.override("en"):
        yield


def example(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def import_files(*paths: Path, partial: bool = False) -> ImportReport:
    return import_hsds_paths(list(paths), partial=partial)


def get_json(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def without_last_modified(record):
    """HSDS computes last_modified ("when the service … has changed"): Familiebro gives the
    time its copy changed, which is the import. Everything else must come back as it went in."""
    record = copy.deepcopy(record)

    def strip(value):
        if isinstance(value, dict):
            value.pop("last_modified", None)
            for item in value.values():
                strip(item)
        elif isinstance(value, list):
            for item in value:
                strip(item)

    strip(record)
    return record


def assert_same_json(actual, expected):
    assert same_json(without_last_modified(actual), without_last_modified(expected)), json.dumps(
        actual, indent=1, sort_keys=True
    )


# The official examples --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_full_service_example_comes_back_as_it_went_in(client):
    report = import_files(EXAMPLES / "service_full.json")

    assert report.ok and report.committed, report.lines()
    assert report.created["service"] == 1
    returned = get_json(client, f"/api/hsds/services/{SERVICE_ID}")
    assert_same_json(returned, example("service_full.json"))
    # The one computed difference: when Familiebro's copy last changed, i.e. the import.
    imported_at = datetime.datetime.fromisoformat(returned["last_modified"].replace("Z", "+00:00"))
    assert timezone.now() - imported_at < datetime.timedelta(minutes=5)


@pytest.mark.django_db
def test_the_full_organization_example_comes_back_with_its_full_services(client):
    report = import_files(EXAMPLES / "organization_full.json")

    assert report.ok, report.lines()
    returned = get_json(client, f"/api/hsds/organizations/{ORGANIZATION_ID}?full_service=true")
    assert_same_json(returned, example("organization_full.json"))


@pytest.mark.django_db
def test_the_full_service_at_location_example_comes_back_as_it_went_in(client):
    report = import_files(EXAMPLES / "service_at_location_full.json")

    assert report.ok, report.lines()
    returned = get_json(client, f"/api/hsds/service_at_locations/{SAL_ID}")
    assert_same_json(returned, example("service_at_location_full.json"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "url"),
    [
        ("service_list.json", "/api/hsds/services"),
        ("organization_list.json", "/api/hsds/organizations"),
        ("service_at_location_list.json", "/api/hsds/service_at_locations"),
        # Familiebro's own two vocabularies are there too: search for the example's.
        ("taxonomy_list.json", "/api/hsds/taxonomies?search=name"),
    ],
)
def test_list_page_examples_come_back_as_the_same_records(client, file, url):
    report = import_files(EXAMPLES / file)

    assert report.ok, report.lines()
    page = get_json(client, url)
    # The page counts are computed: the example claims 10 records in 10 pages.
    assert page["total_items"] == 1
    assert_same_json(page["contents"], example(file)["contents"])


@pytest.mark.django_db
def test_the_taxonomy_term_list_example_comes_back_among_the_seeded_terms(client):
    report = import_files(EXAMPLES / "taxonomy_term_list.json")

    assert report.ok, report.lines()
    page = get_json(client, f"/api/hsds/taxonomy_terms?taxonomy_id={TAXONOMY_ID}")
    assert_same_json(page["contents"], example("taxonomy_term_list.json")["contents"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "url"),
    [
        ("taxonomy.json", f"/api/hsds/taxonomies/{TAXONOMY_ID}"),
        ("taxonomy_term.json", f"/api/hsds/taxonomy_terms/{TERM_ID}"),
    ],
)
def test_single_taxonomy_examples_come_back_as_they_went_in(client, file, url):
    report = import_files(EXAMPLES / file)

    assert report.ok, report.lines()
    assert_same_json(get_json(client, url), example(file))


@pytest.mark.django_db
def test_the_location_example_comes_back_inside_its_service(client):
    # HSDS has no /locations endpoint: a location is read through the services given there.
    import_files(EXAMPLES / "service_full.json")
    report = import_files(EXAMPLES / "location.json")

    assert report.ok and report.updated["location"] == 1, report.lines()
    service = get_json(client, f"/api/hsds/services/{SERVICE_ID}")
    assert_same_json(service["service_at_locations"][0]["location"], example("location.json"))


@pytest.mark.django_db
def test_the_whole_examples_directory_imports_every_file(client):
    report = import_files(EXAMPLES, partial=True)

    assert report.committed
    assert report.rejections == []
    assert any("base.json" in note for note in report.notes)
    # organization_full.json, read first, holds the service; service_full.json and
    # service_list.json then say nothing new about it.
    assert report.created["organization"] == 1 and report.unchanged["service"] == 2
    assert Offer.objects.get(pk=SERVICE_ID).status == Offer.Status.PUBLISHED
    assert get_json(client, "/api/hsds/services")["total_items"] == 1
    # What is read back is valid HSDS, whichever file last said what.
    for url, schema in [
        (f"/api/hsds/services/{SERVICE_ID}", "compiled/service.json"),
        (f"/api/hsds/organizations/{ORGANIZATION_ID}", "compiled/organization.json"),
        (f"/api/hsds/service_at_locations/{SAL_ID}", "compiled/service_at_location.json"),
        (f"/api/hsds/taxonomy_terms/{TERM_ID}", "taxonomy_term.json"),
    ]:
        errors = [e.message for e in schema_validator(schema).iter_errors(get_json(client, url))]
        assert not errors, (url, errors)
    # The files disagree on the location's external identifier; the last file read wins.
    location = get_json(client, f"/api/hsds/service_at_locations/{SAL_ID}")["location"]
    assert location["external_identifier_type"] == "UPRN"


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(client):
    import_files(EXAMPLES / "service_full.json")
    modified = Offer.objects.get().updated_at
    report = import_files(EXAMPLES / "service_full.json")

    assert report.unchanged["service"] == 1 and not report.created and not report.updated
    assert "services: 0 new, 0 updated, 1 unchanged" in report.summary()
    assert Offer.objects.get().updated_at == modified
    assert_same_json(
        get_json(client, f"/api/hsds/services/{SERVICE_ID}"), example("service_full.json")
    )


@pytest.mark.django_db
def test_importing_a_changed_record_updates_the_service_by_its_id(client, tmp_path):
    import_files(EXAMPLES / "service_full.json")
    changed = example("service_full.json")
    changed["name"] = "Samtaletilbud"
    changed["phones"] = []
    changed["status"] = "defunct"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(changed), encoding="utf-8")

    report = import_files(path)

    assert report.updated["service"] == 1
    offer = Offer.objects.get(pk=SERVICE_ID)
    assert (offer.title, offer.status) == ("Samtaletilbud", Offer.Status.RETIRED)
    # The contact person's phone is still there; the service's own list is empty now.
    assert offer.contact_phone == '"+44 1234 234567"'
    assert client.get(f"/api/hsds/services/{SERVICE_ID}").status_code == 404
    [exported] = export_offers_as_hsds([offer])
    assert_same_json(exported, changed)


@pytest.mark.django_db
def test_an_imported_service_is_found_by_the_finder_fields_familiebro_models():
    import_files(EXAMPLES / "service_full.json")

    offer = Offer.objects.get(pk=SERVICE_ID)
    assert offer.title == "Community Counselling"
    assert offer.unit is None
    assert offer.provider.name == "Example Organization Inc."
    # 100 years is "no upper limit": the editor's limit of 25 years is kept (the API still
    # says 100, as imported).
    assert (offer.age_from_months, offer.age_to_months) == (144, 300)
    assert offer.contact_email == "email@example.com"
    assert offer.contact_name == "Ann Persona"
    assert offer.languages == " ur "
    assert offer.is_free is False
    assert offer.cost.startswith("Non-NHS patients")
    assert list(offer.locations.values_list("pk", flat=True)) == [
        Location.objects.get(pk=LOCATION_ID).pk
    ]
    assert list(offer.topics.values_list("pk", flat=True)) == [
        TaxonomyTerm.objects.get(pk=TERM_ID).pk
    ]
    assert "Counselling" in offer.search_document


@pytest.mark.django_db
def test_an_imported_service_is_stored_without_direction_controls():
    # An override would show "Counselling" reversed; an isolate is invisible (core/text.py).
    record = example("service_full.json")
    record["name"] = "Community \u202eCounselling\u202c"
    record["description"] = "دورة للأزواج \u2067الذين\u2069 أصبحوا آباء"

    report = import_hsds_records([record], partial=False)

    assert not report.rejections, report.rejections
    offer = Offer.objects.get(pk=SERVICE_ID)
    assert offer.title == "Community Counselling"
    assert offer.description == "دورة للأزواج الذين أصبحوا آباء"


# A record Familiebro changed after importing it -------------------------------------------------


@pytest.mark.django_db
def test_a_change_made_in_familiebro_wins_over_the_imported_value(client):
    import_files(EXAMPLES / "service_full.json")
    Offer.objects.filter(pk=SERVICE_ID).update(contact_phone="+4790000000", title="Samtaler")

    service = get_json(client, f"/api/hsds/services/{SERVICE_ID}")

    assert service["name"] == "Samtaler"
    phone = service["phones"][0]
    # The number is Familiebro's now; what it does not model about the phone is kept.
    assert phone["number"] == "+4790000000"
    assert phone["id"] == "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
    assert phone["extension"] == 100
    assert service["alternate_name"] == "MyCity Counselling Services"


@pytest.mark.django_db
def test_a_field_familiebro_cannot_hold_exactly_still_comes_back_exactly(client, tmp_path):
    record = example("service_full.json")
    record["minimum_age"] = 2.4  # 28.8 months: Familiebro keeps 29
    record["schedules"][0] = {
        "id": "8d4a3a53-6a53-4cf0-9d60-3ba8d0b5a111",
        "freq": "WEEKLY",
        "byday": "TU,TH",
        "opens_at": "18:00:00",
        "closes_at": "20:00:00",
    }
    path = tmp_path / "service.json"
    path.write_text(json.dumps(record), encoding="utf-8")

    import_files(path)

    offer = Offer.objects.get(pk=SERVICE_ID)
    assert offer.age_from_months == 29
    assert [(h.weekday, f"{h.opens_at:%H:%M}") for h in offer.opening_hours.all()] == [
        (1, "18:00"),
        (3, "18:00"),
    ]
    assert offer.open_evenings
    assert_same_json(get_json(client, f"/api/hsds/services/{SERVICE_ID}"), record)


# Broken files -----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_invalid_json_is_reported_with_where_it_breaks(tmp_path):
    path = write(tmp_path, "services.json", '{"id": "x",\n  "name": }')

    report = import_files(path)

    assert not report.ok and not report.committed
    assert report.rejections[0].describe() == (
        "services.json: not valid JSON: Expecting value at line 2, column 11"
    )


@pytest.mark.django_db
def test_numbers_json_does_not_have_are_refused(tmp_path):
    path = write(tmp_path, "locations.json", '{"id": "x", "latitude": NaN}')

    report = import_files(path)

    assert report.rejections[0].describe() == (
        "locations.json: not valid JSON: NaN is not a number in JSON"
    )


@pytest.mark.django_db
def test_records_missing_required_fields_or_with_wrong_types_are_rejected_by_field(tmp_path):
    good = example("service_full.json")
    missing_name = {"id": "5b0b7a07-6c35-4f64-8b0a-4fd1bd04c8a3", "status": "active"}
    wrong_types = copy.deepcopy(good)
    wrong_types["id"] = "0c3f4fa4-1a55-4b0e-9a43-1a8b0f8f3f11"
    wrong_types["minimum_age"] = "twelve"
    wrong_types["phones"][0].pop("number")
    wrong_types["status"] = "open"
    path = write(tmp_path, "services.json", [good, missing_name, wrong_types])

    report = import_files(path)

    assert not report.committed
    assert [(r.source, r.record_id) for r in report.rejections] == [
        ("services.json, item 2", missing_name["id"]),
        ("services.json, item 3", wrong_types["id"]),
    ]
    assert report.rejections[0].reasons == ("the record: 'name' is a required property",)
    assert report.rejections[1].reasons == (
        "minimum_age: 'twelve' is not of type 'number'",
        "phones[0]: 'number' is a required property",
        "status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
    )
    # All or nothing: the valid record was not imported either.
    assert not Offer.objects.exists() and not Provider.objects.exists()


@pytest.mark.django_db
def test_an_unknown_taxonomy_term_reference_is_rejected_and_nothing_is_half_imported(tmp_path):
    record = example("service_full.json")
    record["attributes"] = [
        {
            "id": "f0b8c84e-0a2b-4a0f-a1a5-5b9d4b7f0c01",
            "taxonomy_term_id": "7a3e1d8e-1f3c-4b2a-9d55-0f4c6f1e2a10",
        }
    ]
    path = write(tmp_path, "service.json", record)

    report = import_files(path)

    assert report.rejections[0].describe() == (
        f"service.json: service {SERVICE_ID}: attributes[0].taxonomy_term_id: no taxonomy term "
        "has the id 7a3e1d8e-1f3c-4b2a-9d55-0f4c6f1e2a10 in Familiebro or in this import; "
        "import the term too, or give it as taxonomy_term"
    )
    # The organization and location nested in the service were rolled back with it.
    assert not Provider.objects.exists() and not Location.objects.exists()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_an_unknown_taxonomy_is_rejected(tmp_path):
    term = {
        "id": "2f1c7a9e-3c3b-4f0e-8c11-8d7c3a6e0b55",
        "name": "Søvn",
        "description": "",
        "taxonomy_id": "9c0f3f7e-1111-4a4a-8b8b-2c2c2c2c2c2c",
    }
    report = import_files(write(tmp_path, "taxonomy_terms.json", [term]))

    assert report.rejections[0].reasons == (
        "taxonomy_id: no taxonomy has the id 9c0f3f7e-1111-4a4a-8b8b-2c2c2c2c2c2c in "
        "Familiebro or in this import; import the taxonomy too, or give it as taxonomy_detail",
    )
    assert not TaxonomyTerm.objects.filter(pk=term["id"]).exists()


@pytest.mark.django_db
def test_a_service_without_its_organization_is_rejected(tmp_path):
    record = {"id": "f3a1e6f4-8f41-4d6e-b8e5-59a0a0c0b0c1", "name": "Babysang", "status": "active"}

    report = import_files(write(tmp_path, "services.json", [record]))

    assert report.rejections[0].reasons == (
        "organization: a new service needs its organization: give organization or organization_id",
    )


@pytest.mark.django_db
def test_a_file_that_is_not_hsds_records_says_so(tmp_path):
    report = import_files(write(tmp_path, "services.json", "[1, 2]"))

    assert [r.describe() for r in report.rejections] == [
        "services.json, item 1: service: a record must be a JSON object, not int",
        "services.json, item 2: service: a record must be a JSON object, not int",
    ]


@pytest.mark.django_db
def test_the_tabular_format_as_one_json_file_imports_like_its_csv_tables(client):
    report = import_files(EXAMPLES / "tabular.json")

    assert report.committed
    assert report.rejections == []
    assert report.created["service"] == 1 and report.created["organization"] == 1
    # The same references to rows the example does not have as its CSV directory.
    assert any("link_id" in warning for warning in report.warnings)
    service_id = json.loads((EXAMPLES / "tabular.json").read_text())["services.csv"][0]["id"]
    assert get_json(client, f"/api/hsds/services/{service_id}")["name"] == "Community Counselling"


# Partial imports --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_partial_imports_the_valid_records_and_reports_the_rest(tmp_path):
    good = example("service_full.json")
    bad = {"id": "5b0b7a07-6c35-4f64-8b0a-4fd1bd04c8a3", "name": "Uten status"}
    broken_file = write(tmp_path, "organizations.json", "{")
    path = write(tmp_path, "services.json", [good, bad])

    report = import_files(path, broken_file, partial=True)

    assert report.committed and report.created["service"] == 1
    assert [r.source for r in report.rejections] == ["organizations.json", "services.json, item 2"]
    assert Offer.objects.filter(pk=SERVICE_ID).exists()
    assert "2 record(s) were rejected and not imported." in report.summary()


@pytest.mark.django_db
def test_partial_rolls_back_a_record_that_fails_halfway(tmp_path):
    record = example("service_full.json")
    record["attributes"][0] = {
        "id": "f0b8c84e-0a2b-4a0f-a1a5-5b9d4b7f0c01",
        "taxonomy_term_id": "7a3e1d8e-1f3c-4b2a-9d55-0f4c6f1e2a10",
    }
    taxonomy = example("taxonomy.json")
    path = write(tmp_path, "services.json", [record])
    taxonomy_path = write(tmp_path, "taxonomy.json", taxonomy)

    report = import_files(path, taxonomy_path, partial=True)

    assert report.created["taxonomy"] == 1 and len(report.rejections) == 1
    assert Taxonomy.objects.filter(pk=TAXONOMY_ID).exists()
    # Its organization was written before the bad attribute was reached, and rolled back.
    assert not Provider.objects.exists() and not Offer.objects.exists()


# The command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_says_what_it_did(capsys):
    call_command("import-hsds", str(EXAMPLES / "service_full.json"))

    out = capsys.readouterr().out
    assert "services: 1 new, 0 updated, 0 unchanged" in out
    assert Offer.objects.filter(pk=SERVICE_ID).exists()


@pytest.mark.django_db
def test_the_command_fails_with_every_rejection_on_stderr(tmp_path, capsys):
    path = write(tmp_path, "services.json", [{"id": "not-a-uuid", "name": "X", "status": "active"}])

    with pytest.raises(CommandError) as raised:
        call_command("import-hsds", str(path))

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        "Nothing was imported: 1 record(s) were rejected. Correct them and import again. "
        "Or use --partial to import the valid ones."
    )
    assert "services.json, item 1: service not-a-uuid: id: 'not-a-uuid' is not a 'uuid'" in (
        capsys.readouterr().err
    )


@pytest.mark.django_db
def test_the_command_with_partial_still_fails_when_something_was_rejected(tmp_path):
    path = write(tmp_path, "services.json", [example("service_full.json"), {"id": "x"}])

    with pytest.raises(CommandError):
        call_command("import-hsds", "--partial", str(path))

    assert Offer.objects.filter(pk=SERVICE_ID).exists()


# The editor's per-unit export and import ---------------------------------------------------------


@pytest.mark.django_db
def test_a_units_offers_round_trip_through_export_and_import(client):
    offer = cf.OfferFactory(
        status=Offer.Status.DRAFT,
        age_from_months=-9,
        age_to_months=12,
        languages=" nb ar ",
        contact_name="Kari Nordmann",
        contact_title="Helsesykepleier",
        phone_hours="Man–fre 9–11",
    )
    offer.topics.add(cf.topic("couple-relationship"))
    offer.target_groups.add(cf.target_group("fathers"))
    cf.OpeningHoursFactory(offer=offer)
    cf.OfferSessionFactory(offer=offer)
    exported = export_offers_as_hsds(Offer.objects.filter(unit=offer.unit))
    Offer.objects.filter(pk=offer.pk).update(title="Endret", contact_phone="")

    report = import_hsds_records(exported, partial=False, unit=offer.unit)

    assert report.ok and report.updated["service"] == 1, report.lines()
    offer.refresh_from_db()
    assert offer.title.startswith("Foreldrekurs") and offer.contact_phone == "+4762000000"
    assert offer.status == Offer.Status.DRAFT
    # Pregnancy has no HSDS age: it comes back as from birth.
    assert offer.age_from_months == 0
    again = export_offers_as_hsds(Offer.objects.filter(unit=offer.unit))
    assert_same_json(again, exported)


@pytest.mark.django_db
def test_a_unit_cannot_import_over_another_units_offer():
    other = cf.OfferFactory()
    exported = export_offers_as_hsds([other])
    unit = cf.OfferFactory().unit

    report = import_hsds_records(exported, partial=False, unit=unit)

    assert not report.ok
    assert "is another unit's offer" in report.rejections[0].describe()


@pytest.mark.django_db
def test_a_unit_imports_only_services():
    unit = cf.OfferFactory().unit

    report = import_hsds_records([example("organization_full.json")], partial=True, unit=unit)

    assert report.rejections[0].reasons == ("only services can be imported into a unit's offers",)


# What Familiebro does not model is kept as a patch ----------------------------------------------

# Scalars that JSON tells apart although Python finds some of them equal (1, 1.0, True).
json_values = st.recursive(
    st.sampled_from([None, True, False, 0, 1, 1.0, "", "1", "a"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "a", "b"]), inner, max_size=3)
    ),
    max_leaves=8,
)
records = st.dictionaries(st.sampled_from(["id", "a", "b", "c", "d"]), json_values, max_size=5)
item_lists = st.lists(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["1", "2", "3", "4"])}, optional={"x": json_values}
    ),
    max_size=4,
    unique_by=lambda item: item["id"],
)


# Generation is fast; a loaded machine (parallel tests) can still stall one draw for a second.
patch_settings = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@patch_settings
@given(original=records, generated=records)
def test_a_patch_turns_what_familiebro_generates_back_into_the_record(original, generated):
    patch = make_patch(original, generated)

    assert same_json(apply_patch(generated, patch), original)


@patch_settings
@given(original=item_lists, generated=item_lists)
def test_a_patch_turns_lists_of_items_back_into_the_records_list(original, generated):
    patch = make_patch({"items": original}, {"items": generated})

    assert same_json(apply_patch({"items": generated}, patch), {"items": original})


@pytest.mark.django_db
def test_a_data_package_description_given_alone_says_to_import_its_directory(tmp_path):
    package = tmp_path / "datapackage.json"
    package.write_text(json.dumps({"resources": [{"name": "service", "path": "services.csv"}]}))
    report = import_files(package)
    assert [r.describe() for r in report.rejections] == [
        "datapackage.json: this describes a data package, it holds no records; import the "
        "directory of its CSV files (organizations.csv, services.csv, …) instead"
    ]
    assert not report.committed
