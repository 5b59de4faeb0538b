"""Finding one's way between the finder and an offer: the way back to the same results, and
cards that tell apart offers with the same title.

"Back to the results" on an offer's page leads to the search the parent came from: its words,
filters and page travel with the link to the offer (?fra=…). Only the finder's own
parameters are carried back, so the link can never lead anywhere but the finder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.http import QueryDict

from ..models import Offer
from .cards import ResultCard

# The finder's parameters (public_forms.FinderForm, and ?side= for the page).
FINDER_PARAMETERS = (
    "q",
    "kommune",
    "alder",
    "tema",
    "språk",
    "format",
    "gratis",
    "uten_henvisning",
    "kveld_helg",
    "side",
)
# The parameter of an offer's address that holds the search it was found by.
FROM_PARAMETER = "fra"
# A search's address is short; anything longer is not one the finder made.
MAX_FROM_LENGTH = 2000


def results_query(text: str) -> str:
    """The finder parameters of a search's query string, re-encoded; "" for anything else."""
    if not text or len(text) > MAX_FROM_LENGTH:
        return ""
    given = QueryDict(text)
    kept = QueryDict(mutable=True)
    for name in FINDER_PARAMETERS:
        values = [value for value in given.getlist(name) if len(value) <= 200]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def distinguish_shared_titles(cards: Sequence[ResultCard]) -> None:
    """Cards on one page with the same title (five "Samtale på helsestasjonen") get
    `distinction`: the unit that runs each and where, so the titles tell them apart."""
    counts = Counter(card.title.casefold() for card in cards)
    shared = [card for card in cards if counts[card.title.casefold()] > 1]
    if not shared:
        return
    units = dict(
        Offer.objects.filter(pk__in=[card.pk for card in shared]).values_list("pk", "unit__name")
    )
    for card in shared:
        place = card.facts.where if card.facts is not None else ""
        parts = [part for part in (units.get(card.pk) or "", place) if part]
        card.distinction = ", ".join(parts)  # type: ignore[attr-defined]
