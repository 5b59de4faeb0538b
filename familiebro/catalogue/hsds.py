"""The catalogue as HSDS 3.0 (Open Referral), and HSDS directories imported into it.

Mapping. A Provider is an HSDS organization, an Offer a service, a Location a location, an
offer at one of its locations a service_at_location, Taxonomy and TaxonomyTerm the taxonomy
and taxonomy_term. Per service:

- name = title, description, url, email = contact_email, application_process = how_to_sign_up,
  fees_description = cost; a free offer has one cost option of 0 NOK, and an imported service
  is free only when all its cost options are 0.
- status: published → "active", draft → "inactive", retired → "defunct". Only published
  offers are served by the API; an import maps "active" to published, "inactive" and
  "temporarily closed" to draft, "defunct" to retired.
- minimum_age / maximum_age are years (HSDS) from months (Familiebro). Pregnancy (negative
  months) is published as 0: HSDS ages cannot be negative, and "from birth" is the nearest
  true statement. A service imported with minimum_age 0 starts at birth; ages above the
  editor's limit of 25 years (maximum_age 100: no upper limit) are stored as 25 years.
- assured_date = the date the offer was last verified.
- phones: the offer's phone, with the phone hours as its description. contacts: the contact
  person, with exactly what the staff member chose to publish on the offer (name, title,
  phone, e-mail; never the photo).
- schedules: weekly opening hours as WEEKLY schedules (one per opening time and note, with
  the days in byday; times are local Norwegian time), and dated sessions as schedules with
  dtstart/until and opens_at/closes_at carrying their UTC offset.
- service_areas: the municipalities the offer is for (name, and the municipality number as a
  "text" extent).
- languages: the languages spoken, by ISO 639-1 code. attributes: the offer's topics and
  target groups, each with its taxonomy term. program: the national programme, with a stable
  id derived from its slug.
- Translations of the offer's text are not published: HSDS 3.0 has one text per field, and
  the bokmål original is the one every translation is made from.

Ids. Records Familiebro creates keep their own UUIDs. Parts HSDS gives ids that Familiebro
stores without one (a phone, a contact, an opening time, a service_at_location) get a UUID5
derived from their owner's id and their role (ID_NAMESPACE), so the same data always has the
same ids. A service_at_location is uuid5(ID_NAMESPACE, "service_at_location:<offer>:<location>").
Imported records keep the ids they came with (an imported service_at_location answers to its
own id and to the derived one). Sessions keep their own ids, the same as in their iCalendar
files.

What Familiebro does not model is kept in `hsds_extra` as a patch: the difference between the
record as imported and the record Familiebro generates from its own fields (make_patch). The
output applies that patch to what Familiebro generates now (apply_patch), so a record comes
out as it went in; once staff change a field, their value wins over the imported one. Lists
are matched by item id, so extra fields on a phone survive a change of the number. Nested
related records (a service's organization and service_at_locations, an organization's
services and locations, a service_at_location's service and location, a term's
taxonomy_detail) are always rendered from the related record, and lists of them are ordered
by name and id. `last_modified` is computed: when Familiebro's copy of the service last
changed (for an imported service, when it was imported).

Import merges: a key missing from an imported record leaves Familiebro's value alone, so a
directory's list pages and full records can be imported in any order. Nothing is deleted by an
import. Topics: a term of the target-group vocabulary becomes a target group, any other term a
topic (terms of other directories' taxonomies too, so the HSDS taxonomy filters find them).
HSDS's tabular format (a directory of CSV tables) is read into the same records by
hsds_tabular.py and imported by the same code, and so are the same tables written as one
JSON file (file name -> rows, as the official example tabular.json).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import math
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import jsonschema
import referencing
import referencing.exceptions
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, models, transaction
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
from django.utils.translation import gettext_lazy
from referencing.jsonschema import DRAFT202012

from familiebro.core.models import Municipality, ServiceUnit
from familiebro.core.text import without_direction_controls
from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

from . import finder, hsds_tabular
from .models import (
    Location,
    Offer,
    OfferSession,
    OpeningHours,
    Programme,
    Provider,
    Taxonomy,
    TaxonomyTerm,
)
from .programme_data import taxonomy_id as seeded_taxonomy_id
from .search import refresh_search_fields
from .services import EVENING_FROM, MAX_AGE_MONTHS, provider_for, require_can_edit

JSON = Any
ModelT = TypeVar("ModelT", bound=models.Model)

HSDS_VERSION = "3.0"
ID_NAMESPACE = uuid.UUID("22fed878-98df-4cfb-86a5-70a440961a96")
TARGET_GROUP_TAXONOMY_ID = seeded_taxonomy_id("malgruppe")

# Paging of the list endpoints. `minimal=true` pages are tiny (id, name, status, date), so a
# client can fetch every service id in one call, as HSDS asks.
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_MINIMAL_PER_PAGE = 50_000

STATUS_TO_HSDS = {
    Offer.Status.PUBLISHED: "active",
    Offer.Status.DRAFT: "inactive",
    Offer.Status.RETIRED: "defunct",
}
STATUS_FROM_HSDS = {
    "active": Offer.Status.PUBLISHED,
    "inactive": Offer.Status.DRAFT,
    "temporarily closed": Offer.Status.DRAFT,
    "defunct": Offer.Status.RETIRED,
}

# The one-to-one fields of the list shapes, as in schema/compiled/*_list.json.
SERVICE_LIST_FIELDS = (
    "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
    "email", "status", "interpretation_services", "application_process", "fees_description",
    "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age",
    "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified",
)  # fmt: skip
ORGANIZATION_LIST_FIELDS = (
    "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
    "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
)  # fmt: skip
PROGRAM_LIST_FIELDS = ("id", "organization_id", "name", "alternate_name", "description")
LOCATION_LIST_FIELDS = (
    "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
    "transportation", "latitude", "longitude", "external_identifier",
    "external_identifier_type",
)  # fmt: skip
SERVICE_AT_LOCATION_LIST_FIELDS = ("id", "service_id", "location_id", "description")

# Keys rendered from related records rather than kept per record (see the module docstring).
SERVICE_CONTEXT = frozenset({"organization", "service_at_locations", "last_modified"})
ORGANIZATION_CONTEXT = frozenset({"services", "locations"})
SERVICE_AT_LOCATION_CONTEXT = frozenset({"service", "location"})
TERM_CONTEXT = frozenset({"taxonomy_detail"})

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# Ids -----------------------------------------------------------------------------------------


def derived_id(owner_id: Any, role: str) -> str:
    """The id of a part Familiebro stores without one (see the module docstring)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{owner_id}:{role}"))


def service_at_location_id(offer_id: Any, location_id: Any) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"service_at_location:{offer_id}:{location_id}"))


def programme_hsds_id(programme: Programme) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"programme:{programme.slug}"))


def _ids(obj: Any) -> dict[str, str]:
    return (obj.hsds_extra or {}).get("ids", {})


def _patch(obj: Any) -> dict[str, Any]:
    return (obj.hsds_extra or {}).get("patch", {})


def _child_id(obj: Any, role: str, *fallback_roles: str) -> str:
    ids = _ids(obj)
    for name in (role, *fallback_roles):
        if name in ids:
            return ids[name]
    return derived_id(obj.pk, fallback_roles[-1] if fallback_roles else role)


# Patches: what Familiebro does not model ------------------------------------------------------
#
# A patch maps a key to one operation:
#   {"$set": v}                 the record had v where Familiebro generates nothing
#   {"$set": v, "$was": g}      the record had v where Familiebro generated g; kept while
#                               Familiebro still generates g (a later edit wins)
#   {"$absent": true, "$was": g}  the record lacked a key Familiebro generates as g
#   {"$patch": p, "$id": i}     a nested object, patched in turn while its id stays i
#   {"$items": [...]}           a list of objects with ids, item by item, in the record's order


def same_json(a: JSON, b: JSON) -> bool:
    """Equal as JSON text would be: 1, 1.0 and True are told apart; key order is not."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _item_ids(value: JSON) -> list[str] | None:
    """The ids of a list of objects that each have a distinct string id; else None."""
    if not isinstance(value, list):
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in value]
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        return None
    return ids  # type: ignore[return-value]


def make_patch(
    original: Mapping[str, JSON], generated: Mapping[str, JSON], skip: Collection[str] = ()
) -> dict[str, JSON]:
    """What turns `generated` back into `original` (keys in `skip` aside)."""
    patch: dict[str, JSON] = {}
    for key, value in original.items():
        if key in skip:
            continue
        if key not in generated:
            patch[key] = {"$set": value}
            continue
        current = generated[key]
        if same_json(value, current):
            continue
        if isinstance(value, dict) and isinstance(current, dict):
            patch[key] = {"$patch": make_patch(value, current), "$id": current.get("id")}
        elif _item_ids(value) is not None and _item_ids(current) is not None:
            patch[key] = {"$items": _items_patch(value, current)}
        else:
            patch[key] = {"$set": value, "$was": current}
    for key, current in generated.items():
        if key not in skip and key not in original:
            patch[key] = {"$absent": True, "$was": current}
    return patch


def _items_patch(original: list[JSON], generated: list[JSON]) -> list[JSON]:
    by_id = {item["id"]: item for item in generated}
    entries: list[JSON] = []
    for item in original:
        match = by_id.pop(item["id"], None)
        if match is None:
            entries.append({"$item": item})
        else:
            entries.append({"$id": item["id"], "$patch": make_patch(item, match)})
    entries += [{"$omit": item_id, "$was": item} for item_id, item in by_id.items()]
    return entries


def apply_patch(generated: Mapping[str, JSON], patch: Mapping[str, JSON]) -> dict[str, JSON]:
    """`generated` with the patch applied: the record as imported, plus later edits."""
    result = dict(generated)
    for key, change in patch.items():
        if "$patch" in change:
            current = result.get(key)
            if isinstance(current, dict) and current.get("id") == change.get("$id"):
                result[key] = apply_patch(current, change["$patch"])
        elif "$items" in change:
            current = result.get(key, [])
            if _item_ids(current) is not None:
                items = _apply_items(current, change["$items"])
                if items or key in result:
                    result[key] = items
        elif "$was" in change:
            if key in result and same_json(result[key], change["$was"]):
                if "$set" in change:
                    result[key] = change["$set"]
                else:
                    del result[key]
        elif key not in result:
            result[key] = change["$set"]
    return result


def _apply_items(generated: list[JSON], entries: list[JSON]) -> list[JSON]:
    by_id = {item["id"]: item for item in generated}
    placed: set[str] = set()
    items: list[JSON] = []
    for entry in entries:
        if "$item" in entry:
            items.append(entry["$item"])
        elif "$id" in entry:
            item = by_id.get(entry["$id"])
            if item is not None and entry["$id"] not in placed:
                items.append(apply_patch(item, entry["$patch"]))
                placed.add(entry["$id"])
        else:
            item = by_id.get(entry["$omit"])
            if item is not None and same_json(item, entry["$was"]):
                placed.add(entry["$omit"])
    items += [item for item_id, item in by_id.items() if item_id not in placed]
    return items


def _project(record: Mapping[str, JSON], fields: Sequence[str]) -> dict[str, JSON]:
    return {key: record[key] for key in fields if key in record}


# Rendering: model → HSDS ---------------------------------------------------------------------


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


def _hours_role(opens: datetime.time, closes: datetime.time, note: str) -> str:
    return f"hours:{opens:%H:%M}-{closes:%H:%M}:{note}"


def _schedules(offer: Offer) -> list[dict[str, JSON]]:
    groups: dict[tuple[datetime.time, datetime.time, str], list[int]] = {}
    for row in offer.opening_hours.all():
        groups.setdefault((row.opens_at, row.closes_at, row.note), []).append(row.weekday)
    schedules: list[dict[str, JSON]] = []
    for (opens, closes, note), days in sorted(groups.items(), key=lambda g: (min(g[1]), g[0])):
        schedule: dict[str, JSON] = {
            "id": _child_id(offer, _hours_role(opens, closes, note)),
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
        "id": _child_id(offer, f"attribute:{term.pk}"),
        "taxonomy_term_id": str(term.pk),
        "taxonomy_term": render_term(term),
    }


def _program(programme: Programme) -> dict[str, JSON]:
    return {
        "id": programme_hsds_id(programme),
        "name": programme.name,
        "description": programme.purpose,
    }


def _service_own(offer: Offer, *, children: bool) -> dict[str, JSON]:
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
        service["phones"] = [_phone(offer, _child_id(offer, "phone"))]
    if schedules := _schedules(offer):
        service["schedules"] = schedules
    areas = [
        {
            "id": _child_id(offer, f"area:{municipality.number}"),
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
            "id": _child_id(offer, f"language:{code}"),
            "code": code,
            "name": finder.language_name(code),
        }
        for code in offer.languages.split()
    ]
    if languages:
        service["languages"] = languages
    if offer.is_free:
        service["cost_options"] = [
            {"id": _child_id(offer, "cost:free"), "amount": 0, "currency": "NOK"}
        ]
    if offer.contact_name:
        contact: dict[str, JSON] = {"id": _child_id(offer, "contact"), "name": offer.contact_name}
        if offer.contact_title:
            contact["title"] = offer.contact_title
        if offer.contact_email:
            contact["email"] = offer.contact_email
        if offer.contact_phone:
            contact["phones"] = [_phone(offer, _child_id(offer, "contact_phone", "phone"))]
        service["contacts"] = [contact]
    attributes = [
        _term_attribute(offer, term) for term in [*offer.topics.all(), *offer.target_groups.all()]
    ]
    if attributes:
        service["attributes"] = attributes
    return service


def _sal_extra(offer: Offer, location_id: Any) -> dict[str, Any]:
    return (offer.hsds_extra or {}).get("service_at_locations", {}).get(str(location_id), {})


def _service_at_location_own(offer: Offer, location: Location) -> dict[str, JSON]:
    ids = _sal_extra(offer, location.pk).get("ids", {})
    return {
        "id": ids.get("id") or service_at_location_id(offer.pk, location.pk),
        "service_id": str(offer.pk),
        "location_id": str(location.pk),
    }


def _service_at_location_applied(offer: Offer, location: Location) -> dict[str, JSON]:
    return apply_patch(
        _service_at_location_own(offer, location), _sal_extra(offer, location.pk).get("patch", {})
    )


def render_service(
    offer: Offer, *, organization: bool = True, service_at_locations: bool = True
) -> dict[str, JSON]:
    """The fully nested service. Inside an organization, leave out `organization`; inside a
    service_at_location, leave out `service_at_locations`. Needs SERVICE_FULL_LOOKUPS."""
    service = apply_patch(_service_own(offer, children=True), _patch(offer))
    service["last_modified"] = _utc_timestamp(offer.updated_at)
    if organization:
        service["organization"] = render_organization(offer.provider, services=None)
    if service_at_locations:
        sals = []
        for location in offer.locations.all():
            sal = _service_at_location_applied(offer, location)
            sal["location"] = render_location(location)
            sals.append(sal)
        if sals:
            service["service_at_locations"] = sals
    return service


def render_service_list_item(offer: Offer, *, organization: bool = True) -> dict[str, JSON]:
    """The service of the list endpoints: one-to-one fields, organization and program."""
    applied = apply_patch(_service_own(offer, children=False), _patch(offer))
    service = _project(applied, SERVICE_LIST_FIELDS)
    service["last_modified"] = _utc_timestamp(offer.updated_at)
    if isinstance(applied.get("program"), dict):
        service["program"] = _project(applied["program"], PROGRAM_LIST_FIELDS)
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


def _organization_own(provider: Provider, *, children: bool) -> dict[str, JSON]:
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
                "id": _child_id(provider, "org_number"),
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
    organization = apply_patch(_organization_own(provider, children=True), _patch(provider))
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
    applied = apply_patch(_organization_own(provider, children=False), _patch(provider))
    return _project(applied, ORGANIZATION_LIST_FIELDS)


def _location_own(location: Location, *, children: bool) -> dict[str, JSON]:
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
                "id": _child_id(location, "address"),
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
            {"id": _child_id(location, "accessibility"), "description": location.accessibility}
        ]
    return result


def render_location(location: Location) -> dict[str, JSON]:
    return apply_patch(_location_own(location, children=True), _patch(location))


def render_location_list_item(location: Location) -> dict[str, JSON]:
    applied = apply_patch(_location_own(location, children=False), _patch(location))
    return _project(applied, LOCATION_LIST_FIELDS)


def render_service_at_location(offer: Offer, location: Location) -> dict[str, JSON]:
    """The fully nested service_at_location."""
    sal = _service_at_location_applied(offer, location)
    sal["location"] = render_location(location)
    sal["service"] = render_service(offer, service_at_locations=False)
    return sal


def render_service_at_location_list_item(offer: Offer, location: Location) -> dict[str, JSON]:
    sal = _project(_service_at_location_applied(offer, location), SERVICE_AT_LOCATION_LIST_FIELDS)
    sal["location"] = render_location_list_item(location)
    sal["service"] = render_service_list_item(offer)
    return sal


def _taxonomy_own(taxonomy: Taxonomy) -> dict[str, JSON]:
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
    return apply_patch(_taxonomy_own(taxonomy), _patch(taxonomy))


def _term_own(term: TaxonomyTerm) -> dict[str, JSON]:
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
    result = apply_patch(_term_own(term), _patch(term))
    if term.taxonomy is not None:
        result["taxonomy_detail"] = render_taxonomy(term.taxonomy)
    return result


# What the renderers read, fetched in a fixed number of queries per page -----------------------


def _terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "pk")


def _locations() -> QuerySet[Location]:
    return Location.objects.select_related("municipality").order_by("name", "pk")


def service_full_lookups(prefix: str = "") -> list[str | Prefetch]:
    """prefetch_related lookups for render_service, relative to `prefix` ("" or "offers__")."""
    return [
        f"{prefix}opening_hours",
        f"{prefix}sessions",
        Prefetch(f"{prefix}municipalities", Municipality.objects.order_by("name", "number")),
        Prefetch(f"{prefix}topics", _terms()),
        Prefetch(f"{prefix}target_groups", _terms()),
        Prefetch(f"{prefix}locations", _locations()),
        Prefetch(f"{prefix}provider__locations", _locations()),
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


# The API's queries -----------------------------------------------------------------------------


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


def published_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(status=Offer.Status.PUBLISHED)


def _matching_text(queryset: QuerySet[Offer], text: str) -> QuerySet[Offer]:
    """The finder's text search: Norwegian full text on PostgreSQL, every word elsewhere.
    The order is the caller's (HSDS pages are by name, not by relevance)."""
    concepts = finder.parse_query(text)
    if not concepts:
        return queryset
    if connection.vendor == "postgresql":
        return finder.fulltext_matches(queryset, concepts)
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


def services_page(
    filters: ServiceFilters, paging: Paging, *, full: bool = False, minimal: bool = False
) -> dict[str, JSON]:
    """GET /services: published offers, by name then id."""
    queryset = filter_services(published_offers(), filters).order_by("title", "pk")
    if minimal:
        return page_of(
            queryset.only("id", "title", "status", "updated_at"), paging, render_service_minimal
        )
    queryset = services_for_rendering(queryset, full=full)
    return page_of(queryset, paging, render_service if full else render_service_list_item)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _by_id(model: type[ModelT], value: JSON) -> ModelT | None:
    """The row with this HSDS id, if the id is a UUID and the row exists."""
    pk = _uuid(value)
    return model._default_manager.filter(pk=pk).first() if pk is not None else None


def service_detail(service_id: str) -> dict[str, JSON]:
    pk = _uuid(service_id)
    offer = (
        services_for_rendering(published_offers(), full=True).filter(pk=pk).first() if pk else None
    )
    if offer is None:
        raise NotFound(_("No published service has the id %(id)s.") % {"id": service_id})
    return render_service(offer)


def _organizations_for_rendering(full: bool, full_services: bool) -> QuerySet[Provider]:
    queryset = Provider.objects.select_related("organisation")
    if not full:
        return queryset
    services = services_for_rendering(published_offers(), full=full_services).order_by(
        "title", "pk"
    )
    return queryset.prefetch_related(
        Prefetch("locations", _locations()),
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
    pk = _uuid(organization_id)
    provider = (
        _organizations_for_rendering(True, full_service).filter(pk=pk).first() if pk else None
    )
    if provider is None:
        raise NotFound(_("No organization has the id %(id)s.") % {"id": organization_id})
    return _render_organization_full(full_service)(provider)


def _offer_locations(filters: ServiceFilters, *, full: bool) -> QuerySet[Any]:
    offers = filter_services(published_offers(), filters)
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
    pk = _uuid(sal_id)
    if pk is None:
        return None
    wanted = str(pk)
    through = Offer.locations.through.objects.filter(offer__status=Offer.Status.PUBLISHED)
    imported = (
        published_offers()
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
    pk = _uuid(taxonomy_id)
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
    queryset = _terms()
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
    pk = _uuid(term_id)
    term = _terms().filter(pk=pk).first() if pk else None
    if term is None:
        raise NotFound(_("No taxonomy term has the id %(id)s.") % {"id": term_id})
    return render_term(term)


def about(openapi_url: str) -> dict[str, JSON]:
    """GET /: which HSDS this API speaks (examples/base.json)."""
    return {"version": HSDS_VERSION, "openapi_url": openapi_url}


# The official schemas ---------------------------------------------------------------------------

SCHEMA_BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def schema_dir() -> Path:
    """Where the official HSDS 3.0 schema files are: FAMILIEBRO_HSDS_SCHEMA_DIR, or the copy
    shipped with Familiebro (the record schemas; the large compiled ones are not shipped)."""
    default = Path(__file__).resolve().parent / "hsds_schema"
    return Path(os.environ.get("FAMILIEBRO_HSDS_SCHEMA_DIR", default))


class SchemasMissing(Exception):
    """The official schema files are not where schema_dir() looks."""


@functools.cache
def _schema_resource(uri: str) -> referencing.Resource[Any]:
    if not uri.startswith(SCHEMA_BASE_URI):
        raise referencing.exceptions.NoSuchResource(uri)
    path = schema_dir() / uri.removeprefix(SCHEMA_BASE_URI)
    if not path.is_file():
        raise referencing.exceptions.NoSuchResource(uri)
    # The files declare no $schema; HSDS's OpenAPI description names Draft 2020-12.
    return DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8")))


# Registry's attrs-made __init__ takes `retrieve`; mypy sees only the private field name.
SCHEMA_REGISTRY: referencing.Registry[Any] = referencing.Registry(retrieve=_schema_resource)  # type: ignore[call-arg]

FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not re.search(r"\s", value)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    moment = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return "T" in value.upper() and moment.tzinfo is not None


def schema_file(name: str) -> Path:
    """The official schema file at this path under schema/ ("taxonomy.json")."""
    file = schema_dir() / name
    if not file.is_file():
        raise SchemasMissing(
            _(
                "The HSDS 3.0 schema file %(path)s is missing. Point FAMILIEBRO_HSDS_SCHEMA_DIR "
                "at the schema folder of the HSDS 3.0 specification."
            )
            % {"path": file}
        )
    return file


@functools.cache
def schema_validator(name: str) -> jsonschema.protocols.Validator:
    """A validator for one official schema, by its path under schema/ ("compiled/service.json",
    "taxonomy.json") or any URI reference into them."""
    uri = name if "://" in name else SCHEMA_BASE_URI + name
    schema_file(uri.removeprefix(SCHEMA_BASE_URI).partition("#")[0])
    return jsonschema.Draft202012Validator(
        {"$ref": uri}, registry=SCHEMA_REGISTRY, format_checker=FORMAT_CHECKER
    )


# Which schema checks an imported record of each kind.
RECORD_SCHEMAS = {
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
    "organization": "organization.json",
    "location": "location.json",
    "service": "service.json",
    "service_at_location": "service_at_location.json",
}
KIND_ORDER = tuple(RECORD_SCHEMAS)  # references point to earlier kinds
KIND_NAMES = {
    "taxonomy": ("taxonomy", "taxonomies"),
    "taxonomy_term": ("taxonomy term", "taxonomy terms"),
    "organization": ("organization", "organizations"),
    "location": ("location", "locations"),
    "service": ("service", "services"),
    "service_at_location": ("service_at_location", "service_at_locations"),
}


def schema_errors(kind: str, record: JSON) -> list[str]:
    """What is wrong with the record by the official schema: "field: problem", at most 20."""
    validator = schema_validator(RECORD_SCHEMAS[kind])
    errors = sorted(validator.iter_errors(record), key=lambda e: [str(p) for p in e.path])
    return [f"{_field_path(error.absolute_path)}: {error.message}" for error in errors[:20]]


def _field_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("the record")


# Import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRecord:
    """One record to import, with where it came from ("services.json, item 3")."""

    data: JSON
    source: str
    kind: str = ""


@dataclass(frozen=True)
class Rejection:
    source: str
    kind: str
    record_id: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        """Where, which record, and why: "services.json, item 2: service 1f…: name: is empty".
        A problem with a file as a whole names just the file."""
        reasons = "; ".join(self.reasons)
        if not self.kind and not self.record_id:
            return f"{self.source}: {reasons}"
        what = KIND_NAMES.get(self.kind, (_("record"), ""))[0]
        label = f"{what} {self.record_id}" if self.record_id else what
        return f"{self.source}: {label}: {reasons}"


@dataclass
class ImportReport:
    """What an import did: counts by kind, and every record it rejected with the reasons."""

    partial: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    # Services already as imported: not written, so their last_modified stays.
    unchanged: Counter[str] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # References a tabular package's rows make to rows it does not have: dropped, not fatal.
    warnings: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejections

    def summary(self) -> str:
        if self.rejections and not self.committed:
            return _(
                "Nothing was imported: %(count)s record(s) were rejected. Correct them and "
                "import again."
            ) % {"count": len(self.rejections)}
        parts = []
        for kind in KIND_ORDER:
            counts = {
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            if any(counts.values()):
                parts.append(
                    _("%(kinds)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
                    % {"kinds": KIND_NAMES[kind][1], **counts}
                )
        text = "; ".join(parts) if parts else _("Nothing to import.")
        if self.rejections:
            text += " " + _("%(count)s record(s) were rejected and not imported.") % {
                "count": len(self.rejections)
            }
        return text

    def lines(self) -> list[str]:
        """The report as text: notes, warnings, each rejection, then the summary."""
        return [
            *self.notes,
            *self.warnings,
            *(r.describe() for r in self.rejections),
            self.summary(),
        ]


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class RecordRejected(Exception):
    """A record cannot be imported: which field (a path into the record), and why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field or _('the record')}: {problem}")


def import_hsds_records(
    records: Iterable[JSON | SourceRecord],
    *,
    partial: bool,
    unit: ServiceUnit | None = None,
    actor: Any = None,
) -> ImportReport:
    """Import HSDS 3.0 records (services, organizations, service_at_locations, locations,
    taxonomies, taxonomy terms), upserting by HSDS id.

    Each record is checked against the official schema, then written with everything nested
    in it (a service's organization, locations and taxonomy terms). References must resolve:
    an organization_id, service_id, location_id, taxonomy_term_id or taxonomy_id that is
    neither in Familiebro nor imported with the record rejects it. The kind of a dict record
    is told by its shape; a SourceRecord may name it.

    `partial=False`: one transaction; if any record is rejected, nothing is imported.
    `partial=True`: the valid records are imported, each on its own; the rest are reported.

    With a `unit` (the editor's per-unit import), only services are accepted; they become the
    unit's offers under its organisation, an id of another unit's offer is rejected, and
    taxonomy terms must already exist (a unit does not change the shared vocabularies). The
    `actor` must be allowed to edit the unit's offers.
    """
    if unit is not None:
        require_can_edit(actor, unit.pk)
    sources = [
        record
        if isinstance(record, SourceRecord)
        else SourceRecord(record, _("item %(n)s") % {"n": n})
        for n, record in enumerate(records, start=1)
    ]
    return _import(sources, partial=partial, unit=unit, actor=actor)


def _import(
    sources: Sequence[SourceRecord],
    *,
    partial: bool,
    unit: ServiceUnit | None = None,
    actor: Any = None,
    rejections: Sequence[Rejection] = (),
) -> ImportReport:
    """Check every record, then write the valid ones in dependency order, each in a
    savepoint. Without `partial`, the writes are rolled back at the end if anything was
    rejected, so one run reports every problem and imports nothing."""
    report = ImportReport(partial=partial, rejections=list(rejections))
    valid: list[tuple[str, SourceRecord]] = []
    for source in sources:
        # Another directory's texts are typed by people too (familiebro.core.text).
        source = replace(source, data=without_direction_controls(source.data))
        kind, reasons = _check(source, unit)
        if reasons:
            report.rejections.append(
                Rejection(source.source, kind, _record_id(source.data), tuple(reasons))
            )
        else:
            valid.append((kind, source))
    valid.sort(key=lambda pair: KIND_ORDER.index(pair[0]))
    with transaction.atomic():
        importer = _Importer(unit=unit, actor=actor)
        for kind, source in valid:
            try:
                with transaction.atomic():
                    outcome = importer.record(kind, source.data)
            except RecordRejected as exc:
                report.rejections.append(
                    Rejection(source.source, kind, _record_id(source.data), (str(exc),))
                )
                continue
            {CREATED: report.created, UPDATED: report.updated, UNCHANGED: report.unchanged}[
                outcome
            ][kind] += 1
        if report.rejections and not partial:
            transaction.set_rollback(True)
            report.created.clear()
            report.updated.clear()
            report.unchanged.clear()
            return report
    report.committed = True
    return report


def _record_id(data: JSON) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str | int):
        return str(data["id"])
    return ""


def record_kind(data: Mapping[str, JSON]) -> str:
    """The kind of an HSDS record by its shape; "" if it cannot be told."""
    keys = set(data)
    if keys & {"service", "location", "service_id", "location_id"} and "status" not in keys:
        return "service_at_location"
    if "status" in keys:
        return "service"
    if "location_type" in keys or keys & {"addresses", "accessibility", "transportation"}:
        return "location"
    if keys & {"services", "locations", "website", "tax_status", "tax_id", "year_incorporated",
               "legal_status", "logo", "parent_organization_id", "organization_identifiers",
               "funding", "programs"}:  # fmt: skip
        return "organization"
    if keys & {"taxonomy_detail", "taxonomy_id", "parent_id", "code", "term_uri", "taxonomy",
               "language"}:  # fmt: skip
        return "taxonomy_term"
    if keys & {"uri", "version"}:
        return "taxonomy"
    return ""


def _check(source: SourceRecord, unit: ServiceUnit | None) -> tuple[str, list[str]]:
    if not isinstance(source.data, dict):
        return source.kind, [
            _("a record must be a JSON object, not %(type)s") % {"type": type(source.data).__name__}
        ]
    kind = source.kind or record_kind(source.data)
    if not kind:
        return "", [
            _(
                "cannot tell which kind of HSDS record this is; name the file after its kind "
                "(services.json, organizations.json, …)"
            )
        ]
    if unit is not None and kind != "service":
        return kind, [_("only services can be imported into a unit's offers")]
    return kind, schema_errors(kind, source.data)


# Mapping helpers: what fits Familiebro's fields is mapped, the rest stays in the patch.

_validate_url = URLValidator()
_validate_email = EmailValidator()
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _text(value: JSON, max_length: int | None = None) -> str:
    if not isinstance(value, str) or (max_length is not None and len(value) > max_length):
        return ""
    return value


def _required_text(record: Mapping[str, JSON], key: str, max_length: int, path: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RecordRejected(_nested(path, key), _("is empty; give a name"))
    if len(value) > max_length:
        raise RecordRejected(
            _nested(path, key),
            _("is %(length)s characters long; Familiebro holds at most %(max)s")
            % {"length": len(value), "max": max_length},
        )
    return value


def _url(value: JSON) -> str:
    text = _text(value, 200)
    try:
        _validate_url(text)
    except ValidationError:
        return ""
    return text


def _email(value: JSON) -> str:
    text = _text(value, 254)
    try:
        _validate_email(text)
    except ValidationError:
        return ""
    return text


def _items(value: JSON) -> list[dict[str, JSON]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _coordinate(value: JSON) -> decimal.Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    number = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.000001"))
    return number if abs(number) < 1000 else None


def _months(years: JSON) -> int | None:
    """Years as months, at most the editor's upper limit (25 years): an HSDS maximum_age of
    100 means "no upper limit" to a family service. The exact value stays in the patch."""
    if isinstance(years, bool) or not isinstance(years, int | float) or years < 0:
        return None
    return min(round(years * 12), MAX_AGE_MONTHS)


def _date(value: JSON) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _time_of_day(value: JSON) -> tuple[datetime.time, datetime.tzinfo | None] | None:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    zone: datetime.tzinfo | None = None
    if match[4]:
        zone = (
            datetime.UTC
            if match[4] == "Z"
            else datetime.datetime.strptime(match[4].replace(":", ""), "%z").tzinfo
        )
    return datetime.time(hours, minutes, seconds), zone


def _weekly_hours(
    schedule: Mapping[str, JSON],
) -> tuple[list[int], datetime.time, datetime.time, str] | None:
    """A WEEKLY schedule that is plain opening hours: days, opening times (local, no offset),
    nothing that limits which weeks. Anything else is kept as it came."""
    if schedule.get("freq") != "WEEKLY" or schedule.get("interval") not in (None, 1):
        return None
    limits = ("count", "until", "byweekno", "bymonthday", "byyearday", "dtstart", "valid_from",
              "valid_to", "timezone")  # fmt: skip
    if any(schedule.get(key) not in (None, "") for key in limits):
        return None
    byday = schedule.get("byday")
    if not isinstance(byday, str):
        return None
    codes = [code.strip().upper() for code in byday.split(",")]
    if not codes or any(code not in WEEKDAY_CODES for code in codes):
        return None
    opens, closes = _time_of_day(schedule.get("opens_at")), _time_of_day(schedule.get("closes_at"))
    if opens is None or closes is None or opens[1] or closes[1] or closes[0] <= opens[0]:
        return None
    days = sorted({WEEKDAY_CODES.index(code) for code in codes})
    return days, opens[0], closes[0], _text(schedule.get("notes"), 200)


def _session(
    schedule: Mapping[str, JSON],
) -> tuple[datetime.datetime, datetime.datetime, str] | None:
    """A schedule that is one dated session: a start date, maybe an end date, and times."""
    repeats = ("freq", "byday", "count", "byweekno", "bymonthday", "byyearday")
    if any(schedule.get(key) not in (None, "") for key in repeats):
        return None
    first = _date(schedule.get("dtstart")) or _date(schedule.get("valid_from"))
    last = _date(schedule.get("until")) or _date(schedule.get("valid_to")) or first
    opens, closes = _time_of_day(schedule.get("opens_at")), _time_of_day(schedule.get("closes_at"))
    if first is None or last is None or opens is None or closes is None:
        return None
    starts = _moment(first, *opens)
    ends = _moment(last, *closes)
    if ends <= starts:
        return None
    return starts, ends, _text(schedule.get("description"), 200)


def _moment(
    day: datetime.date, time: datetime.time, zone: datetime.tzinfo | None
) -> datetime.datetime:
    if zone is None:
        return timezone.make_aware(datetime.datetime.combine(day, time))
    return datetime.datetime.combine(day, time, tzinfo=zone)


def _opening_flags(
    hours: Sequence[tuple[int, datetime.time, datetime.time, str]],
    sessions: Sequence[tuple[Any, datetime.datetime, datetime.datetime, str]],
) -> tuple[bool, bool]:
    """(open evenings, open weekends) as the schedule shows them, by the editor's rule."""
    evenings = any(closes > EVENING_FROM for _day, _opens, closes, _note in hours)
    weekends = any(day >= OpeningHours.Weekday.SATURDAY for day, *_rest in hours)
    for _id, starts, ends, _title in sessions:
        local_start, local_end = timezone.localtime(starts), timezone.localtime(ends)
        evenings = (
            evenings or local_end.time() > EVENING_FROM or local_end.date() > local_start.date()
        )
        weekends = weekends or local_start.weekday() >= OpeningHours.Weekday.SATURDAY
    return evenings, weekends


def _nested(path: str, key: str, index: int | None = None) -> str:
    label = f"{path}.{key}" if path else key
    return f"{label}[{index}]" if index is not None else label


class _Importer:
    """Writes one record at a time (inside the caller's transaction and savepoint)."""

    def __init__(self, *, unit: ServiceUnit | None, actor: Any) -> None:
        self.unit = unit
        self.actor = actor
        self.unit_provider = provider_for(unit) if unit is not None else None
        self._programmes: dict[str, Programme] | None = None

    def record(self, kind: str, data: Mapping[str, JSON]) -> str:
        """Import one top-level record: CREATED, UPDATED or (services only) UNCHANGED."""
        if kind == "service":
            return self.service(data, "")[1]
        if kind == "taxonomy":
            created = self.taxonomy(data, "")[1]
        elif kind == "taxonomy_term":
            created = self.term(data, "")[1]
        elif kind == "organization":
            created = self.organization(data, "")[1]
        elif kind == "location":
            created = self.location(data, "")[1]
        else:
            created = self.service_at_location(data, "")[1]
        return CREATED if created else UPDATED

    # Taxonomies ---------------------------------------------------------------------------

    def taxonomy(self, data: Mapping[str, JSON], path: str) -> tuple[Taxonomy, bool]:
        taxonomy = Taxonomy.objects.filter(pk=data["id"]).first()
        created = taxonomy is None
        if taxonomy is None:
            taxonomy = Taxonomy(pk=data["id"])
        effective = {**({} if created else render_taxonomy(taxonomy)), **data}
        taxonomy.name = _required_text(effective, "name", 200, path)
        taxonomy.description = _text(effective.get("description"))
        taxonomy.uri = _url(effective.get("uri"))
        taxonomy.version = _text(effective.get("version"), 50)
        taxonomy.hsds_extra = {}
        taxonomy.save()
        taxonomy.hsds_extra = {"patch": make_patch(effective, _taxonomy_own(taxonomy))}
        Taxonomy.objects.filter(pk=taxonomy.pk).update(hsds_extra=taxonomy.hsds_extra)
        return taxonomy, created

    def term(self, data: Mapping[str, JSON], path: str) -> tuple[TaxonomyTerm, bool]:
        term = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=data["id"]).first()
        created = term is None
        if term is None:
            term = TaxonomyTerm(pk=data["id"])
        own = {key: value for key, value in data.items() if key not in TERM_CONTEXT}
        current = {} if created else apply_patch(_term_own(term), _patch(term))
        effective = {**current, **own}
        detail = data.get("taxonomy_detail")
        if isinstance(detail, dict):
            term.taxonomy, _created = self.taxonomy(detail, _nested(path, "taxonomy_detail"))
        elif "taxonomy_id" in data:
            taxonomy = Taxonomy.objects.filter(pk=data["taxonomy_id"]).first()
            if taxonomy is None:
                raise RecordRejected(
                    _nested(path, "taxonomy_id"),
                    _(
                        "no taxonomy has the id %(id)s in Familiebro or in this import; import "
                        "the taxonomy too, or give it as taxonomy_detail"
                    )
                    % {"id": data["taxonomy_id"]},
                )
            term.taxonomy = taxonomy
        term.name = _required_text(effective, "name", 200, path)
        term.code = _text(effective.get("code"), 100)
        term.description = _text(effective.get("description"))
        term.term_uri = _url(effective.get("term_uri"))
        # A parent outside the directory (the official example names one) is kept as given.
        parent_id = _uuid(effective.get("parent_id"))
        term.parent = (
            TaxonomyTerm.objects.filter(pk=parent_id).exclude(pk=term.pk).first()
            if parent_id
            else None
        )
        term.hsds_extra = {}
        term.save()
        term.hsds_extra = {"patch": make_patch(effective, _term_own(term), TERM_CONTEXT)}
        TaxonomyTerm.objects.filter(pk=term.pk).update(hsds_extra=term.hsds_extra)
        return term, created

    def _resolve_term(
        self, attribute: Mapping[str, JSON], path: str, fresh: bool
    ) -> TaxonomyTerm | None:
        nested = attribute.get("taxonomy_term")
        term_id = (
            nested.get("id") if isinstance(nested, dict) else attribute.get("taxonomy_term_id")
        )
        if term_id is None:
            return None
        if isinstance(nested, dict) and fresh and self.unit is None:
            return self.term(nested, _nested(path, "taxonomy_term"))[0]
        term = _by_id(TaxonomyTerm, term_id)
        if term is None:
            raise RecordRejected(
                _nested(path, "taxonomy_term_id" if nested is None else "taxonomy_term.id"),
                _(
                    "no taxonomy term has the id %(id)s in Familiebro or in this import; "
                    "import the term too, or give it as taxonomy_term"
                )
                % {"id": term_id},
            )
        return term

    # Organizations and locations -------------------------------------------------------------

    def organization(self, data: Mapping[str, JSON], path: str) -> tuple[Provider, bool]:
        provider = Provider.objects.select_related("organisation").filter(pk=data["id"]).first()
        created = provider is None
        if provider is None:
            provider = Provider(pk=data["id"])
        own = {key: value for key, value in data.items() if key not in ORGANIZATION_CONTEXT}
        current = (
            {}
            if created
            else apply_patch(_organization_own(provider, children=True), _patch(provider))
        )
        effective = {**current, **own}
        provider.name = _required_text(effective, "name", 300, path)
        provider.description = _text(effective.get("description"))
        provider.email = _email(effective.get("email"))
        provider.website = _url(effective.get("website"))
        ids: dict[str, str] = {}
        organisation = provider.organisation
        if organisation is not None:
            for item in _items(effective.get("organization_identifiers")):
                if item.get("identifier") == organisation.org_number:
                    ids["org_number"] = item["id"]
                    break
        provider.hsds_extra = {"ids": ids}
        provider.save()
        generated = _organization_own(provider, children=True)
        provider.hsds_extra = {
            "ids": ids,
            "patch": make_patch(effective, generated, ORGANIZATION_CONTEXT),
        }
        Provider.objects.filter(pk=provider.pk).update(hsds_extra=provider.hsds_extra)
        for index, location in enumerate(_items(data.get("locations"))):
            self.location(location, _nested(path, "locations", index), provider=provider)
        for index, service in enumerate(_items(data.get("services"))):
            self.service(service, _nested(path, "services", index), provider=provider)
        return provider, created

    def location(
        self, data: Mapping[str, JSON], path: str, *, provider: Provider | None = None
    ) -> tuple[Location, bool]:
        location = Location.objects.select_related("municipality").filter(pk=data["id"]).first()
        created = location is None
        if self.unit_provider is not None:
            if location is not None and location.provider_id not in (None, self.unit_provider.pk):
                raise RecordRejected(
                    _nested(path, "id"),
                    _("the location %(id)s belongs to another organization") % {"id": data["id"]},
                )
            provider = self.unit_provider
        own = dict(data)
        if self.unit_provider is not None and "organization_id" in own:
            own["organization_id"] = str(self.unit_provider.pk)
        current = {} if location is None else render_location(location)
        if location is None:
            location = Location(pk=data["id"])
        if provider is None and "organization_id" in data:
            # An organization Familiebro does not know is kept as given.
            provider = _by_id(Provider, data["organization_id"])
        if provider is not None:
            location.provider = provider
        effective = {**current, **own}
        location.name = _text(effective.get("name"), 300)
        location.description = _text(effective.get("description"))
        location.latitude = _coordinate(effective.get("latitude"))
        location.longitude = _coordinate(effective.get("longitude"))
        ids: dict[str, str] = {}
        addresses = _items(effective.get("addresses"))
        address = addresses[0] if addresses else {}
        location.address = _text(address.get("address_1"), 300)
        location.postal_code = _text(address.get("postal_code"), 10)
        location.city = _text(address.get("city"), 100)
        if address:
            ids["address"] = address["id"]
        accessibility = _items(effective.get("accessibility"))
        location.accessibility = _text(accessibility[0].get("description")) if accessibility else ""
        if accessibility:
            ids["accessibility"] = accessibility[0]["id"]
        location.hsds_extra = {"ids": ids}
        location.save()
        location.hsds_extra = {
            "ids": ids,
            "patch": make_patch(effective, _location_own(location, children=True)),
        }
        Location.objects.filter(pk=location.pk).update(hsds_extra=location.hsds_extra)
        return location, created

    # Services ------------------------------------------------------------------------------

    def _programme(self, hsds_id: JSON) -> Programme | None:
        if self._programmes is None:
            self._programmes = {programme_hsds_id(p): p for p in Programme.objects.all()}
        return self._programmes.get(str(hsds_id))

    def _provider_for_service(
        self, data: Mapping[str, JSON], path: str, offer: Offer | None, provider: Provider | None
    ) -> Provider:
        if self.unit_provider is not None:
            return self.unit_provider
        if provider is not None:
            return provider
        if isinstance(data.get("organization"), dict):
            organization, _created = self.organization(
                data["organization"], _nested(path, "organization")
            )
            return organization
        if "organization_id" in data:
            found = _by_id(Provider, data["organization_id"])
            if found is None:
                raise RecordRejected(
                    _nested(path, "organization_id"),
                    _(
                        "no organization has the id %(id)s in Familiebro or in this import; "
                        "import the organization too, or give it as organization"
                    )
                    % {"id": data["organization_id"]},
                )
            return found
        if offer is not None:
            return offer.provider
        raise RecordRejected(
            _nested(path, "organization"),
            _("a new service needs its organization: give organization or organization_id"),
        )

    def service(
        self, data: Mapping[str, JSON], path: str, *, provider: Provider | None = None
    ) -> tuple[Offer, str]:
        offer = Offer.objects.filter(pk=data["id"]).select_related("provider").first()
        if self.unit is not None and offer is not None and offer.unit_id != self.unit.pk:
            raise RecordRejected(
                _nested(path, "id"),
                _(
                    "the service %(id)s is another unit's offer; export it again from this unit, "
                    "or remove the id to import it as a new offer"
                )
                % {"id": data["id"]},
            )
        created = offer is None
        offer_provider = self._provider_for_service(data, path, offer, provider)
        if offer is None:
            offer = Offer(pk=data["id"], unit=self.unit, languages="")
        same_provider = offer.provider_id == offer_provider.pk
        offer.provider = offer_provider
        own = {key: value for key, value in data.items() if key not in SERVICE_CONTEXT}
        if self.unit_provider is not None and "organization_id" in own:
            # A unit's offers are its organisation's, whatever the file says.
            own["organization_id"] = str(self.unit_provider.pk)
        current: dict[str, JSON] = {}
        if not created:
            current = apply_patch(
                _service_own(
                    services_for_rendering(Offer.objects.all(), full=True).get(pk=offer.pk),
                    children=True,
                ),
                _patch(offer),
            )
        effective = {**current, **own}
        sal_locations: list[tuple[Location, dict[str, JSON]]] | None = None
        if "service_at_locations" in data:
            sal_locations = []
            for index, sal in enumerate(_items(data["service_at_locations"])):
                sal_path = _nested(path, "service_at_locations", index)
                location = self._sal_location(sal, sal_path)
                sal_locations.append((location, sal))
        if (
            not created
            and same_provider
            and same_json(effective, current)
            and _same_service_at_locations(offer, sal_locations)
        ):
            return offer, UNCHANGED
        plan = self._map_service(offer, effective, path, fresh=set(own))
        extra = dict(offer.hsds_extra or {})
        extra["ids"] = plan.ids
        extra.pop("patch", None)
        offer.hsds_extra = extra
        offer.save()
        offer.topics.set(plan.topics)
        offer.target_groups.set(plan.target_groups)
        offer.municipalities.set(plan.municipalities)
        offer.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            [
                OpeningHours(offer=offer, weekday=day, opens_at=opens, closes_at=closes, note=note)
                for day, opens, closes, note in plan.hours
            ]
        )
        offer.sessions.exclude(pk__in=[session_id for session_id, *_rest in plan.sessions]).delete()
        for session_id, starts, ends, title in plan.sessions:
            OfferSession.objects.update_or_create(
                pk=session_id,
                defaults={"offer": offer, "starts_at": starts, "ends_at": ends, "title": title},
            )
        if sal_locations is not None:
            offer.locations.set([location for location, _sal in sal_locations])
            kept = {str(location.pk) for location, _sal in sal_locations}
            extra["service_at_locations"] = {
                key: value
                for key, value in extra.get("service_at_locations", {}).items()
                if key in kept
            }
        refresh_search_fields(offer)
        fresh = services_for_rendering(Offer.objects.all(), full=True).get(pk=offer.pk)
        extra["patch"] = make_patch(effective, _service_own(fresh, children=True), SERVICE_CONTEXT)
        fresh.hsds_extra = extra
        for location, sal in sal_locations or []:
            self._store_sal(fresh, location, sal)
        Offer.objects.filter(pk=offer.pk).update(hsds_extra=fresh.hsds_extra)
        audit.record(
            AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
            actor=self.actor,
            object_type="catalogue.offer",
            object_ids=[offer.pk],
            organisation_id=self.unit.organisation_id if self.unit is not None else None,
            purpose="catalogue",
            detail={"event": "hsds_import"},
        )
        return fresh, CREATED if created else UPDATED

    def _map_service(
        self, offer: Offer, record: Mapping[str, JSON], path: str, *, fresh: set[str]
    ) -> _ServicePlan:
        """Set the offer's fields from the record; return its relations and part ids."""
        plan = _ServicePlan()
        ids = plan.ids
        offer.title = _required_text(record, "name", 200, path)
        offer.description = _text(record.get("description"))
        offer.url = _url(record.get("url"))
        offer.contact_email = _email(record.get("email"))
        offer.status = STATUS_FROM_HSDS.get(str(record.get("status")), Offer.Status.DRAFT)
        offer.how_to_sign_up = _text(record.get("application_process"))
        offer.cost = _text(record.get("fees_description"), 300)
        offer.age_from_months = _months(record.get("minimum_age"))
        offer.age_to_months = _months(record.get("maximum_age"))
        if offer.age_from_months is not None and offer.age_to_months is not None:
            offer.age_to_months = max(offer.age_to_months, offer.age_from_months)
        assured = _date(record.get("assured_date"))
        offer.last_verified_at = (
            timezone.make_aware(datetime.datetime.combine(assured, datetime.time()))
            if assured
            else None
        )
        program = record.get("program")
        program_id = program.get("id") if isinstance(program, dict) else record.get("program_id")
        offer.programme = self._programme(program_id) if program_id else None

        phones = _items(record.get("phones"))
        contacts = _items(record.get("contacts"))
        contact = contacts[0] if contacts else {}
        contact_phones = _items(contact.get("phones"))
        phone = phones[0] if phones else (contact_phones[0] if contact_phones else {})
        offer.contact_phone = _text(phone.get("number"), 20)
        offer.phone_hours = _text(phone.get("description"), 200)
        if phones:
            ids["phone"] = phones[0]["id"]
        if contact_phones:
            ids["contact_phone"] = contact_phones[0]["id"]
        offer.contact_name = _text(contact.get("name"), 200)
        offer.contact_title = _text(contact.get("title"), 200)
        if contact:
            ids["contact"] = contact["id"]
        if not offer.contact_email:
            offer.contact_email = _email(contact.get("email"))

        codes: list[str] = []
        for item in _items(record.get("languages")):
            code = item.get("code")
            if isinstance(code, str) and re.fullmatch(r"[a-z]{2,3}", code) and code not in codes:
                codes.append(code)
                ids[f"language:{code}"] = item["id"]
        offer.languages = f" {' '.join(codes)} " if codes else ""
        if len(offer.languages) > 200:
            offer.languages = ""

        options = _items(record.get("cost_options"))
        amounts = [option.get("amount") for option in options]
        offer.is_free = bool(options) and all(
            not isinstance(a, bool) and isinstance(a, int | float) and a == 0 for a in amounts
        )
        if offer.is_free:
            ids["cost:free"] = options[0]["id"]

        for item in _items(record.get("schedules")):
            weekly = _weekly_hours(item)
            if weekly is not None:
                days, opens, closes, note = weekly
                role = _hours_role(opens, closes, note)
                if role not in ids:
                    ids[role] = item["id"]
                    plan.hours += [(day, opens, closes, note) for day in days]
                    continue
            session = _session(item)
            session_id = _uuid(item["id"])
            if (
                session is not None
                and session_id is not None
                and not (
                    OfferSession.objects.filter(pk=session_id).exclude(offer_id=offer.pk).exists()
                    or session_id in {s[0] for s in plan.sessions}
                )
            ):
                plan.sessions.append((session_id, *session))
        evenings, weekends = _opening_flags(plan.hours, plan.sessions)
        offer.open_evenings = evenings or (offer.open_evenings and offer.unit_id is not None)
        offer.open_weekends = weekends or (offer.open_weekends and offer.unit_id is not None)

        for item in _items(record.get("service_areas")):
            municipality = _municipality_for_area(item)
            if municipality is not None and municipality not in plan.municipalities:
                plan.municipalities.append(municipality)
                ids[f"area:{municipality.number}"] = item["id"]

        for index, item in enumerate(_items(record.get("attributes"))):
            attribute_path = _nested(path, "attributes", index)
            term = self._resolve_term(item, attribute_path, fresh="attributes" in fresh)
            if term is None or f"attribute:{term.pk}" in ids:
                continue
            ids[f"attribute:{term.pk}"] = item["id"]
            if term.taxonomy_id == TARGET_GROUP_TAXONOMY_ID:
                plan.target_groups.append(term)
            else:
                plan.topics.append(term)
        return plan

    def _sal_location(self, sal: Mapping[str, JSON], path: str) -> Location:
        nested = sal.get("location")
        if isinstance(nested, dict):
            return self.location(nested, _nested(path, "location"))[0]
        location = _by_id(Location, sal.get("location_id"))
        if location is None:
            raise RecordRejected(
                _nested(path, "location_id"),
                _(
                    "no location has the id %(id)s in Familiebro or in this import; import the "
                    "location too, or give it as location"
                )
                % {"id": sal.get("location_id")},
            )
        return location

    def _store_sal(self, offer: Offer, location: Location, data: Mapping[str, JSON]) -> None:
        """Keep the service_at_location's own fields in the offer's hsds_extra."""
        own = {key: value for key, value in data.items() if key not in SERVICE_AT_LOCATION_CONTEXT}
        extra = offer.hsds_extra
        entries = extra.setdefault("service_at_locations", {})
        current = (
            _service_at_location_applied(offer, location) if str(location.pk) in entries else {}
        )
        effective = {**current, **own}
        entries[str(location.pk)] = {"ids": {"id": str(data["id"])}}
        generated = _service_at_location_own(offer, location)
        entries[str(location.pk)]["patch"] = make_patch(effective, generated)

    def service_at_location(self, data: Mapping[str, JSON], path: str) -> tuple[Offer, bool]:
        nested = data.get("service")
        if isinstance(nested, dict):
            offer, _created = self.service(nested, _nested(path, "service"))
        else:
            offer_id = _uuid(data.get("service_id"))
            found = Offer.objects.filter(pk=offer_id).first() if offer_id else None
            if found is None or (self.unit is not None and found.unit_id != self.unit.pk):
                raise RecordRejected(
                    _nested(path, "service_id"),
                    _(
                        "no service has the id %(id)s in Familiebro or in this import; import "
                        "the service too, or give it as service"
                    )
                    % {"id": data.get("service_id")},
                )
            offer = found
        location = self._sal_location(data, path)
        created = not offer.locations.filter(pk=location.pk).exists()
        offer.locations.add(location)
        offer.hsds_extra = dict(Offer.objects.values_list("hsds_extra", flat=True).get(pk=offer.pk))
        self._store_sal(offer, location, data)
        Offer.objects.filter(pk=offer.pk).update(hsds_extra=offer.hsds_extra)
        return offer, created


@dataclass
class _ServicePlan:
    ids: dict[str, str] = field(default_factory=dict)
    topics: list[TaxonomyTerm] = field(default_factory=list)
    target_groups: list[TaxonomyTerm] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    hours: list[tuple[int, datetime.time, datetime.time, str]] = field(default_factory=list)
    sessions: list[tuple[uuid.UUID, datetime.datetime, datetime.datetime, str]] = field(
        default_factory=list
    )


def _same_service_at_locations(
    offer: Offer, incoming: list[tuple[Location, dict[str, JSON]]] | None
) -> bool:
    """Whether the imported service_at_locations say what the offer's already do."""
    if incoming is None:
        return True
    current = {str(pk) for pk in offer.locations.values_list("pk", flat=True)}
    if current != {str(location.pk) for location, _sal in incoming} or len(current) != len(
        incoming
    ):
        return False
    for location, sal in incoming:
        before = _service_at_location_applied(offer, location)
        own = {k: v for k, v in sal.items() if k not in SERVICE_AT_LOCATION_CONTEXT}
        if not same_json({**before, **own}, before):
            return False
    return True


def _municipality_for_area(area: Mapping[str, JSON]) -> Municipality | None:
    """The municipality a service area names: by number (as Familiebro publishes it), or by
    a name only one municipality has."""
    extent = area.get("extent")
    if (
        area.get("extent_type") == "text"
        and isinstance(extent, str)
        and re.fullmatch(r"\d{4}", extent)
    ):
        return Municipality.objects.filter(number=extent).first()
    name = area.get("name")
    if isinstance(name, str) and name.strip():
        matches = list(Municipality.objects.filter(name__iexact=name.strip())[:2])
        if len(matches) == 1:
            return matches[0]
    return None


# Reading files ----------------------------------------------------------------------------------

# File names that say which kind their records are, longest first.
_KIND_BY_FILE_NAME = (
    ("service_at_location", "service_at_location"),
    ("taxonomy_term", "taxonomy_term"),
    ("taxonom", "taxonomy"),
    ("organization", "organization"),
    ("organisation", "organization"),
    ("location", "location"),
    ("service", "service"),
)
_TABULAR = gettext_lazy(
    "this describes a data package, it holds no records; import the directory of its CSV "
    "files (organizations.csv, services.csv, …) instead"
)
_PAGE_KEYS = frozenset({"total_items", "total_pages", "page_number", "size", "contents"})


def _kind_from_name(name: str) -> str:
    for fragment, kind in _KIND_BY_FILE_NAME:
        if fragment in name.lower():
            return kind
    return ""


@dataclass
class LoadedSources:
    records: list[SourceRecord] = field(default_factory=list)
    problems: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_hsds_paths(paths: Iterable[Path]) -> LoadedSources:
    """Read records from HSDS JSON files, from the *.json files of directories, and from
    directories of CSV tables (HSDS's tabular format, hsds_tabular.py).

    A JSON file holds one record, a list of records, or a Page of them (as the API serves them);
    the file name tells the kind (services.json, organization_full.json…), else the shape.
    The API's description of itself (base.json) is skipped with a note. A file that cannot be
    read is reported as a problem with what is wrong.
    """
    loaded = LoadedSources()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file())
            records = [p for p in files if p.suffix.lower() == ".json"]
            if hsds_tabular.is_package(path):
                hsds_tabular.load_package(path, loaded)
                records = [p for p in records if p.name != "datapackage.json"]
            elif not records:
                loaded.problems.append(
                    Rejection(str(path), "", "", (_("the directory holds no .json files"),))
                )
            for file in records:
                _load_file(file, loaded)
        elif path.is_file() and path.suffix.lower() == ".csv":
            loaded.problems.append(
                Rejection(
                    path.name,
                    "",
                    "",
                    (
                        _(
                            "a table of HSDS's tabular format is imported with the others it "
                            "refers to: give the directory that holds it"
                        ),
                    ),
                )
            )
        elif path.is_file():
            _load_file(path, loaded)
        else:
            loaded.problems.append(Rejection(str(path), "", "", (_("no such file or directory"),)))
    return loaded


class _NotJsonNumber(ValueError):
    """NaN or Infinity: Python's json module reads them, JSON has no such numbers."""


def _not_json(constant: str) -> None:
    raise _NotJsonNumber(constant)


def _load_file(path: Path, loaded: LoadedSources) -> None:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        loaded.problems.append(Rejection(name, "", "", (_("the file is not UTF-8 text"),)))
        return
    except _NotJsonNumber as exc:
        loaded.problems.append(
            Rejection(
                name,
                "",
                "",
                (_("not valid JSON: %(value)s is not a number in JSON") % {"value": exc},),
            )
        )
        return
    except json.JSONDecodeError as exc:
        loaded.problems.append(
            Rejection(
                name,
                "",
                "",
                (
                    _("not valid JSON: %(error)s at line %(line)s, column %(column)s")
                    % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
                ),
            )
        )
        return
    kind = _kind_from_name(path.stem)
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and data.keys() >= _PAGE_KEYS:
        if not isinstance(data["contents"], list):
            loaded.problems.append(
                Rejection(name, kind, "", (_("contents: a page's contents must be a list"),))
            )
            return
        items = data["contents"]
    elif isinstance(data, dict) and "openapi_url" in data and "id" not in data:
        loaded.notes.append(
            _("%(file)s: skipped: it describes an HSDS API, it holds no records") % {"file": name}
        )
        return
    elif isinstance(data, dict) and data and all(key.endswith(".csv") for key in data):
        hsds_tabular.load_json_tables(path, data, loaded)
        return
    elif isinstance(data, dict) and "resources" in data:
        loaded.problems.append(Rejection(name, "", "", (str(_TABULAR),)))
        return
    elif isinstance(data, dict):
        items = [data]
    else:
        loaded.problems.append(
            Rejection(name, "", "", (_("expected a record, a list of records or a page"),))
        )
        return
    single = isinstance(data, dict) and items == [data]
    for index, item in enumerate(items, start=1):
        source = name if single else _("%(file)s, item %(n)s") % {"file": name, "n": index}
        loaded.records.append(SourceRecord(item, source, kind))


def import_hsds_paths(paths: Iterable[Path], *, partial: bool) -> ImportReport:
    """`familiebro import-hsds`: read the files and import their records. A file that cannot
    be read is a rejection like a bad record: without `partial`, nothing is imported."""
    loaded = load_hsds_paths(paths)
    report = _import(loaded.records, partial=partial, rejections=loaded.problems)
    report.notes = loaded.notes
    report.warnings = loaded.warnings
    return report
