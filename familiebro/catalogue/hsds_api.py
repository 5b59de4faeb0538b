"""The public HSDS 3.0 API under /api/hsds/: the catalogue for other systems to read.

The paths, parameters and response shapes are those of HSDS's own OpenAPI description
(schema/openapi.json of the specification); each response is documented here by a reference
to the official schema it validates against. No login: everything here is public, and only
published offers appear as services. Responses are built by familiebro.catalogue.hsds and
sent as JSON without another round of validation, so a page of 50 services costs a fixed
handful of queries and little else.

Two deliberate differences from the OpenAPI description: /service_at_locations/{id} answers
with a service_at_location (compiled/service_at_location.json; the description names
compiled/service.json, which contradicts its own summary), and `format=ndjson`, `postcode` and
`proximity` are not offered (Familiebro has no postcode register to measure distance with).
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from . import hsds

router = Router(tags=["HSDS 3.0"])

_SCHEMAS = hsds.SCHEMA_BASE_URI
_PAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "total_items": {"type": "integer", "description": "The number of matching records."},
        "total_pages": {"type": "integer", "description": "The number of pages."},
        "page_number": {"type": "integer", "description": "This page's number, from 1."},
        "size": {"type": "integer", "description": "The number of records on this page."},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean", "description": "True when this page has no records."},
    },
}
_NOT_FOUND = {
    "description": "No record has this id (or, for services, no published one).",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
        }
    },
}


def _one(schema: str, description: str) -> dict[str, Any]:
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": _SCHEMAS + schema}}},
            },
            "404": _NOT_FOUND,
        }
    }


def _page(item_schema: str, description: str) -> dict[str, Any]:
    page = {
        "allOf": [_PAGE_SCHEMA],
        "properties": {"contents": {"type": "array", "items": {"$ref": _SCHEMAS + item_schema}}},
    }
    return {
        "responses": {
            "200": {"description": description, "content": {"application/json": {"schema": page}}}
        }
    }


def _json(data: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )


def _found(render: Callable[[], Any]) -> HttpResponse:
    try:
        return _json(render())
    except hsds.NotFound as exc:
        raise HttpError(404, str(exc)) from exc


def _paging(page: int, per_page: int, *, limit: int = hsds.MAX_PER_PAGE) -> hsds.Paging:
    if per_page > limit:
        raise HttpError(
            400,
            _("per_page may be at most %(limit)s; ask for the next page instead.")
            % {"limit": limit},
        )
    return hsds.Paging(page=page, per_page=per_page)


# Parameters, described as HSDS describes them.
SEARCH = Query("", description="Full-text search (Norwegian stemming on PostgreSQL).")
PAGE = Query(1, ge=1, description="Page number of paginated result, from 1.")
PER_PAGE = Query(
    hsds.DEFAULT_PER_PAGE,
    ge=1,
    description=(
        f"Number of results in a page: {hsds.DEFAULT_PER_PAGE} unless asked, at most "
        f"{hsds.MAX_PER_PAGE} ({hsds.MAX_MINIMAL_PER_PAGE} with minimal=true)."
    ),
)
TAXONOMY_TERM_ID = Query(None, description="Only services with this taxonomy term.")
TAXONOMY_ID = Query(None, description="Only services with any term of this taxonomy.")
ORGANIZATION_ID = Query(None, description="Only services of this organization.")
MODIFIED_AFTER = Query(
    None,
    description=(
        "Only services modified on or after this datetime (ISO 8601; without an offset it is "
        "Norwegian time)."
    ),
)
FULL = Query(False, description="Return fully nested records.")
MINIMAL = Query(False, description="Just id, name, status and last_modified.")
FULL_SERVICE = Query(False, description="Fully nested services in the organizations.")
TERM_TAXONOMY_ID = Query(None, description="Only terms of this taxonomy.")
TOP_ONLY = Query(False, description="Only terms without a parent term.")
PARENT_ID = Query(None, description="Only children of this term.")
FORMAT = Query("json", description="Only json is offered.")


def _only_json(format: str) -> None:
    if format != "json":
        raise HttpError(400, _("Only format=json is offered."))


@router.get(
    "/",
    summary="Which HSDS version this API speaks",
    openapi_extra={
        "responses": {
            "200": {
                "description": "HSDS version and where the OpenAPI description is.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def about(request: HttpRequest) -> HttpResponse:
    return _json(hsds.about(request.build_absolute_uri(reverse("api:openapi-json"))))


@router.get(
    "/services",
    summary="Paginated list of published services",
    description=(
        "Published offers, ordered by name then id, with their organization and program. "
        "full=true nests everything; minimal=true gives id, name, status and last_modified. "
        "Texts are the bokmål originals. Ages are years; offers from pregnancy have "
        "minimum_age 0 (HSDS has no negative ages)."
    ),
    openapi_extra=_page("compiled/service_list.json", "A page of services."),
)
def services(
    request: HttpRequest,
    search: str = SEARCH,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    taxonomy_term_id: uuid.UUID | None = TAXONOMY_TERM_ID,
    taxonomy_id: uuid.UUID | None = TAXONOMY_ID,
    organization_id: uuid.UUID | None = ORGANIZATION_ID,
    modified_after: datetime.datetime | None = MODIFIED_AFTER,
    minimal: bool = MINIMAL,
    full: bool = FULL,
    format: str = FORMAT,
) -> HttpResponse:
    _only_json(format)
    limit = hsds.MAX_MINIMAL_PER_PAGE if minimal else hsds.MAX_PER_PAGE
    filters = hsds.ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    return _json(
        hsds.services_page(
            filters, _paging(page, per_page, limit=limit), full=full, minimal=minimal
        )
    )


@router.get(
    "/services/{id}",
    summary="A fully nested published service",
    openapi_extra=_one("compiled/service.json", "The service with all related data."),
)
def service(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: hsds.service_detail(id))


@router.get(
    "/organizations",
    summary="Paginated list of organizations",
    openapi_extra=_page("compiled/organization_list.json", "A page of organizations."),
)
def organizations(
    request: HttpRequest,
    search: str = SEARCH,
    full_service: bool = FULL_SERVICE,
    full: bool = FULL,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    format: str = FORMAT,
) -> HttpResponse:
    _only_json(format)
    return _json(
        hsds.organizations_page(
            search, _paging(page, per_page), full=full, full_service=full_service
        )
    )


@router.get(
    "/organizations/{id}",
    summary="A fully nested organization",
    description="Its published services as one-to-one fields, or fully nested with full_service.",
    openapi_extra=_one("compiled/organization.json", "The organization with related data."),
)
def organization(
    request: HttpRequest,
    id: str,
    full_service: bool = FULL_SERVICE,
) -> HttpResponse:
    return _found(lambda: hsds.organization_detail(id, full_service=full_service))


@router.get(
    "/service_at_locations",
    summary="Paginated list of services at locations",
    description="Each published offer at each of its places, ordered by service name.",
    openapi_extra=_page(
        "compiled/service_at_location_list.json", "A page of services at locations."
    ),
)
def service_at_locations(
    request: HttpRequest,
    search: str = SEARCH,
    taxonomy_term_id: uuid.UUID | None = TAXONOMY_TERM_ID,
    taxonomy_id: uuid.UUID | None = TAXONOMY_ID,
    organization_id: uuid.UUID | None = ORGANIZATION_ID,
    modified_after: datetime.datetime | None = MODIFIED_AFTER,
    full: bool = FULL,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    format: str = FORMAT,
) -> HttpResponse:
    _only_json(format)
    filters = hsds.ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
    )
    return _json(hsds.service_at_locations_page(filters, _paging(page, per_page), full=full))


@router.get(
    "/service_at_locations/{id}",
    summary="A fully nested service at a location",
    openapi_extra=_one(
        "compiled/service_at_location.json", "The service_at_location with its service."
    ),
)
def service_at_location(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: hsds.service_at_location_detail(id))


@router.get(
    "/taxonomies",
    summary="Paginated list of taxonomies",
    openapi_extra=_page("taxonomy.json", "A page of taxonomies."),
)
def taxonomies(
    request: HttpRequest,
    search: str = SEARCH,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    format: str = FORMAT,
) -> HttpResponse:
    _only_json(format)
    return _json(hsds.taxonomies_page(search, _paging(page, per_page)))


@router.get(
    "/taxonomies/{id}",
    summary="A taxonomy",
    openapi_extra=_one("taxonomy.json", "The taxonomy."),
)
def taxonomy(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: hsds.taxonomy_detail(id))


@router.get(
    "/taxonomy_terms",
    summary="Paginated list of taxonomy terms",
    openapi_extra=_page("taxonomy_term.json", "A page of taxonomy terms."),
)
def taxonomy_terms(
    request: HttpRequest,
    search: str = SEARCH,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    taxonomy_id: uuid.UUID | None = TERM_TAXONOMY_ID,
    top_only: bool = TOP_ONLY,
    parent_id: uuid.UUID | None = PARENT_ID,
    format: str = FORMAT,
) -> HttpResponse:
    _only_json(format)
    filters = hsds.TermFilters(
        search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
    )
    return _json(hsds.taxonomy_terms_page(filters, _paging(page, per_page)))


@router.get(
    "/taxonomy_terms/{id}",
    summary="A taxonomy term",
    openapi_extra=_one("taxonomy_term.json", "The taxonomy term, with its taxonomy."),
)
def taxonomy_term(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: hsds.taxonomy_term_detail(id))
