"""Rate limiting of the public request form, per client network address.

The web form needs no login and no third-party CAPTCHA, so a flood of requests is held back
by counting requests per client: at most `HELP_REQUEST_RATE_LIMIT` requests (default 5) per
`HELP_REQUEST_RATE_WINDOW_SECONDS` (default one hour) from one address. Counts live in the
database (RateLimitWindow), so every web process and every server count together, and they
are kept as a keyed hash of the address, never the address itself.

Which address: REMOTE_ADDR, the peer of the web server. Behind a reverse proxy that is the
proxy's own address, so either the proxy must pass the client's address on as REMOTE_ADDR
(e.g. gunicorn's --forwarded-allow-ips with a proxy that sets it), or set
`TRUSTED_PROXY_HOPS` to the number of proxies in front of Familiebro that append to
X-Forwarded-For: the address that many hops from the right of that header is used. Never
trust the header without a proxy that overwrites or appends to it: clients can write it.

IPv6 clients usually hold a whole /64 network and can change addresses within it at will, so
an IPv6 address counts by its /64 network.
"""

from __future__ import annotations

import datetime
import ipaddress
import math

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import RateLimitWindow

DEFAULT_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 60 * 60
_HASH_SALT = "familiebro.cases.rate_limit"


class RateLimited(Exception):
    """The client has sent as many requests as its window allows."""

    def __init__(self, limit: int, window: datetime.timedelta, retry_after: datetime.timedelta):
        self.limit = limit
        self.window = window
        self.retry_after = retry_after
        window_minutes = round(window.total_seconds() / 60)
        wait_minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(
            _(
                "You have already sent %(limit)d requests from this network within %(window)d "
                "minutes. That is as many as we accept, to protect the service against misuse."
            )
            % {"limit": limit, "window": window_minutes}
            + " "
            + ngettext(
                "You can send this request in %(wait)d minute. If it cannot wait, call the "
                "service.",
                "You can send this request in %(wait)d minutes. If it cannot wait, call the "
                "service.",
                wait_minutes,
            )
            % {"wait": wait_minutes}
        )


def limit() -> int:
    return int(getattr(settings, "HELP_REQUEST_RATE_LIMIT", DEFAULT_LIMIT))


def window() -> datetime.timedelta:
    seconds = int(getattr(settings, "HELP_REQUEST_RATE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))
    return datetime.timedelta(seconds=seconds)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies."""
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def client_key(address: str) -> str:
    """A keyed hash of the address (its /64 network for IPv6): the stored key."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        # Not an address (a test client, a misconfigured proxy): all such clients share a key.
        normalised = address
    else:
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
            normalised = str(ipaddress.IPv6Network((parsed, 64), strict=False))
        elif isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            normalised = str(parsed.ipv4_mapped)
        else:
            normalised = str(parsed)
    return salted_hmac(_HASH_SALT, normalised, algorithm="sha256").hexdigest()


def count_request(address: str, *, now: datetime.datetime | None = None) -> None:
    """Count one request from `address`, or raise RateLimited if its window is full.

    Runs in the caller's transaction: if the request is refused or fails later, the count
    rolls back with it. The client's row is locked while counting, so concurrent requests
    from one client are counted one after the other.
    """
    now = now or timezone.now()
    allowed, span = limit(), window()
    with transaction.atomic():
        # Windows that have run out are of no use to anyone: delete them as we go.
        RateLimitWindow.objects.filter(window_started_at__lte=now - span).delete()
        row, _created = RateLimitWindow.objects.select_for_update().get_or_create(
            key=client_key(address), defaults={"window_started_at": now, "count": 0}
        )
        if row.count >= allowed:
            raise RateLimited(allowed, span, row.window_started_at + span - now)
        row.count += 1
        row.save(update_fields=["count"])
