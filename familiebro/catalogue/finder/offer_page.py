"""An offer's public page and the dated sessions of its calendar."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from familiebro.core.models import Municipality

from ..models import (
    CONTENT_LANGUAGES,
    RIGHT_TO_LEFT_LANGUAGES,
    Location,
    Offer,
    OfferSession,
    OfferTranslation,
    TaxonomyTerm,
)
from ..reads import is_stale

CONTENT_LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


@dataclass
class OfferPage:
    offer: Offer
    # The offer's own translation into the language asked for, if it has one.
    translation: OfferTranslation | None
    # The content language asked for with ?språk=, when the offer lacks it (bokmål is shown).
    missing_language: str
    # Languages the offer's text exists in, besides bokmål: (code, name).
    available_languages: list[tuple[str, str]]
    upcoming_sessions: list[OfferSession]
    stale: bool

    @property
    def content_language(self) -> str:
        return self.translation.language if self.translation else "nb"

    @property
    def content_direction(self) -> str:
        return "rtl" if self.content_language in RIGHT_TO_LEFT_LANGUAGES else "ltr"

    @property
    def missing_language_name(self) -> str:
        return CONTENT_LANGUAGE_NAMES.get(self.missing_language, self.missing_language)


def offer_page(
    offer_id: uuid.UUID, language: str = "", now: datetime.datetime | None = None
) -> OfferPage:
    """Everything the public offer page shows. Raises Http404 unless the offer is published.

    `language` chooses the offer's own translation (?språk=ar); without one, the bokmål
    original is shown and the page says so.
    """
    now = now or timezone.now()
    offer = (
        Offer.objects.published()
        .select_related("programme", "provider", "unit__organisation")
        .prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
            "opening_hours",
            Prefetch("sessions", queryset=_upcoming_sessions(now)),
            Prefetch("topics", queryset=TaxonomyTerm.objects.order_by("name")),
            Prefetch("target_groups", queryset=TaxonomyTerm.objects.order_by("name")),
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name")),
            Prefetch("translations", queryset=OfferTranslation.objects.order_by("language")),
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404("No published offer has this address.")
    translations = {t.language: t for t in offer.translations.all()}
    language = language.strip().lower()
    translation = translations.get(language)
    missing = language if language in CONTENT_LANGUAGE_NAMES and translation is None else ""
    return OfferPage(
        offer=offer,
        translation=translation,
        missing_language=missing,
        available_languages=[
            (code, CONTENT_LANGUAGE_NAMES[code])
            for code, _name in CONTENT_LANGUAGES
            if code in translations
        ],
        upcoming_sessions=list(offer.sessions.all()),
        stale=is_stale(offer, now),
    )


def _upcoming_sessions(now: datetime.datetime) -> QuerySet[OfferSession]:
    return (
        OfferSession.objects.filter(ends_at__gte=now)
        .select_related("location__municipality")
        .order_by("starts_at")
    )


def offer_calendar_sessions(
    offer_id: uuid.UUID, now: datetime.datetime | None = None
) -> tuple[Offer, list[OfferSession]]:
    """A published offer and its dated sessions still to come, for the iCalendar file.

    Raises Http404 unless the offer is published and has such sessions: a calendar file
    must hold at least one event (RFC 5545).
    """
    now = now or timezone.now()
    offer = (
        Offer.objects.published()
        .prefetch_related(
            Prefetch("sessions", queryset=_upcoming_sessions(now)),
            Prefetch("locations", queryset=Location.objects.select_related("municipality")),
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404("No published offer has this address.")
    sessions = list(offer.sessions.all())
    if not sessions:
        raise Http404("This offer has no dated sessions to come.")
    return offer, sessions
