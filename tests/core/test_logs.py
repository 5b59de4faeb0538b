"""No log line holds a query string or personal data, and identity numbers never go in an address.

Every test's log lines are scanned for identity numbers, e-mail addresses and phone numbers
(tests/conftest.py). These tests add what the test client does not reach: the development
server the demo runs on, and gunicorn's access log as production runs it.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.urls import reverse

from familiebro.privacy.models import AuditEvent
from tests import logscan
from tests.conftest import free_port
from tests.factories import PersonFactory, identity_number

NUMBER = identity_number(datetime.date(1984, 2, 3), synthetic=True)
# What a careless link or a typed search might put in an address.
QUERY = f"?fnr={NUMBER}&e-post=kari.nordmann%40example.no&telefon=91234567&q=Kari"
PROJECT_DIR = Path(settings.BASE_DIR).parent


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_scan_finds_identity_numbers_e_mail_addresses_and_phone_numbers():
    found = logscan.personal_data_in(
        [
            f'"GET /ansatt/personer/?q={NUMBER} HTTP/1.1" 200',
            "sent to kari.nordmann@example.no",
            "ring 912 34 567 eller +47 91234567",
            '{"request_id": "0a12345678901bc", "time": "2026-12-07T01:20:40+0100", "user_id": 7}',
        ]
    )
    assert [line.split(":")[0] for line in found] == [
        "an identity number",
        "an e-mail address",
        "a phone number",
    ]


def test_log_lines_name_the_path_without_the_query_string():
    handler = logscan.application_log_handler()
    copy = logscan.Copying(handler.stream)
    original = handler.setStream(copy)
    try:
        logging.getLogger("some.library").warning("Fetched https://example.no/a/b%s", QUERY)
    finally:
        handler.setStream(original)
    assert copy.lines()[-1].endswith('"message": "Fetched https://example.no/a/b"}')


@pytest.mark.django_db(transaction=True)
def test_the_development_server_logs_errors_without_the_query_string():
    """The demo runs Django's development server, which logs every 4xx and 5xx answer."""
    handler = logscan.application_log_handler()
    copy = logscan.Copying(handler.stream)
    original = handler.setStream(copy)
    server = WSGIServer(("127.0.0.1", free_port()), WSGIRequestHandler)
    # Not familiebro.wsgi, whose django.setup() would configure logging afresh mid-test.
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert fetch(f"http://{host}:{port}/finnes-ikke/{QUERY}") == 404
    finally:
        server.shutdown()
        server.server_close()
        handler.setStream(original)
    server_lines = [line for line in copy.lines() if '"logger": "django.server"' in line]
    assert len(server_lines) == 1, copy.lines()
    assert json.loads(server_lines[0])["message"].startswith('"GET /finnes-ikke/ HTTP/1.1" 404')
    assert "?" not in server_lines[0]
    assert not logscan.personal_data_in(copy.lines())


def test_gunicorns_access_log_names_the_path_but_never_the_query_string(tmp_path):
    """A real gunicorn, started as docs/operations.md says, with its access log in a file."""
    port = free_port()
    access_log = tmp_path / "access.log"
    command = [
        sys.executable, "-m", "gunicorn", "familiebro.wsgi",
        "-c", "python:familiebro.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--access-logfile", str(access_log), "--no-control-socket",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=tmp_path,  # not the project: gunicorn must not find a gunicorn.conf.py by chance
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT_DIR),
            "FAMILIEBRO_MODE": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        give_up = time.monotonic() + 30
        while True:
            try:
                status = fetch(f"http://127.0.0.1:{port}/healthz{QUERY}")
                break
            except urllib.error.URLError:
                assert time.monotonic() < give_up, "gunicorn did not start"
                assert process.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        fetch(f"http://127.0.0.1:{port}/ansatt/personer/{QUERY}")
    finally:
        process.terminate()
        process.wait(timeout=20)
    lines = access_log.read_text().splitlines()
    assert any(f'"GET /healthz HTTP/1.1" {status}' in line for line in lines), lines
    assert any('"GET /ansatt/personer/ HTTP/1.1" 302' in line for line in lines), lines
    assert not [line for line in lines if "?" in line or "fnr" in line]
    assert not logscan.personal_data_in(lines)


# --- Identity numbers never in an address -------------------------------------------------


def test_the_name_search_refuses_an_identity_number_and_sends_the_user_to_the_lookup(
    staff_client, unit
):
    person = PersonFactory(organisation=unit.organisation)
    person.set_national_id(NUMBER)
    person.save()
    before = AuditEvent.objects.count()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    spaced = f"{NUMBER[:6]} {NUMBER[6:]}"
    for query in (NUMBER, spaced):
        response = staff_client.get(reverse("person-list"), {"q": query})
        assert response.status_code == 302
        assert response["Location"] == reverse("person-lookup")

    page = staff_client.get(reverse("person-lookup")).content.decode()
    assert "Nothing was searched for" in page
    # Nothing was looked up or listed: no search, no read.
    assert AuditEvent.objects.count() == before


def test_the_lookup_by_identity_number_is_posted_and_never_read_from_the_address(
    staff_client, unit
):
    person = PersonFactory(organisation=unit.organisation, given_name="Synnøve")
    person.set_national_id(NUMBER)
    person.save()
    form = staff_client.get(reverse("person-lookup")).content.decode()
    assert 'method="post"' in form

    from_address = staff_client.get(reverse("person-lookup"), {"national_id": NUMBER})
    assert "Synnøve" not in from_address.content.decode()

    posted = staff_client.post(reverse("person-lookup"), {"national_id": NUMBER})
    assert "Synnøve" in posted.content.decode()


def test_a_name_search_still_works(staff_client, unit):
    PersonFactory(organisation=unit.organisation, given_name="Synnøve", family_name="Dahl")
    response = staff_client.get(reverse("person-list"), {"q": "Synn"})
    assert response.status_code == 200
