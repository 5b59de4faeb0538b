"""Every page a family or a member of staff reaches reads as Norwegian, in bokmål and nynorsk.

A crawl over the demo data: each demo staff login and a demo parent on Min side start at their
home page and follow the links of every page they reach, as they would by clicking. On every
HTML page the visible words (text, and the labels a screen reader reads out) may hold:

- no model class name of Familiebro as a word ("Milestone", "Goal", "LogEntry"): those are
  names from the code, not words a family or a nurse uses;
- no source text (msgid) of the catalogue whose translation differs from it: an English
  sentence on a Norwegian page is a string that missed gettext, or a catalogue out of date;
- no key or code word (snake_case, such as "first_meeting") and no command of the program.

The crawl finds new pages by their links, and every URL name of the product must be reached or
be named below with why it is not a page to read, so a new page is covered without a new test.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

import familiebro
from familiebro.core import crypto
from familiebro.demo.data import load_demo_data
from familiebro.portal import session as portal_session

LOCALE = Path(familiebro.__file__).parent / "locale"

STAFF = ["helsesykepleier", "koordinator", "leder", "familieterapeut", "enhetsadmin", "admin"]
# Marte Haugen, a mother on Min side whose daughter has a case (familiebro.persons.demo).
PARENT_IDENTITY_NUMBER = "17849121278"

# Pages that end the session or change settings when followed, and what is not a page.
NOT_FOLLOWED = {"logout", "logout-everywhere", "portal:logout", "set_language"}
# URL names the crawl does not reach, each with why no one reads it as a page.
NOT_A_PAGE = {
    # Machine interfaces and files: no page text.
    **dict.fromkeys(
        [
            "healthz",
            "administration:health-json",
            "api:openapi-json",
            "api:openapi-view",
            "api:person_access_log",
            "api:about",
            "api:services",
            "api:service",
            "api:organizations",
            "api:organization",
            "api:service_at_locations",
            "api:service_at_location",
            "api:taxonomies",
            "api:taxonomy",
            "api:taxonomy_terms",
            "api:taxonomy_term",
            "api:family_access_log",
            "api:api-root",
            "contact-photo",
            "consent-form-pdf",
            "consent-attachment",
            "person-export-json",
            "person-export-pdf",
            "finder:offer-calendar",
            "courses:ical",
            "calendar:feed",
            "offer-editor-export-csv",
            "offer-editor-export-hsds",
            "cases:plan-pdf",
            "portal:plan-pdf",
            "pathways:version-json",
            "appointments:calendar-file",
        ],
        "a file or a machine interface",
    ),
    # Logging in and out: the crawl starts logged in.
    **dict.fromkeys(
        [
            "login",
            "login-second-factor",
            "login-second-factor-setup",
            "account-new-recovery-codes",
            "logout",
            "logout-everywhere",
            "portal:login-start",
            "portal:demo-login",
            "portal:callback",
            "portal:logout",
            "portal:logged-out",
            "administration:sign-on-callback",
            "set_language",
        ],
        "logging in or out, or choosing the language",
    ),
}
# Pages the demo data does not lead to yet: no anonymous consultation, disclosure request or
# feedback to a reporter is in the demo, and some pages follow only a form.
NOT_IN_THE_DEMO = {
    "consultation-detail": "no anonymous consultation",
    **dict.fromkeys(["disclosure-received", "disclosure-sent"], "no disclosure request"),
    "cases:feedback": "no feedback to a reporter (reached by the link in its e-mail)",
    "administration:accept-invitation": "no staff invitation (reached by the link in its e-mail)",
    "administration:accept-invitation-sign-on": "no staff invitation, nor an organisation login",
    "exceptional-access-hiding": "no exceptional access",
    "exceptional-access-open": "shown after the identity-number search (a POST)",
    "help-request:receipt": "shown after a request for help is sent (a POST)",
    "portal:withdraw-consent": "the demo parent on Min side has given no consent",
    **dict.fromkeys(
        ["courses:cancel", "courses:claim"],
        "reached by the single-use link in a message to the parent",
    ),
    "courses:verify": "shown after a parent without login sends the enrolment form (a POST)",
    **dict.fromkeys(
        ["consent-request-detail", "portal:give-consent"],
        "no consent is asked of a family on Min side in the demo",
    ),
    "cases:log": "linked from a case only when its log is longer than the case page shows",
    "outcomes:fill": "nobody fills the session scales in the demo cases yet",
    "outcomes:answer": "reached only by a family's single-use link",
    "outcomes:evaluate": "reached only by a family's single-use link to an anonymous evaluation",
    # The crawl opens one person page per login, and the one it opens may have a guardian
    # with parental responsibility, where the page offers no such decision.
    "person-parent-information": "linked only from a parent without parental responsibility",
    # The demo has no appointment book yet; tests/groups/appointments reads these pages.
    **dict.fromkeys(
        [
            "appointments:book",
            "appointments:book-slot",
            "appointments:booking",
            "appointments:choose",
            "appointments:confirm",
            "appointments:mine",
            "appointments:cancel-link",
        ],
        "no appointment book in the demo",
    ),
}


def _post_only(callback) -> bool:
    """An action a form on another page posts to: its view allows no GET, so it is no page
    to read (require_http_methods keeps the allowed methods in its closure)."""
    view = callback
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and all(isinstance(m, str) for m in value):
                return "GET" not in value
        view = getattr(view, "__wrapped__", None)
    return False


class _Text(HTMLParser):
    """The words a person sees or hears on a page: text outside scripts and styles, and the
    labels screen readers read out. What a form field holds is the user's data, not the
    page's words; what a page shows as code (<code>: the column names a CSV file must have)
    is kept apart, since naming a key there is the point."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")
    NOT_WORDS = ("script", "style", "template", "textarea")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.code: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.NOT_WORDS:
            self._skip += 1
        if tag == "code":
            self._in_code += 1
        values = dict(attrs)
        self.parts += [values[name] or "" for name in self.SPOKEN if values.get(name)]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.NOT_WORDS and self._skip:
            self._skip -= 1
        if tag == "code" and self._in_code:
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            (self.code if self._in_code else self.parts).append(data)


def _read(html: str) -> tuple[str, str, list[str]]:
    """The page's words, the words it shows as code, and its links."""
    parser = _Text()
    parser.feed(html)
    words = re.sub(r"\s+", " ", " ".join(parser.parts))
    return words, " ".join(parser.code), parser.links


def _pages() -> set[str]:
    """The URL names of the product that answer GET."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                yield from walk(
                    pattern.url_patterns,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and not _post_only(pattern.callback)
            ):
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, ""))


def _model_names() -> re.Pattern[str]:
    names = {
        model.__name__
        for model in apps.get_models()
        if model.__module__.startswith("familiebro.")
        # "Person" is a Norwegian word as well.
        and model.__name__ != "Person"
    }
    return re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")


def _untranslated_texts(language: str) -> re.Pattern[str]:
    """The pieces of source text that, seen on a page in `language`, can only be a string
    shown untranslated: the literal parts (between placeholders) of every msgid whose
    translation differs, long enough (three words or more) not to be a name or a loan word."""
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    texts = set()
    for entry in catalogue.translated_entries():
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            if source in translations:
                continue
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{\w*\}", source):
                piece = piece.strip(" .,:;–-()\n")
                if len(piece) >= 15 and piece.count(" ") >= 2:
                    texts.add(piece)
    # Whole words only: "Registered the person" is not in "Registered the personal details".
    alternatives = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


# Norwegian writes months and weekdays in lower case inside a sentence: "14. des.", never
# "14. Des" (Django's "M" format) nor "14. Desember".
CAPITALISED_DATE = re.compile(
    r"\b\d{1,2}\. (?:Januar|Februar|Mars|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Desember|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Okt|Nov|Des)\b"
)
DEVELOPER_WORDING = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\bfamiliebro [a-z]+(?:-[a-z]+)+\b")


def _staff_client(client_class, username: str):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from familiebro.core.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="crawl", confirmed=True)
    client = client_class()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _parent_client(client_class):
    client = client_class()
    session = client.session
    session[portal_session.CITIZEN_KEY] = {
        "identity_hash": crypto.lookup_hash(PARENT_IDENTITY_NUMBER),
        "id_token": "",
        "acr": "demo",
    }
    session.save()
    return client


def _crawl(client, start: str, *, per_name: int = 1, budget: int = 90):
    """Follow the product's links from `start`, at most `per_name` URLs of one URL name (the
    page of one case reads like another's). Yields (url, url name, response) per page."""
    queue = deque([start])
    seen_urls: set[str] = set()
    per: dict[str, int] = {}
    while queue and budget:
        url = queue.popleft()
        path = urlsplit(url).path
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if url in seen_urls or name in NOT_FOLLOWED or per.get(name, 0) >= per_name:
            continue
        seen_urls.add(url)
        per[name] = per.get(name, 0) + 1
        budget -= 1
        response = client.get(url)
        yield url, name, response
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            _words, _code, links = _read(response.content.decode())
            for link in links:
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def _findings(language: str, client_class) -> tuple[list[str], set[str]]:
    model_names = _model_names()
    untranslated = _untranslated_texts(language)
    findings: list[str] = []
    reached: set[str] = set()
    visitors = [(username, _staff_client(client_class, username), "/ansatt/") for username in STAFF]
    visitors += [
        ("anonymous", client_class(), "/"),
        ("parent", _parent_client(client_class), "/min-side/"),
    ]
    for who, client, start in visitors:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url, name, response in _crawl(client, start):
            if response.status_code >= 500:
                findings.append(f"{who} {url}: status {response.status_code}")
                continue
            if response.status_code != 200:
                continue
            reached.add(name)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            text, code, _links = _read(response.content.decode())
            for word in sorted(set(model_names.findall(text + " " + code))):
                findings.append(f"{who} {url}: the model name {word!r}")
            for piece in sorted(set(untranslated.findall(text))):
                findings.append(f"{who} {url}: untranslated {piece!r}")
            for date in sorted(set(CAPITALISED_DATE.findall(text))):
                findings.append(f"{who} {url}: a month in capitals {date!r}")
            for word in sorted(set(DEVELOPER_WORDING.findall(text))):
                findings.append(f"{who} {url}: developer wording {word!r}")
    return findings, reached


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_page_reads_as_norwegian(db, language, client):
    load_demo_data()
    findings, reached = _findings(language, type(client))
    missed = _pages() - reached - set(NOT_A_PAGE) - set(NOT_IN_THE_DEMO)
    if missed:
        findings.append(f"Pages the crawl did not reach (link them or name why): {sorted(missed)}")
    assert not findings, "\n".join(findings)
