"""The citizen's choices of how they are told, the codes that prove an address or number is
theirs, and sending a notice by those choices through familiebro.interop.messages.

A notice says only that there is something on Min side and links there: never its content,
the child's name or the service's name, since an SMS or an e-mail can be read by others.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familiebro.core import crypto, mail
from familiebro.interop import messages
from familiebro.privacy.family import Citizen

from .models import Channel, ContactPoint, NoticeChoice, NoticeKind

logger = logging.getLogger(__name__)

CODE_VALID = datetime.timedelta(minutes=15)
# A new code at most this often, so the page cannot be used to flood someone's phone.
CODE_INTERVAL = datetime.timedelta(minutes=1)
MAX_ATTEMPTS = 5

# Which contact each channel needs.
NEEDS = {Channel.EMAIL: ContactPoint.Kind.EMAIL, Channel.SMS: ContactPoint.Kind.PHONE}


@dataclass
class NoticeSettings:
    contacts: dict[str, ContactPoint] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)

    def verified(self, kind: str) -> bool:
        contact = self.contacts.get(kind)
        return contact is not None and contact.verified_at is not None


def settings_of(citizen: Citizen) -> NoticeSettings:
    """The citizen's contacts and choices (their own, found by their login alone)."""
    return NoticeSettings(
        {c.kind: c for c in ContactPoint.objects.filter(identity_hash=citizen.identity_hash)},
        dict(
            NoticeChoice.objects.filter(identity_hash=citizen.identity_hash).values_list(
                "kind", "channel"
            )
        ),
    )


def _recipient(kind: str, value: str) -> messages.Recipient:
    """Only the one channel: messages.send would prefer SMS when given both."""
    if kind == ContactPoint.Kind.PHONE:
        return messages.Recipient(phone=value)
    return messages.Recipient(email=value)


def _code_hash(identity_hash: str, kind: str, code: str) -> str:
    return crypto.lookup_hash(f"notice-code:{identity_hash}:{kind}:{code}")


def _normalised(kind: str, value: str) -> str:
    value = value.strip()
    if kind == ContactPoint.Kind.PHONE:
        try:
            return messages.normalised_phone(value)
        except ValueError:
            raise ValidationError(
                _("Write a mobile number, for example 912 34 567 or +47 912 34 567.")
            ) from None
    if kind == ContactPoint.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Write an e-mail address, for example navn@example.no.")
            ) from None
        return value
    raise ValidationError(_("Choose e-mail or mobile number."))


@transaction.atomic
def send_code(citizen: Citizen, kind: str, value: str) -> ContactPoint:
    """Keep the address or number, unverified, and send it a code to prove it is theirs.
    Until it is verified nothing else is sent there."""
    value = _normalised(kind, value)
    contact = (
        ContactPoint.objects.select_for_update()
        .filter(identity_hash=citizen.identity_hash, kind=kind)
        .first()
    )
    now = timezone.now()
    if contact and contact.code_sent_at and now - contact.code_sent_at < CODE_INTERVAL:
        raise ValidationError(_("A code was just sent. Wait a minute before asking for a new one."))
    contact = contact or ContactPoint(identity_hash=citizen.identity_hash, kind=kind)
    code = f"{secrets.randbelow(10**6):06d}"
    contact.value, contact.verified_at, contact.attempts = value, None, 0
    contact.code_hash = _code_hash(citizen.identity_hash, kind, code)
    contact.code_sent_at = now
    contact.save()
    text = _("Your code for Min side in Familiebro is %(code)s. It is valid for 15 minutes.") % {
        "code": code
    }
    try:
        messages.send(_recipient(kind, value), _("Your code for Min side"), text)
    except (messages.MessageNotSent, mail.EmailNotSent):
        raise ValidationError(
            _("The code could not be sent just now. Check what you wrote, or try again later.")
        ) from None
    return contact


def verify(citizen: Citizen, kind: str, code: str) -> ContactPoint:
    """Mark the address or number verified when the code matches. A wrong code counts, and
    is saved even though the answer is a refusal; after five, a new code is needed."""
    with transaction.atomic():
        contact = (
            ContactPoint.objects.select_for_update()
            .filter(identity_hash=citizen.identity_hash, kind=kind)
            .first()
        )
        if contact is None or not contact.code_hash or contact.code_sent_at is None:
            raise ValidationError(_("Ask for a code first."))
        if contact.attempts >= MAX_ATTEMPTS or timezone.now() - contact.code_sent_at > CODE_VALID:
            raise ValidationError(_("The code is no longer valid. Ask for a new one."))
        expected = _code_hash(citizen.identity_hash, kind, code.strip())
        if not hmac.compare_digest(expected, contact.code_hash):
            contact.attempts += 1
            contact.save(update_fields=["attempts"])
            wrong = True
        else:
            contact.verified_at, contact.code_hash = timezone.now(), ""
            contact.save(update_fields=["verified_at", "code_hash"])
            wrong = False
    if wrong:
        raise ValidationError(_("The code is not right. Check it and try again."))
    return contact


@transaction.atomic
def choose(citizen: Citizen, choices: dict[str, str]) -> None:
    """Save how the citizen wants each kind of notice; e-mail or SMS only to a verified one."""
    known = settings_of(citizen)
    errors = []
    for kind, channel in choices.items():
        if kind not in NoticeKind.values or channel not in Channel.values:
            errors.append(_("Choose e-mail, SMS or not at all for each kind of notice."))
        elif channel in NEEDS and not known.verified(NEEDS[Channel(channel)]):
            errors.append(
                _("%(kind)s: verify your %(contact)s with a code before choosing it.")
                % {
                    "kind": NoticeKind(kind).label,
                    "contact": str(ContactPoint.Kind(NEEDS[Channel(channel)]).label).lower(),
                }
            )
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    for kind, channel in choices.items():
        NoticeChoice.objects.update_or_create(
            identity_hash=citizen.identity_hash, kind=kind, defaults={"channel": channel}
        )


# What each kind of notice says: that there is something, never what.
NOTICE_TEXTS = {
    NoticeKind.MEETINGS: gettext_lazy("There is news about a meeting on Min side in Familiebro."),
    NoticeKind.MESSAGES: gettext_lazy("You have a new message on Min side in Familiebro."),
    NoticeKind.CONSENTS_WAITING: gettext_lazy(
        "A consent is waiting for your answer on Min side in Familiebro."
    ),
    NoticeKind.EVALUATIONS_WAITING: gettext_lazy(
        "An evaluation is waiting for you on Min side in Familiebro."
    ),
    NoticeKind.BOOKINGS: gettext_lazy("There is news about a booking on Min side in Familiebro."),
}


def notify(identity_hash: str, kind: str) -> str:
    """Tell the citizen with this identity hash that there is a notice of `kind`, the way they
    chose; the channel used, or "" when they chose none or have no verified contact."""
    choice = NoticeChoice.objects.filter(identity_hash=identity_hash, kind=kind).first()
    if choice is None or choice.channel not in NEEDS:
        return ""
    contact = ContactPoint.objects.filter(
        identity_hash=identity_hash, kind=NEEDS[Channel(choice.channel)], verified_at__isnull=False
    ).first()
    if contact is None:
        return ""
    with translation.override("nb"):
        text = "\n\n".join(
            [
                str(NOTICE_TEXTS[NoticeKind(kind)]),
                f"{settings.SITE_URL}{reverse('portal:home')}",
            ]
        )
        messages.send(_recipient(contact.kind, contact.value), _("News on Min side"), text)
    return str(choice.channel)
