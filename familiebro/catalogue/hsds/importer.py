"""HSDS records written into the catalogue: checked, then upserted by their HSDS id.

Import merges: a key missing from an imported record leaves Familiebro's value alone, so a
directory's list pages and full records can be imported in any order. Nothing is deleted by an
import. A term of the target-group vocabulary becomes a target group, any other term a topic.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import Municipality, ServiceUnit
from familiebro.core.text import without_direction_controls
from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

from ..actions import EVENING_FROM, MAX_AGE_MONTHS, provider_for
from ..models import (
    Location,
    Offer,
    OfferSession,
    OpeningHours,
    Programme,
    Provider,
    Taxonomy,
    TaxonomyTerm,
)
from ..permissions import require_can_edit
from ..search import refresh_search_fields
from .ids import (
    JSON,
    ORGANIZATION_CONTEXT,
    SERVICE_AT_LOCATION_CONTEXT,
    SERVICE_CONTEXT,
    STATUS_FROM_HSDS,
    TARGET_GROUP_TAXONOMY_ID,
    TERM_CONTEXT,
    WEEKDAY_CODES,
    find_by_id,
    parse_uuid,
    programme_hsds_id,
    stored_patch,
)
from .patch import apply_patch, make_patch, same_json
from .records import ImportReport, RecordRejected, Rejection, SourceRecord
from .render import (
    hours_role,
    location_own,
    organization_own,
    render_location,
    render_taxonomy,
    service_at_location_applied,
    service_at_location_own,
    service_own,
    services_for_rendering,
    taxonomy_own,
    term_own,
)
from .schemas import KIND_ORDER, schema_errors

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


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
    return import_sources(sources, partial=partial, unit=unit, actor=actor)


def import_sources(
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
        taxonomy.hsds_extra = {"patch": make_patch(effective, taxonomy_own(taxonomy))}
        Taxonomy.objects.filter(pk=taxonomy.pk).update(hsds_extra=taxonomy.hsds_extra)
        return taxonomy, created

    def term(self, data: Mapping[str, JSON], path: str) -> tuple[TaxonomyTerm, bool]:
        term = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=data["id"]).first()
        created = term is None
        if term is None:
            term = TaxonomyTerm(pk=data["id"])
        own = {key: value for key, value in data.items() if key not in TERM_CONTEXT}
        current = {} if created else apply_patch(term_own(term), stored_patch(term))
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
        parent_id = parse_uuid(effective.get("parent_id"))
        term.parent = (
            TaxonomyTerm.objects.filter(pk=parent_id).exclude(pk=term.pk).first()
            if parent_id
            else None
        )
        term.hsds_extra = {}
        term.save()
        term.hsds_extra = {"patch": make_patch(effective, term_own(term), TERM_CONTEXT)}
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
        term = find_by_id(TaxonomyTerm, term_id)
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
            else apply_patch(organization_own(provider, children=True), stored_patch(provider))
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
        generated = organization_own(provider, children=True)
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
            provider = find_by_id(Provider, data["organization_id"])
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
            "patch": make_patch(effective, location_own(location, children=True)),
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
            found = find_by_id(Provider, data["organization_id"])
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
                service_own(
                    services_for_rendering(Offer.objects.all(), full=True).get(pk=offer.pk),
                    children=True,
                ),
                stored_patch(offer),
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
        extra["patch"] = make_patch(effective, service_own(fresh, children=True), SERVICE_CONTEXT)
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
                role = hours_role(opens, closes, note)
                if role not in ids:
                    ids[role] = item["id"]
                    plan.hours += [(day, opens, closes, note) for day in days]
                    continue
            session = _session(item)
            session_id = parse_uuid(item["id"])
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
        location = find_by_id(Location, sal.get("location_id"))
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
            service_at_location_applied(offer, location) if str(location.pk) in entries else {}
        )
        effective = {**current, **own}
        entries[str(location.pk)] = {"ids": {"id": str(data["id"])}}
        generated = service_at_location_own(offer, location)
        entries[str(location.pk)]["patch"] = make_patch(effective, generated)

    def service_at_location(self, data: Mapping[str, JSON], path: str) -> tuple[Offer, bool]:
        nested = data.get("service")
        if isinstance(nested, dict):
            offer, _created = self.service(nested, _nested(path, "service"))
        else:
            offer_id = parse_uuid(data.get("service_id"))
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
        before = service_at_location_applied(offer, location)
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
