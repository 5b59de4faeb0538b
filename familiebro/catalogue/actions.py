"""What editors do with local offers: create, change, translate, publish, verify and retire.

Each function is one thing a person does. It checks that the person may edit the offer
(`permissions`), validates, writes the change and an audit event in one transaction, and
rebuilds the offer's search document and whether it is open to the whole country, so a failure
leaves nothing half-written and the finder never shows stale text or misses a nationwide
offer. The web pages, the CSV import, the commands and the demo data all go through here.
Passing `actor=None` means a trusted caller without a user (a management command, the demo
data) and skips the check.

The catalogue holds no personal data about families, but who changed a public offer matters:
every change is audited with the actor, the offer and the names of the fields that changed
(never their values, since contact persons are staff).
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.identifiers import normalise_phone_number
from familiebro.core.models import Municipality, ServiceUnit
from familiebro.privacy import audit
from familiebro.privacy.models import AuditEvent

from .models import (
    CONTENT_LANGUAGES,
    PREGNANCY_START_MONTHS,
    Location,
    Offer,
    OfferSession,
    OfferTranslation,
    OpeningHours,
    Provider,
    TaxonomyTerm,
)
from .permissions import require_can_edit
from .programme_data import TARGET_GROUP_TAXONOMY, TAXONOMY_IDS, TOPIC_TAXONOMY
from .reads import missing_for_publishing
from .search import refresh_search_fields

# Children's services reach young adults up to 23; anything above 25 years is a typo.
MAX_AGE_MONTHS = 25 * 12

# A session or opening hours that end after this are "open evenings" in the finder.
EVENING_FROM = datetime.time(17, 0)

AUDIT_PURPOSE = "catalogue"
OBJECT_TYPE = "catalogue.offer"

# Languages staff may say an offer is given in: the content languages plus bokmål and the
# languages most often asked for in Norwegian services. Codes are ISO 639-1 (Sámi: ISO 639-3
# would be "sme"; "se" is the 639-1 code and what HSDS publishers use).
SPOKEN_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("nb", "Norsk"),
    ("nn", "Nynorsk"),
    ("se", "Davvisámegiella"),
    ("en", "English"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("ti", "ትግርኛ"),
    ("pl", "Polski"),
    ("uk", "Українська"),
    ("ru", "Русский"),
    ("fa", "فارسی"),
    ("ur", "اردو"),
    ("lt", "Lietuvių"),
    ("es", "Español"),
)
CONTENT_LANGUAGE_CODES = frozenset(code for code, _name in CONTENT_LANGUAGES)

SCALAR_FIELDS: tuple[str, ...] = (
    "programme",
    "title",
    "summary",
    "description",
    "age_from_months",
    "age_to_months",
    "languages",
    "is_digital",
    "format_group",
    "format_individual",
    "format_home_visit",
    "open_evenings",
    "open_weekends",
    "is_free",
    "cost",
    "referral_required",
    "capacity",
    "how_to_sign_up",
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_email",
    "phone_hours",
    "url",
)
RELATION_FIELDS: tuple[str, ...] = ("topics", "target_groups", "municipalities")
PLACE_FIELDS: tuple[str, ...] = ("name", "address", "postal_code", "city", "municipality")
ACCEPTED_FIELDS = frozenset((*SCALAR_FIELDS, *RELATION_FIELDS, "place", "contact_photo"))


def provider_for(unit: ServiceUnit) -> Provider:
    """The unit's organisation as HSDS organization, created the first time it publishes."""
    provider, _created = Provider.objects.get_or_create(
        organisation=unit.organisation, defaults={"name": unit.organisation.name}
    )
    return provider


def _record(actor: Any, action: str, offer: Offer, event: str, **detail: Any) -> AuditEvent:
    unit = offer.unit
    organisation_id = unit.organisation_id if unit is not None else None
    return audit.record(
        action,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_ids=[offer.pk],
        organisation_id=organisation_id,
        purpose=AUDIT_PURPOSE,
        detail={"event": event, **detail},
    )


@transaction.atomic
def create_offer(
    actor: Any,
    unit: ServiceUnit,
    data: Mapping[str, Any],
    *,
    opening_hours: Sequence[Mapping[str, Any]] | None = None,
    sessions: Sequence[Mapping[str, Any]] | None = None,
    offer_id: uuid.UUID | None = None,
) -> Offer:
    """A new draft offer of `unit`. `data` holds Offer fields by name (see ACCEPTED_FIELDS).

    Municipalities served default to the unit's. `offer_id` keeps an id from an imported file.
    Raises ValidationError with what to fix, by field.
    """
    require_can_edit(actor, unit.pk)
    offer = Offer(unit=unit, provider=provider_for(unit), status=Offer.Status.DRAFT)
    if offer_id is not None:
        offer.pk = offer_id
    data = dict(data)
    data.setdefault("municipalities", list(unit.municipalities_served.all()))
    changed = _apply(offer, data, opening_hours=opening_hours, sessions=sessions, creating=True)
    _record(actor, AuditEvent.Action.CREATE, offer, "create", fields=sorted(changed))
    refresh_search_fields(offer)
    return offer


@transaction.atomic
def update_offer(
    actor: Any,
    offer: Offer,
    data: Mapping[str, Any],
    *,
    opening_hours: Sequence[Mapping[str, Any]] | None = None,
    sessions: Sequence[Mapping[str, Any]] | None = None,
) -> set[str]:
    """Change the fields named in `data` (others are left as they are); returns what changed.

    `opening_hours` replaces the weekly hours when given; `sessions` is the full list of dated
    sessions (rows with an "id" keep it, so calendar entries parents saved stay the same).
    A published offer must still have what parents need after the change.
    """
    require_can_edit(actor, offer.unit_id)
    changed = _apply(offer, dict(data), opening_hours=opening_hours, sessions=sessions)
    if changed:
        _record(actor, AuditEvent.Action.CHANGE, offer, "update", fields=sorted(changed))
        refresh_search_fields(offer)
    return changed


@transaction.atomic
def publish_offer(actor: Any, offer: Offer) -> Offer:
    """Draft (or retired) → published. Publishing also confirms the offer is correct."""
    require_can_edit(actor, offer.unit_id)
    if offer.status == Offer.Status.PUBLISHED:
        raise ValidationError(_("The offer is already published."))
    missing = missing_for_publishing(offer)
    if missing:
        raise ValidationError(missing)
    offer.status = Offer.Status.PUBLISHED
    _mark_verified(offer, actor)
    offer.save(update_fields=["status", "last_verified_at", "verified_by", "updated_at"])
    _record(actor, AuditEvent.Action.CHANGE, offer, "publish")
    refresh_search_fields(offer)
    return offer


@transaction.atomic
def verify_offer(actor: Any, offer: Offer) -> Offer:
    """ "This is still correct": restarts the six months before the offer is flagged."""
    require_can_edit(actor, offer.unit_id)
    if offer.status != Offer.Status.PUBLISHED:
        raise ValidationError(
            _(
                "Only a published offer can be confirmed. Publish it: publishing confirms "
                "that it is correct."
            )
        )
    _mark_verified(offer, actor)
    offer.save(update_fields=["last_verified_at", "verified_by", "updated_at"])
    _record(actor, AuditEvent.Action.CHANGE, offer, "verify")
    refresh_search_fields(offer)
    return offer


@transaction.atomic
def retire_offer(actor: Any, offer: Offer) -> Offer:
    """Take the offer off the public pages. It stays for the unit, to publish again later."""
    require_can_edit(actor, offer.unit_id)
    if offer.status == Offer.Status.RETIRED:
        raise ValidationError(_("The offer is already retired."))
    offer.status = Offer.Status.RETIRED
    offer.save(update_fields=["status", "updated_at"])
    _record(actor, AuditEvent.Action.CHANGE, offer, "retire")
    refresh_search_fields(offer)
    return offer


@transaction.atomic
def translate_offer(
    actor: Any,
    offer: Offer,
    language: str,
    *,
    title: str,
    description: str,
    summary: str = "",
    how_to_sign_up: str = "",
) -> OfferTranslation:
    """Add or replace the offer's text in `language` (bokmål on the offer is the original)."""
    require_can_edit(actor, offer.unit_id)
    if language not in CONTENT_LANGUAGE_CODES:
        raise ValidationError(
            {
                "language": _(
                    "%(language)s is not one of the languages offers can be translated into."
                )
                % {"language": language}
            }
        )
    translation = OfferTranslation.objects.filter(offer=offer, language=language).first()
    created = translation is None
    if translation is None:
        translation = OfferTranslation(offer=offer, language=language)
    translation.title = title.strip()
    translation.description = description.strip()
    translation.summary = summary.strip()
    translation.how_to_sign_up = how_to_sign_up.strip()
    translation.full_clean()
    translation.save()
    _record(
        actor,
        AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
        offer,
        "translate",
        language=language,
    )
    refresh_search_fields(offer)
    return translation


@transaction.atomic
def remove_translation(actor: Any, offer: Offer, language: str) -> None:
    require_can_edit(actor, offer.unit_id)
    deleted, _rows = OfferTranslation.objects.filter(offer=offer, language=language).delete()
    if not deleted:
        raise ValidationError(_("The offer has no translation into that language."))
    _record(actor, AuditEvent.Action.DELETE, offer, "remove_translation", language=language)
    refresh_search_fields(offer)


def _mark_verified(offer: Offer, actor: Any) -> None:
    offer.last_verified_at = timezone.now()
    offer.verified_by = actor if getattr(actor, "pk", None) else None


# Applying changes ---------------------------------------------------------------------------


def _apply(
    offer: Offer,
    data: dict[str, Any],
    *,
    opening_hours: Sequence[Mapping[str, Any]] | None,
    sessions: Sequence[Mapping[str, Any]] | None,
    creating: bool = False,
) -> set[str]:
    """Validate everything first, then write: a ValidationError leaves the offer untouched."""
    unknown = set(data) - ACCEPTED_FIELDS
    if unknown:
        # A programming error, not a user's: say which names are wrong.
        raise TypeError(f"Offers have no fields named {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    before = {name: getattr(offer, name) for name in SCALAR_FIELDS}
    for name in SCALAR_FIELDS:
        if name in data:
            try:
                setattr(offer, name, _clean_scalar(name, data[name]))
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    relations = _clean_relations(data, errors)
    hours = _clean_opening_hours(opening_hours, errors) if opening_hours is not None else None
    session_rows = (
        _clean_sessions(offer, sessions, errors, creating) if sessions is not None else None
    )
    _check_consistency(offer, errors)
    try:
        offer.full_clean(exclude=["provider", "unit", "search_document", "contact_photo"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        _restore(offer, before)
        raise ValidationError(errors)

    changed = {name for name in SCALAR_FIELDS if getattr(offer, name) != before[name]}
    photo_changed = _apply_photo(offer, data) if "contact_photo" in data else False
    if photo_changed:
        changed.add("contact_photo")
    if hours is not None or session_rows is not None:
        _derive_opening_times(offer, hours, session_rows)
        changed |= {
            name
            for name in ("open_evenings", "open_weekends")
            if getattr(offer, name) != before[name]
        }
    # A new offer may bring its id (an imported file): insert, without trying an update first.
    offer.save(force_insert=creating)
    for name, values in relations.items():
        if _set_relation(offer, name, values, creating):
            changed.add(name)
    if "place" in data and _set_place(offer, data["place"], creating):
        changed.add("place")
    if hours is not None and _replace_opening_hours(offer, hours, creating):
        changed.add("opening_hours")
    if session_rows is not None and _sync_sessions(offer, session_rows, creating):
        changed.add("sessions")
    if offer.status == Offer.Status.PUBLISHED:
        missing = missing_for_publishing(offer)
        if missing:
            # The change would leave a public offer without what parents need: undo it all.
            raise ValidationError(
                {
                    field: _("A published offer must keep this. %(what)s") % {"what": message}
                    for field, message in missing.items()
                }
            )
    return changed


def _restore(offer: Offer, before: Mapping[str, Any]) -> None:
    for name, value in before.items():
        setattr(offer, name, value)


def _clean_scalar(name: str, value: Any) -> Any:
    if name == "languages":
        return normalise_languages(value)
    if name == "contact_phone":
        value = (value or "").strip()
        return normalise_phone_number(value) if value else ""
    if isinstance(value, str):
        return value.strip()
    return value


def normalise_languages(value: str | Iterable[str] | None) -> str:
    """Language codes as the space-padded list Offer.languages stores (" nb ar ")."""
    if value is None:
        codes: list[str] = []
    elif isinstance(value, str):
        codes = value.replace(",", " ").replace("|", " ").split()
    else:
        codes = [str(code).strip() for code in value]
    seen: list[str] = []
    for code in codes:
        code = code.lower()
        if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
            raise ValidationError(
                _("%(code)s is not a language code. Use two letters, for example nb, ar or so.")
                % {"code": code}
            )
        if code not in seen:
            seen.append(code)
    if not seen:
        raise ValidationError(_("Choose at least one language the offer is given in."))
    return " " + " ".join(seen) + " "


def _clean_relations(data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, list]:
    relations: dict[str, list] = {}
    for name, taxonomy in (("topics", TOPIC_TAXONOMY), ("target_groups", TARGET_GROUP_TAXONOMY)):
        if name not in data:
            continue
        terms = list(data[name] or [])
        if any(not isinstance(term, TaxonomyTerm) for term in terms):
            raise TypeError(f"{name} must be TaxonomyTerm instances")
        expected = TAXONOMY_IDS[taxonomy]
        wrong = [term.name for term in terms if term.taxonomy_id != expected]
        if wrong:
            errors.setdefault(name, []).append(
                _("These are not %(taxonomy)s terms: %(terms)s.")
                % {"taxonomy": taxonomy, "terms": ", ".join(wrong)}
            )
        relations[name] = terms
    if "municipalities" in data:
        municipalities = list(data["municipalities"] or [])
        if any(not isinstance(m, Municipality) for m in municipalities):
            raise TypeError("municipalities must be Municipality instances")
        relations["municipalities"] = municipalities
    if data.get("place"):
        unknown = set(data["place"]) - set(PLACE_FIELDS)
        if unknown:
            raise TypeError(f"A place has no fields named {sorted(unknown)}")
    return relations


def _check_consistency(offer: Offer, errors: dict[str, list[str]]) -> None:
    for name in ("age_from_months", "age_to_months"):
        value = getattr(offer, name)
        if value is not None and not PREGNANCY_START_MONTHS <= value <= MAX_AGE_MONTHS:
            errors.setdefault(name, []).append(
                _(
                    "Give the age in months between %(low)s (start of pregnancy) and %(high)s "
                    "(25 years)."
                )
                % {"low": PREGNANCY_START_MONTHS, "high": MAX_AGE_MONTHS}
            )
    low, high = offer.age_from_months, offer.age_to_months
    if low is not None and high is not None and low > high:
        errors.setdefault("age_to_months", []).append(
            _("The upper age is below the lower age. Swap them or correct one of them.")
        )
    if not offer.is_free and not offer.cost:
        errors.setdefault("cost", []).append(_("Say what the offer costs, or mark it as free."))


def _clean_opening_hours(
    rows: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    cleaned = []
    for number, row in enumerate(rows, start=1):
        opens, closes = row["opens_at"], row["closes_at"]
        if closes <= opens:
            errors.setdefault("opening_hours", []).append(
                _("Opening hours row %(number)s closes before it opens.") % {"number": number}
            )
        cleaned.append(
            {
                "weekday": int(row["weekday"]),
                "opens_at": opens,
                "closes_at": closes,
                "note": (row.get("note") or "").strip(),
            }
        )
    return cleaned


def _clean_sessions(
    offer: Offer,
    rows: Sequence[Mapping[str, Any]],
    errors: dict[str, list[str]],
    creating: bool,
) -> list[dict[str, Any]]:
    cleaned = []
    own_ids = set() if creating else set(offer.sessions.values_list("id", flat=True))
    for number, row in enumerate(rows, start=1):
        session_id = row.get("id")
        if session_id and session_id not in own_ids:
            errors.setdefault("sessions", []).append(
                _("Session row %(number)s belongs to another offer.") % {"number": number}
            )
        if row["ends_at"] <= row["starts_at"]:
            errors.setdefault("sessions", []).append(
                _("Session row %(number)s ends before it starts.") % {"number": number}
            )
        cleaned.append(
            {
                "id": session_id or None,
                "title": (row.get("title") or "").strip(),
                "starts_at": row["starts_at"],
                "ends_at": row["ends_at"],
            }
        )
    return cleaned


def _derive_opening_times(
    offer: Offer,
    hours: Sequence[Mapping[str, Any]] | None,
    sessions: Sequence[Mapping[str, Any]] | None,
) -> None:
    """Tick "open evenings/weekends" when the schedule shows it; never untick what staff set.

    The finder filters on the two flags; deriving them keeps them true to the schedule, while
    staff can still tick them for, say, evening phone hours that are not on the schedule.
    """
    if hours is None:
        hours = [dict(row) for row in offer.opening_hours.values("weekday", "closes_at")]
    if sessions is None:
        sessions = [dict(row) for row in offer.sessions.values("starts_at", "ends_at")]
    for row in hours:
        if row["closes_at"] > EVENING_FROM:
            offer.open_evenings = True
        if row["weekday"] >= OpeningHours.Weekday.SATURDAY:
            offer.open_weekends = True
    for row in sessions:
        ends = timezone.localtime(row["ends_at"])
        starts = timezone.localtime(row["starts_at"])
        if ends.time() > EVENING_FROM or ends.date() > starts.date():
            offer.open_evenings = True
        if starts.weekday() >= OpeningHours.Weekday.SATURDAY:
            offer.open_weekends = True


def _apply_photo(offer: Offer, data: Mapping[str, Any]) -> bool:
    """Replace or clear the contact photo; the old file goes once the change is committed."""
    photo = data["contact_photo"]
    if photo is None:
        return False
    old_name = offer.contact_photo.name if offer.contact_photo else ""
    if photo is False:
        if not old_name:
            return False
        offer.contact_photo = None
    elif isinstance(photo, UploadedFile):
        # A random name: the uploader's file name may say more than it should.
        extension = os.path.splitext(photo.name or "")[1].lower() or ".jpg"
        offer.contact_photo.save(f"{uuid.uuid4().hex}{extension}", photo, save=False)
    else:
        raise TypeError("contact_photo must be an uploaded file, False (clear) or None")
    if old_name:
        storage = offer.contact_photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return True


def _set_relation(offer: Offer, name: str, values: list, creating: bool) -> bool:
    manager = getattr(offer, name)
    if creating:
        # Nothing to compare with or remove on a new offer.
        if values:
            manager.add(*values)
        return bool(values)
    wanted = {value.pk for value in values}
    if wanted == set(manager.values_list("pk", flat=True)):
        return False
    manager.set(values)
    return True


def _set_place(offer: Offer, place: Mapping[str, Any] | None, creating: bool) -> bool:
    """The editor edits one place per offer: its first location (offers imported from other
    systems may have more; those are kept). An empty place removes the first location."""
    current = [] if creating else list(offer.locations.order_by("pk"))
    first = current[0] if current else None
    values = {name: (place or {}).get(name) for name in PLACE_FIELDS}
    for name in ("name", "address", "postal_code", "city"):
        values[name] = (values[name] or "").strip()
    if not any(values.values()):
        if first is None:
            return False
        offer.locations.remove(first)
        return True
    if first is not None and all(getattr(first, f"{n}") == values[n] for n in PLACE_FIELDS):
        return False
    location = Location.objects.filter(provider=offer.provider, **values).first()
    if location is None:
        location = Location(provider=offer.provider, **values)
        location.full_clean(validate_unique=False, validate_constraints=False)
        location.save(force_insert=True)
    if first is not None:
        offer.locations.remove(first)
    offer.locations.add(location)
    return True


def _replace_opening_hours(offer: Offer, rows: list[dict[str, Any]], creating: bool) -> bool:
    current = (
        []
        if creating
        else list(offer.opening_hours.values("weekday", "opens_at", "closes_at", "note"))
    )

    def key(row: Mapping[str, Any]) -> tuple:
        return (row["weekday"], row["opens_at"], row["closes_at"], row["note"])

    if sorted(map(key, current)) == sorted(map(key, rows)):
        return False
    if current:
        offer.opening_hours.all().delete()
    OpeningHours.objects.bulk_create([OpeningHours(offer=offer, **row) for row in rows])
    return True


def _sync_sessions(offer: Offer, rows: list[dict[str, Any]], creating: bool) -> bool:
    existing = {} if creating else {session.pk: session for session in offer.sessions.all()}
    keep = {row["id"] for row in rows if row["id"]}
    changed = False
    stale = [pk for pk in existing if pk not in keep]
    if stale:
        OfferSession.objects.filter(pk__in=stale).delete()
        changed = True
    new = []
    for row in rows:
        session = existing.get(row["id"]) if row["id"] else None
        if session is None:
            new.append(
                OfferSession(
                    offer=offer,
                    title=row["title"],
                    starts_at=row["starts_at"],
                    ends_at=row["ends_at"],
                )
            )
            continue
        if (session.title, session.starts_at, session.ends_at) != (
            row["title"],
            row["starts_at"],
            row["ends_at"],
        ):
            session.title = row["title"]
            session.starts_at = row["starts_at"]
            session.ends_at = row["ends_at"]
            session.save(update_fields=["title", "starts_at", "ends_at"])
            changed = True
    if new:
        OfferSession.objects.bulk_create(new)
        changed = True
    return changed
