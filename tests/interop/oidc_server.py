"""The test OpenID Connect provider (oidc_provider.mjs, npm `oidc-provider`) as a fixture,
and a person who logs in at it the way a browser would, over real HTTP."""

from __future__ import annotations

import contextlib
import copy
import http.cookiejar
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "familiebro"
CLIENT_SECRET = "test-client-secret"
# The Django test client's host: the provider sends the browser back here.
CALLBACK = "http://testserver/min-side/innlogget/"
LOGGED_OUT = "http://testserver/min-side/logget-ut/"
# The second client: Familiebro's staff login, as an organisation registers it at its own
# provider (Entra ID, Ansattporten).
STAFF_CLIENT_ID = "familiebro-staff"
STAFF_CLIENT_SECRET = "test-staff-client-secret"
STAFF_CALLBACK_PATH = "/konto/organisasjon/innlogget/"
STAFF_CALLBACK = f"http://testserver{STAFF_CALLBACK_PATH}"


@dataclass
class TestProvider:
    issuer: str

    def answer_for(
        self,
        authorization_url: str,
        pid: str,
        acr: str = "idporten-loa-high",
        action: str = "login",
        amr: str = "TestID",
    ) -> str:
        """Log in at the provider as `pid` (the subject is `sub-<pid>`); returns where it sends
        the browser back to."""
        assert authorization_url.startswith(self.issuer), authorization_url
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
        url, form = authorization_url, None
        for _step in range(10):
            if url.startswith((CALLBACK, STAFF_CALLBACK)):
                return url
            data = urllib.parse.urlencode(form).encode() if form else None
            try:
                with browser.open(url, data=data, timeout=10) as response:
                    # The login page: fill it in and send it.
                    response.read()
                    form = {"pid": pid, "acr": acr, "action": action, "amr": amr}
                    continue
            except urllib.error.HTTPError as redirect:
                if redirect.code not in (302, 303):
                    raise
                url = urllib.parse.urljoin(url, redirect.headers["Location"])
                form = None
        raise AssertionError("The provider never sent the browser back.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@contextlib.contextmanager
def running_provider(site: str = "http://testserver") -> Iterator[TestProvider]:
    """A provider whose clients are Familiebro at `site`: Min side, and the staff login."""
    process = subprocess.Popen(
        [
            "node",
            str(SCRIPT),
            "--redirect-uri",
            f"{site}/min-side/innlogget/",
            "--post-logout-redirect-uri",
            f"{site}/min-side/logget-ut/",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--staff-redirect-uri",
            f"{site}{STAFF_CALLBACK_PATH}",
            "--staff-client-id",
            STAFF_CLIENT_ID,
            "--staff-client-secret",
            STAFF_CLIENT_SECRET,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"The test OpenID provider did not start: {line!r}")
    try:
        yield TestProvider(issuer=line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[TestProvider]:
    with running_provider() as provider:
        yield provider


def configure(settings: Any, provider: TestProvider) -> None:
    """Point Familiebro's citizen login at `provider`, as the environment would."""
    settings.CITIZEN_OIDC_ISSUER = provider.issuer
    settings.CITIZEN_OIDC_CLIENT_ID = CLIENT_ID
    settings.CITIZEN_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.CITIZEN_OIDC_ACR_VALUES = ["idporten-loa-high"]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.fixture
def citizen_login(settings, oidc_provider):
    """Familiebro configured to log families in at the test provider."""
    configure(settings, oidc_provider)
    return oidc_provider
