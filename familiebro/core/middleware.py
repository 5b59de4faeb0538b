"""Request id, the request log, session renewal, no caching of anything a session sees, and (for
benchmarks) the query count."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .request_context import reset_request_id, set_request_id

request_log = logging.getLogger("familiebro.request")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """Give each request an id and log one JSON line for it.

    The line holds method, route, status, duration and ids only: never query strings or
    bodies, which may carry personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            request_log.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "route": match.route if match else None,
                        "view": match.view_name if match else None,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "user_id": user.pk if user is not None and user.is_authenticated else None,
                    }
                },
            )
            return response
        finally:
            reset_request_id(token)


class SessionRenewalMiddleware:
    """Keep a session alive while it is used, writing it at most once per renewal interval.

    The idle timeout counts from the session's last save. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) would cost every page an UPDATE and a commit of its own;
    renewing once a minute ends an idle session at most that minute early.
    """

    RENEWED_AT = "familiebro_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            renewed_at = session.get(self.RENEWED_AT, 0)
            if session.modified or now - renewed_at >= settings.SESSION_RENEWAL_SECONDS:
                session[self.RENEWED_AT] = now
        return response


class NoStoreForSessionsMiddleware:
    """Forbid every cache to keep a response that a session asked for or got.

    Staff and citizens are logged in through the session, and whatever they are shown may be
    personal data: person pages, consents, access logs, Min side and its PDFs, the JSON APIs,
    and also the redirects and error pages on the way. `Cache-Control: no-store` (with
    Django's other never-cache headers) keeps it out of the browser's cache and any shared
    cache, so the next person at a shared computer cannot bring it back with "Back".

    It goes by the session alone (a session cookie came in, or one goes out), which covers a
    login under way and a logout too, and decides before the view and the middleware inside it
    run, so no page, error or redirect can slip past it. Anonymous visitors without a session
    (the public finder, the HSDS API) keep cacheable answers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        came_with_session = _has_session(request)
        response = self.get_response(request)
        if came_with_session or _has_session(request):
            add_never_cache_headers(response)
        return response


def _has_session(request) -> bool:
    # is_empty() looks at the session key and what was written, without reading the store.
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


class QueryCountHeaderMiddleware:
    """Adds X-Query-Count: how many SQL queries the response took (benchmarks only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response


# The public API: the HSDS directory and the description of the API. Anything else under
# /api/ answers a logged-in session and is not opened to other origins.
PUBLIC_API_PREFIXES = ("/api/hsds/", "/api/openapi.json")


class PublicApiCorsMiddleware:
    """`Access-Control-Allow-Origin: *` on the public API, so a directory website elsewhere can
    read it from the browser (HSDS consumers ask for it). It is public and needs no login, and
    with `*` a browser sends no cookies, so no session can be used from another origin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PUBLIC_API_PREFIXES):
            response["Access-Control-Allow-Origin"] = "*"
        return response
