"""The HSDS API's reads: pages and details of published services, organizations,
service_at_locations and taxonomies, with their filters and paging.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from ..finder.search import fulltext_matches
from ..finder.words import parse_query
from ..models import Location, Offer, OpeningHours, Provider, Taxonomy
from .ids import DEFAULT_PER_PAGE, HSDS_VERSION, JSON, parse_uuid, service_at_location_id
from .render import (
    locations_for_rendering,
    render_organization,
    render_organization_list_item,
    render_service,
    render_service_at_location,
    render_service_at_location_list_item,
    render_service_list_item,
    render_service_minimal,
    render_taxonomy,
    render_term,
    service_full_lookups,
    services_for_rendering,
    terms_for_rendering,
)


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class ServiceFilters:
    """The HSDS filters that apply to Familiebro's services. Empty fields do not filter."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime.datetime | None = None
    # Ages in whole years, as HSDS gives minimum_age and maximum_age: services for a child of
    # at least / at most this age (an offer without an age is for every age).
    minimum_age: int | None = None
    maximum_age: int | None = None
    # Weekly opening hours: open on this weekday (0 is Monday), and some time between
    # start_time and end_time. Services with no weekly hours do not match these.
    day: int | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None


class NotFound(Exception):
    """No public record has this id; the message says which."""


def page_of(
    queryset: QuerySet[Any],
    paging: Paging,
    render: Callable[[Any], dict[str, JSON]],
    *,
    prepare: Callable[[list[Any]], None] | None = None,
) -> dict[str, JSON]:
    """One page in HSDS's Page shape (openapi.json components/schemas/Page), 1-based.

    `prepare` fetches in bulk what rendering the page's rows needs. A page past the last is
    empty rather than an error, as a client paging on may ask for it.
    """
    total = queryset.count()
    start = (paging.page - 1) * paging.per_page
    rows: list[Any] = []
    if start < total:
        # The page's keys first, then only those rows with their joins and prefetches: the
        # database orders narrow rows, and a deep page does not join start + 50 rows.
        keys = list(queryset.values_list("pk", flat=True)[start : start + paging.per_page])
        by_key = queryset.filter(pk__in=keys).in_bulk()
        rows = [by_key[key] for key in keys]
    if prepare is not None and rows:
        prepare(rows)
    total_pages = math.ceil(total / paging.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(rows),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": not rows,
        "contents": [render(row) for row in rows],
    }


def _matching_text(queryset: QuerySet[Offer], text: str) -> QuerySet[Offer]:
    """The finder's text search: Norwegian full text on PostgreSQL, every word elsewhere.
    The order is the caller's (HSDS pages are by name, not by relevance)."""
    concepts = parse_query(text)
    if not concepts:
        return queryset
    if connection.vendor == "postgresql":
        return fulltext_matches(queryset, concepts)
    for concept in concepts:
        either = Q()
        for phrase in concept.phrases:
            either |= Q(search_document__icontains=phrase)
        queryset = queryset.filter(either)
    return queryset


def filter_services(queryset: QuerySet[Offer], filters: ServiceFilters) -> QuerySet[Offer]:
    if filters.search.strip():
        queryset = _matching_text(queryset, filters.search)
    if filters.organization_id is not None:
        queryset = queryset.filter(provider_id=filters.organization_id)
    if filters.modified_after is not None:
        modified_after = filters.modified_after
        if timezone.is_naive(modified_after):
            modified_after = timezone.make_aware(modified_after)
        queryset = queryset.filter(updated_at__gte=modified_after)
    queryset = _filter_ages(queryset, filters)
    queryset = _filter_hours(queryset, filters)
    term_filters = {}
    if filters.taxonomy_term_id is not None:
        term_filters["taxonomyterm_id"] = filters.taxonomy_term_id
    if filters.taxonomy_id is not None:
        term_filters["taxonomyterm__taxonomy_id"] = filters.taxonomy_id
    if term_filters:
        topics = Offer.topics.through.objects.filter(offer_id=OuterRef("pk"), **term_filters)
        groups = Offer.target_groups.through.objects.filter(offer_id=OuterRef("pk"), **term_filters)
        queryset = queryset.filter(Q(Exists(topics)) | Q(Exists(groups)))
    return queryset


def _filter_ages(queryset: QuerySet[Offer], filters: ServiceFilters) -> QuerySet[Offer]:
    """Ages are stored in months, the upper bound being the birthday on which the offer ends
    (3–12 years is 36–144): an offer is for an A-year-old when it starts at or before A years
    and ends after. minimum_age A and maximum_age B ask for offers for some age from A to B."""
    if filters.minimum_age is not None:
        queryset = queryset.filter(
            Q(age_to_months__isnull=True) | Q(age_to_months__gt=filters.minimum_age * 12)
        )
    if filters.maximum_age is not None:
        queryset = queryset.filter(
            Q(age_from_months__isnull=True) | Q(age_from_months__lte=filters.maximum_age * 12)
        )
    return queryset


def _filter_hours(queryset: QuerySet[Offer], filters: ServiceFilters) -> QuerySet[Offer]:
    """Offers open on the day and within the time window: their hours overlap it."""
    if filters.day is None and filters.start_time is None and filters.end_time is None:
        return queryset
    hours = OpeningHours.objects.filter(offer_id=OuterRef("pk"))
    if filters.day is not None:
        hours = hours.filter(weekday=filters.day)
    if filters.start_time is not None:
        hours = hours.filter(closes_at__gt=filters.start_time)
    if filters.end_time is not None:
        hours = hours.filter(opens_at__lt=filters.end_time)
    return queryset.filter(Exists(hours))


def services_page(
    filters: ServiceFilters, paging: Paging, *, full: bool = False, minimal: bool = False
) -> dict[str, JSON]:
    """GET /services: published offers, by name then id."""
    queryset = filter_services(Offer.objects.published(), filters).order_by("title", "pk")
    if minimal:
        return page_of(
            queryset.only("id", "title", "status", "updated_at"), paging, render_service_minimal
        )
    queryset = services_for_rendering(queryset, full=full)
    return page_of(queryset, paging, render_service if full else render_service_list_item)


def service_detail(service_id: str) -> dict[str, JSON]:
    pk = parse_uuid(service_id)
    offer = (
        services_for_rendering(Offer.objects.published(), full=True).filter(pk=pk).first()
        if pk
        else None
    )
    if offer is None:
        raise NotFound(_("No published service has the id %(id)s.") % {"id": service_id})
    return render_service(offer)


def _organizations_for_rendering(full: bool, full_services: bool) -> QuerySet[Provider]:
    queryset = Provider.objects.select_related("organisation")
    if not full:
        return queryset
    services = services_for_rendering(Offer.objects.published(), full=full_services).order_by(
        "title", "pk"
    )
    return queryset.prefetch_related(
        Prefetch("locations", locations_for_rendering()),
        # Only published offers: the rendering reads the organization's offers from here.
        Prefetch("offers", services),
    )


def _render_organization_full(full_services: bool) -> Callable[[Provider], dict[str, JSON]]:
    def render(provider: Provider) -> dict[str, JSON]:
        return render_organization(
            provider, services=list(provider.offers.all()), full_services=full_services
        )

    return render


def organizations_page(
    search: str, paging: Paging, *, full: bool = False, full_service: bool = False
) -> dict[str, JSON]:
    """GET /organizations: every provider, by name then id."""
    queryset = _organizations_for_rendering(full, full_service).order_by("name", "pk")
    if search.strip():
        text = search.strip()
        queryset = queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if not full:
        return page_of(queryset, paging, render_organization_list_item)
    return page_of(queryset, paging, _render_organization_full(full_service))


def organization_detail(organization_id: str, *, full_service: bool = False) -> dict[str, JSON]:
    pk = parse_uuid(organization_id)
    provider = (
        _organizations_for_rendering(True, full_service).filter(pk=pk).first() if pk else None
    )
    if provider is None:
        raise NotFound(_("No organization has the id %(id)s.") % {"id": organization_id})
    return _render_organization_full(full_service)(provider)


def _offer_locations(filters: ServiceFilters, *, full: bool) -> QuerySet[Any]:
    offers = filter_services(Offer.objects.published(), filters)
    rows = (
        Offer.locations.through.objects.filter(offer_id__in=offers.values("pk"))
        .select_related("offer__provider", "offer__programme", "location__municipality")
        .order_by("offer__title", "offer_id", "location__name", "location_id")
    )
    return rows.select_related("offer__provider__organisation") if full else rows


def service_at_locations_page(
    filters: ServiceFilters, paging: Paging, *, full: bool = False
) -> dict[str, JSON]:
    """GET /service_at_locations: each published offer at each of its locations."""
    if not full:
        return page_of(
            _offer_locations(filters, full=False),
            paging,
            lambda row: render_service_at_location_list_item(row.offer, row.location),
        )

    def prefetch(rows: list[Any]) -> None:
        prefetch_related_objects([row.offer for row in rows], *service_full_lookups())

    return page_of(
        _offer_locations(filters, full=True),
        paging,
        lambda row: render_service_at_location(row.offer, row.location),
        prepare=prefetch,
    )


def find_service_at_location(sal_id: str) -> tuple[Offer, Location] | None:
    """The published offer and location behind a service_at_location id.

    Imported ids are kept in the offer's hsds_extra and found by text; derived ids are UUID5
    hashes, so they are recomputed for each published offer and location until one matches.
    """
    pk = parse_uuid(sal_id)
    if pk is None:
        return None
    wanted = str(pk)
    through = Offer.locations.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
    imported = (
        Offer.objects.published()
        .filter(hsds_extra__has_key="service_at_locations")
        .annotate(extra_text=Cast("hsds_extra", TextField()))
        .filter(extra_text__contains=wanted)
        .values_list("pk", "hsds_extra")
    )
    for offer_id, extra in imported:
        for location_id, entry in (extra or {}).get("service_at_locations", {}).items():
            if entry.get("ids", {}).get("id") == wanted:
                pair = through.filter(offer_id=offer_id, location_id=location_id).first()
                if pair is not None:
                    return _offer_and_location(offer_id, location_id)
    for offer_id, location_id in through.values_list("offer_id", "location_id").iterator():
        if service_at_location_id(offer_id, location_id) == wanted:
            return _offer_and_location(offer_id, location_id)
    return None


def _offer_and_location(offer_id: Any, location_id: Any) -> tuple[Offer, Location]:
    offer = services_for_rendering(Offer.objects.all(), full=True).get(pk=offer_id)
    location = next(loc for loc in offer.locations.all() if str(loc.pk) == str(location_id))
    return offer, location


def service_at_location_detail(sal_id: str) -> dict[str, JSON]:
    found = find_service_at_location(sal_id)
    if found is None:
        raise NotFound(_("No published service_at_location has the id %(id)s.") % {"id": sal_id})
    offer, location = found
    return render_service_at_location(offer, location)


def taxonomies_page(search: str, paging: Paging) -> dict[str, JSON]:
    queryset = Taxonomy.objects.order_by("name", "pk")
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip())
    return page_of(queryset, paging, render_taxonomy)


def taxonomy_detail(taxonomy_id: str) -> dict[str, JSON]:
    pk = parse_uuid(taxonomy_id)
    taxonomy = Taxonomy.objects.filter(pk=pk).first() if pk else None
    if taxonomy is None:
        raise NotFound(_("No taxonomy has the id %(id)s.") % {"id": taxonomy_id})
    return render_taxonomy(taxonomy)


@dataclass(frozen=True)
class TermFilters:
    search: str = ""
    taxonomy_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    # HSDS names it top_only: terms at the top of their hierarchy, without a parent.
    top_only: bool = False


def taxonomy_terms_page(filters: TermFilters, paging: Paging) -> dict[str, JSON]:
    queryset = terms_for_rendering()
    if filters.search.strip():
        text = filters.search.strip()
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(description__icontains=text)
        )
    if filters.taxonomy_id is not None:
        queryset = queryset.filter(taxonomy_id=filters.taxonomy_id)
    if filters.parent_id is not None:
        queryset = queryset.filter(parent_id=filters.parent_id)
    if filters.top_only:
        queryset = queryset.filter(parent__isnull=True)
    return page_of(queryset, paging, render_term)


def taxonomy_term_detail(term_id: str) -> dict[str, JSON]:
    pk = parse_uuid(term_id)
    term = terms_for_rendering().filter(pk=pk).first() if pk else None
    if term is None:
        raise NotFound(_("No taxonomy term has the id %(id)s.") % {"id": term_id})
    return render_term(term)


def about(openapi_url: str, profile: str) -> dict[str, JSON]:
    """GET /: which HSDS this API speaks, its profile and its description (examples/base.json)."""
    return {"version": HSDS_VERSION, "profile": profile, "openapi_url": openapi_url}


# How many records an ndjson export reads at a time: a few queries per chunk, and memory
# that does not grow with the directory.
NDJSON_CHUNK = 500


def every_record(build_page: Callable[[Paging], dict[str, JSON]]) -> Iterator[dict[str, JSON]]:
    """Every record of a list endpoint, page after page, for format=ndjson: HSDS asks for all
    results without pagination. Each page is read by the same function as the JSON pages, so
    the records are the same, in the same order."""
    page = 1
    while True:
        contents = build_page(Paging(page=page, per_page=NDJSON_CHUNK))["contents"]
        assert isinstance(contents, list)
        yield from contents
        if len(contents) < NDJSON_CHUNK:
            return
        page += 1
