"""The privacy API for staff: /api/privacy/…

Staff endpoints authenticate with the staff session and its second factor, like the staff
pages, and find persons through the access policy, so a person the caller may not see is a
404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import SessionAuth

from familiebro.core import api_responses
from familiebro.core.decorators import second_factor_passed
from familiebro.core.models import Person

from . import access_log, policy


class StaffSessionAuth(SessionAuth):
    """django-ninja's session authentication (`django_auth`), plus the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not second_factor_passed(request):
            return None
        return user


staff_auth = StaffSessionAuth()
router = Router(tags=["privacy"], auth=staff_auth)


class AccessLogEntryOut(Schema):
    occurred_at: datetime.datetime
    actor_name: str
    actor_role: str
    actor_unit: str
    actor_organisation: str
    record_type: str
    action: str
    basis: str
    hidden_from_family: bool


@router.get(
    "/persons/{person_id}/access-log",
    response=list[AccessLogEntryOut],
    summary="A person's access log",
    description=(
        "Who has seen or changed the person's data, when, and on what basis, newest first. "
        "404 if the caller may not see the person. Reading the log is itself logged."
    ),
    openapi_extra={
        "responses": {
            401: api_responses.error(
                "No staff session that has passed the second factor: log in first."
            ),
            404: api_responses.error("No person with this id that the caller may see."),
            422: api_responses.INVALID,
        }
    },
)
def person_access_log(request: HttpRequest, person_id: int) -> list[access_log.AccessLogEntry]:
    person = policy.get_or_404(request.user, Person, person_id, policy.Purpose.ACCESS_LOG)
    return access_log.access_log_for(request.user, person)
