"""Session scales in a case: who rates, the scores they give, and the family's single-use link.

At each session the family fills the wellbeing scale at the start and the alliance scale at the
end, on the staff member's screen or on their own phone through a link that works once and for
half an hour. A score below the expected band, or an alliance below its cut-off or lower than
the session before, is an alert to the case's coordinator in Familiebro.

Reads go through the access policy (scores are the consent category "outcome scores"), changes
need work on the case (cases.permissions.require_write), every change is audited in its own
transaction.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.cases import notifications
from familiebro.cases.help_requests.services import identity_numbers_in
from familiebro.cases.models import Case
from familiebro.core import crypto
from familiebro.privacy import audit, policy
from familiebro.privacy.models import Purpose

from . import norms, permissions, scoring
from .models import Instrument, InstrumentVersion, Item, Rater, ScaleScore, UsedLink

READ = Purpose.COORDINATION  # as the case is read (cases.case_services.READ)
WRITE = policy.Purpose.CASEWORK
LINK_MINUTES = 30
MAX_SESSION = 500
_LINK_CONTEXT = b"familiebro-outcomes-link"


class LinkError(Exception):
    """A family's link that cannot be used, with what to do in its message."""


def session_instrument(kind: str) -> Instrument:
    """The instance's wellbeing or alliance instrument (the first of its kind)."""
    instrument = Instrument.objects.filter(kind=kind, mode=Instrument.Mode.LINKED).first()
    if instrument is None:
        raise ValidationError(_("This Familiebro has no such scale. Ask an administrator."))
    return instrument


def current_version(instrument: Instrument) -> InstrumentVersion:
    """The newest published version: what a family fills today."""
    version = (
        InstrumentVersion.objects.filter(
            instrument=instrument, status=InstrumentVersion.Status.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError(_("This scale has no published version yet. Ask an administrator."))
    return version


def items_of(version: InstrumentVersion) -> list[Item]:
    return list(Item.objects.filter(version=version).order_by("position"))


def _require_open(actor: Any, case: Case) -> None:
    permissions.require_may_record(actor, case)
    if not case.is_open:
        raise ValidationError(
            _("The case is closed. Open a new case if the family needs help again.")
        )


def _audit(action: str, actor: Any, obj: Any, case: Case, **detail: Any) -> None:
    audit.record(
        action,
        actor=actor,
        objects=[obj],
        subject_ids=[case.child_id],
        organisation_id=case.organisation_id,
        purpose=WRITE,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail=detail,
    )


def _rater_of(actor: Any, case: Case, rater_id: Any) -> Rater:
    rater = policy.visible(actor, Rater, READ).filter(pk=rater_id, case_id=case.pk).first()
    if rater is None:
        raise ValidationError({"rater": [_("Choose who is answering.")]})
    return rater


@transaction.atomic
def add_rater(actor: Any, case: Case, label: str, kind: str) -> Rater:
    """Someone who fills the scales in this case: a short label the family recognises."""
    _require_open(actor, case)
    label = " ".join(label.split())
    errors: dict[str, list[str]] = {}
    if not label:
        errors["label"] = [_("Write who it is, e.g. “Mor” or the young person's first name.")]
    elif len(label) > 60:
        errors["label"] = [_("Write at most %(n)d characters.") % {"n": 60}]
    elif identity_numbers_in(label):
        errors["label"] = [_("Write a first name or a role, never an identity number.")]
    if kind not in Rater.Kind.values:
        errors["kind"] = [_("Choose the rater's role.")]
    if errors:
        raise ValidationError(errors)
    rater = Rater.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        label=label,
        kind=kind,
        added_by=actor,
        added_at=timezone.now(),
    )
    _audit(audit.AuditEvent.Action.CREATE, actor, rater, case)
    return rater


def _check_session(session: Any) -> int:
    try:
        number = int(session)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_SESSION:
        raise ValidationError({"session": [_("Write the session's number, from 1 to 500.")]})
    return number


@transaction.atomic
def record_score(
    actor: Any, case: Case, rater_id: Any, kind: str, session: Any, data: dict[str, Any]
) -> ScaleScore:
    """A scale filled on the staff member's screen, with the family beside them."""
    _require_open(actor, case)
    rater = _rater_of(actor, case, rater_id)
    instrument = session_instrument(kind)
    number = _check_session(session)
    version = current_version(instrument)
    answers = scoring.parse_answers(items_of(version), data)
    return _save(case, rater, version, number, answers, ScaleScore.Channel.SCREEN, actor)


def _save(
    case: Case,
    rater: Rater,
    version: InstrumentVersion,
    session: int,
    answers: dict[str, Any],
    channel: str,
    actor: Any,
) -> ScaleScore:
    items = items_of(version)
    try:
        with transaction.atomic():
            score = ScaleScore.objects.create(
                case=case,
                organisation_id=case.organisation_id,
                rater=rater,
                instrument=version.instrument,
                version=version,
                session=session,
                answers=answers,
                total=scoring.total(items, answers),
                channel=channel,
                answered_at=timezone.now(),
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "session": [
                    _(
                        "%(rater)s has already filled this scale for session %(session)d. "
                        "Choose the next session."
                    )
                    % {"rater": rater.label, "session": session}
                ]
            }
        ) from None
    _audit(audit.AuditEvent.Action.CREATE, actor, score, case, channel=channel)
    _alert_if_needed(case, rater, version)
    return score


def _series(rater: Rater, instrument: Instrument) -> list[int]:
    """The rater's scores on the instrument, in session order (read after a change that the
    caller was allowed to make)."""
    return list(
        ScaleScore.objects.filter(rater=rater, instrument=instrument)
        .order_by("session")
        .values_list("total", flat=True)
    )


def _colour_of(rater: Rater, version: InstrumentVersion) -> str:
    scores = _series(rater, version.instrument)
    if version.instrument.kind == Instrument.Kind.ALLIANCE:
        return scoring.alliance_colour(scores, version.cutoff)
    return scoring.wellbeing_colour(scores, norms.trajectory_for(version))


def _alert_if_needed(case: Case, rater: Rater, version: InstrumentVersion) -> None:
    """Tell the coordinator in Familiebro when the scores call for a talk about the help. The
    notification names the case's reference only, never the family."""
    if case.coordinator_id is None or _colour_of(rater, version) != scoring.RED:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if version.instrument.kind == Instrument.Kind.ALLIANCE:
            text = _(
                "Case %(reference)s: an alliance score is below its cut-off or has fallen. "
                "Talk with the family about how the help works for them; another measure or a "
                "referral may suit them better."
            )
        else:
            text = _(
                "Case %(reference)s: a wellbeing score is below the expected band. Talk with "
                "the family about the help; another measure or a referral may suit them better."
            )
        notifications.notify(case.coordinator, text % {"reference": case.reference}, case)


# The family's single-use link ----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime.datetime
    rater: Rater
    instrument: Instrument
    session: int


def _encode(payload: dict[str, Any]) -> str:
    blob = crypto.encrypt(json.dumps(payload), associated_data=_LINK_CONTEXT)
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(crypto.decrypt(blob, associated_data=_LINK_CONTEXT))
        if not isinstance(payload, dict):
            raise ValueError
    except (ValueError, TypeError, crypto.DecryptionError):
        raise LinkError(
            _("This link does not work. Ask the person you met for a new link.")
        ) from None
    return payload


@transaction.atomic
def make_link(actor: Any, case: Case, rater_id: Any, kind: str, session: Any) -> Link:
    """A link for one rater to fill one scale at one session on their own phone. It carries
    what it is for, encrypted; nothing is stored until it is used."""
    _require_open(actor, case)
    rater = _rater_of(actor, case, rater_id)
    instrument = session_instrument(kind)
    number = _check_session(session)
    current_version(instrument)
    expires_at = timezone.now() + datetime.timedelta(minutes=LINK_MINUTES)
    token = _encode(
        {
            "c": case.pk,
            "r": rater.pk,
            "i": instrument.pk,
            "s": number,
            "n": secrets.token_urlsafe(16),
            "e": int(expires_at.timestamp()),
        }
    )
    _audit(audit.AuditEvent.Action.CHANGE, actor, rater, case, link_for=instrument.key)
    return Link(reverse("outcomes:answer", args=[token]), expires_at, rater, instrument, number)


@dataclass(frozen=True)
class LinkForm:
    """What the family's phone shows: who answers and the questions, nothing about the case."""

    rater_label: str
    version: InstrumentVersion
    items: list[Item]
    session: int


def _target(token: str) -> tuple[dict[str, Any], Rater, InstrumentVersion]:
    payload = _decode(token)
    if payload.get("e", 0) < timezone.now().timestamp():
        raise LinkError(_("This link has expired. Ask the person you met for a new one."))
    if UsedLink.objects.filter(nonce_hash=crypto.lookup_hash(str(payload.get("n")))).exists():
        raise LinkError(_("This link has already been used. Thank you for your answer."))
    try:
        rater_id, case_id, instrument_id = int(payload["r"]), int(payload["c"]), int(payload["i"])
    except (KeyError, TypeError, ValueError):
        raise LinkError(
            _("This link does not work. Ask the person you met for a new link.")
        ) from None
    rater = Rater.objects.select_related("case").filter(pk=rater_id, case_id=case_id).first()
    instrument = Instrument.objects.filter(pk=instrument_id).first()
    if rater is None or instrument is None or not rater.case.is_open:
        raise LinkError(_("This link does not work. Ask the person you met for a new link."))
    try:
        version = current_version(instrument)
    except ValidationError:
        raise LinkError(
            _("This link does not work. Ask the person you met for a new link.")
        ) from None
    return payload, rater, version


def open_link(token: str) -> LinkForm:
    _payload, rater, version = _target(token)
    return LinkForm(rater.label, version, items_of(version), int(_payload["s"]))


@transaction.atomic
def answer_by_link(token: str, data: dict[str, Any]) -> ScaleScore:
    """The family's answers through their link; the link is spent in the same transaction."""
    payload, rater, version = _target(token)
    answers = scoring.parse_answers(items_of(version), data)
    try:
        with transaction.atomic():
            UsedLink.objects.create(
                nonce_hash=crypto.lookup_hash(str(payload["n"])),
                expires_at=datetime.datetime.fromtimestamp(payload["e"], tz=datetime.UTC),
            )
    except IntegrityError:
        raise LinkError(_("This link has already been used. Thank you for your answer.")) from None
    try:
        return _save(
            rater.case, rater, version, int(payload["s"]), answers, ScaleScore.Channel.LINK, None
        )
    except ValidationError:
        raise LinkError(
            _(
                "These answers are already recorded for this session. Ask the person you met "
                "if you should answer again."
            )
        ) from None
