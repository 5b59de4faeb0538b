"""Rules for text that people type or import, kept in one place.

Invisible direction controls are removed from every user-entered text: the explicit
embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069). They show nothing
themselves but reorder what follows, so a text can read differently from what it holds
(an offer's price or a phone number shown backwards; "Trojan Source"). They are removed, not
refused: people cannot see them, often paste them unknowingly from other programs, and could
not follow an error message asking them to take them out.

Right-to-left scripts need none of them: the browser orders Arabic and Hebrew by itself, and
the pages mark translated texts with their language and direction (lang, dir). The marks
LRM and RLM (U+200E, U+200F) are kept: they are weak and only settle the direction of the
neutral characters beside them (a full stop after a Hebrew word), which people use on purpose.
"""

from __future__ import annotations

from typing import Any

DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_REMOVE_DIRECTION_CONTROLS = dict.fromkeys(map(ord, DIRECTION_CONTROLS))


def without_direction_controls(value: Any) -> Any:
    """The value with direction controls removed from every string in it, however nested
    (lists, tuples and dicts, as form data and imported records hold them)."""
    if isinstance(value, str):
        return value.translate(_REMOVE_DIRECTION_CONTROLS)
    if isinstance(value, list | tuple):
        return type(value)(without_direction_controls(item) for item in value)
    if isinstance(value, dict):
        return {
            without_direction_controls(key): without_direction_controls(item)
            for key, item in value.items()
        }
    return value
