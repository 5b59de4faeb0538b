"""`make bench`: latency of real requests to a real server on a database of realistic size.

1. Create the database familiebro_bench_<scale> if it is missing, and migrate it.
2. Generate the scale's data, unless the database already holds it.
3. Start gunicorn on a free 127.0.0.1 port with the benchmark view and query-count header.
4. For each endpoint: warm-up requests, then measured requests, sent one after another over
   one keep-alive connection; every response must have the expected status.
5. Print p50/p95/p99 and queries per request; write bench/results/<date>-<scale>.json.

Run with ``python -m bench.run --scale small``. FAMILIEBRO_MODE must be ``test``: the data
uses synthetic identity numbers, which production refuses.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.scales import SCALES, Scale

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
HOST = "127.0.0.1"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
# Two workers of two threads each: a small production box (2 cores). gthread keeps
# connections alive, so the client measures requests rather than TCP handshakes.
GUNICORN_ARGS = ("--workers", "2", "--worker-class", "gthread", "--threads", "2")
SERVER_START_SECONDS = 30.0
SERVER_STOP_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 30.0
# How many persons of the bench user's organisations the lookups pick from.
LOOKUP_SAMPLE = 1000
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchmarkError(Exception):
    """The benchmark cannot run or a response was wrong: the run fails."""


# Endpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixtures:
    """What the endpoints draw their requests from, prepared in the database before the run."""

    organisation_ids: list[int]
    session_key: str
    user_name: str
    # Identity number -> full name, for persons the bench user may look up.
    people: dict[str, str]
    identity_numbers: list[str]
    # What the public finder's requests pick from: municipality numbers and published offers.
    municipality_numbers: list[str]
    offer_ids: list[str]
    # How many offers are published: the HSDS API's pages are drawn from all of them.
    published_offers: int = 0
    # The bench user's case with the longest log (the case page), and its reference.
    long_case_id: int = 0
    long_case_reference: str = ""
    # The low-threshold team the bench user works in, and its oldest waiting request.
    team_unit_id: int = 0
    team_request_reference: str = ""
    # The month (YYYY-MM) of the latest meeting on a case the bench user coordinates.
    calendar_month: str = ""


@dataclass
class Context:
    """Per endpoint: the fixtures, its own random stream and, once fetched, its CSRF token."""

    fixtures: Fixtures
    rng: random.Random
    csrf_token: str = ""


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[Context], str]
    # Form fields for a POST, sent urlencoded.
    body: Callable[[Context], dict[str, str]] | None = None
    status: int = 200
    # Send the bench user's session cookie (logged in, second factor passed).
    logged_in: bool = False
    # GET this page first for the CSRF cookie and form token; POSTs then carry the token and
    # this page as Referer, as a browser would.
    csrf_page: str | None = None
    # Given the form sent and the response text, is the answer the right one?
    check: Callable[[Context, dict[str, str] | None, str], bool] | None = None


def _lookup_form(ctx: Context) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": ctx.csrf_token,
        "national_id": ctx.rng.choice(ctx.fixtures.identity_numbers),
    }


def _found_the_person(ctx: Context, form: dict[str, str] | None, text: str) -> bool:
    # Without this, a broken lookup would be measured as a fast "not found".
    return form is not None and ctx.fixtures.people[form["national_id"]] in text


# Words parents search the finder for: one a request, with a municipality to search in.
FINDER_WORDS = (
    "søvn", "samliv", "skilsmisse", "parforhold", "foreldrekurs", "pappa", "ammegruppe",
    "barselgruppe", "angst", "rus", "ungdom", "skole", "sinne", "grensesetting", "samspill",
    "fødsel", "gravid", "sorg", "vold", "språk", "tenåring", "krangel", "barnehage",
    "funksjonsnedsettelse", "hjemmebesøk", "familie",
)  # fmt: skip


def _finder_search(ctx: Context) -> str:
    query = {
        "q": ctx.rng.choice(FINDER_WORDS),
        "kommune": ctx.rng.choice(ctx.fixtures.municipality_numbers),
    }
    return f"/finn-hjelp/?{urlencode(query)}"


HSDS_PAGE_SIZE = 50


def _hsds_services_page(ctx: Context) -> str:
    pages = max(1, math.ceil(ctx.fixtures.published_offers / HSDS_PAGE_SIZE))
    return f"/api/hsds/services?page={ctx.rng.randint(1, pages)}&per_page={HSDS_PAGE_SIZE}"


def _a_page_of_services(text: str) -> bool:
    # A page with services on it: an empty page would be measured as fast.
    page = json.loads(text)
    return page["size"] == len(page["contents"]) > 0 and (
        page["size"] == HSDS_PAGE_SIZE or page["last_page"]
    )


# The sections of the case page: (name, path under the case, what the section must show).
CASE_SECTIONS = (
    ("overview", "", 'class="fb-phases"'),
    ("log", "logg/", 'class="fb-log__entry'),
    ("goals", "mal-og-tiltak/", '<table class="ds-table"'),
    ("meetings", "moter/", "fb-case__meetings"),
    ("participants", "deltakere-og-samtykker/", 'id="consents-heading"'),
    ("decisions", "plan-og-vedtak/", 'id="rights-heading"'),
)


def _case_section_path(path: str) -> Callable[[Context], str]:
    return lambda ctx: f"/ansatt/saker/{ctx.fixtures.long_case_id}/{path}"


def _shows_case_section(
    section: str, marker: str
) -> Callable[[Context, dict[str, str] | None, str], bool]:
    # The case, the section asked for (not another, nor a login page), and what it lists.
    return lambda ctx, form, text: (
        ctx.fixtures.long_case_reference in text
        and f'data-section="{section}"' in text
        and marker in text
    )


# Append new endpoints here; each is measured and reported under its name.
ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "floor",
        "GET",
        lambda ctx: f"/_bench/floor/{ctx.rng.choice(ctx.fixtures.organisation_ids)}",
    ),
    Endpoint("healthz", "GET", lambda ctx: "/healthz"),
    Endpoint(
        "staff_home",
        "GET",
        lambda ctx: "/ansatt/",
        logged_in=True,
        # The bench user is a caseworker: the page counts their work (requests, cases,
        # deadlines, notifications), one aggregate query per tile, and shows the staff menu.
        check=lambda ctx, form, text: (
            ctx.fixtures.user_name in text
            and text.count('class="fb-tile__count"') == 4
            and 'class="fb-staff-menu"' in text
        ),
    ),
    Endpoint(
        "person_lookup",
        "POST",
        lambda ctx: "/ansatt/personer/finn/",
        body=_lookup_form,
        logged_in=True,
        csrf_page="/ansatt/personer/finn/",
        check=_found_the_person,
    ),
    Endpoint(
        "finder_search",
        "GET",
        _finder_search,
        check=lambda ctx, form, text: 'id="results-heading"' in text,
    ),
    Endpoint(
        "offer_page",
        "GET",
        lambda ctx: f"/tilbud/{ctx.rng.choice(ctx.fixtures.offer_ids)}/",
        check=lambda ctx, form, text: 'id="offer-title"' in text,
    ),
    Endpoint(
        "hsds_services",
        "GET",
        _hsds_services_page,
        check=lambda ctx, form, text: _a_page_of_services(text),
    ),
    Endpoint(
        "my_cases",
        "GET",
        lambda ctx: "/ansatt/saker/",
        logged_in=True,
        # The bench user's longest case is one of the open cases they coordinate.
        check=lambda ctx, form, text: ctx.fixtures.long_case_reference in text,
    ),
    # The case page, one endpoint per section: each must name the case and show its section
    # with what it lists.
    *(
        Endpoint(
            f"case_{section}",
            "GET",
            _case_section_path(path),
            logged_in=True,
            check=_shows_case_section(section, marker),
        )
        for section, path, marker in CASE_SECTIONS
    ),
    Endpoint(
        "calendar_month",
        "GET",
        lambda ctx: f"/ansatt/kalender/maned/?dato={ctx.fixtures.calendar_month}",
        logged_in=True,
        # The month of the latest meeting on a case the bench user coordinates: not empty.
        check=lambda ctx, form, text: 'class="fb-calendar__event' in text,
    ),
    Endpoint(
        "allocation",
        "GET",
        lambda ctx: f"/ansatt/fordeling/?enhet={ctx.fixtures.team_unit_id}",
        logged_in=True,
        # Both lists filled: a case waiting for the team and the oldest request.
        check=lambda ctx, form, text: (
            ctx.fixtures.team_request_reference in text and '#decision"' in text
        ),
    ),
]


# HTTP client -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Client:
    """One keep-alive connection with a cookie jar: a browser tab sending one request at a time."""

    def __init__(self, port: int) -> None:
        self.cookies: dict[str, str] = {}
        self._connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            response = self._send(method, path, body, all_headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server may close an idle keep-alive connection just as a request goes out:
            # retry once on a fresh connection.
            self._connection.close()
            response = self._send(method, path, body, all_headers)
        self._store_cookies(response.headers.get_all("Set-Cookie") or [])
        return response

    def close(self) -> None:
        self._connection.close()

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Response:
        self._connection.request(method, path, body=body, headers=headers)
        raw = self._connection.getresponse()
        return Response(raw.status, raw.headers, raw.read())

    def _store_cookies(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


# Measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    queries_per_request: int


def _fetch_csrf_token(client: Client, path: str) -> str:
    from django.conf import settings

    response = client.request("GET", path)
    match = CSRF_FIELD.search(response.body)
    if response.status != 200 or match is None or settings.CSRF_COOKIE_NAME not in client.cookies:
        raise BenchmarkError(
            f"GET {path} gave status {response.status} without a CSRF cookie and form token."
        )
    return match.group(1).decode()


def _query_count(response: Response) -> int:
    value = response.headers.get("X-Query-Count")
    if value is None or not value.isdigit():
        raise BenchmarkError(
            "A response had no X-Query-Count header: the server must run with "
            "FAMILIEBRO_QUERY_COUNT_HEADER=1."
        )
    return int(value)


def measure(
    endpoint: Endpoint, port: int, fixtures: Fixtures, *, warmup: int, requests: int
) -> Result:
    from django.conf import settings

    # Each endpoint has its own seeded stream, so adding one does not change the others.
    ctx = Context(fixtures, random.Random(f"familiebro-bench-{endpoint.name}"))
    client = Client(port)
    timings: list[float] = []
    query_counts: list[int] = []
    try:
        if endpoint.logged_in:
            client.cookies[settings.SESSION_COOKIE_NAME] = fixtures.session_key
        headers = {}
        if endpoint.csrf_page:
            ctx.csrf_token = _fetch_csrf_token(client, endpoint.csrf_page)
            headers["Referer"] = f"http://{HOST}:{port}{endpoint.csrf_page}"
        for index in range(warmup + requests):
            path = endpoint.path(ctx)
            form = endpoint.body(ctx) if endpoint.body else None
            started = time.perf_counter()
            try:
                response = client.request(endpoint.method, path, form=form, headers=headers)
            except OSError as exc:
                raise BenchmarkError(
                    f"{endpoint.name}: {endpoint.method} {path} failed: {exc!r}"
                ) from exc
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status != endpoint.status:
                raise BenchmarkError(
                    f"{endpoint.name}: {endpoint.method} {path} answered {response.status}, "
                    f"expected {endpoint.status}. Body: {response.body[:300]!r}"
                )
            if endpoint.check and not endpoint.check(ctx, form, response.body.decode()):
                raise BenchmarkError(
                    f"{endpoint.name}: {endpoint.method} {path} answered {response.status} "
                    "but not with the expected content."
                )
            if index >= warmup:
                timings.append(elapsed_ms)
                query_counts.append(_query_count(response))
    finally:
        client.close()
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return Result(
        name=endpoint.name,
        p50_ms=round(cuts[49], 2),
        p95_ms=round(cuts[94], 2),
        p99_ms=round(cuts[98], 2),
        requests=len(timings),
        # median_low: an observed count, not the mean of two middle ones.
        queries_per_request=statistics.median_low(query_counts),
    )


# Server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "".join(text.splitlines(keepends=True)[-lines:])


def _wait_until_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with {process.returncode}.")
        probe = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet
        finally:
            probe.close()
        time.sleep(0.2)
    raise BenchmarkError(f"gunicorn did not answer /healthz within {SERVER_START_SECONDS:.0f} s.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn shuts its workers down gracefully on SIGTERM
    try:
        process.wait(timeout=SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_SECONDS)


@contextlib.contextmanager
def running_server(database_url: str) -> Iterator[int]:
    """A gunicorn serving the product on a free local port; yields the port."""
    port = _free_port()
    env = {
        **os.environ,
        "FAMILIEBRO_MODE": "test",
        "DATABASE_URL": database_url,
        "FAMILIEBRO_BENCHMARK_VIEWS": "1",
        "FAMILIEBRO_QUERY_COUNT_HEADER": "1",
        "ALLOWED_HOSTS": HOST,
        "DEBUG": "0",
    }
    command = [
        sys.executable, "-m", "gunicorn", "familiebro.wsgi:application",
        # The production settings (the access log without query strings), as operators run it.
        "-c", "python:familiebro.gunicorn_conf",
        "--bind", f"{HOST}:{port}", *GUNICORN_ARGS,
        "--keep-alive", "30", "--timeout", "60", "--no-control-socket",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="familiebro-bench-") as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log)
        try:
            _wait_until_ready(process, port)
            yield port
        except BenchmarkError as exc:
            # Stopped first, so the workers have written everything they had to say.
            _stop(process)
            raise BenchmarkError(
                f"{exc}\n--- server log, last lines ---\n{_log_tail(log_path)}"
            ) from exc
        finally:
            _stop(process)


# Database ----------------------------------------------------------------------------------


def database_urls(scale: Scale) -> tuple[str, str, str]:
    """The server's maintenance database URL, the bench database's name and URL."""
    server = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER_URL
    parts = urlsplit(server)
    if parts.scheme not in ("postgres", "postgresql"):
        raise BenchmarkError(f"BENCH_DATABASE_URL must be a postgres:// URL, not {server!r}.")
    name = f"familiebro_bench_{scale.name}"
    maintenance = urlunsplit(parts._replace(path="/" + (parts.path.strip("/") or "postgres")))
    return maintenance, name, urlunsplit(parts._replace(path=f"/{name}"))


def create_database_if_missing(maintenance_url: str, name: str) -> None:
    try:
        with psycopg.connect(maintenance_url, autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if found is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}.")
    except psycopg.OperationalError as exc:
        raise BenchmarkError(
            f"Cannot reach PostgreSQL at {maintenance_url}: {exc}. "
            "Start it, or point BENCH_DATABASE_URL at a server."
        ) from exc


def migrate(database_url: str) -> None:
    env = {**os.environ, "FAMILIEBRO_MODE": "test", "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "familiebro", "migrate", "--noinput", "-v", "0"]
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False)
    if completed.returncode != 0:
        raise BenchmarkError("familiebro migrate failed on the benchmark database.")


def prepare_dataset(scale: Scale, *, regenerate: bool) -> None:
    from django.core.management import call_command

    from bench import generate

    recorded = generate.recorded_dataset()
    if recorded is not None and recorded.scale == scale.name and not regenerate:
        print(
            f"Data: {scale.name} is in place (generated {recorded.generated_at} "
            f"in {recorded.seconds:.0f} s)."
        )
        if scale.offers and not generate.table_counts()["catalogue_offer"]:
            # A dataset made before the catalogue was part of it: add the offers only.
            from bench.offers import generate_offers

            print(f"Generating the catalogue: {scale.offers:,} offers.")
            generate_offers(scale)
            _vacuum_analyze()
        return
    if recorded is not None or any(generate.table_counts().values()):
        # The database is the benchmark's own (familiebro_bench_<scale>): start it afresh.
        print("Emptying the benchmark database.")
        call_command("flush", interactive=False, verbosity=0)
        generate.forget_dataset()
    print(
        f"Generating {scale.name}: {scale.municipalities} municipalities, "
        f"{scale.persons:,} persons, {scale.offers:,} offers."
    )
    seconds = generate.generate(scale)
    started = time.perf_counter()
    _vacuum_analyze()
    print(f"Generated in {seconds:.1f} s; VACUUM ANALYZE {time.perf_counter() - started:.1f} s.")


def _vacuum_analyze() -> None:
    from django.db import connection

    # Fresh planner statistics and visibility maps, as a database in service has.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


@contextlib.contextmanager
def bench_fixtures() -> Iterator[Fixtures]:
    """A logged-in session of the bench user and what the requests pick from.

    The session holds what a real login leaves behind: the auth keys and the id of the
    TOTP device that passed the second factor.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.cases import long_case
    from bench.common import BENCH_USERNAME
    from bench.generate import BENCH_ROLES
    from familiebro.cases.models import HelpRequest, Meeting
    from familiebro.catalogue.models import Offer
    from familiebro.core.models import Municipality, Organisation, Person, ServiceUnit, User

    user = User.objects.filter(username=BENCH_USERNAME).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if user is None or device is None or user.memberships.count() != len(BENCH_ROLES):
        raise BenchmarkError(
            f"The user {BENCH_USERNAME} with {len(BENCH_ROLES)} memberships and a confirmed "
            "TOTP device is missing: regenerate with --regenerate."
        )
    organisation_ids = set(user.memberships.values_list("unit__organisation_id", flat=True))
    case = long_case(user)
    team = user.memberships.filter(unit__kind=ServiceUnit.Kind.LOW_THRESHOLD_TEAM).first()
    oldest_request = (
        HelpRequest.objects.filter(
            unit_id=team.unit_id if team else None,
            status__in=[HelpRequest.Status.NEW, HelpRequest.Status.CONTACTED],
        )
        .order_by("first_contact_due_at", "pk")
        .first()
    )
    latest_meeting = Meeting.objects.filter(case__coordinator=user).order_by("-starts_at").first()
    persons = Person.objects.filter(
        organisation_id__in=organisation_ids, national_id_hash__isnull=False
    ).order_by("?")[:LOOKUP_SAMPLE]
    people = {
        person.national_id or "": f"{person.given_name} {person.family_name}" for person in persons
    }
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    try:
        yield Fixtures(
            organisation_ids=sorted(Organisation.objects.values_list("pk", flat=True)),
            session_key=session.session_key,
            user_name=user.display_name(),
            people=people,
            identity_numbers=list(people),
            municipality_numbers=sorted(Municipality.objects.values_list("number", flat=True)),
            offer_ids=[
                str(pk)
                for pk in Offer.objects.published()
                .order_by("?")
                .values_list("pk", flat=True)[:LOOKUP_SAMPLE]
            ],
            published_offers=Offer.objects.published().count(),
            long_case_id=case.pk if case else 0,
            long_case_reference=case.reference if case else "",
            team_unit_id=team.unit_id if team else 0,
            team_request_reference=oldest_request.reference if oldest_request else "",
            calendar_month=timezone.localtime(latest_meeting.starts_at).strftime("%Y-%m")
            if latest_meeting
            else "",
        )
    finally:
        session.delete()


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split()[0]


def warn_if_busy() -> None:
    """Latencies measured next to other work are not comparable: say so."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > cores / 2:
        print(
            f"Warning: load average {load:.1f} on {cores} cores before the run; other work "
            "will inflate the latencies."
        )


# Report ------------------------------------------------------------------------------------


def print_counts(counts: dict[str, int]) -> None:
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        print(f"  {table:<{width}}  {count:>10,}")


def print_results(results: list[Result]) -> None:
    header = ("endpoint", "p50 ms", "p95 ms", "p99 ms", "requests", "queries/request")
    rows = [
        (r.name, f"{r.p50_ms:.2f}", f"{r.p95_ms:.2f}", f"{r.p99_ms:.2f}", str(r.requests),
         str(r.queries_per_request))
        for r in results
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))


def write_results(
    scale: Scale, database: str, counts: dict[str, int], results: list[Result]
) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{datetime.date.today().isoformat()}-{scale.name}.json"
    document = {
        "scale": scale.name,
        "database": f"postgresql {database}",
        "data": counts,
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


# Main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--requests", type=int, default=500, help="measured per endpoint")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured, per endpoint")
    parser.add_argument(
        "--endpoint",
        action="append",
        choices=[endpoint.name for endpoint in ENDPOINTS],
        help="measure only this endpoint (repeatable); default: all",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="empty the database and generate anew"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="prepare the data, measure nothing"
    )
    args = parser.parse_args(argv)
    if args.requests < 2 or args.warmup < 0:
        parser.error("--requests must be at least 2 and --warmup not negative.")
    return args


def run(args: argparse.Namespace) -> None:
    if os.environ.setdefault("FAMILIEBRO_MODE", "test") != "test":
        raise BenchmarkError("Run the benchmarks with FAMILIEBRO_MODE=test.")
    scale = SCALES[args.scale]
    maintenance_url, name, database_url = database_urls(scale)
    create_database_if_missing(maintenance_url, name)
    migrate(database_url)
    # Django reads DATABASE_URL once, when it is set up: only now.
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familiebro.settings")
    import django

    django.setup()
    from bench import generate

    prepare_dataset(scale, regenerate=args.regenerate)
    counts = generate.table_counts()
    print(f"Data in {name}:")
    print_counts(counts)
    if args.generate_only:
        return
    warn_if_busy()
    endpoints = [e for e in ENDPOINTS if not args.endpoint or e.name in args.endpoint]
    results = []
    with bench_fixtures() as fixtures, running_server(database_url) as port:
        print(
            f"Server on {HOST}:{port}; {args.warmup} warm-up and {args.requests} measured "
            "requests per endpoint."
        )
        for endpoint in endpoints:
            results.append(
                measure(endpoint, port, fixtures, warmup=args.warmup, requests=args.requests)
            )
    print()
    print_results(results)
    path = write_results(scale, server_version(), counts, results)
    print(f"\nWrote {path.relative_to(PROJECT_DIR)}")


def main(argv: list[str] | None = None) -> int:
    try:
        run(parse_args(argv))
    except BenchmarkError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
