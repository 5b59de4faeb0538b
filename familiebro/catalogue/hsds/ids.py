"""HSDS ids, versions and the fixed shapes of the catalogue's HSDS records.

Records Familiebro creates keep their own UUIDs. Parts HSDS gives ids that Familiebro stores
without one (a phone, a contact, an opening time, a service_at_location) get a UUID5 derived
from their owner's id and their role (ID_NAMESPACE), so the same data always has the same ids;
imported records keep the ids they came with (docs/hsds-import.md).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models

from ..models import Offer, Programme
from ..programme_data import taxonomy_id as seeded_taxonomy_id

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

# Keys rendered from related records rather than kept per record (docs/hsds-import.md).
SERVICE_CONTEXT = frozenset({"organization", "service_at_locations", "last_modified"})
ORGANIZATION_CONTEXT = frozenset({"services", "locations"})
SERVICE_AT_LOCATION_CONTEXT = frozenset({"service", "location"})
TERM_CONTEXT = frozenset({"taxonomy_detail"})

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def derived_id(owner_id: Any, role: str) -> str:
    """The id of a part Familiebro stores without one (see this module's docstring)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{owner_id}:{role}"))


def service_at_location_id(offer_id: Any, location_id: Any) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"service_at_location:{offer_id}:{location_id}"))


def programme_hsds_id(programme: Programme) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"programme:{programme.slug}"))


def _ids(obj: Any) -> dict[str, str]:
    return (obj.hsds_extra or {}).get("ids", {})


def stored_patch(obj: Any) -> dict[str, Any]:
    return (obj.hsds_extra or {}).get("patch", {})


def child_id(obj: Any, role: str, *fallback_roles: str) -> str:
    ids = _ids(obj)
    for name in (role, *fallback_roles):
        if name in ids:
            return ids[name]
    return derived_id(obj.pk, fallback_roles[-1] if fallback_roles else role)


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def find_by_id(model: type[ModelT], value: JSON) -> ModelT | None:
    """The row with this HSDS id, if the id is a UUID and the row exists."""
    pk = parse_uuid(value)
    return model._default_manager.filter(pk=pk).first() if pk is not None else None
