"""The API does what its OpenAPI document says, checked by schemathesis against a live server.

For every operation of /api/openapi.json, schemathesis generates requests from the document
(a bounded, fixed set: derandomized) and checks each answer: no server error, a status code
the document names, its content type, and a body that validates against the documented
schema. The HSDS answers are documented by reference to the official HSDS 3.0 schemas; the
test inlines them from the local copy, as the machine running it may not reach the internet.
"""

from __future__ import annotations

import copy
import json
from importlib import import_module
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest
import requests
import schemathesis
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from familiebro.catalogue.hsds import schemas
from familiebro.catalogue.hsds.ids import MAX_PER_PAGE
from familiebro.catalogue.hsds.schemas import SCHEMA_BASE_URI
from familiebro.catalogue.models import TaxonomyTerm
from familiebro.portal import session as citizen_session
from tests import factories
from tests.catalogue import factories as cf
from tests.privacy import factories as make

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25


def official_schema(uri: str) -> Any:
    """The official HSDS schema file (or the part a fragment names), from the local copy."""
    file, fragment = urldefrag(uri)
    node = schemas._schema_resource(file).contents
    for part in filter(None, fragment.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_references(node: Any, base: str = "") -> Any:
    """The node with every reference to the HSDS schemas replaced by what it names."""
    if isinstance(node, list):
        return [inline_references(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str) and (base or reference.startswith(SCHEMA_BASE_URI)):
        uri = urljoin(base, reference)
        file = urldefrag(uri)[0]
        target = inline_references(copy.deepcopy(official_schema(uri)), file)
        siblings = {k: inline_references(v, base) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {key: inline_references(value, base) for key, value in node.items()}


# The live server reads committed data, so these tests commit and the database is emptied
# after each (see `directory` for the data the migrations seed).
live_database = pytest.mark.django_db(transaction=True)


def seed_taxonomies() -> None:
    """The topics and target groups the migrations seed, put back when an earlier test that
    committed has emptied the database."""
    if not TaxonomyTerm.objects.exists():
        seed = import_module("familiebro.catalogue.migrations.0003_programmes_and_taxonomy")
        seed.forwards(django_apps, None)


@pytest.fixture
def directory():
    """A small published directory: services with places, organizations and terms."""
    seed_taxonomies()
    hamar = factories.MunicipalityFactory(name="Hamar")
    for title in ("Søvnkurs", "Foreldre i konflikt", "Godt samliv"):
        cf.PublishedOfferFactory(
            title=title,
            topics=[cf.topic("infant-sleep-feeding")],
            target_groups=[cf.target_group("fathers")],
            municipalities=[hamar],
            locations=[cf.LocationFactory(municipality=hamar)],
            languages="nb ar",
        )


@pytest.fixture
def staff_cookie(staff_client) -> dict[str, str]:
    """The session of a staff member who has passed the second factor."""
    name = django_settings.SESSION_COOKIE_NAME
    return {name: staff_client.cookies[name].value}


@pytest.fixture
def citizen_cookie() -> dict[str, str]:
    """The session of a citizen logged in with ID-porten (who has no records here)."""
    session = SessionStore()
    session[citizen_session.CITIZEN_KEY] = {"identity_hash": "0" * 64}
    session.save()
    return {django_settings.SESSION_COOKIE_NAME: session.session_key or ""}


def api_schema(live_server) -> schemathesis.schemas.BaseSchema:
    document = requests.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(inline_references(document))


def conforms(live_server, operation, cookies: dict[str, str], **fixed: Any) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(**fixed))
    def answers_as_documented(case):
        case.call_and_validate(base_url=live_server.url, session=http, checks=CHECKS)

    # Closed before the live server stops, so no request thread outlives the test.
    with requests.Session() as http:
        http.cookies.update(cookies)
        answers_as_documented()


def operations(schema, prefix: str) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in found if operation.path.startswith(prefix)]


@live_database
def test_the_public_hsds_api_answers_as_its_document_says(live_server, directory):
    schema = api_schema(live_server)
    hsds_operations = operations(schema, "/api/hsds/")
    assert len(hsds_operations) == 11
    for operation in hsds_operations:
        conforms(live_server, operation, cookies={})


@live_database
def test_the_staff_and_family_apis_answer_as_their_document_says(
    live_server, unit, staff, staff_cookie, citizen_cookie
):
    schema = api_schema(live_server)
    # A person the staff member may see, so that a full access log is checked too.
    child, _guardian, _ = make.child_with_guardian(unit.organisation)
    make.assign(child, user=staff)
    (access_log,) = operations(schema, "/api/privacy/")
    conforms(live_server, access_log, staff_cookie, path_parameters={"person_id": child.pk})
    for prefix, cookies in [
        ("/api/privacy/", staff_cookie),
        ("/api/portal/", citizen_cookie),
        ("/api/privacy/", {}),
        ("/api/portal/", {}),
    ]:
        found = operations(schema, prefix)
        assert found, prefix
        for operation in found:
            conforms(live_server, operation, cookies)


def test_the_document_bounds_what_the_server_bounds(client, db):
    document = client.get("/api/openapi.json").json()
    for path in ("/api/hsds/organizations", "/api/hsds/taxonomies", "/api/hsds/taxonomy_terms"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["per_page"]["schema"]["maximum"] == MAX_PER_PAGE
        assert parameters["per_page"]["schema"]["minimum"] == 1
        assert parameters["format"]["schema"]["enum"] == ["json", "ndjson"]
    services = document["paths"]["/api/hsds/services"]["get"]
    parameters = {p["name"]: p for p in services["parameters"]}
    modified_after = parameters["modified_after"]["schema"]["anyOf"][0]
    assert modified_after == {"type": "string", "format": "date-time"}
    assert set(services["responses"]) == {"200", "400", "422"}
    single = document["paths"]["/api/hsds/services/{id}"]["get"]["responses"]
    assert set(single) == {"200", "404"}
    access_log = document["paths"]["/api/privacy/persons/{person_id}/access-log"]["get"]
    assert set(access_log["responses"]) == {"200", "401", "404", "422"}


def test_what_the_document_refuses_the_server_refuses(client, db):
    for query in (
        "modified_after=0.5",
        "modified_after=1700000000",
        "format=xml",
        "page=0",
        "search=%00",
    ):
        response = client.get(f"/api/hsds/services?{query}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422, query
    response = client.get("/api/hsds/services?modified_after=0.5", HTTP_ACCEPT_LANGUAGE="en")
    assert "ISO 8601" in json.dumps(response.json())
    too_large = client.get(f"/api/hsds/organizations?per_page={MAX_PER_PAGE + 1}")
    assert too_large.status_code == 422
    assert client.get("/api/hsds/services?modified_after=2025-01-31T12:00:00").status_code == 200
