"""Encryption at rest for national identity numbers, and keyed hashes to look them up.

The ciphertext is ``version byte || 12-byte nonce || AES-GCM(ciphertext + tag)``. The lookup
hash is an HMAC-SHA256 with a separate key, so equal numbers can be found without decrypting
every row, and a stolen database alone reveals neither.
"""

import base64
import hmac
import os
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = 1
NONCE_BYTES = 12


def _key(setting_name: str) -> bytes:
    raw = getattr(settings, setting_name)
    try:
        key = base64.urlsafe_b64decode(raw)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{setting_name} is not valid base64url.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{setting_name} must decode to exactly 32 bytes.")
    return key


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
