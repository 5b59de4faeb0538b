"""Browser tests: a real headless Chromium (Playwright's sync API) against pytest-django's
live server, with axe-core for accessibility checks.

The browser is Debian's Chromium at /usr/bin/chromium; Playwright never downloads one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Browser locales whose Accept-Language header LocaleMiddleware maps to each language.
BROWSER_LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio loop running in the main thread while the browser
    is open. Django refuses synchronous ORM calls when it sees a running loop, and the
    browser fixtures lift that check (see `_playwright`). Running the browser tests after all
    the others keeps every other test under Django's normal guard.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def _playwright(django_db_setup):
    # Depending on django_db_setup creates the test database before the event loop starts
    # and destroys it after the loop has stopped.
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}. The browser tests need Debian's Chromium: "
            "run `make test` (it installs it) or `apt-get install chromium`."
        )
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make setup` (npm ci).")
    from playwright.sync_api import expect, sync_playwright

    manager = sync_playwright().start()
    # As long as a page's own timeout: a shared machine under a parallel test run can take
    # seconds to answer a form.
    expect.set_options(timeout=10_000)
    # The ORM calls of the browser tests (fixtures, the live server's database flush) run in
    # this thread between Playwright calls, never inside the loop; Django only sees that a
    # loop is running here. Lifted while Playwright runs, restored when it stops.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright, live_server):
    # Chromium keeps connections to the live server open after a context closes; closing the
    # browser before the live server stops ends them while the server can still clean up.
    chromium = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class PageProblems:
    """What a page reported that it should not: CSP violations and failed static assets."""

    csp_violations: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    loaded_assets: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        static_path = settings.STATIC_URL

        def on_console(message):
            text = message.text
            if "Content Security Policy" in text or "Content-Security-Policy" in text:
                self.csp_violations.append(text)

        def on_response(response):
            path = urlsplit(response.url).path
            if not path.startswith(static_path):
                return
            if response.status >= 400:
                self.failed_assets.append(f"{response.status} {response.url}")
            else:
                self.loaded_assets.append(path)

        page.on("console", on_console)
        page.on("response", on_response)

    def assert_clean(self) -> None:
        assert not self.csp_violations, "CSP violations:\n" + "\n".join(self.csp_violations)
        assert not self.failed_assets, "Static assets failed:\n" + "\n".join(self.failed_assets)


@dataclass
class Browsing:
    """Opens browser contexts on the live server and checks every page they open."""

    browser: object
    base_url: str
    contexts: list = field(default_factory=list)
    problems: PageProblems = field(default_factory=PageProblems)

    def new_page(
        self,
        *,
        language: str = "nb",
        session_key: str | None = None,
        java_script_enabled: bool = True,
        viewport: dict | None = None,
        bypass_csp: bool = False,
    ):
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=BROWSER_LOCALES[language],
            java_script_enabled=java_script_enabled,
            viewport=viewport or DEFAULT_VIEWPORT,
            bypass_csp=bypass_csp,
        )
        self.contexts.append(context)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
        )
        if session_key is not None:
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session_key,
                        "url": self.base_url,
                        "httpOnly": True,
                        "sameSite": "Lax",
                    }
                ]
            )
        page = context.new_page()
        # A shared machine under a parallel test run can take seconds to answer a page.
        page.set_default_timeout(10_000)
        if not bypass_csp:
            # With CSP bypassed the browser reports no violations, so only pages under the
            # real policy are watched.
            self.problems.watch(page)
        return page

    def axe_page(self, **kwargs):
        """A page on which axe can be injected.

        page.add_script_tag(path=...) inserts axe as an inline <script>; the strict policy
        (script-src 'self', no 'unsafe-inline') blocks it, and serving axe from /static/
        would ship a test tool to production. So only this context bypasses CSP. The CSP
        itself is checked on pages opened with `new_page`, which keep it.
        """
        return self.new_page(bypass_csp=True, **kwargs)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server) -> Iterator[Browsing]:
    session = Browsing(browser=browser, base_url=live_server.url)
    yield session
    session.close()
    session.problems.assert_clean()


# Pages an axe run must not be checking by mistake: the answer to a wrong address, a refusal,
# a failure, or the login page a lost session sends one to.
WRONG_PAGE_STATUSES = {401, 403, 404, 405}
LOGIN_PATHS = ("/konto/logg-inn/", "/konto/andre-faktor/", "/min-side/logg-inn/")


def assert_on_the_page(page, *, path: str | None = None, heading: str | None = None) -> None:
    """Fail unless `page` shows what the test meant to check: no refusal, error or login page
    instead, the expected address (`path`, without the query) and the expected main heading
    (`heading`, a part of the <h1>), when given.

    A click that navigates returns before the next page has arrived, so the heading is awaited
    (as expect() awaits) before anything is read off the page."""
    from urllib.parse import urlsplit

    from playwright.sync_api import expect

    page.wait_for_load_state("domcontentloaded")
    if heading is not None:
        h1 = page.locator("h1").first
        try:
            expect(h1).to_contain_text(heading)
        except AssertionError:
            shown = " ".join(h1.inner_text().split()) if page.locator("h1").count() else None
            raise AssertionError(
                f"meant to check the page {heading!r}, but got "
                + (repr(shown) if shown is not None else "a page without a heading")
            ) from None
    status = page.evaluate("performance.getEntriesByType('navigation').at(-1)?.responseStatus ?? 0")
    assert status not in WRONG_PAGE_STATUSES and status < 500, (
        f"{page.url} answered {status}: the check would run on the wrong page"
    )
    shown_path = urlsplit(page.url).path
    if path is not None:
        assert shown_path == path, f"meant to check {path}, but the browser is on {shown_path}"
    elif any(shown_path.startswith(login) for login in LOGIN_PATHS):
        pytest.fail(f"the browser was sent to the login page ({page.url}): the session is lost")


def assert_no_axe_violations(page, *, path: str | None = None, heading: str | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA, and best practice) and fail on any violation,
    once assert_on_the_page() says the page is the one the test meant to check."""
    from playwright.sync_api import Error as PlaywrightError

    assert_on_the_page(page, path=path, heading=heading)

    try:
        page.add_script_tag(path=str(AXE_SCRIPT))
    except PlaywrightError as error:
        pytest.fail(
            f"axe-core could not be injected ({error.message.splitlines()[0]}). Under the "
            "strict CSP only pages from browsing.axe_page(), which bypasses CSP, can run axe."
        )
    assert page.evaluate("typeof window.axe?.run") == "function", "axe-core did not load"
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    if results:
        lines = [f"axe found {len(results)} violation(s) on {page.url}:"]
        for violation in results:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
        pytest.fail("\n".join(lines))


@pytest.fixture
def staff_session_key(transactional_db) -> str:
    """A session of a staff member with a unit membership who has passed the second factor."""
    return session_key_for(factories.MembershipFactory().user)


def session_key_for(user) -> str:
    """A session of `user`, past the second factor, for a browser context's cookie."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


@pytest.fixture
def staff_page(browsing, staff_session_key) -> Callable:
    """Opens a page as the logged-in staff member (pass the same options as new_page)."""

    def open_page(*, axe: bool = False, **kwargs):
        opener = browsing.axe_page if axe else browsing.new_page
        return opener(session_key=staff_session_key, **kwargs)

    return open_page
