"""Encryption at rest for national identity numbers, and keyed hashes to look them up.

The ciphertext is ``version byte || 12-byte nonce || AES-GCM(ciphertext + tag)``. The lookup
hash is an HMAC-SHA256 with a separate key, so equal numbers can be found without decrypting
every row, and a stolen database alone reveals neither.

Keyrings hold keys that are rotated while what they protected must stay verifiable (the audit
chain and its checkpoints): ``id:key,id:key,...``, the first the current key, each key 32
random bytes in base64url. Whatever a key protects records the key's id.
"""

import base64
import hmac
import os
import re
from dataclasses import dataclass
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = 1
NONCE_BYTES = 12


def _decode_key(raw: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64url.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to exactly 32 bytes.")
    return key


def _key(setting_name: str) -> bytes:
    return _decode_key(getattr(settings, setting_name), setting_name)


KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True)
class Keyring:
    """Named keys; new material is protected with the current one, old material still
    verifies with the key whose id it records."""

    current_id: str
    keys: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def parse_keyring(value: str, variable: str, *, reserved: tuple[str, ...] = ()) -> Keyring:
    """Read ``id:key,id:key,...`` (the first is current); a malformed keyring names the
    variable and what is wrong with it, never a key."""
    keys: dict[str, bytes] = {}
    for position, entry in enumerate((e.strip() for e in value.split(",")), start=1):
        if not entry:
            continue
        key_id, separator, raw = entry.partition(":")
        key_id = key_id.strip()
        if not separator or not KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"Entry {position} of {variable} is not 'id:key': give each key an id of 1-32 "
                "letters, digits, '.', '_' or '-', then ':' and the key in base64url."
            )
        if key_id in reserved or key_id in keys:
            raise ImproperlyConfigured(
                f"The key id {key_id!r} in {variable} is "
                + ("reserved" if key_id in reserved else "used twice")
                + ": choose another id."
            )
        keys[key_id] = _decode_key(raw.strip(), f"The key {key_id!r} in {variable}")
    if not keys:
        raise ImproperlyConfigured(f"{variable} holds no key; see 'Configuration' in the README.")
    return Keyring(current_id=next(iter(keys)), keys=keys)


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the configured key."""


def encrypt(plaintext: str, *, associated_data: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key("FIELD_ENCRYPTION_KEY")).encrypt(
        nonce, plaintext.encode(), associated_data
    )
    return bytes([FORMAT_VERSION]) + nonce + sealed


def decrypt(blob: bytes, *, associated_data: bytes = b"") -> str:
    blob = bytes(blob)
    if not blob or blob[0] != FORMAT_VERSION:
        raise DecryptionError("Unknown encryption format.")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(_key("FIELD_ENCRYPTION_KEY")).decrypt(nonce, sealed, associated_data).decode()
    except InvalidTag as exc:
        raise DecryptionError(
            "The value could not be decrypted: wrong FAMILIEBRO_ENCRYPTION_KEY or altered data."
        ) from exc


def lookup_hash(value: str) -> str:
    return hmac.new(_key("LOOKUP_HASH_KEY"), value.encode(), sha256).hexdigest()
