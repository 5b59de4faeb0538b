"""The family's API: /api/portal/… — for a parent or young person logged in with ID-porten.

It authenticates with the citizen session of "Min side" (the same browser session; no staff
login), and answers only about the citizen's own records and their children's: anyone else's
id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.security import APIKeyCookie

from familiebro.core import api_responses
from familiebro.privacy.access_log import AccessLogEntry
from familiebro.privacy.api import AccessLogEntryOut

from . import services, session


class CitizenSessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return session.current(request)


router = Router(tags=["portal"], auth=CitizenSessionAuth(csrf=True))


@router.get(
    "/persons/{person_id}/access-log",
    response=list[AccessLogEntryOut],
    summary="The family's own access log",
    description=(
        "Who has seen or changed the data about the logged-in person or their child, when, "
        "and on what basis, newest first; exceptional accesses hidden from the family for a "
        "documented reason are left out. 404 for anyone else. Reading the log is logged."
    ),
    openapi_extra={
        "responses": {
            401: api_responses.error("No citizen logged in with ID-porten: log in first."),
            404: api_responses.error(
                "Neither the logged-in person nor a child they have parental responsibility for."
            ),
            422: api_responses.INVALID,
        }
    },
)
def family_access_log(request: HttpRequest, person_id: int) -> list[AccessLogEntry]:
    return services.access_log(request.auth, person_id).entries  # type: ignore[attr-defined]
