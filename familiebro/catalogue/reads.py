"""What the offer editor's pages read: the listing, staleness, what publishing still needs.

Reads only; the changes are in `actions`. Each page's read is a fixed number of queries,
whatever the number of offers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit

from .models import Offer
from .permissions import can_edit_unit, editable_offers, editable_units

# A published offer nobody has confirmed for this long is flagged to its unit and shown to
# parents as possibly out of date ("about six months": half a year, rounded up).
STALE_AFTER_DAYS = 183
STALE_AFTER = datetime.timedelta(days=STALE_AFTER_DAYS)

EDITOR_PAGE_SIZE = 50


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - STALE_AFTER


def _stale_q(now: datetime.datetime | None = None) -> Q:
    return Q(status=Offer.Status.PUBLISHED) & (
        Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=stale_cutoff(now))
    )


class Verifiable(Protocol):
    """An offer, or a result card's row of one: what the staleness rule reads."""

    status: str
    last_verified_at: datetime.datetime | None


def is_stale(offer: Verifiable, now: datetime.datetime | None = None) -> bool:
    """A published offer nobody has confirmed for six months (or ever) may be out of date."""
    if offer.status != Offer.Status.PUBLISHED:
        return False
    return offer.last_verified_at is None or offer.last_verified_at < stale_cutoff(now)


def stale_offers(unit: ServiceUnit | None = None) -> QuerySet[Offer]:
    offers = Offer.objects.filter(_stale_q())
    if unit is not None:
        offers = offers.filter(unit=unit)
    return offers


def languages_of(offer: Offer) -> list[str]:
    return offer.languages.split()


@dataclass(frozen=True)
class EditorListing:
    units: list[ServiceUnit]
    unit: ServiceUnit | None
    page: Page
    stale_count: int


def editor_listing(user: Any, *, unit_id: int | None = None, page_number: Any = 1) -> EditorListing:
    """The editor list page: the offers of the user's units, newest changes first.

    A fixed number of queries whatever the number of offers: units, the page of offers (with
    unit and verifier joined), the count and the number of stale offers.
    """
    units = list(editable_units(user))
    offers = editable_offers(user)
    unit = None
    if unit_id is not None:
        if not can_edit_unit(user, unit_id):
            raise Http404(_("You have no role in that unit."))
        unit = ServiceUnit.objects.select_related("organisation").filter(pk=unit_id).first()
        if unit is None:
            raise Http404(_("There is no such unit."))
        offers = offers.filter(unit_id=unit_id)
    stale_count = offers.filter(_stale_q()).count()
    listed = offers.select_related("unit", "verified_by").order_by("-updated_at", "title")
    page = Paginator(listed, EDITOR_PAGE_SIZE).get_page(page_number)
    return EditorListing(units=units, unit=unit, page=page, stale_count=stale_count)


def missing_for_publishing(offer: Offer) -> dict[str, str]:
    """What a parent needs that the offer lacks, by field: empty when it can be published."""
    missing: dict[str, str] = {}
    if not offer.title.strip():
        missing["title"] = _("Give the offer a title.")
    if not offer.description.strip():
        missing["description"] = _("Describe the offer in plain words.")
    if offer.pk is None or not offer.topics.exists():
        missing["topics"] = _("Choose at least one topic, so parents can find the offer.")
    if not (offer.contact_phone or offer.contact_email or offer.url):
        missing["contact_phone"] = _(
            "Give a way to get in touch: a phone number, an e-mail address or a web page."
        )
    return missing
