"""Requests for help (henvendelser): what people do with them.

Anyone may ask a unit for help without a referral: on the web form (no login), or by phone,
letter, through the GP or another service, in which case a member of staff registers it.
Each request gets a reference the person can quote, and a first-contact deadline of the
unit's `first_contact_days` (7 by default) calendar days. The unit is told by e-mail that a
request has arrived, with nothing in the e-mail but the reference, the deadline and a link.

Staff read requests only through the access policy (the receiving unit's members see them,
nobody else), and every change is audited. Opening a case from a request
(familiebro.cases.case_services) marks it as converted; it can also be marked converted first,
with the unit's note on what happens next, and the case opened after the allocation meeting.
The inbox staff read is in help_requests.pages; the unit's e-mail in help_requests.unit_email.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.catalogue.models import Offer
from familiebro.core.identifiers import normalise_phone_number
from familiebro.core.models import Municipality, ServiceUnit
from familiebro.privacy import audit, policy
from familiebro.privacy.consultation import Kind as FindingKind
from familiebro.privacy.consultation import find_identifying_text
from familiebro.privacy.family import Citizen
from familiebro.privacy.policy import Action, Purpose

from ..models import HelpRequest
from ..references import new_reference
from ..tasks import notify_unit_of_help_request
from . import rate_limit, storage_notice

logger = logging.getLogger(__name__)

# Readable over the phone: no 0/O, 1/I/L, or U (read as V).
_REFERENCE_ATTEMPTS = 5

# Units of these kinds receive requests even before they publish an offer: they are the
# doors families are told to knock on.
RECEIVING_KINDS = (
    ServiceUnit.Kind.HEALTH_CENTRE,
    ServiceUnit.Kind.FAMILY_COUNSELLING,
    ServiceUnit.Kind.LOW_THRESHOLD_TEAM,
    ServiceUnit.Kind.FAMILY_CENTRE,
)

MAX_NAME_LENGTH = 200
MAX_PHONE_LENGTH = 30
MAX_EMAIL_LENGTH = 254
MAX_CONTACT_TIME_LENGTH = 200
MAX_MESSAGE_LENGTH = 2000
MAX_NOTE_LENGTH = 1000
OLDEST_CHILD_YEARS = 18
# A request about an expected child: the month of the pregnancy is not asked for.
EXPECTING_MONTHS = -1

# Close reasons that mean somebody talked to the person: the first contact happened.
_REASONS_AFTER_CONTACT = {
    HelpRequest.CloseReason.RESOLVED_FIRST_CONVERSATION,
    HelpRequest.CloseReason.REFERRED_ELSEWHERE,
}
_STAFF_CHANNELS = {c for c in HelpRequest.Channel.values if c != HelpRequest.Channel.WEB}


# Which units receive requests ------------------------------------------------------------------


def receiving_units() -> QuerySet[ServiceUnit]:
    """Units that take requests for help: the kinds above, and any unit with a published offer."""
    published = Offer.objects.filter(unit=OuterRef("pk"), status=Offer.Status.PUBLISHED)
    return ServiceUnit.objects.filter(Q(kind__in=RECEIVING_KINDS) | Q(Exists(published)))


def receiving_units_in(municipality: Municipality) -> list[ServiceUnit]:
    """The units that take requests from residents of `municipality`, in one query."""
    serving = ServiceUnit.objects.filter(
        Q(municipalities_served=municipality) | Q(organisation__municipality=municipality)
    ).values("pk")
    return list(
        receiving_units()
        .filter(pk__in=serving)
        .select_related("organisation")
        .order_by("name", "organisation__name")
    )


def municipalities() -> list[Municipality]:
    return list(Municipality.objects.order_by("name", "number"))


def offer_for_request(offer_id: Any) -> Offer:
    """A published offer to ask about; 404 if there is none."""
    offer = (
        Offer.objects.filter(pk=offer_id, status=Offer.Status.PUBLISHED)
        .select_related("unit__organisation", "provider")
        .first()
    )
    if offer is None:
        raise Http404(_("There is no published offer at this address."))
    return offer


# What the person tells us -----------------------------------------------------------------


@dataclass(frozen=True)
class RequestDetails:
    """Who asks, how to reach them and what it is about: the same for every channel."""

    requester_role: str
    requester_name: str
    phone: str = ""
    email: str = ""
    preferred_contact_time: str = ""
    family_knows: bool = False
    child_age_months: int | None = None
    message: str = ""


def child_age_choices() -> list[tuple[str, str]]:
    """The child's age as a person says it, stored in months (negative: expecting)."""
    choices = [(str(EXPECTING_MONTHS), _("Expecting a child")), ("0", _("Under 1 year"))]
    choices += [
        (
            str(years * 12),
            translation.ngettext("%(years)d year", "%(years)d years", years) % {"years": years},
        )
        for years in range(1, OLDEST_CHILD_YEARS + 1)
    ]
    return choices


def child_age_label(months: int | None) -> str:
    if months is None:
        return _("Not given")
    if months < 0:
        return _("Expecting a child")
    if months < 12:
        return _("Under 1 year")
    years = months // 12
    return translation.ngettext("%(years)d year", "%(years)d years", years) % {"years": years}


def identity_numbers_in(text: str) -> bool:
    """Whether the text holds something that looks like a national identity number."""
    return any(f.kind == FindingKind.IDENTITY_NUMBER for f in find_identifying_text(text))


def _is_email_address(value: str) -> bool:
    if len(value) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def clean_details(details: RequestDetails) -> RequestDetails:
    """The details, trimmed and normalised, or ValidationError naming every field to fix."""
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    role = details.requester_role
    if role not in HelpRequest.RequesterRole.values:
        error(
            "requester_role",
            _("Choose who is asking: a parent, a young person, or a professional."),
        )
    family_knows = details.family_knows
    if role == HelpRequest.RequesterRole.PROFESSIONAL and not family_knows:
        error(
            "family_knows",
            _(
                "Tick the box to confirm that the family knows about this request. A "
                "professional can only ask for help on a family's behalf with their "
                "knowledge: talk to the family first."
            ),
        )
    if role in (HelpRequest.RequesterRole.PARENT, HelpRequest.RequesterRole.YOUNG_PERSON):
        # The family is asking for itself.
        family_knows = True

    name = " ".join(details.requester_name.split())
    if not name:
        error("requester_name", _("Enter your name, so the service knows whom to ask for."))
    elif len(name) > MAX_NAME_LENGTH:
        error(
            "requester_name",
            _("The name can be at most %(n)d characters. Shorten it.") % {"n": MAX_NAME_LENGTH},
        )

    phone = details.phone.strip()
    if phone:
        try:
            phone = normalise_phone_number(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    email = details.email.strip()
    if email and not _is_email_address(email):
        error(
            "email",
            _(
                "Enter an e-mail address like navn@eksempel.no, or leave it empty and enter "
                "a phone number."
            ),
        )
    if not details.phone.strip() and not email:
        error(
            "phone",
            _("Enter a phone number or an e-mail address, so the service can reach you."),
        )

    contact_time = " ".join(details.preferred_contact_time.split())
    if len(contact_time) > MAX_CONTACT_TIME_LENGTH:
        error(
            "preferred_contact_time",
            _("Write at most %(n)d characters, for example “weekdays after 15”.")
            % {"n": MAX_CONTACT_TIME_LENGTH},
        )

    age = details.child_age_months
    if age is not None and not (
        age == EXPECTING_MONTHS or 0 <= age <= OLDEST_CHILD_YEARS * 12 + 11
    ):
        error("child_age_months", _("Choose the child's age from the list."))

    message = details.message.strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        error(
            "message",
            _(
                "Write at most %(n)d characters. You can tell the rest when the service "
                "contacts you."
            )
            % {"n": MAX_MESSAGE_LENGTH},
        )
    for field_name, text in (("preferred_contact_time", contact_time), ("message", message)):
        if identity_numbers_in(text):
            # The number is not repeated back: it should travel no further.
            error(
                field_name,
                _(
                    "Remove the identity number (fødselsnummer) from the text. Do not write "
                    "identity numbers, diagnoses or other sensitive details here: the service "
                    "asks for what it needs when they contact you."
                ),
            )
    if errors:
        raise ValidationError(errors)
    return replace(
        details,
        requester_name=name,
        phone=phone,
        email=email,
        preferred_contact_time=contact_time,
        family_knows=family_knows,
        message=message,
    )


# Receiving a request -------------------------------------------------------------------------


def first_contact_due(unit: ServiceUnit, received_at: datetime.datetime) -> datetime.datetime:
    """The deadline for the first contact: the unit's number of calendar days later."""
    return received_at + datetime.timedelta(days=unit.first_contact_days)


def _save_with_new_reference(help_request: HelpRequest) -> HelpRequest:
    for attempt in range(_REFERENCE_ATTEMPTS):
        help_request.reference = new_reference()
        try:
            with transaction.atomic():
                help_request.save()
        except IntegrityError:
            # Two requests drew the same reference: draw again.
            if attempt == _REFERENCE_ATTEMPTS - 1:
                raise
        else:
            break
    return help_request


def _create(
    *,
    unit: ServiceUnit,
    offer: Offer | None,
    channel: str,
    details: RequestDetails,
    received_at: datetime.datetime,
    language: str,
    storage_notice_version: str = "",
    registered_by: Any = None,
    requester_identity_hash: str = "",
) -> HelpRequest:
    help_request = _save_with_new_reference(
        HelpRequest(
            organisation_id=unit.organisation_id,
            unit=unit,
            offer=offer,
            channel=channel,
            requester_role=details.requester_role,
            requester_name=details.requester_name,
            phone=details.phone,
            email=details.email,
            preferred_contact_time=details.preferred_contact_time,
            family_knows=details.family_knows,
            child_age_months=details.child_age_months,
            message=details.message,
            language=language,
            storage_notice_version=storage_notice_version,
            received_at=received_at,
            first_contact_due_at=first_contact_due(unit, received_at),
            registered_by=registered_by,
            requester_identity_hash=requester_identity_hash,
        )
    )
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=registered_by,
        objects=[help_request],
        organisation_id=unit.organisation_id,
        purpose=Purpose.REGISTRATION,
        detail={"channel": channel, "unit_id": unit.pk},
    )
    return help_request


def submit_help_request(
    *,
    unit: ServiceUnit,
    details: RequestDetails,
    storage_notice_version: str,
    client_address: str,
    site_url: str,
    offer: Offer | None = None,
    language: str = "nb",
    sender: Citizen | None = None,
) -> HelpRequest:
    """A request sent on the public web form, without login, or by a parent logged in on Min
    side (`sender`), who then finds it and its status there.

    Validates everything first (ValidationError names each field to fix); then counts the
    request against the client's rate limit (RateLimited when it is full) and stores it, and
    queues the e-mail to the unit, all in one transaction: a refusal stores nothing.
    `site_url` is the address staff open Familiebro at, for the link in the e-mail.
    """
    errors: dict[str, list[str]] = {}
    try:
        details = clean_details(details)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if storage_notice_version != storage_notice.CURRENT_VERSION:
        errors["storage_notice"] = [
            _(
                "The text about how we store your request has changed since you opened the "
                "page. Read it again and tick the box."
            )
        ]
    if offer is not None and (offer.unit_id != unit.pk or offer.status != Offer.Status.PUBLISHED):
        errors["unit"] = [_("This offer is no longer published. Choose a service instead.")]
    elif not receiving_units().filter(pk=unit.pk).exists():
        errors["unit"] = [
            _(
                "This service does not receive requests through Familiebro. Choose another "
                "service, or call them."
            )
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        rate_limit.count_request(client_address, now=now)
        help_request = _create(
            unit=unit,
            offer=offer,
            channel=HelpRequest.Channel.WEB,
            details=details,
            received_at=now,
            language=language,
            storage_notice_version=storage_notice_version,
            requester_identity_hash=sender.identity_hash if sender else "",
        )
        _queue_unit_notification(help_request, site_url)
    return help_request


@transaction.atomic
def register_help_request(
    actor: Any,
    *,
    unit: ServiceUnit,
    channel: str,
    details: RequestDetails,
    received_at: datetime.datetime | None = None,
) -> HelpRequest:
    """A member of staff registers a request the unit received by phone, letter, from the GP
    or another service, or in person. No e-mail: the unit's own inbox shows it."""
    if unit.pk not in policy.scope_of(actor).unit_ids:
        raise PermissionDenied(
            _(
                "You can only register requests for a unit you are a member of. Ask the "
                "unit's administrator to add you."
            )
        )
    errors: dict[str, list[str]] = {}
    try:
        details = clean_details(details)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if channel not in _STAFF_CHANNELS:
        errors["channel"] = [_("Choose how the request was received.")]
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        errors["received_on"] = [
            _("The date cannot be in the future. Enter the day the request was received.")
        ]
    if errors:
        raise ValidationError(errors)
    return _create(
        unit=unit,
        offer=None,
        channel=channel,
        details=details,
        received_at=received_at,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        registered_by=actor,
    )


# Telling the unit ---------------------------------------------------------------------------

# The worker sends the e-mail (familiebro.cases.tasks); help_requests.unit_email writes it.


def _queue_unit_notification(help_request: HelpRequest, site_url: str) -> None:
    link = site_url.rstrip("/") + reverse("inbox:detail", args=[help_request.pk])
    # Queued in the request's own transaction (the database task backend stores it there):
    # a stored request always has its e-mail queued, and a refused one never does.
    notify_unit_of_help_request.enqueue(
        help_request.unit_id,
        help_request.reference,
        help_request.first_contact_due_at.isoformat(),
        link,
    )


# The receipt the person sees ---------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the receipt page shows: nothing that identifies the person."""

    reference: str
    unit_name: str
    first_contact_days: int
    due_on: datetime.date
    # The unit's phone number (E.164) and when families can call, to ask about the request.
    phone: str = ""
    phone_hours: str = ""
    # Sent by a parent logged in on Min side, who follows the request there.
    on_min_side: bool = False

    @property
    def phone_shown(self) -> str:
        """The number as people write it: 22 12 34 56 in Norway, with the country code
        otherwise; a number that cannot be read is shown as it was stored."""
        try:
            parsed = phonenumbers.parse(self.phone, "NO")
        except phonenumbers.NumberParseException:
            return self.phone
        kind = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if parsed.country_code == 47
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(parsed, kind)

    @classmethod
    def of(cls, help_request: HelpRequest) -> Receipt:
        unit = help_request.unit
        offer = help_request.offer
        return cls(
            reference=help_request.reference,
            unit_name=unit.name,
            first_contact_days=unit.first_contact_days,
            due_on=timezone.localdate(help_request.first_contact_due_at),
            # The offer's own contact line when it has one: that is who answers about it.
            phone=(offer.contact_phone if offer and offer.contact_phone else unit.phone),
            phone_hours=(offer.phone_hours if offer and offer.contact_phone else unit.phone_hours),
            on_min_side=bool(help_request.requester_identity_hash),
        )

    @classmethod
    def decoy(cls, unit: ServiceUnit | None) -> Receipt:
        """For a form a robot filled in: looks like a receipt, stands for nothing stored."""
        days = unit.first_contact_days if unit else 7
        return cls(
            reference=new_reference(),
            unit_name=unit.name if unit else "",
            first_contact_days=days,
            due_on=timezone.localdate() + datetime.timedelta(days=days),
            phone=unit.phone if unit else "",
            phone_hours=unit.phone_hours if unit else "",
        )

    def as_session(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "unit_name": self.unit_name,
            "first_contact_days": self.first_contact_days,
            "due_on": self.due_on.isoformat(),
            "phone": self.phone,
            "phone_hours": self.phone_hours,
            "on_min_side": self.on_min_side,
        }

    @classmethod
    def from_session(cls, data: Any) -> Receipt | None:
        try:
            return cls(
                reference=str(data["reference"]),
                unit_name=str(data["unit_name"]),
                first_contact_days=int(data["first_contact_days"]),
                due_on=datetime.date.fromisoformat(data["due_on"]),
                phone=str(data.get("phone", "")),
                phone_hours=str(data.get("phone_hours", "")),
                on_min_side=bool(data.get("on_min_side", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


# A request sent without login is matched to the parent who logs in on Min side from its
# receipt, in the same browser and soon after: the reference is in that browser's session only.
CLAIM_WITHIN = datetime.timedelta(minutes=30)


@transaction.atomic
def claim_for_sender(citizen: Citizen, reference: str) -> HelpRequest | None:
    """Let the citizen who just logged in from the receipt of `reference` follow it on Min
    side: only a parent's request sent on the web, matched to no one yet, within CLAIM_WITHIN."""
    help_request = (
        HelpRequest.objects.select_for_update()
        .filter(
            reference=reference,
            channel=HelpRequest.Channel.WEB,
            # A young person's request on the family computer is not the parent's to take up
            # when the parent logs in next.
            requester_role=HelpRequest.RequesterRole.PARENT,
            requester_identity_hash="",
            received_at__gte=timezone.now() - CLAIM_WITHIN,
        )
        .first()
    )
    if help_request is None:
        return None
    help_request.requester_identity_hash = citizen.identity_hash
    help_request.save(update_fields=["requester_identity_hash"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=citizen,
        objects=[help_request],
        organisation_id=help_request.organisation_id,
        purpose=Purpose.FAMILY_PORTAL,
        detail={"followed_on_min_side": True},
    )
    return help_request


# What the unit does with a request -------------------------------------------------------------


def _locked(actor: Any, help_request: HelpRequest) -> HelpRequest:
    """The request, locked for the change, once the policy has said the actor may change it."""
    policy.require(actor, Action.CHANGE, help_request, Purpose.CASEWORK)
    return (
        policy.visible(actor, HelpRequest, Purpose.CASEWORK)
        .select_for_update()
        .get(pk=help_request.pk)
    )


def _refuse_unless_open(help_request: HelpRequest, allowed: Iterable[str]) -> None:
    if help_request.status not in allowed:
        raise ValidationError(
            _("This request is already marked “%(status)s”, so this cannot be done now.")
            % {"status": help_request.get_status_display()}
        )


def _record_change(actor: Any, help_request: HelpRequest, previous: str, **detail: Any) -> None:
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[help_request],
        organisation_id=help_request.organisation_id,
        purpose=Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail={"status": [previous, help_request.status], **detail},
    )


def _clean_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"note": [_("Keep the note to %(n)d characters.") % {"n": MAX_NOTE_LENGTH}]}
        )
    if identity_numbers_in(note):
        raise ValidationError(
            {
                "note": [
                    _(
                        "Remove the identity number from the note: a request for help does "
                        "not hold identity numbers. Register the person when a case is opened."
                    )
                ]
            }
        )
    return note


@transaction.atomic
def mark_contacted(actor: Any, help_request: HelpRequest) -> HelpRequest:
    """The unit has made the first contact with the person."""
    locked = _locked(actor, help_request)
    _refuse_unless_open(locked, [HelpRequest.Status.NEW])
    previous = locked.status
    locked.status = HelpRequest.Status.CONTACTED
    locked.first_contacted_at = timezone.now()
    locked.save(update_fields=["status", "first_contacted_at"])
    _record_change(actor, locked, previous)
    return locked


@transaction.atomic
def close_help_request(
    actor: Any, help_request: HelpRequest, reason: str, note: str = ""
) -> HelpRequest:
    """Close a request that needs nothing more, with the reason (and a short note)."""
    if reason not in HelpRequest.CloseReason.values:
        raise ValidationError({"reason": [_("Choose why the request is closed.")]})
    note = _clean_note(note)
    locked = _locked(actor, help_request)
    _refuse_unless_open(locked, [HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED])
    previous = locked.status
    now = timezone.now()
    locked.status = HelpRequest.Status.CLOSED
    locked.close_reason = reason
    locked.closed_at = now
    locked.note = note
    if reason in _REASONS_AFTER_CONTACT and locked.first_contacted_at is None:
        # "Resolved in the first conversation": closing it is the first contact.
        locked.first_contacted_at = now
    locked.save(update_fields=["status", "close_reason", "closed_at", "note", "first_contacted_at"])
    _record_change(actor, locked, previous, close_reason=reason)
    return locked


@transaction.atomic
def convert_to_case(actor: Any, help_request: HelpRequest, note: str = "") -> HelpRequest:
    """Mark the request as converted to a case.

    The case is opened on the pathway now (case_services.open_case converts the request) or
    later, e.g. after the allocation meeting; the unit's note says what happens next.
    """
    note = _clean_note(note)
    locked = _locked(actor, help_request)
    _refuse_unless_open(locked, [HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED])
    previous = locked.status
    locked.status = HelpRequest.Status.CONVERTED
    locked.converted_at = timezone.now()
    locked.note = note
    locked.save(update_fields=["status", "converted_at", "note"])
    _record_change(actor, locked, previous)
    return locked
