"""What directory users ask of the HSDS API beyond the base description: the Open Referral UK
filters for age, day and time, bulk export as ndjson, and reading it from another origin."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from familiebro.catalogue.models import OpeningHours
from tests.catalogue import factories as cf
from tests.catalogue.test_hsds_api import RESPONSE_SCHEMAS, assert_valid, get


@pytest.fixture
def directory(db):
    """Three offers with ages (months; the upper bound is the birthday the offer ends on) and
    weekly hours, and one with neither."""
    baby = cf.PublishedOfferFactory(title="Babytreff", age_from_months=0, age_to_months=12)
    school = cf.PublishedOfferFactory(title="Skolestart", age_from_months=60, age_to_months=84)
    teens = cf.PublishedOfferFactory(title="Ungdomssamtale", age_from_months=156)
    cf.PublishedOfferFactory(title="Åpen for alle")
    cf.OpeningHoursFactory(
        offer=baby, weekday=OpeningHours.Weekday.TUESDAY, opens_at="09:00", closes_at="11:00"
    )
    cf.OpeningHoursFactory(
        offer=school, weekday=OpeningHours.Weekday.TUESDAY, opens_at="17:00", closes_at="19:00"
    )
    cf.OpeningHoursFactory(
        offer=teens, weekday=OpeningHours.Weekday.SATURDAY, opens_at="12:00", closes_at="15:00"
    )
    for offer in (baby, school, teens):
        offer.locations.add(cf.LocationFactory())


def names(client, query: str, endpoint: str = "services") -> list[str]:
    page = get(client, f"/api/hsds/{endpoint}?{query}", f"/{endpoint}")
    if endpoint == "services":
        return [service["name"] for service in page["contents"]]
    return [sal["service"]["name"] for sal in page["contents"]]


def test_minimum_and_maximum_age_find_services_for_some_age_in_between(client, directory):
    assert names(client, "minimum_age=0&maximum_age=0") == ["Babytreff", "Åpen for alle"]
    # A 1-year-old is past Babytreff (it ends on the first birthday).
    assert names(client, "minimum_age=1&maximum_age=1") == ["Åpen for alle"]
    assert names(client, "minimum_age=6&maximum_age=6") == ["Skolestart", "Åpen for alle"]
    assert names(client, "minimum_age=4&maximum_age=14") == [
        "Skolestart",
        "Ungdomssamtale",
        "Åpen for alle",
    ]
    assert names(client, "minimum_age=13") == ["Ungdomssamtale", "Åpen for alle"]
    assert names(client, "maximum_age=4") == ["Babytreff", "Åpen for alle"]


def test_day_and_time_find_services_open_then(client, directory):
    assert names(client, "day=tuesday") == ["Babytreff", "Skolestart"]
    assert names(client, "day=TU&start_time=16:00") == ["Skolestart"]
    assert names(client, "day=Tuesday&end_time=10:00") == ["Babytreff"]
    # Hours that end at the window's start do not count as open in it.
    assert names(client, "day=tuesday&start_time=11:00&end_time=17:00") == []
    assert names(client, "start_time=13:00&end_time=14:00") == ["Ungdomssamtale"]
    assert names(client, "day=SU") == []


def test_service_at_locations_take_the_same_filters(client, directory):
    assert names(client, "minimum_age=13&day=saturday", "service_at_locations") == [
        "Ungdomssamtale"
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("minimum_age=-1", "minimum_age"),
        ("maximum_age=ti", "maximum_age"),
        ("day=mandag", "day"),
        ("start_time=5", "start_time"),
        ("end_time=25:00", "end_time"),
        ("format=xml", "format"),
    ],
)
def test_bad_filter_values_are_a_422_naming_the_parameter(client, db, query, field):
    response = client.get(f"/api/hsds/services?{query}")

    assert response.status_code == 422
    assert [item["loc"][-1] for item in response.json()["detail"]] == [field]


def ndjson(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    text = b"".join(response.streaming_content).decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize(
    "endpoint", ["services", "service_at_locations", "organizations", "taxonomy_terms"]
)
def test_ndjson_streams_every_record_of_every_page_as_the_pages_have_them(
    client, directory, endpoint, monkeypatch
):
    # Small chunks, so the export has to read more than one.
    monkeypatch.setattr("familiebro.catalogue.hsds.queries.NDJSON_CHUNK", 2)
    records = ndjson(client, f"/api/hsds/{endpoint}?format=ndjson&per_page=1&page=3")

    everything = get(client, f"/api/hsds/{endpoint}?per_page=200")
    assert records == everything["contents"]
    assert len(records) == everything["total_items"] > 2
    # Each line is an item of the page: the same official schema holds it.
    assert_valid(f"/{endpoint}", {**everything, "contents": records})


def test_ndjson_takes_the_filters(client, directory):
    records = ndjson(client, "/api/hsds/services?format=ndjson&minimum_age=13")

    assert [record["name"] for record in records] == ["Ungdomssamtale", "Åpen for alle"]
    assert ndjson(client, "/api/hsds/services?format=ndjson&search=xylofon") == []


def test_ndjson_full_services_validate_one_by_one(client, directory):
    from familiebro.catalogue.hsds.schemas import schema_validator

    records = ndjson(client, "/api/hsds/services?format=ndjson&full=true")

    assert len(records) == 4
    for record in records:
        assert not list(schema_validator("compiled/service.json").iter_errors(record))


@pytest.mark.parametrize(
    "url",
    [
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/services?format=ndjson",
        "/api/hsds/services/00000000-0000-0000-0000-000000000000",
        "/api/hsds/services?minimum_age=x",
        "/api/openapi.json",
    ],
)
def test_the_public_api_may_be_read_from_any_origin(client, db, url):
    response = client.get(url, headers={"Origin": "https://katalog.example"})

    assert response["Access-Control-Allow-Origin"] == "*"


def test_nothing_else_is_opened_to_other_origins(client, db):
    for url in ["/api/privacy/persons/1/access-log", "/finn-hjelp/", "/api/portal/"]:
        response = client.get(url, headers={"Origin": "https://katalog.example"})
        assert "Access-Control-Allow-Origin" not in response, url


@override_settings(HSDS_PROFILE_URL="https://example.org/hsds-profil")
def test_an_instance_names_its_own_profile(client, db):
    data = get(client, "/api/hsds/", "/")

    assert data["profile"] == "https://example.org/hsds-profil"


def test_the_new_parameters_are_in_the_openapi_description(client, db):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/hsds/services"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}

    assert {"minimum_age", "maximum_age", "day", "start_time", "end_time", "format"} <= parameters
    assert "application/x-ndjson" in operation["responses"]["200"]["content"]
    assert RESPONSE_SCHEMAS["/"]
