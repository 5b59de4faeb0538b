"""Every public page answers any address without a server error.

Each page anyone may open without logging in is declared here with the GET parameters it
reads; hypothesis fills them with hostile values (huge and negative numbers, any Unicode, NUL
bytes, very long strings, repeated parameters, broken percent-encoding). A page may refuse
them (4xx), never fail on them (5xx). A URL pattern an anonymous visitor can open and that is
not declared here fails the test, so a new public page cannot miss the fuzzing.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from familiebro.api import api
from tests.catalogue import factories as cf

FINDER_PARAMETERS = (
    "q", "kommune", "alder", "tema", "språk", "format", "gratis", "uten_henvisning",
    "kveld_helg", "side",
)  # fmt: skip

# Every page an anonymous visitor may open, by URL name, with the GET parameters it reads.
# The API's endpoints are declared by the OpenAPI document (see page_parameters).
PUBLIC_PAGES: dict[str, tuple[str, ...]] = {
    "front-page": (),
    "healthz": (),
    "set_language": ("next", "language"),
    "login": ("next",),
    "finder:finder": FINDER_PARAMETERS,
    "finder:guide": ("hvem", "alder", "hjelp"),
    "finder:programme-map": (),
    "finder:programmes": (),
    "finder:programme": (),
    "finder:offer": ("språk", "fra"),
    "finder:offer-calendar": (),
    "contact-photo": (),
    "help-request:start": ("kommune",),
    "help-request:receipt": (),
    "help-request:offer": (),
    "portal:login": (),
    "portal:callback": ("code", "state", "error", "error_description", "iss"),
    "portal:logged-out": (),
    # A course's public list and the single-use links in messages to families (a used or
    # unknown link is 410).
    "courses:offer-courses": (),
    "courses:cancel": (),
    "courses:claim": (),
    # Min side's appointment pages ask a visitor who is not logged in to log in first.
    "appointments:confirm": (),
    "appointments:mine": (),
    "appointments:calendar-file": (),
    "appointments:cancel-mine": (),
    # The family's single-use links to the session scales and to an anonymous evaluation.
    "outcomes:answer": (),
    "outcomes:evaluate": (),
    "administration:accept-invitation": (),
    "administration:accept-invitation-sign-on": (),
    "api:api-root": (),
    "api:openapi-json": (),
    "api:openapi-view": (),
    "api:about": (),
    "api:services": (),
    "api:service": (),
    "api:organizations": (),
    "api:organization": (),
    "api:service_at_locations": (),
    "api:service_at_location": (),
    "api:taxonomies": (),
    "api:taxonomy": (),
    "api:taxonomy_terms": (),
    "api:taxonomy_term": (),
}


def page_parameters(name: str, route: str) -> tuple[str, ...]:
    """The page's declared GET parameters; for the API, the query parameters its OpenAPI
    document names."""
    if not name.startswith("api:"):
        return PUBLIC_PAGES[name]
    operation = api.get_openapi_schema()["paths"].get(openapi_path(route), {}).get("get", {})
    return tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


# What an anonymous visitor gets from a page that is not public.
LOGIN_PAGES = ("/konto/logg-inn/", "/min-side/logg-inn/")


def url_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""):
    """(URL name, pattern, whole route) for every named pattern of the project."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry, route


def openapi_path(route: str) -> str:
    """The OpenAPI path of a route: "api/hsds/services/<id>" → "/api/hsds/services/{id}"."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def example_kwargs(pattern: URLPattern, offer) -> dict[str, object]:
    """Path arguments that name something that exists where the page can use them."""
    kwargs: dict[str, object] = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        if kind == "UUIDConverter" or name == "id":
            kwargs[name] = offer.pk
        elif kind == "IntConverter":
            kwargs[name] = 1
        elif kind == "SlugConverter":
            kwargs[name] = "bti"
        else:
            kwargs[name] = "nb" if name == "language" else "photo.jpg"
    return kwargs


@pytest.fixture
def offer(db):
    return cf.PublishedOfferFactory(title="Søvnkurs", topics=[cf.topic("infant-sleep-feeding")])


def test_every_page_an_anonymous_visitor_can_open_is_declared(client, offer):
    undeclared = []
    for name, pattern, _route in url_patterns():
        if name in PUBLIC_PAGES:
            continue
        response = client.get(reverse(name, kwargs=example_kwargs(pattern, offer)))
        to_login = response.status_code == 302 and response["Location"].startswith(LOGIN_PAGES)
        if not (to_login or response.status_code in (401, 403, 404, 405)):
            undeclared.append(f"{name} ({response.status_code})")
    assert not undeclared, f"Public pages missing from PUBLIC_PAGES: {undeclared}"
    assert set(PUBLIC_PAGES) <= {name for name, _pattern, _route in url_patterns()}


# Tried with every parameter of every page, besides what hypothesis draws.
EDGE_VALUES = ("99999999999999999999", "-99999999999999999999", "\x00", "7" * 5000)
HOSTILE_VALUES = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=40),
    st.text(min_size=1000, max_size=3000),
    st.floats().map(repr),
    st.sampled_from(
        [
            "", "0", "-1", "1e999", "NaN", "inf", "0.5", "٣", "²", "true", "on",
            "\u202e1\u202c", " 1 ", "1,5", "null", "[]", "%", "0001-01-01T00:00:00",
            "9999-12-31T23:59:59+14:00", "2024-02-30", str(uuid.UUID(int=0)), "-0", "+1",
        ]
    ),
)  # fmt: skip
BROKEN_QUERIES = st.sampled_from(["%ff", "side=%ff", "q=%00", "%zz=1", "&&&", "=", "side"])


def encode(items: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items)


def hostile_query(parameters: tuple[str, ...]) -> st.SearchStrategy[str]:
    # Names besides the declared ones: a page must ignore or refuse what it does not read.
    names = st.sampled_from((*parameters, "x")) if parameters else st.just("x")
    pair = st.tuples(names, HOSTILE_VALUES)
    # One parameter alone reaches the code past the form; several (repeated) test the form.
    pairs = st.one_of(pair.map(lambda p: [p]), st.lists(pair, min_size=2, max_size=4))
    return st.one_of(pairs.map(encode), BROKEN_QUERIES)


def fuzz(name: str, path: str, parameters: tuple[str, ...]) -> None:
    client = Client()

    def answers_without_a_server_error(query: str) -> None:
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, f"{name}: GET {path}?{query[:300]}"

    test = answers_without_a_server_error
    for parameter in parameters:
        for value in EDGE_VALUES:
            test = example(query=encode([(parameter, value)]))(test)
    test = given(query=hostile_query(parameters))(test)
    settings(
        max_examples=10 + 2 * len(parameters),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )(test)()


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_a_public_page_answers_any_parameters_without_a_server_error(name, offer):
    pattern, route = next((p, r) for n, p, r in url_patterns() if n == name)
    path = reverse(name, kwargs=example_kwargs(pattern, offer))
    fuzz(name, path, page_parameters(name, route))


def test_a_huge_page_number_in_the_finder_shows_the_last_page(client, offer):
    response = client.get("/finn-hjelp/", {"side": "99999999999999999999"})

    assert response.status_code == 200
    assert [card.title for card in response.context["result"].offers] == ["Søvnkurs"]
