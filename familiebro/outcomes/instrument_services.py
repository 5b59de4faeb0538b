"""Questionnaires in the product: an editor makes a draft of the next version from the last,
changes its wording, and publishes it. A published version never changes (the models refuse),
so every score keeps pointing at the words it was given to.

Questionnaires hold no personal data; who may edit them is in outcomes.permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import LANGUAGES, Instrument, InstrumentVersion, Item

MAX_ITEM_TEXT = 300


@dataclass(frozen=True)
class InstrumentRow:
    instrument: Instrument
    published: InstrumentVersion | None
    draft: InstrumentVersion | None


def instrument_list(actor: Any) -> list[InstrumentRow]:
    permissions.require_may_edit_instruments(actor)
    versions: dict[int, list[InstrumentVersion]] = {}
    for version in InstrumentVersion.objects.order_by("-number"):
        versions.setdefault(version.instrument_id, []).append(version)
    rows = []
    for instrument in Instrument.objects.order_by("key"):
        mine = versions.get(instrument.pk, [])
        published = next((v for v in mine if v.is_published), None)
        draft = next((v for v in mine if not v.is_published), None)
        rows.append(InstrumentRow(instrument, published, draft))
    return rows


def get_instrument(actor: Any, key: str) -> Instrument:
    permissions.require_may_edit_instruments(actor)
    instrument = Instrument.objects.filter(key=key).first()
    if instrument is None:
        raise Http404("No such questionnaire.")
    return instrument


def get_version(actor: Any, key: str, number: Any) -> InstrumentVersion:
    instrument = get_instrument(actor, key)
    version = (
        InstrumentVersion.objects.select_related("instrument")
        .filter(instrument=instrument, number=number)
        .first()
    )
    if version is None:
        raise Http404("No such version.")
    return version


def items_of(version: InstrumentVersion) -> list[Item]:
    return list(Item.objects.filter(version=version).order_by("position"))


@transaction.atomic
def start_draft(actor: Any, instrument: Instrument) -> InstrumentVersion:
    """The next version as a draft, a copy of the newest one; the draft there already if an
    editor has started one."""
    permissions.require_may_edit_instruments(actor)
    Instrument.objects.select_for_update().filter(pk=instrument.pk).first()
    versions = InstrumentVersion.objects.filter(instrument=instrument).order_by("-number")
    draft = versions.filter(status=InstrumentVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    last = versions.first()
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(last.number + 1) if last else 1,
        status=InstrumentVersion.Status.DRAFT,
        intro=dict(last.intro) if last else {},
        respondents=list(last.respondents) if last else [],
        languages=list(last.languages) if last else list(LANGUAGES),
        cutoff=last.cutoff if last else None,
        norm=last.norm if last else None,
        created_at=timezone.now(),
        created_by=actor,
    )
    for item in items_of(last) if last else []:
        Item.objects.create(
            version=version,
            position=item.position,
            key=item.key,
            text=dict(item.text),
            scale=item.scale,
            choices=item.choices,
            low=dict(item.low),
            high=dict(item.high),
            required=item.required,
        )
    return version


def _require_draft(version: InstrumentVersion) -> None:
    if version.is_published:
        raise ValidationError(
            _("This version is published and cannot change. Make a new version to change it.")
        )


@transaction.atomic
def save_draft(
    actor: Any,
    version: InstrumentVersion,
    *,
    intro: dict[str, str],
    texts: dict[str, dict[str, str]],
    note: str,
    cutoff: int | None,
) -> InstrumentVersion:
    """New wording for a draft: its introduction and each question's text per language."""
    permissions.require_may_edit_instruments(actor)
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    items = items_of(version)
    errors: dict[str, list[str]] = {}
    for item in items:
        for language in LANGUAGES:
            text = " ".join(texts.get(item.key, {}).get(language, "").split())
            if len(text) > MAX_ITEM_TEXT:
                errors[f"{item.key}-{language}"] = [
                    _("Write at most %(n)d characters.") % {"n": MAX_ITEM_TEXT}
                ]
            elif language == "nb" and not text:
                errors[f"{item.key}-{language}"] = [_("Every question needs its text in bokmål.")]
            item.text = (
                {**item.text, language: text}
                if text
                else {k: v for k, v in item.text.items() if k != language}
            )
    if cutoff is not None and not 0 <= cutoff <= 40:
        errors["cutoff"] = [_("Choose a cut-off from 0 to 40, or leave it empty.")]
    if errors:
        raise ValidationError(errors)
    for item in items:
        item.save(update_fields=["text"])
    version.intro = {k: " ".join(v.split()) for k, v in intro.items() if v.strip()}
    version.note = " ".join(note.split())[:300]
    version.cutoff = cutoff
    version.save(update_fields=["intro", "note", "cutoff"])
    return version


@transaction.atomic
def publish(actor: Any, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft: from now on families fill it, and it never changes again."""
    permissions.require_may_edit_instruments(actor)
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    items = items_of(version)
    if not items:
        raise ValidationError(_("A questionnaire needs at least one question."))
    if any(not item.text.get("nb") for item in items):
        raise ValidationError(_("Every question needs its text in bokmål."))
    version.status = InstrumentVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    return version
