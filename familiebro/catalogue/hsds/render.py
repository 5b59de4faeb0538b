"""Offers, providers, locations and taxonomies rendered as HSDS 3.0 records.

Each renderer reads only what `services_for_rendering` and `service_full_lookups` fetched, so
a page of records costs a fixed number of queries. The mapping of each field is in
docs/hsds-import.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from familiebro.core.models import Municipality

from ..finder.criteria import language_name
from ..models import Location, Offer, Programme, Provider, Taxonomy, TaxonomyTerm
from .ids import (
    JSON,
    LOCATION_LIST_FIELDS,
    ORGANIZATION_LIST_FIELDS,
    PROGRAM_LIST_FIELDS,
    SERVICE_AT_LOCATION_LIST_FIELDS,
    SERVICE_LIST_FIELDS,
    STATUS_TO_HSDS,
    WEEKDAY_CODES,
    child_id,
    programme_hsds_id,
    service_at_location_id,
    stored_patch,
)
from .patch import apply_patch, project


def _years(months: int) -> int | float:
    months = max(0, months)
    return months // 12 if months % 12 == 0 else months / 12


def _utc_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clock(moment: datetime.datetime) -> str:
    """A local time with its UTC offset, as HSDS asks for opens_at and closes_at."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return f"{local:%H:%M}{offset[:3]}:{offset[3:]}"


def _phone(offer: Offer, phone_id: str) -> dict[str, JSON]:
    phone: dict[str, JSON] = {"id": phone_id, "number": offer.contact_phone}
    if offer.phone_hours:
        phone["description"] = offer.phone_hours
    return phone


def hours_role(opens: datetime.time, closes: datetime.time, note: str) -> str:
    return f"hours:{opens:%H:%M}-{closes:%H:%M}:{note}"


def _schedules(offer: Offer) -> list[dict[str, JSON]]:
    groups: dict[tuple[datetime.time, datetime.time, str], list[int]] = {}
    for row in offer.opening_hours.all():
        groups.setdefault((row.opens_at, row.closes_at, row.note), []).append(row.weekday)
    schedules: list[dict[str, JSON]] = []
    for (opens, closes, note), days in sorted(groups.items(), key=lambda g: (min(g[1]), g[0])):
        schedule: dict[str, JSON] = {
            "id": child_id(offer, hours_role(opens, closes, note)),
            "freq": "WEEKLY",
            "byday": ",".join(WEEKDAY_CODES[day] for day in sorted(set(days))),
            "opens_at": f"{opens:%H:%M}",
            "closes_at": f"{closes:%H:%M}",
        }
        if note:
            schedule["notes"] = note
        schedules.append(schedule)
    for session in offer.sessions.all():
        # The session's own id: the same id as in its iCalendar file.
        schedule = {
            "id": str(session.pk),
            "dtstart": timezone.localdate(session.starts_at).isoformat(),
            "until": timezone.localdate(session.ends_at).isoformat(),
            "opens_at": _clock(session.starts_at),
            "closes_at": _clock(session.ends_at),
        }
        if session.title:
            schedule["description"] = session.title
        schedules.append(schedule)
    return schedules


def _term_attribute(offer: Offer, term: TaxonomyTerm) -> dict[str, JSON]:
    return {
        "id": child_id(offer, f"attribute:{term.pk}"),
        "taxonomy_term_id": str(term.pk),
        "taxonomy_term": render_term(term),
    }


def _program(programme: Programme) -> dict[str, JSON]:
    return {
        "id": programme_hsds_id(programme),
        "name": programme.name,
        "description": programme.purpose,
    }


def service_own(offer: Offer, *, children: bool) -> dict[str, JSON]:
    """The service as Familiebro's own fields give it, without the patch; `children=False`
    leaves out the lists (what the list endpoints need, without touching relations)."""
    service: dict[str, JSON] = {
        "id": str(offer.pk),
        "organization_id": str(offer.provider_id),
        "name": offer.title,
        "status": STATUS_TO_HSDS[Offer.Status(offer.status)],
    }
    programme = offer.programme
    if programme is not None:
        service["program_id"] = programme_hsds_id(programme)
        service["program"] = _program(programme)
    optional = {
        "description": offer.description,
        "url": offer.url,
        "email": offer.contact_email,
        "application_process": offer.how_to_sign_up,
        "fees_description": offer.cost,
    }
    service.update({key: value for key, value in optional.items() if value})
    if offer.age_from_months is not None:
        service["minimum_age"] = _years(offer.age_from_months)
    if offer.age_to_months is not None:
        service["maximum_age"] = _years(offer.age_to_months)
    if offer.last_verified_at is not None:
        service["assured_date"] = timezone.localdate(offer.last_verified_at).isoformat()
    if not children:
        return service
    if offer.contact_phone:
        service["phones"] = [_phone(offer, child_id(offer, "phone"))]
    if schedules := _schedules(offer):
        service["schedules"] = schedules
    areas = [
        {
            "id": child_id(offer, f"area:{municipality.number}"),
            "name": municipality.name,
            "extent": municipality.number,
            "extent_type": "text",
        }
        for municipality in offer.municipalities.all()
    ]
    if areas:
        service["service_areas"] = areas
    languages = [
        {
            "id": child_id(offer, f"language:{code}"),
            "code": code,
            "name": language_name(code),
        }
        for code in offer.languages.split()
    ]
    if languages:
        service["languages"] = languages
    if offer.is_free:
        service["cost_options"] = [
            {"id": child_id(offer, "cost:free"), "amount": 0, "currency": "NOK"}
        ]
    if offer.contact_name:
        contact: dict[str, JSON] = {"id": child_id(offer, "contact"), "name": offer.contact_name}
        if offer.contact_title:
            contact["title"] = offer.contact_title
        if offer.contact_email:
            contact["email"] = offer.contact_email
        if offer.contact_phone:
            contact["phones"] = [_phone(offer, child_id(offer, "contact_phone", "phone"))]
        service["contacts"] = [contact]
    attributes = [
        _term_attribute(offer, term) for term in [*offer.topics.all(), *offer.target_groups.all()]
    ]
    if attributes:
        service["attributes"] = attributes
    return service


def _sal_extra(offer: Offer, location_id: Any) -> dict[str, Any]:
    return (offer.hsds_extra or {}).get("service_at_locations", {}).get(str(location_id), {})


def service_at_location_own(offer: Offer, location: Location) -> dict[str, JSON]:
    ids = _sal_extra(offer, location.pk).get("ids", {})
    return {
        "id": ids.get("id") or service_at_location_id(offer.pk, location.pk),
        "service_id": str(offer.pk),
        "location_id": str(location.pk),
    }


def service_at_location_applied(offer: Offer, location: Location) -> dict[str, JSON]:
    return apply_patch(
        service_at_location_own(offer, location), _sal_extra(offer, location.pk).get("patch", {})
    )


def render_service(
    offer: Offer, *, organization: bool = True, service_at_locations: bool = True
) -> dict[str, JSON]:
    """The fully nested service. Inside an organization, leave out `organization`; inside a
    service_at_location, leave out `service_at_locations`. Needs SERVICE_FULL_LOOKUPS."""
    service = apply_patch(service_own(offer, children=True), stored_patch(offer))
    service["last_modified"] = _utc_timestamp(offer.updated_at)
    if organization:
        service["organization"] = render_organization(offer.provider, services=None)
    if service_at_locations:
        sals = []
        for location in offer.locations.all():
            sal = service_at_location_applied(offer, location)
            sal["location"] = render_location(location)
            sals.append(sal)
        if sals:
            service["service_at_locations"] = sals
    return service


def render_service_list_item(offer: Offer, *, organization: bool = True) -> dict[str, JSON]:
    """The service of the list endpoints: one-to-one fields, organization and program."""
    applied = apply_patch(service_own(offer, children=False), stored_patch(offer))
    service = project(applied, SERVICE_LIST_FIELDS)
    service["last_modified"] = _utc_timestamp(offer.updated_at)
    if isinstance(applied.get("program"), dict):
        service["program"] = project(applied["program"], PROGRAM_LIST_FIELDS)
    if organization:
        service["organization"] = render_organization_list_item(offer.provider)
    return service


def render_service_minimal(offer: Offer) -> dict[str, JSON]:
    # HSDS asks for just the id and the modified date; name and status are required by the
    # list schema, so they come too.
    return {
        "id": str(offer.pk),
        "name": offer.title,
        "status": STATUS_TO_HSDS[Offer.Status(offer.status)],
        "last_modified": _utc_timestamp(offer.updated_at),
    }


def organization_own(provider: Provider, *, children: bool) -> dict[str, JSON]:
    organization: dict[str, JSON] = {
        "id": str(provider.pk),
        "name": provider.name,
        "description": provider.description,
    }
    if provider.email:
        organization["email"] = provider.email
    if provider.website:
        organization["website"] = provider.website
    organisation = provider.organisation if children else None
    if organisation is not None:
        organization["organization_identifiers"] = [
            {
                "id": child_id(provider, "org_number"),
                # Org-id.guide's code for the Norwegian register of legal entities.
                "identifier_scheme": "NO-BRC",
                "identifier_type": "Organisasjonsnummer",
                "identifier": organisation.org_number,
            }
        ]
    return organization


def render_organization(
    provider: Provider, *, services: Sequence[Offer] | None, full_services: bool = False
) -> dict[str, JSON]:
    """The fully nested organization; `services` None leaves the services out (an
    organization inside a service). Needs ORGANIZATION_FULL_LOOKUPS."""
    organization = apply_patch(organization_own(provider, children=True), stored_patch(provider))
    locations = [render_location(location) for location in provider.locations.all()]
    if locations:
        organization["locations"] = locations
    if services is not None:
        organization["services"] = [
            render_service(offer, organization=False)
            if full_services
            else render_service_list_item(offer, organization=False)
            for offer in services
        ]
    return organization


def render_organization_list_item(provider: Provider) -> dict[str, JSON]:
    applied = apply_patch(organization_own(provider, children=False), stored_patch(provider))
    return project(applied, ORGANIZATION_LIST_FIELDS)


def location_own(location: Location, *, children: bool) -> dict[str, JSON]:
    result: dict[str, JSON] = {"id": str(location.pk), "location_type": "physical"}
    if location.provider_id is not None:
        result["organization_id"] = str(location.provider_id)
    if location.name:
        result["name"] = location.name
    if location.description:
        result["description"] = location.description
    if location.latitude is not None:
        result["latitude"] = float(location.latitude)
    if location.longitude is not None:
        result["longitude"] = float(location.longitude)
    if not children:
        return result
    if location.address:
        municipality = location.municipality
        result["addresses"] = [
            {
                "id": child_id(location, "address"),
                "address_1": location.address,
                "city": location.city,
                "state_province": municipality.county if municipality else "",
                "postal_code": location.postal_code,
                "country": "NO",
                "address_type": "physical",
            }
        ]
    if location.accessibility:
        result["accessibility"] = [
            {"id": child_id(location, "accessibility"), "description": location.accessibility}
        ]
    return result


def render_location(location: Location) -> dict[str, JSON]:
    return apply_patch(location_own(location, children=True), stored_patch(location))


def render_location_list_item(location: Location) -> dict[str, JSON]:
    applied = apply_patch(location_own(location, children=False), stored_patch(location))
    return project(applied, LOCATION_LIST_FIELDS)


def render_service_at_location(offer: Offer, location: Location) -> dict[str, JSON]:
    """The fully nested service_at_location."""
    sal = service_at_location_applied(offer, location)
    sal["location"] = render_location(location)
    sal["service"] = render_service(offer, service_at_locations=False)
    return sal


def render_service_at_location_list_item(offer: Offer, location: Location) -> dict[str, JSON]:
    sal = project(service_at_location_applied(offer, location), SERVICE_AT_LOCATION_LIST_FIELDS)
    sal["location"] = render_location_list_item(location)
    sal["service"] = render_service_list_item(offer)
    return sal


def taxonomy_own(taxonomy: Taxonomy) -> dict[str, JSON]:
    result: dict[str, JSON] = {
        "id": str(taxonomy.pk),
        "name": taxonomy.name,
        "description": taxonomy.description,
    }
    if taxonomy.uri:
        result["uri"] = taxonomy.uri
    if taxonomy.version:
        result["version"] = taxonomy.version
    return result


def render_taxonomy(taxonomy: Taxonomy) -> dict[str, JSON]:
    return apply_patch(taxonomy_own(taxonomy), stored_patch(taxonomy))


def term_own(term: TaxonomyTerm) -> dict[str, JSON]:
    result: dict[str, JSON] = {
        "id": str(term.pk),
        "name": term.name,
        "description": term.description,
        # The name is the bokmål one (ISO 639-1 "nb").
        "language": "nb",
    }
    if term.code:
        result["code"] = term.code
    if term.parent_id is not None:
        result["parent_id"] = str(term.parent_id)
    if term.taxonomy_id is not None:
        result["taxonomy_id"] = str(term.taxonomy_id)
    if term.term_uri:
        result["term_uri"] = term.term_uri
    return result


def render_term(term: TaxonomyTerm) -> dict[str, JSON]:
    """The taxonomy term with its taxonomy (select_related("taxonomy"))."""
    result = apply_patch(term_own(term), stored_patch(term))
    if term.taxonomy is not None:
        result["taxonomy_detail"] = render_taxonomy(term.taxonomy)
    return result


def terms_for_rendering() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "pk")


def locations_for_rendering() -> QuerySet[Location]:
    return Location.objects.select_related("municipality").order_by("name", "pk")


def service_full_lookups(prefix: str = "") -> list[str | Prefetch]:
    """prefetch_related lookups for render_service, relative to `prefix` ("" or "offers__")."""
    return [
        f"{prefix}opening_hours",
        f"{prefix}sessions",
        Prefetch(f"{prefix}municipalities", Municipality.objects.order_by("name", "number")),
        Prefetch(f"{prefix}topics", terms_for_rendering()),
        Prefetch(f"{prefix}target_groups", terms_for_rendering()),
        Prefetch(f"{prefix}locations", locations_for_rendering()),
        Prefetch(f"{prefix}provider__locations", locations_for_rendering()),
    ]


# What the list shape reads: fewer columns to send and to load, 50 times a page.
LIST_FIELDS = (
    "id", "provider_id", "programme_id", "title", "description", "url", "contact_email",
    "how_to_sign_up", "cost", "age_from_months", "age_to_months", "last_verified_at", "status",
    "updated_at", "hsds_extra", "provider__id", "provider__name", "provider__description",
    "provider__email", "provider__website", "provider__hsds_extra", "programme__id",
    "programme__slug", "programme__name", "programme__purpose",
)  # fmt: skip


def services_for_rendering(queryset: QuerySet[Offer], *, full: bool) -> QuerySet[Offer]:
    queryset = queryset.select_related("provider", "programme")
    if not full:
        return queryset.only(*LIST_FIELDS)
    # The search document is the longest column, and no HSDS field.
    return (
        queryset.select_related("provider__organisation")
        .defer("search_document")
        .prefetch_related(*service_full_lookups())
    )


def export_offers_as_hsds(offers: Iterable[Offer]) -> list[dict[str, JSON]]:
    """The offers as fully nested HSDS 3.0 services, whatever their status.

    For the editor's per-unit export: drafts come out as "inactive", retired offers as
    "defunct". Give a queryset (it is fetched with everything rendering needs, in a fixed
    number of queries) or offers already fetched (their relations are prefetched in bulk).
    The list round-trips through import_hsds_records.
    """
    if isinstance(offers, QuerySet):
        fetched = list(services_for_rendering(offers.order_by("title", "pk"), full=True))
    else:
        fetched = list(offers)
        prefetch_related_objects(
            fetched, "provider__organisation", "programme", *service_full_lookups()
        )
    return [render_service(offer) for offer in fetched]
