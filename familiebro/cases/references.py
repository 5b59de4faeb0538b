"""The references people quote on the phone: FB-7K3M-9QX2 for a request for help, SAK-… for a
case. One generator for both, so both read aloud the same way: eight characters from an
alphabet without the look-alikes 0/O, 1/I/L and U, grouped in fours after the prefix."""

from __future__ import annotations

import secrets

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REQUEST_PREFIX = "FB"
CASE_PREFIX = "SAK"


def new_reference(prefix: str = REQUEST_PREFIX) -> str:
    """A random reference like FB-7K3M-9QX2 (30^8 ≈ 6.6 × 10^11 possibilities)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
