"""gunicorn's settings for Familiebro's web process.

    gunicorn familiebro.wsgi -c python:familiebro.gunicorn_conf --workers 4 --bind 127.0.0.1:8000

The access log names the path alone (`%(U)s`), never the request line with its query string
(`%(r)s`), the referring page (`%(f)s`, another address with its own query string) or the
client's address: query strings may carry personal data, and the JSON request log the
application writes, with the same request id, says the rest.

Two paths carry a secret in the path itself: the link of an invitation to create a staff
account (`/konto/invitasjon/<token>/`) and a calendar feed (`/kalender/<token>.ics`). Anyone
reading the log could use them, so RedactingLogger writes `[skjult]` in place of the token,
in the path and in the request line alike, and leaves the rest of the line as it is.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# The token is whatever stands in its path segment (the URL patterns take any str).
SECRET_PATHS = (
    re.compile(r"(/konto/invitasjon/)[^/?#\s]+"),
    re.compile(r"(/kalender/)[^/?#\s]+?(\.ics)"),
)
MARKER = "[skjult]"


def redact(path: str) -> str:
    """`path` with the token of an invitation link or a calendar feed replaced by MARKER."""
    for pattern in SECRET_PATHS:
        path = pattern.sub(lambda m: m.group(1) + MARKER + "".join(m.groups()[1:]), path)
    return path


class RedactingLogger(Logger):
    """gunicorn's logger, with the secret tokens cut out of the access log's path atoms."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("U", "r"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms


# Both logs to standard error, next to the application's JSON lines.
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
logger_class = RedactingLogger
