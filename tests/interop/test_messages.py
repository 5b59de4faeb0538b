"""Confirmations and reminders leave by SMS or e-mail through one interface (interop.messages)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail as outbox

from familiebro.interop import messages
from familiebro.interop.messages import MessageNotSent, Recipient


class Gateway(BaseHTTPRequestHandler):
    """A real HTTP SMS gateway on loopback that keeps what it was sent."""

    received: list[tuple[dict, str]] = []
    status = 202

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((json.loads(body), self.headers.get("Authorization", "")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received = []
    Gateway.status = 202
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FAMILIEBRO_SMS_BACKEND = "http"
    settings.FAMILIEBRO_SMS_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.FAMILIEBRO_SMS_TOKEN = "gateway-token"
    settings.FAMILIEBRO_SMS_SENDER = "Bydel"
    yield Gateway
    server.shutdown()
    server.server_close()


def test_a_phone_number_gets_an_sms_through_the_gateway_with_its_token(gateway):
    channel = messages.send(
        Recipient(email="mor@example.no", phone="912 34 567"), "Påminnelse", "Samtale i morgen"
    )
    assert channel == "sms"
    assert gateway.received == [
        (
            {"to": "+4791234567", "from": "Bydel", "message": "Samtale i morgen"},
            "Bearer gateway-token",
        )
    ]
    assert outbox.outbox == []  # one message, not two


def test_a_gateway_that_refuses_fails_the_sending_without_the_number(gateway):
    gateway.status = 500
    with pytest.raises(MessageNotSent) as refused:
        messages.send(Recipient(phone="91234567"), "Påminnelse", "Samtale i morgen")
    assert "91234567" not in str(refused.value)


def test_without_a_phone_the_message_is_an_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages.send(Recipient(email="far@example.no"), "Påminnelse", "Kurs i kveld") == "email"
    assert [(m.to, m.subject, m.body) for m in outbox.outbox] == [
        (["far@example.no"], "Påminnelse", "Kurs i kveld")
    ]


def test_nobody_to_tell_sends_nothing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages.send(Recipient(), "Påminnelse", "Kurs i kveld") == ""
    assert outbox.outbox == []


def test_the_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.FAMILIEBRO_SMS_BACKEND = "file"
    settings.FAMILIEBRO_SMS_FILE = str(tmp_path / "sms.jsonl")
    messages.send_sms("+47 912 34 567", "Første")
    messages.send_sms("91234567", "Andre")
    lines = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"to": "+4791234567", "message": "Første"},
        {"to": "+4791234567", "message": "Andre"},
    ]


@pytest.mark.parametrize("number", ["", "12", "not a number", "+47 000"])
def test_a_number_that_cannot_be_a_phone_is_refused(number):
    with pytest.raises(ValueError):
        messages.normalised_phone(number)
