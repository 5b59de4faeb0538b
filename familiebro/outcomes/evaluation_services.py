"""Anonymous evaluations: a link (or its QR code) handed out at the end of a family meeting,
course session or appointment, answered on the family's own phone, and stored apart from
everything about a person.

What is kept of an answer is only the organisation, the unit, the kind of activity, the month,
the child's age band and the answers (models.AnonymousAnswer). The link carries its purpose
encrypted, like the session scales' link, so nothing about it is stored while it is out; once
used, only a keyed hash of its random part is kept, in a table that names nothing else
(models.UsedLink), so that it cannot be used twice. Free text that may identify someone is held
for a leader before anyone else sees it, no summary shows a group of fewer than MIN_GROUP
answers, and answers reach the summary only in batches of at least MIN_GROUP, so it never
changes by one answer.

Anonymous answers are not personal data: no function here reads anything about a person.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core import crypto
from familiebro.core.models import ServiceUnit
from familiebro.privacy import policy
from familiebro.privacy.consultation import units_of

from . import scoring
from .models import (
    RANGES,
    Activity,
    AnonymousAnswer,
    Instrument,
    InstrumentVersion,
    Item,
    Scale,
    UsedLink,
)
from .scale_services import LinkError, current_version, items_of

LINK_HOURS = 24
MIN_GROUP = 5
AGE_ITEM = "alder"
_CONTEXT = b"familiebro-outcomes-anonymous"

# What may identify someone in free text: a run of digits (a phone or identity number, a
# house number), an e-mail address, or a capitalised word inside a sentence (a name or a
# place). It holds too much rather than too little: a leader releases what is harmless.
_IDENTIFYING = re.compile(
    r"\d{2,}|\S+@\S+|(?<=[a-zæøå,;:] )[A-ZÆØÅ][a-zæøå]+",
)


def looks_identifying(text: str) -> bool:
    return bool(_IDENTIFYING.search(text))


def evaluation_versions() -> list[InstrumentVersion]:
    """The published version of each anonymous questionnaire."""
    versions = []
    for instrument in Instrument.objects.filter(mode=Instrument.Mode.ANONYMOUS).order_by("key"):
        try:
            versions.append(current_version(instrument))
        except ValidationError:
            continue
    return versions


def _own_unit(actor: Any, unit_id: Any) -> ServiceUnit:
    try:
        unit = units_of(actor).filter(pk=int(unit_id)).first()
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        raise PermissionDenied(_("Choose one of your own units."))
    return unit


@dataclass(frozen=True)
class EvaluationLink:
    url: str
    expires_at: datetime.datetime
    version: InstrumentVersion
    unit: ServiceUnit


def make_evaluation_link(
    actor: Any, unit_id: Any, activity: str, instrument_key: str
) -> EvaluationLink:
    """A single-use link to one anonymous questionnaire, for one of the actor's units."""
    unit = _own_unit(actor, unit_id)
    if activity not in Activity.values:
        raise ValidationError({"activity": [_("Choose the kind of activity.")]})
    version = next((v for v in evaluation_versions() if v.instrument.key == instrument_key), None)
    if version is None:
        raise ValidationError({"instrument": [_("Choose one of the questionnaires.")]})
    expires_at = timezone.now() + datetime.timedelta(hours=LINK_HOURS)
    payload = {
        "o": unit.organisation_id,
        "u": unit.pk,
        "a": activity,
        "v": version.pk,
        "n": secrets.token_urlsafe(16),
        "e": int(expires_at.timestamp()),
    }
    blob = crypto.encrypt(json.dumps(payload), associated_data=_CONTEXT)
    token = base64.urlsafe_b64encode(blob).decode().rstrip("=")
    return EvaluationLink(reverse("outcomes:evaluate", args=[token]), expires_at, version, unit)


@dataclass(frozen=True)
class EvaluationTarget:
    version: InstrumentVersion
    items: list[Item]
    rater_label: str = ""


def _read(token: str) -> tuple[dict[str, Any], InstrumentVersion]:
    gone = _("This link does not work. Ask the person you met for a new link.")
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(crypto.decrypt(blob, associated_data=_CONTEXT))
        expires = int(payload["e"])
        version = InstrumentVersion.objects.select_related("instrument").get(
            pk=int(payload["v"]), status=InstrumentVersion.Status.PUBLISHED
        )
    except (ValueError, TypeError, KeyError, crypto.DecryptionError):
        raise LinkError(gone) from None
    except InstrumentVersion.DoesNotExist:
        raise LinkError(gone) from None
    if expires < timezone.now().timestamp():
        raise LinkError(_("This link has expired. Ask the person you met for a new one."))
    if UsedLink.objects.filter(nonce_hash=crypto.lookup_hash(str(payload.get("n")))).exists():
        raise LinkError(_("This link has already been used. Thank you for your answer."))
    return payload, version


def open_evaluation(token: str) -> EvaluationTarget:
    _payload, version = _read(token)
    return EvaluationTarget(version, items_of(version))


@transaction.atomic
def answer_evaluation(token: str, data: dict[str, Any]) -> None:
    """Store the answers without anything that leads back to who answered, or when; the link
    is spent in the same transaction. Returns nothing: there is nothing to show back."""
    payload, version = _read(token)
    items = items_of(version)
    answers = scoring.parse_answers(items, data)
    try:
        with transaction.atomic():
            UsedLink.objects.create(
                nonce_hash=crypto.lookup_hash(str(payload["n"])),
                # Kept until the link would have expired, rounded to the day: no exact time.
                expires_at=datetime.datetime.fromtimestamp(
                    int(payload["e"]), tz=datetime.UTC
                ).replace(hour=0, minute=0, second=0)
                + datetime.timedelta(days=1),
            )
    except IntegrityError:
        raise LinkError(_("This link has already been used. Thank you for your answer.")) from None
    free_text = [
        str(answers[i.key]) for i in items if i.scale == Scale.FREE_TEXT and i.key in answers
    ]
    answer = AnonymousAnswer.objects.create(
        organisation_id=int(payload["o"]),
        unit_id=int(payload["u"]),
        activity=str(payload["a"]),
        month=timezone.localdate().replace(day=1),
        age_band=str(answers.get(AGE_ITEM, ""))[:10],
        version=version,
        answers=answers,
        held=any(looks_identifying(text) for text in free_text),
    )
    _release_batch(answer)


def _release_batch(answer: AnonymousAnswer) -> None:
    """Release the waiting answers of the answer's unit, questionnaire and year to the summary
    once there are at least MIN_GROUP of them, all together.

    The summary is what staff read, and the staff member who handed out a link knows when
    the family answered: were the summary recomputed answer by answer, she could read the
    family's answer off it by difference (before and after). Released in batches, it changes
    only by MIN_GROUP answers or more at a time. The batch stays inside one year, as the
    summary does; the rows are locked so that two answers at once cannot release a batch
    twice or a smaller one."""
    waiting = list(
        AnonymousAnswer.objects.select_for_update(of=("self",))
        .filter(
            unit_id=answer.unit_id,
            version__instrument_id=answer.version.instrument_id,
            month__year=answer.month.year,
            released=False,
        )
        .values_list("pk", flat=True)
    )
    if len(waiting) >= MIN_GROUP:
        AnonymousAnswer.objects.filter(pk__in=waiting).update(released=True)


# The summary ---------------------------------------------------------------------------------


@dataclass
class ItemSummary:
    item: Item
    answered: int
    mean: float | None
    # (value, how many, share in per cent) for each value of the scale.
    distribution: list[tuple[str, int, float]] = field(default_factory=list)


@dataclass
class Summary:
    version: InstrumentVersion
    answers: int
    suppressed: bool
    items: list[ItemSummary] = field(default_factory=list)


def summarise(rows: list[dict[str, Any]], version: InstrumentVersion) -> Summary:
    """The distribution and mean of every numeric and choice question over `rows` (their
    answers), nothing when there are fewer than MIN_GROUP answers."""
    if len(rows) < MIN_GROUP:
        return Summary(version, len(rows), suppressed=True)
    summaries = []
    for item in items_of(version):
        if item.scale == Scale.FREE_TEXT:
            continue
        values = [r[item.key] for r in rows if item.key in r]
        if item.scale in RANGES:
            low, high = RANGES[item.scale]
            keys = [str(n) for n in range(low, high + 1)]
        elif item.scale == Scale.YES_NO:
            keys = ["yes", "no", "unknown"]
        else:
            keys = [c["key"] for c in item.choices]
        counts = Counter(
            str(v) for value in values for v in (value if isinstance(value, list) else [value])
        )
        mean = sum(values) / len(values) if item.scale in RANGES and values else None
        summaries.append(
            ItemSummary(
                item,
                len(values),
                mean,
                [
                    (key, counts[key], round(100 * counts[key] / len(values), 1) if values else 0.0)
                    for key in keys
                ],
            )
        )
    return Summary(version, len(rows), suppressed=False, items=summaries)


def unit_summaries(actor: Any, unit_id: Any, year: int) -> list[Summary]:
    """A year of one of the actor's own units, per questionnaire, over the released answers
    only (see _release_batch). Free text is never summed up, so answers held for redaction
    count with their scores."""
    unit = _own_unit(actor, unit_id)
    summaries = []
    for version in evaluation_versions():
        rows = list(
            AnonymousAnswer.objects.filter(
                unit=unit,
                version__instrument=version.instrument,
                month__year=year,
                released=True,
            ).values_list("answers", flat=True)
        )
        summaries.append(summarise(rows, version))
    return summaries


# Held free text --------------------------------------------------------------------------------

MAX_TEXT = 2000


def led_units(actor: Any) -> list[ServiceUnit]:
    """The units the actor leads: their leader reads and redacts the held free text."""
    return list(
        ServiceUnit.objects.filter(pk__in=policy.scope_of(actor).leader_unit_ids).order_by("name")
    )


@dataclass(frozen=True)
class HeldAnswer:
    answer: AnonymousAnswer
    # (the free-text question, what the family wrote)
    texts: list[tuple[Item, str]]


def held_answers(actor: Any) -> list[HeldAnswer]:
    """The answers held for redaction in the units the actor leads, with only their free
    text: the leader needs nothing else to judge it, and sees no score or month beside it."""
    units = [u.pk for u in led_units(actor)]
    if not units:
        raise PermissionDenied(
            _("Only the leader of a unit reads the comments held back for redaction.")
        )
    rows = AnonymousAnswer.objects.filter(unit_id__in=units, held=True).select_related(
        "version__instrument"
    )
    held = []
    items_by_version: dict[int, list[Item]] = {}
    for answer in rows.order_by("pk"):  # a random id: no order of answering
        if answer.version_id not in items_by_version:
            items_by_version[answer.version_id] = items_of(answer.version)
        texts = [
            (item, str(answer.answers.get(item.key, "")))
            for item in items_by_version[answer.version_id]
            if item.scale == Scale.FREE_TEXT
        ]
        held.append(HeldAnswer(answer, texts))
    return held


@transaction.atomic
def release_held(actor: Any, answer_id: Any, texts: dict[str, Any]) -> None:
    """The leader releases a held answer's free text as they have redacted it (an empty text
    removes the comment). Another unit's answer, or one not held, is not found."""
    units = [u.pk for u in led_units(actor)]
    try:
        answer = (
            AnonymousAnswer.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=answer_id, unit_id__in=units, held=True)
        )
    except (AnonymousAnswer.DoesNotExist, ValidationError, ValueError, TypeError):
        raise AnonymousAnswer.DoesNotExist from None
    answers = dict(answer.answers)
    for item in items_of(answer.version):
        if item.scale != Scale.FREE_TEXT:
            continue
        text = str(texts.get(item.key, "")).strip()
        if len(text) > MAX_TEXT:
            raise ValidationError(
                {item.key: [_("Shorten the text to at most %(n)s characters.") % {"n": MAX_TEXT}]}
            )
        if text:
            answers[item.key] = text
        else:
            answers.pop(item.key, None)
    answer.answers = answers
    answer.held = False
    answer.save(update_fields=["answers", "held"])
