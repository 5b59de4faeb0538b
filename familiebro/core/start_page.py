"""What the parts above core add to the staff start page: notices a staff member must act on.

Core holds the start page but knows nothing of the parts above it, so each part registers, in
its app's ready(), a function that renders its notice for one request (an empty string when
there is nothing to say). The function reads through the access policy like any page does.
"""

from __future__ import annotations

from collections.abc import Callable

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
