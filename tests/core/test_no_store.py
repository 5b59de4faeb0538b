"""No response to a logged-in member of staff or citizen may be kept by a cache.

The test walks the URL resolver, so a new page is covered as soon as it exists. It requests
every URL pattern as a member of staff past the second factor and as a parent logged in to
Min side, with the ids of objects they may see (and a made-up value where the pattern names
something else), and asserts `Cache-Control: no-store` on every answer, whatever its status:
pages, PDFs, JSON, redirects, refusals and errors alike.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from familiebro.core import crypto
from familiebro.portal.session import CITIZEN_KEY
from tests.cases import builders
from tests.factories import identity_number
from tests.privacy import factories as make
from tests.privacy.test_object_urls import NOT_OBJECTS, OBJECTS, PARAMETER, parameter_key, sides

pytestmark = pytest.mark.django_db

__all__ = ["sides"]  # the fixture, shared with the walk over object URLs

PARENT = identity_number(datetime.date(1985, 2, 1), synthetic=True)

# Ids the object walk does not need, for the pages of Min side.
MORE_OBJECTS = {"case_id": lambda side: side.case.case.pk}
# A value of the right shape for any other parameter: the answer may be a 404, which must not
# be cached either.
PLACEHOLDERS = {"int": "1", "uuid": str(uuid.UUID(int=1)), "str": "x", "path": "x"}


def every_route() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    yield from walk(get_resolver().url_patterns, "")


def url(route: str, side: Any) -> str:
    def value(match: re.Match[str]) -> str:
        key = parameter_key(route, match)
        if key in NOT_OBJECTS:
            return NOT_OBJECTS[key]
        known = OBJECTS.get(key) or MORE_OBJECTS.get(key)
        if known is not None:
            return str(known(side))
        return PLACEHOLDERS[match.group("converter") or "str"]

    # Regular-expression routes (the API's) end in "$" and start with "^".
    return "/" + PARAMETER.sub(value, route).lstrip("^").rstrip("$")


def answer(client: Client, address: str) -> Any:
    response = client.get(address)
    if response.status_code == 405:
        # POST-only: an empty form, refused or acted on; either answer counts.
        response = client.post(address, {})
    return response


def cached(responses: dict[str, Any]) -> list[str]:
    """The addresses whose answer a cache may keep, with their status and header."""
    return [
        f"{address} ({response.status_code}): {response.get('Cache-Control')!r}"
        for address, response in responses.items()
        if "no-store" not in response.get("Cache-Control", "")
    ]


def staff_client(user: Any) -> Client:
    user.refresh_from_db()  # "log out everywhere" on the way moves the session generation
    return make.logged_in(user, Client(raise_request_exception=False))


def citizen_client(number: str) -> Client:
    """A browser with Min side's session as an ID-porten login leaves it."""
    client = Client(raise_request_exception=False)
    session = client.session
    session[CITIZEN_KEY] = {
        "identity_hash": crypto.lookup_hash(number),
        "id_token": "",
        "acr": "idporten-loa-high",
    }
    session.save()
    return client


def test_the_walk_covers_the_pages_with_personal_data():
    routes = set(every_route())
    assert {
        "ansatt/personer/<int:person_id>/",
        "min-side/saker/<int:case_id>/plan.pdf",
        "api/privacy/persons/<person_id>/access-log",
        "api/portal/persons/<person_id>/access-log",
    } <= routes


def test_no_answer_to_a_member_of_staff_is_cached(sides):
    viewer, own, _other = sides
    # Each address in a fresh session: logging out on the way must not end the walk.
    responses = {
        address: answer(staff_client(viewer), address)
        for address in (url(route, own) for route in every_route())
    }
    assert sum(r.status_code == 200 for r in responses.values()) > 50
    assert not cached(responses)


def test_no_answer_to_a_citizen_is_cached(sides):
    viewer, own, _other = sides
    child = own.person
    child.birth_date = datetime.date.today() - datetime.timedelta(days=5 * 365)
    child.save()
    guardian = child.guardians_rel.get().guardian
    guardian.set_national_id(PARENT)
    guardian.save()
    case = own.case.case
    builders.start_plan(viewer, case, [own.case.participant.pk])
    responses = {
        address: answer(citizen_client(PARENT), address)
        for address in (url(route, own) for route in every_route())
    }
    # The family's own pages answer them, so the walk saw what a parent sees.
    assert responses[f"/min-side/saker/{case.pk}/"].status_code == 200
    assert responses[f"/min-side/saker/{case.pk}/plan.pdf"]["Content-Type"] == "application/pdf"
    assert responses[f"/api/portal/persons/{child.pk}/access-log"].status_code == 200
    assert not cached(responses)


def test_an_error_page_to_a_member_of_staff_is_not_cached(sides):
    viewer, _own, other = sides
    client = staff_client(viewer)
    not_found = client.get(reverse("person-detail", kwargs={"person_id": other.person.pk}))
    assert not_found.status_code == 404
    assert "no-store" in not_found["Cache-Control"]


def test_public_pages_to_a_visitor_without_a_session_stay_cacheable(client):
    response = client.get(reverse("front-page"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
