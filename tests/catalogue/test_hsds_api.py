"""The public HSDS 3.0 API: every response validates against the official schemas."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from familiebro.catalogue.hsds import schemas
from familiebro.catalogue.hsds.ids import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    ORGANIZATION_LIST_FIELDS,
    SERVICE_LIST_FIELDS,
    derived_id,
    service_at_location_id,
)
from familiebro.catalogue.hsds.schemas import SCHEMA_BASE_URI, schema_validator
from familiebro.catalogue.models import Offer, OpeningHours, Programme
from familiebro.catalogue.programme_data import taxonomy_id
from tests import factories
from tests.catalogue import factories as cf

OPENAPI = SCHEMA_BASE_URI + "openapi.json"

# The response schema of each path, as HSDS's OpenAPI description gives it, except
# /service_at_locations/{id}: the description names compiled/service.json, contradicting its
# own summary ("fully nested service_at_location"); the service_at_location schema is used.
RESPONSE_SCHEMAS = {
    "/": f"{OPENAPI}#/paths/~1/get/responses/200/content/application~1json/schema",
    "/services": f"{OPENAPI}#/paths/~1services/get/responses/200/content/application~1json/schema",
    "/services/{id}": "compiled/service.json",
    "/organizations": (
        f"{OPENAPI}#/paths/~1organizations/get/responses/200/content/application~1json/schema"
    ),
    "/organizations/{id}": "compiled/organization.json",
    "/service_at_locations": (
        f"{OPENAPI}#/paths/~1service_at_locations/get/responses/200/content/"
        "application~1json/schema"
    ),
    "/service_at_locations/{id}": "compiled/service_at_location.json",
    "/taxonomies": (
        f"{OPENAPI}#/paths/~1taxonomies/get/responses/200/content/application~1json/schema"
    ),
    "/taxonomies/{id}": "taxonomy.json",
    "/taxonomy_terms": (
        f"{OPENAPI}#/paths/~1taxonomy_terms/get/responses/200/content/application~1json/schema"
    ),
    "/taxonomy_terms/{id}": "taxonomy_term.json",
}
PAGE_FIELDS = {
    "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
    "contents",
}  # fmt: skip


def assert_valid(path: str, data, item_schema: str | None = None) -> None:
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in schema_validator(RESPONSE_SCHEMAS[path]).iter_errors(data)
    ]
    assert not errors, errors
    if "{id}" not in path and path != "/":
        # The Page schema has no required fields: check the shape, and every item in full.
        assert set(data) == PAGE_FIELDS
        if item_schema is not None:
            for item in data["contents"]:
                errors = [e.message for e in schema_validator(item_schema).iter_errors(item)]
                assert not errors, errors


def get(client, url: str, path: str | None = None, item_schema: str | None = None):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    if path is not None:
        assert_valid(path, data, item_schema)
    return data


def realistic_offer(**overrides) -> Offer:
    """A published offer with everything HSDS can say about it."""
    municipality = factories.MunicipalityFactory(name="Hamar", county="Innlandet")
    location = cf.LocationFactory(
        name="Familiens hus Hamar",
        municipality=municipality,
        latitude=Decimal("60.794533"),
        longitude=Decimal("11.067998"),
        accessibility="Trinnfri inngang og heis.",
    )
    fields = {
        "title": "Godt samliv – kurs for par",
        "summary": "Kurs for par som har fått barn.",
        "description": "Et kurs over fire kvelder for par som er blitt foreldre.",
        "programme": Programme.objects.get(slug="godt-samliv"),
        "topics": [cf.topic("couple-relationship")],
        "target_groups": [cf.target_group("first-time-parents"), cf.target_group("couples")],
        "municipalities": [municipality],
        "locations": [location],
        "age_from_months": -9,
        "age_to_months": 18,
        "languages": " nb ar ",
        "is_free": False,
        "cost": "200 kroner per par for hele kurset.",
        "how_to_sign_up": "Ring eller send e-post til helsestasjonen.",
        "contact_name": "Kari Nordmann",
        "contact_title": "Helsesykepleier",
        "contact_email": "kari.nordmann@hamar.kommune.no",
        "contact_phone": "+4762500000",
        "phone_hours": "Mandag til fredag 9–11",
        "url": "https://www.hamar.kommune.no/godt-samliv",
    }
    fields.update(overrides)
    offer = cf.PublishedOfferFactory(**fields)
    cf.OfferTranslationFactory(
        offer=offer,
        language="ar",
        title="عيش مشترك جيد",
        description="دورة للأزواج الذين أصبحوا آباء.",
    )
    for weekday in (OpeningHours.Weekday.TUESDAY, OpeningHours.Weekday.THURSDAY):
        cf.OpeningHoursFactory(offer=offer, weekday=weekday, opens_at="09:00", closes_at="11:00")
    cf.OpeningHoursFactory(
        offer=offer,
        weekday=OpeningHours.Weekday.SATURDAY,
        opens_at="10:00",
        closes_at="12:00",
        note="Åpen barnehage",
    )
    starts = timezone.make_aware(datetime.datetime(2030, 3, 5, 18, 0))
    cf.OfferSessionFactory(
        offer=offer, title="Første kveld", starts_at=starts, ends_at=starts.replace(hour=21)
    )
    return offer


@pytest.fixture
def offer(db) -> Offer:
    return realistic_offer()


# Every endpoint, list and single ----------------------------------------------------------------


def test_the_api_says_which_hsds_it_speaks(client, db):
    data = get(client, "/api/hsds/", "/")

    assert data == {
        "version": "3.0",
        "profile": "https://github.com/openreferral/specification/tree/3.0",
        "openapi_url": "http://testserver/api/openapi.json",
    }
    # HSDS 3.0 asks the root for all three (examples/base.json has them); each a URI where
    # the description says so.
    example = json.loads((schemas.schema_dir().parent / "examples" / "base.json").read_text())
    assert set(data) == set(example)


def test_services_list_validates_and_shows_what_a_consumer_needs(client, offer):
    page = get(client, "/api/hsds/services", "/services", "compiled/service_list.json")

    assert page["total_items"] == 1 and page["first_page"] and page["last_page"]
    [service] = page["contents"]
    assert service["id"] == str(offer.pk)
    assert service["name"] == "Godt samliv – kurs for par"
    assert service["status"] == "active"
    assert service["organization"]["name"] == offer.provider.name
    assert service["program"]["name"] == "Godt samliv"
    # Pregnancy has no HSDS age: "from birth".
    assert (service["minimum_age"], service["maximum_age"]) == (0, 1.5)
    assert "phones" not in service


def test_full_services_list_validates_against_the_full_schema(client, offer):
    get(client, "/api/hsds/services?full=true", "/services", "compiled/service.json")


def test_minimal_services_list_validates(client, offer):
    page = get(client, "/api/hsds/services?minimal=true", "/services", "compiled/service_list.json")

    assert set(page["contents"][0]) == {"id", "name", "status", "last_modified"}


def test_a_service_is_fully_nested_and_validates(client, offer):
    service = get(client, f"/api/hsds/services/{offer.pk}", "/services/{id}")

    assert service["email"] == "kari.nordmann@hamar.kommune.no"
    assert service["application_process"] == "Ring eller send e-post til helsestasjonen."
    assert service["fees_description"] == "200 kroner per par for hele kurset."
    assert "cost_options" not in service
    assert service["phones"] == [
        {
            "id": derived_id(offer.pk, "phone"),
            "number": "+4762500000",
            "description": "Mandag til fredag 9–11",
        }
    ]
    [contact] = service["contacts"]
    assert (contact["name"], contact["title"]) == ("Kari Nordmann", "Helsesykepleier")
    assert [language["code"] for language in service["languages"]] == ["nb", "ar"]
    assert [area["name"] for area in service["service_areas"]] == ["Hamar"]
    terms = [a["taxonomy_term"]["name"] for a in service["attributes"]]
    # Topics first, then target groups.
    assert terms == ["Parforhold", "Førstegangsforeldre", "Par"]
    assert service["organization"]["id"] == str(offer.provider_id)
    [sal] = service["service_at_locations"]
    assert sal["id"] == service_at_location_id(offer.pk, offer.locations.get().pk)
    assert sal["location"]["addresses"][0]["state_province"] == "Innlandet"
    assert sal["location"]["latitude"] == 60.794533


def test_opening_hours_and_sessions_are_schedules(client, offer):
    service = get(client, f"/api/hsds/services/{offer.pk}", "/services/{id}")

    weekly, saturday, session = service["schedules"]
    assert weekly == {
        "id": weekly["id"],
        "freq": "WEEKLY",
        "byday": "TU,TH",
        "opens_at": "09:00",
        "closes_at": "11:00",
    }
    assert (saturday["byday"], saturday["notes"]) == ("SA", "Åpen barnehage")
    assert session == {
        "id": str(offer.sessions.get().pk),
        "dtstart": "2030-03-05",
        "until": "2030-03-05",
        "opens_at": "18:00+01:00",
        "closes_at": "21:00+01:00",
        "description": "Første kveld",
    }


def test_translations_do_not_replace_the_bokmal_original(client, offer):
    service = get(client, f"/api/hsds/services/{offer.pk}", "/services/{id}")

    assert service["name"] == "Godt samliv – kurs for par"
    assert "عيش" not in str(service)


def test_a_free_offer_has_a_zero_cost_option(client, db):
    offer = realistic_offer(is_free=True, cost="")

    service = get(client, f"/api/hsds/services/{offer.pk}", "/services/{id}")

    assert service["cost_options"] == [
        {"id": derived_id(offer.pk, "cost:free"), "amount": 0, "currency": "NOK"}
    ]
    assert "fees_description" not in service


def test_organizations_list_and_full_variants_validate(client, offer):
    get(client, "/api/hsds/organizations", "/organizations", "compiled/organization_list.json")
    page = get(
        client,
        "/api/hsds/organizations?full=true&full_service=true",
        "/organizations",
        "compiled/organization.json",
    )
    assert page["contents"][0]["services"][0]["service_at_locations"]


def test_an_organization_validates_with_simple_and_full_services(client, offer):
    url = f"/api/hsds/organizations/{offer.provider_id}"
    simple = get(client, url, "/organizations/{id}")
    full = get(client, url + "?full_service=true", "/organizations/{id}")

    assert simple["services"][0]["id"] == str(offer.pk)
    assert "schedules" not in simple["services"][0]
    assert full["services"][0]["schedules"]
    assert simple["organization_identifiers"] == [
        {
            "id": derived_id(offer.provider_id, "org_number"),
            "identifier_scheme": "NO-BRC",
            "identifier_type": "Organisasjonsnummer",
            "identifier": offer.unit.organisation.org_number,
        }
    ]


def test_service_at_locations_list_and_single_validate(client, offer):
    page = get(
        client,
        "/api/hsds/service_at_locations",
        "/service_at_locations",
        "compiled/service_at_location_list.json",
    )
    get(
        client,
        "/api/hsds/service_at_locations?full=true",
        "/service_at_locations",
        "compiled/service_at_location.json",
    )
    [sal] = page["contents"]
    single = get(
        client, f"/api/hsds/service_at_locations/{sal['id']}", "/service_at_locations/{id}"
    )

    assert single["service"]["id"] == str(offer.pk)
    assert single["location"]["name"] == "Familiens hus Hamar"


def test_taxonomies_list_and_single_validate(client, db):
    page = get(client, "/api/hsds/taxonomies", "/taxonomies", "taxonomy.json")
    single = get(client, f"/api/hsds/taxonomies/{page['contents'][0]['id']}", "/taxonomies/{id}")

    assert [t["name"] for t in page["contents"]] == ["Målgruppe", "Tema"]
    assert single == page["contents"][0]


def test_taxonomy_terms_list_and_single_validate(client, db):
    page = get(
        client, "/api/hsds/taxonomy_terms?per_page=200", "/taxonomy_terms", "taxonomy_term.json"
    )
    term = cf.topic("couple-relationship")
    single = get(client, f"/api/hsds/taxonomy_terms/{term.pk}", "/taxonomy_terms/{id}")

    assert page["total_items"] == page["size"] > 30
    assert single["name"] == "Parforhold"
    assert single["code"] == "couple-relationship"
    assert single["taxonomy_detail"]["name"] == "Tema"


# Drafts and retired offers ----------------------------------------------------------------------


def test_drafts_and_retired_offers_never_appear(client, offer):
    draft = realistic_offer(title="Utkast", status=Offer.Status.DRAFT)
    retired = realistic_offer(title="Avsluttet", status=Offer.Status.RETIRED, unit=offer.unit)
    provider = offer.provider_id

    urls = [
        "/api/hsds/services",
        "/api/hsds/services?full=true",
        "/api/hsds/services?minimal=true",
        "/api/hsds/service_at_locations?full=true",
        "/api/hsds/organizations?full=true&full_service=true",
        f"/api/hsds/organizations/{provider}?full_service=true",
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert str(offer.pk) in text
        assert str(draft.pk) not in text and str(retired.pk) not in text, url
    for hidden in (draft, retired):
        assert client.get(f"/api/hsds/services/{hidden.pk}").status_code == 404
        sal_id = service_at_location_id(hidden.pk, hidden.locations.get().pk)
        assert client.get(f"/api/hsds/service_at_locations/{sal_id}").status_code == 404


# Unknown ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("services", "No published service has the id"),
        ("organizations", "No organization has the id"),
        ("service_at_locations", "No published service_at_location has the id"),
        ("taxonomies", "No taxonomy has the id"),
        ("taxonomy_terms", "No taxonomy term has the id"),
    ],
)
@pytest.mark.parametrize("unknown", ["3f0f6d4e-5b0b-4b9e-9d0e-1b9a3c2d1e0f", "not-an-id"])
def test_unknown_ids_are_a_404_with_a_json_error(client, db, path, message, unknown):
    response = client.get(f"/api/hsds/{path}/{unknown}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"detail": f"{message} {unknown}."}


# Paging -----------------------------------------------------------------------------------------


def test_paging_walks_through_services_by_name_then_id(client, db):
    unit = factories.ServiceUnitFactory()
    for title in ["Cello", "Alfa", "Bravo", "Alfa", "Delta"]:
        cf.PublishedOfferFactory(unit=unit, title=title)

    pages = [
        get(client, f"/api/hsds/services?per_page=2&page={n}", "/services") for n in (1, 2, 3, 4)
    ]

    names = [s["name"] for page in pages for s in page["contents"]]
    assert names == ["Alfa", "Alfa", "Bravo", "Cello", "Delta"]
    alfas = [s["id"] for s in pages[0]["contents"]]
    assert alfas == sorted(alfas)
    assert [(p["page_number"], p["size"], p["first_page"], p["last_page"]) for p in pages] == [
        (1, 2, True, False),
        (2, 2, False, False),
        (3, 1, False, True),
        (4, 0, False, True),
    ]
    assert pages[0]["total_items"] == 5 and pages[0]["total_pages"] == 3
    assert pages[3]["empty"] and not pages[0]["empty"]


def test_per_page_has_a_documented_maximum(client, db):
    too_many = client.get(
        f"/api/hsds/services?per_page={MAX_PER_PAGE + 1}", HTTP_ACCEPT_LANGUAGE="en"
    )
    minimal = client.get(f"/api/hsds/services?minimal=true&per_page={MAX_PER_PAGE + 1}")
    zero = client.get("/api/hsds/services?page=0")

    assert too_many.status_code == 400
    assert too_many.json() == {
        "detail": f"per_page may be at most {MAX_PER_PAGE}; ask for the next page instead."
    }
    assert minimal.status_code == 200
    assert zero.status_code == 422


# Filters ----------------------------------------------------------------------------------------


@pytest.fixture
def two_offers(db):
    separation = cf.PublishedOfferFactory(
        title="Foreldre i konflikt",
        description="Samtaler for foreldre etter samlivsbrudd.",
        topics=[cf.topic("conflict-separation")],
    )
    sleep = cf.PublishedOfferFactory(
        title="Søvnkurs",
        description="Når babyen sover dårlig.",
        topics=[cf.topic("infant-sleep-feeding")],
        target_groups=[cf.target_group("fathers")],
    )
    return separation, sleep


def names(client, query: str, endpoint: str = "services") -> list[str]:
    page = get(client, f"/api/hsds/{endpoint}?{query}")
    if endpoint == "services":
        return [service["name"] for service in page["contents"]]
    return [sal["service"]["name"] for sal in page["contents"]]


def test_search_finds_services_by_their_text(client, two_offers):
    assert names(client, "search=samlivsbrudd") == ["Foreldre i konflikt"]
    assert names(client, "search=babyen") == ["Søvnkurs"]
    assert names(client, "search=xylofon") == []


def test_filters_by_taxonomy_term_taxonomy_and_organization(client, two_offers):
    _separation, sleep = two_offers
    fathers = cf.target_group("fathers")

    assert names(client, f"taxonomy_term_id={cf.topic('conflict-separation').pk}") == [
        "Foreldre i konflikt"
    ]
    assert names(client, f"taxonomy_term_id={fathers.pk}") == ["Søvnkurs"]
    assert names(client, f"taxonomy_id={taxonomy_id('malgruppe')}") == ["Søvnkurs"]
    assert names(client, f"taxonomy_id={taxonomy_id('tema')}") == [
        "Foreldre i konflikt",
        "Søvnkurs",
    ]
    assert names(client, f"organization_id={sleep.provider_id}") == ["Søvnkurs"]


def test_filter_by_modified_after(client, two_offers):
    separation, _sleep = two_offers
    Offer.objects.filter(pk=separation.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=30)
    )
    week_ago = (timezone.now() - datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S")

    assert names(client, f"modified_after={week_ago}") == ["Søvnkurs"]


def test_service_at_locations_take_the_same_filters(client, two_offers):
    separation, _sleep = two_offers
    for offer in two_offers:
        offer.locations.add(cf.LocationFactory())

    assert names(client, "search=babyen", "service_at_locations") == ["Søvnkurs"]
    assert names(client, f"organization_id={separation.provider_id}", "service_at_locations") == [
        "Foreldre i konflikt"
    ]


def test_a_filter_id_that_is_not_a_uuid_is_refused(client, db):
    response = client.get("/api/hsds/services?taxonomy_term_id=søvn")

    assert response.status_code == 422


def test_taxonomy_terms_filter_by_taxonomy_parent_and_top(client, db):
    topics = get(client, f"/api/hsds/taxonomy_terms?per_page=200&taxonomy_id={taxonomy_id('tema')}")
    parent = cf.topic("behaviour")
    child = cf.TaxonomyTermFactory(taxonomy=parent.taxonomy, parent=parent, name="Sinne")

    children = get(client, f"/api/hsds/taxonomy_terms?parent_id={parent.pk}")
    top = get(client, "/api/hsds/taxonomy_terms?top_only=true&per_page=200")

    assert {t["taxonomy_detail"]["name"] for t in topics["contents"]} == {"Tema"}
    assert [t["id"] for t in children["contents"]] == [str(child.pk)]
    assert str(child.pk) not in {t["id"] for t in top["contents"]}
    assert str(parent.pk) in {t["id"] for t in top["contents"]}


# Queries per page -------------------------------------------------------------------------------


def make_offers(count: int) -> None:
    unit = factories.ServiceUnitFactory()
    for number in range(count):
        offer = cf.PublishedOfferFactory(
            unit=unit,
            title=f"Tilbud {number:03}",
            topics=[cf.topic("parenting-role")],
            target_groups=[cf.target_group("fathers")],
            municipalities=[unit.organisation.municipality],
            locations=[cf.LocationFactory(provider=None)],
            programme=cf.ProgrammeFactory(),
        )
        cf.OpeningHoursFactory(offer=offer)
        cf.OfferSessionFactory(offer=offer)


# A page is counted, its keys found, its rows fetched; then one query per prefetched relation.
QUERY_LIMITED_URLS = [
    ("/api/hsds/services?per_page=50", 3),
    ("/api/hsds/services?per_page=50&full=true", 10),
    ("/api/hsds/services?per_page=50&minimal=true", 3),
    ("/api/hsds/service_at_locations?per_page=50", 3),
    ("/api/hsds/service_at_locations?per_page=50&full=true", 10),
    ("/api/hsds/organizations?per_page=50&full=true&full_service=true", 12),
]


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(("url", "queries"), QUERY_LIMITED_URLS)
def test_queries_per_page_do_not_grow_with_the_number_of_services(
    client, db, django_assert_max_num_queries, count, url, queries
):
    make_offers(count)

    with django_assert_max_num_queries(queries):
        page = get(client, url)

    assert page["contents"]


def test_a_single_service_takes_a_fixed_number_of_queries(
    client, offer, django_assert_max_num_queries
):
    # The offer with its organization and programme, then one query per related list.
    with django_assert_max_num_queries(8):
        get(client, f"/api/hsds/services/{offer.pk}")


# OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_describes_the_hsds_paths_with_the_official_schemas(client, db):
    openapi = client.get("/api/openapi.json").json()

    paths = {path for path in openapi["paths"] if path.startswith("/api/hsds/")}
    assert paths >= {
        "/api/hsds/services",
        "/api/hsds/services/{id}",
        "/api/hsds/organizations",
        "/api/hsds/organizations/{id}",
        "/api/hsds/service_at_locations",
        "/api/hsds/service_at_locations/{id}",
        "/api/hsds/taxonomies",
        "/api/hsds/taxonomies/{id}",
        "/api/hsds/taxonomy_terms",
        "/api/hsds/taxonomy_terms/{id}",
    }
    services = openapi["paths"]["/api/hsds/services"]["get"]
    per_page = next(p for p in services["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["default"] == DEFAULT_PER_PAGE
    assert str(MAX_PER_PAGE) in per_page["description"]
    items = services["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert items["contents"]["items"]["$ref"].endswith("/schema/compiled/service_list.json")
    single = openapi["paths"]["/api/hsds/services/{id}"]["get"]["responses"]
    assert single["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/schema/compiled/service.json"
    )
    assert "404" in single


def test_the_list_shapes_are_the_official_ones():
    for fields, schema in [
        (SERVICE_LIST_FIELDS, "compiled/service_list.json"),
        (ORGANIZATION_LIST_FIELDS, "compiled/organization_list.json"),
    ]:
        properties = schemas._schema_resource(SCHEMA_BASE_URI + schema).contents["properties"]
        assert set(fields) == {k for k, v in properties.items() if v.get("type") != "object"}
