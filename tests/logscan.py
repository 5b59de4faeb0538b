"""Finding personal data in log lines: identity numbers, e-mail addresses, phone numbers.

tests/conftest.py scans every line the application's log handler writes during every test,
so each request the suite makes is checked, and the server tests scan their access logs.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable

from familiebro.core.logging import JsonFormatter

# Not part of a longer word or number (request and task ids are hex with hyphens, a time has
# colons and dots).
_ALONE_BEFORE, _ALONE_AFTER = r"(?<![\w.:+-])", r"(?![\w.:-])"
PERSONAL_DATA = {
    "an identity number": re.compile(_ALONE_BEFORE + r"\d{6} ?\d{5}" + _ALONE_AFTER),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "a phone number": re.compile(
        r"(?<![\w.:+-])(?:\+47 ?)?(?:[2-9]\d{7}|[2-9]\d{2} \d{2} \d{3}|[2-9]\d(?: \d{2}){3})"
        + _ALONE_AFTER
    ),
}


def personal_data_in(lines: Iterable[str]) -> list[str]:
    """Each line that holds personal data, with what it holds."""
    return [
        f"{kind}: {line}"
        for line in lines
        for kind, pattern in PERSONAL_DATA.items()
        if pattern.search(line)
    ]


def application_log_handler() -> logging.Handler:
    """The handler that writes the application's log (settings.LOGGING's "console")."""
    return next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, JsonFormatter)
    )


class Copying(io.TextIOBase):
    """A stream that keeps what is written and passes it on."""

    def __init__(self, onward) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.onward = onward
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.onward.write(text)

    def flush(self) -> None:
        self.onward.flush()

    def lines(self) -> list[str]:
        return self.kept.getvalue().splitlines()
