"""The public HSDS 3.0 API under /api/hsds/: the catalogue for other systems to read.

The paths, parameters and response shapes are those of HSDS's own OpenAPI description
(schema/openapi.json of the specification); each response is documented here by a reference
to the official schema it validates against. No login: everything here is public, and only
published offers appear as services. Responses are built by `queries` (this package) and
sent as JSON without another round of validation, so a page of 50 services costs a fixed
handful of queries and little else.

Two deliberate differences from the OpenAPI description: /service_at_locations/{id} answers
with a service_at_location (compiled/service_at_location.json; the description names
compiled/service.json, which contradicts its own summary), and `postcode` and `proximity` are
not offered (Familiebro has no postcode register to measure distance with). Beyond the
description, /services and /service_at_locations take the Open Referral UK profile's
`minimum_age`, `maximum_age`, `day`, `start_time` and `end_time`; every list takes
`format=ndjson`, which streams every matching record, one JSON object a line, without pages.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import BeforeValidator

from familiebro.core import api_responses

from . import queries
from .ids import DEFAULT_PER_PAGE, MAX_MINIMAL_PER_PAGE, MAX_PER_PAGE
from .queries import (
    NotFound,
    Paging,
    ServiceFilters,
    TermFilters,
    every_record,
    organization_detail,
    organizations_page,
    service_at_location_detail,
    service_at_locations_page,
    service_detail,
    services_page,
    taxonomies_page,
    taxonomy_detail,
    taxonomy_term_detail,
    taxonomy_terms_page,
)
from .schemas import SCHEMA_BASE_URI

router = Router(tags=["HSDS 3.0"])

_SCHEMAS = SCHEMA_BASE_URI
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
_NOT_FOUND = api_responses.error("No record has this id (or, for services, no published one).")
_TOO_LARGE_PAGE = api_responses.error(
    f"per_page is above {MAX_PER_PAGE} without minimal=true; `detail` says so."
)


_NDJSON_DESCRIPTION = (
    "With format=ndjson: every matching record, each one line of JSON in the shape of the "
    "page's contents, without pages."
)


def _one(schema: str, description: str, *, has_query: bool = False) -> dict[str, Any]:
    responses: dict[int, Any] = {
        200: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": _SCHEMAS + schema}}},
        },
        404: _NOT_FOUND,
    }
    if has_query:
        responses[422] = api_responses.INVALID
    return {"responses": responses}


def _page(item_schema: str, description: str, *, minimal_pages: bool = False) -> dict[str, Any]:
    page = {
        "allOf": [_PAGE_SCHEMA],
        "properties": {"contents": {"type": "array", "items": {"$ref": _SCHEMAS + item_schema}}},
    }
    responses: dict[int, Any] = {
        200: {
            "description": description,
            "content": {
                "application/json": {"schema": page},
                # format=ndjson: every matching record, one JSON object a line.
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": _NDJSON_DESCRIPTION}
                },
            },
        },
        422: api_responses.INVALID,
    }
    if minimal_pages:
        responses[400] = _TOO_LARGE_PAGE
    return {"responses": responses}


def _json(data: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )


def _found(render: Callable[[], Any]) -> HttpResponse:
    try:
        return _json(render())
    except NotFound as exc:
        raise HttpError(404, str(exc)) from exc


def _service_paging(page: int, per_page: int, *, minimal: bool) -> Paging:
    """/services' paging: minimal pages may be large (HSDS asks for every id in one page),
    full ones not; the parameter's schema can only carry the larger bound."""
    if per_page > MAX_PER_PAGE and not minimal:
        raise HttpError(
            400,
            _("per_page may be at most %(limit)s; ask for the next page instead.")
            % {"limit": MAX_PER_PAGE},
        )
    return Paging(page=page, per_page=per_page)


def _iso_8601(value: object) -> object:
    """modified_after as ISO 8601 only: pydantic alone would also read a number as seconds
    since 1970, so `modified_after=0.5` meant 1 January 1970. Without an offset the time is
    Norwegian; a moment beyond what the database can hold becomes its first or last moment."""
    if isinstance(value, datetime.datetime):
        return value
    try:
        moment = datetime.datetime.fromisoformat(str(value).strip().upper())
    except ValueError:
        raise ValueError(
            _("Give a date and time in ISO 8601, for example 2025-01-31T12:00:00+01:00.")
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        bound = datetime.datetime.min if moment.year == 1 else datetime.datetime.max
        return bound.replace(tzinfo=datetime.UTC)


IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_iso_8601)]
ListFormat = Literal["json", "ndjson"]

# Open Referral UK names days in full (Monday); HSDS's schedules by iCalendar's two letters.
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_PATTERN = (
    "^(?:"
    + "|".join(f"[{name[0].upper()}{name[0]}]{name[1:]}" for name in _DAY_NAMES)
    + "|MO|TU|WE|TH|FR|SA|SU|mo|tu|we|th|fr|sa|su)$"
)
# A time of day as HH:MM: the hours are Norwegian time, as the offers' opening hours are.
_CLOCK_PATTERN = "^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"


def _weekday(value: str | None) -> int | None:
    """The weekday number (0 is Monday) of a `day` the parameter's pattern has let through."""
    if value is None:
        return None
    value = value.lower()
    return next(n for n, name in enumerate(_DAY_NAMES) if name == value or name[:2] == value)


def _clock(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value is not None else None


# Parameters, described as HSDS describes them.
SEARCH = Query(
    "",
    # No NUL character: PostgreSQL cannot compare text with one (it was a server error).
    pattern=r"^[^\x00]*$",
    description="Full-text search (Norwegian stemming on PostgreSQL); any text but NUL.",
)
PAGE = Query(
    1, ge=1, description="Page number of paginated result, from 1. A page past the last is empty."
)
PER_PAGE = Query(
    DEFAULT_PER_PAGE,
    ge=1,
    le=MAX_PER_PAGE,
    description=(
        f"Number of results in a page: {DEFAULT_PER_PAGE} unless asked, at most {MAX_PER_PAGE}."
    ),
)
SERVICES_PER_PAGE = Query(
    DEFAULT_PER_PAGE,
    ge=1,
    le=MAX_MINIMAL_PER_PAGE,
    description=(
        f"Number of results in a page: {DEFAULT_PER_PAGE} unless asked, at most "
        f"{MAX_PER_PAGE}; with minimal=true at most {MAX_MINIMAL_PER_PAGE}, so that "
        f"every service fits in one page (a larger page without minimal=true is a 400)."
    ),
)
TAXONOMY_TERM_ID = Query(None, description="Only services with this taxonomy term.")
TAXONOMY_ID = Query(None, description="Only services with any term of this taxonomy.")
ORGANIZATION_ID = Query(None, description="Only services of this organization.")
MODIFIED_AFTER = Query(
    None,
    description=(
        "Only services modified on or after this date and time, in ISO 8601 (for example "
        "2025-01-31T12:00:00+01:00; without an offset it is Norwegian time). Anything else, "
        "such as a number of seconds, is a 422."
    ),
)
FULL = Query(False, description="Return fully nested records.")
MINIMAL = Query(False, description="Just id, name, status and last_modified.")
FULL_SERVICE = Query(False, description="Fully nested services in the organizations.")
TERM_TAXONOMY_ID = Query(None, description="Only terms of this taxonomy.")
TOP_ONLY = Query(False, description="Only terms without a parent term.")
PARENT_ID = Query(None, description="Only children of this term.")
FORMAT = Query(
    "json",
    description=(
        "json (pages), or ndjson: every matching record, one JSON object a line, without "
        "pages (page and per_page are then ignored)."
    ),
)
MINIMUM_AGE = Query(
    None,
    ge=0,
    le=150,
    description=(
        "Only services for someone of at least this age in years: their maximum_age is above "
        "it, or they have none (Open Referral UK)."
    ),
)
MAXIMUM_AGE = Query(
    None,
    ge=0,
    le=150,
    description=(
        "Only services for someone of at most this age in years: their minimum_age is at or "
        "below it, or they have none (Open Referral UK). With minimum_age: services for some "
        "age in between."
    ),
)
DAY = Query(
    None,
    pattern=_DAY_PATTERN,
    description=(
        "Only services with weekly opening hours on this day: monday … sunday, or MO … SU "
        "(Open Referral UK)."
    ),
)
START_TIME = Query(
    None,
    pattern=_CLOCK_PATTERN,
    description="Only services whose weekly hours end after this time of day (HH:MM).",
)
END_TIME = Query(
    None,
    pattern=_CLOCK_PATTERN,
    description="Only services whose weekly hours begin before this time of day (HH:MM).",
)


@router.get(
    "/",
    summary="Which HSDS version and profile this API speaks",
    openapi_extra={
        "responses": {
            200: {
                "description": "HSDS version, profile, and where the OpenAPI description is.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["version", "profile", "openapi_url"],
                            "properties": {
                                "version": {"type": "string"},
                                "profile": {"type": "string", "format": "uri"},
                                "openapi_url": {"type": "string", "format": "uri"},
                            },
                        }
                    }
                },
            }
        }
    },
)
def about(request: HttpRequest) -> HttpResponse:
    return _json(
        queries.about(
            request.build_absolute_uri(reverse("api:openapi-json")), settings.HSDS_PROFILE_URL
        )
    )


def _list(
    format: str, build_page: Callable[[Paging], Any], paging: Paging
) -> HttpResponse | StreamingHttpResponse:
    """A page as JSON, or with format=ndjson every record, one a line, streamed."""
    if format == "ndjson":
        lines = (
            json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            for record in every_record(build_page)
        )
        return StreamingHttpResponse(lines, content_type="application/x-ndjson")
    return _json(build_page(paging))


@router.get(
    "/services",
    summary="Paginated list of published services",
    description=(
        "Published offers, ordered by name then id, with their organization and program. "
        "full=true nests everything; minimal=true gives id, name, status and last_modified. "
        "Texts are the bokmål originals. Ages are years; offers from pregnancy have "
        "minimum_age 0 (HSDS has no negative ages)."
    ),
    openapi_extra=_page("compiled/service_list.json", "A page of services.", minimal_pages=True),
)
def services(
    request: HttpRequest,
    search: str = SEARCH,
    page: int = PAGE,
    per_page: int = SERVICES_PER_PAGE,
    taxonomy_term_id: uuid.UUID | None = TAXONOMY_TERM_ID,
    taxonomy_id: uuid.UUID | None = TAXONOMY_ID,
    organization_id: uuid.UUID | None = ORGANIZATION_ID,
    modified_after: IsoDateTime | None = MODIFIED_AFTER,
    minimum_age: int | None = MINIMUM_AGE,
    maximum_age: int | None = MAXIMUM_AGE,
    day: str | None = DAY,
    start_time: str | None = START_TIME,
    end_time: str | None = END_TIME,
    minimal: bool = MINIMAL,
    full: bool = FULL,
    format: ListFormat = FORMAT,
) -> HttpResponse | StreamingHttpResponse:
    filters = ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=_weekday(day),
        start_time=_clock(start_time),
        end_time=_clock(end_time),
    )
    paging = Paging(page=page, per_page=per_page)
    if format != "ndjson":
        paging = _service_paging(page, per_page, minimal=minimal)
    return _list(
        format,
        lambda paging: services_page(filters, paging, full=full, minimal=minimal),
        paging,
    )


@router.get(
    "/services/{id}",
    summary="A fully nested published service",
    openapi_extra=_one("compiled/service.json", "The service with all related data."),
)
def service(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: service_detail(id))


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
    format: ListFormat = FORMAT,
) -> HttpResponse | StreamingHttpResponse:
    return _list(
        format,
        lambda paging: organizations_page(search, paging, full=full, full_service=full_service),
        Paging(page=page, per_page=per_page),
    )


@router.get(
    "/organizations/{id}",
    summary="A fully nested organization",
    description="Its published services as one-to-one fields, or fully nested with full_service.",
    openapi_extra=_one(
        "compiled/organization.json", "The organization with related data.", has_query=True
    ),
)
def organization(
    request: HttpRequest,
    id: str,
    full_service: bool = FULL_SERVICE,
) -> HttpResponse:
    return _found(lambda: organization_detail(id, full_service=full_service))


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
    modified_after: IsoDateTime | None = MODIFIED_AFTER,
    minimum_age: int | None = MINIMUM_AGE,
    maximum_age: int | None = MAXIMUM_AGE,
    day: str | None = DAY,
    start_time: str | None = START_TIME,
    end_time: str | None = END_TIME,
    full: bool = FULL,
    page: int = PAGE,
    per_page: int = PER_PAGE,
    format: ListFormat = FORMAT,
) -> HttpResponse | StreamingHttpResponse:
    filters = ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=_weekday(day),
        start_time=_clock(start_time),
        end_time=_clock(end_time),
    )
    return _list(
        format,
        lambda paging: service_at_locations_page(filters, paging, full=full),
        Paging(page=page, per_page=per_page),
    )


@router.get(
    "/service_at_locations/{id}",
    summary="A fully nested service at a location",
    openapi_extra=_one(
        "compiled/service_at_location.json", "The service_at_location with its service."
    ),
)
def service_at_location(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: service_at_location_detail(id))


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
    format: ListFormat = FORMAT,
) -> HttpResponse | StreamingHttpResponse:
    return _list(
        format,
        lambda paging: taxonomies_page(search, paging),
        Paging(page=page, per_page=per_page),
    )


@router.get(
    "/taxonomies/{id}",
    summary="A taxonomy",
    openapi_extra=_one("taxonomy.json", "The taxonomy."),
)
def taxonomy(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: taxonomy_detail(id))


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
    format: ListFormat = FORMAT,
) -> HttpResponse | StreamingHttpResponse:
    filters = TermFilters(
        search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
    )
    return _list(
        format,
        lambda paging: taxonomy_terms_page(filters, paging),
        Paging(page=page, per_page=per_page),
    )


@router.get(
    "/taxonomy_terms/{id}",
    summary="A taxonomy term",
    openapi_extra=_one("taxonomy_term.json", "The taxonomy term, with its taxonomy."),
)
def taxonomy_term(request: HttpRequest, id: str) -> HttpResponse:
    return _found(lambda: taxonomy_term_detail(id))
