import logging
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.utils import translation

from tests import factories, logscan


@pytest.fixture(autouse=True)
def _test_mode_only():
    # Tests must never run against a production configuration.
    assert settings.MODE == "test", "Run the tests with FAMILIEBRO_MODE=test (make test does)."


@pytest.fixture(autouse=True)
def _no_personal_data_in_the_log():
    """Every line the application's log handler writes during a test (each request's line,
    Django's own, the worker's) is scanned: none may hold an identity number, an e-mail
    address or a phone number."""
    handler = logscan.application_log_handler()
    copy = logscan.Copying(handler.stream)
    original = handler.setStream(copy)
    try:
        yield
    finally:
        handler.setStream(original)
    found = logscan.personal_data_in(copy.lines())
    if found:
        pytest.fail("The log holds personal data:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level tests read the English source messages. Pages are requested through the
    locale middleware and so speak bokmål (the default), as a user sees them."""
    with translation.override("en"):
        yield


@pytest.fixture
def unit(db):
    return factories.ServiceUnitFactory()


@pytest.fixture
def staff(db, unit):
    """A worker in `unit` who has passed the second factor when logged in with `staff_client`."""
    return factories.MembershipFactory(unit=unit).user


@pytest.fixture
def staff_client(client, staff):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CollectingHandler:
    """An SMTP server's handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        self.arrived.set()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[list[str], bytes]]:
        """The first `count` messages, once they have all arrived."""
        give_up = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < give_up, (
                f"the SMTP server received {len(self.messages)} of {count} messages"
            )
            time.sleep(0.02)
        return self.messages[:count]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, with Django's SMTP backend pointed at it."""
    handler = CollectingHandler()
    # The stand-in for the mail relay logs each envelope; that log is the relay's, not
    # Familiebro's, and is left out of the scan of the application's log.
    relay_log = logging.getLogger("mail.log")
    relay_level = relay_log.level
    relay_log.setLevel(logging.WARNING)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()
        relay_log.setLevel(relay_level)
