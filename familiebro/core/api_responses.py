"""The API's error answers, as its OpenAPI document describes them.

django-ninja documents the answers an endpoint returns itself; the errors that come from
elsewhere (its own validation, authentication, HttpError) are declared here once, so every
endpoint that can give them says so in the same words.
"""

from __future__ import annotations

from typing import Any

# {"detail": "…"}: what HttpError, Http404 and a failed authentication answer with.
DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def error(description: str) -> dict[str, Any]:
    """An error answered as {"detail": "…"}."""
    return {"description": description, "content": {"application/json": {"schema": DETAIL_SCHEMA}}}


# django-ninja's answer to a parameter that is not of its declared type, format or range.
INVALID: dict[str, Any] = {
    "description": (
        "A parameter is not of its declared type, format or range: `detail` lists each with "
        "the reason (`loc` names the parameter, `msg` says what it must be)."
    ),
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
                "required": ["detail"],
            }
        }
    },
}
