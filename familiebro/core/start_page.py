"""What the parts above core add to the staff start page: the counts of the user's own work
(new requests, their cases, deadlines, notifications) and notices a staff member must act on.

Core holds the start page but knows nothing of the parts above it, so each part registers, in
its app's ready(), a function that gives its tiles or renders its notice for one request (an
empty string when there is nothing to say). The function reads through the access policy like
any page does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Notice = Callable[[HttpRequest], str]

_notices: list[Notice] = []


def register_notice(notice: Notice) -> None:
    if notice not in _notices:
        _notices.append(notice)


def notices(request: HttpRequest) -> list[SafeString]:
    """The rendered notices for this request, in the order the parts registered them."""
    # Each notice is rendered from a template, which escapes what it shows.
    return [mark_safe(html) for notice in _notices if (html := notice(request).strip())]


@dataclass(frozen=True)
class Tile:
    """One count on the start page, with where to go to act on it."""

    label: str
    count: int
    url: str
    # What the count is, in a few words under it ("due by Sunday").
    explanation: str = ""


Tiles = Callable[[HttpRequest], list[Tile]]

_tiles: list[Tiles] = []


def register_tiles(tiles: Tiles) -> None:
    if tiles not in _tiles:
        _tiles.append(tiles)


def tiles(request: HttpRequest) -> list[Tile]:
    """The counts for this user, in the order the parts registered them. Each part keeps its
    counts cheap: one aggregate query per tile at most."""
    return [tile for part in _tiles for tile in part(request)]
