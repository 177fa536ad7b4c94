"""AES-256-GCM with associated data: field ciphertexts and wrapped data keys.

Field ciphertext layout: ``format (1 byte) | key version (2 bytes, big-endian) | nonce (12) |
ciphertext + tag``. The associated data binds every ciphertext to where it belongs, so a value
copied to another row, column or owner fails to decrypt.
"""

from __future__ import annotations

import hmac
import secrets
import struct
import uuid
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CIPHERTEXT_FORMAT = 1
NONCE_BYTES = 12
KEY_BYTES = 32
_HEADER = struct.Struct(">BH")


class DecryptionError(Exception):
    """A ciphertext is malformed, tampered with, misplaced or under an unknown key."""


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return secrets.token_bytes(KEY_BYTES)


def associated_data(*parts: str) -> bytes:
    """Length-prefix each part so that no two different tuples encode alike."""
    encoded = bytearray()
    for part in parts:
        raw = part.encode("utf-8")
        encoded += struct.pack(">I", len(raw)) + raw
    return bytes(encoded)


def field_ad(table: str, column: str, row_id: uuid.UUID) -> bytes:
    """Associated data for one field of one row."""
    return associated_data("field", table, column, str(row_id))


def encrypt(key: bytes, key_version: int, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt under AES-256-GCM with a random 96-bit nonce."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = _HEADER.pack(CIPHERTEXT_FORMAT, key_version)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + ad)


def key_version_of(blob: bytes) -> int:
    """Read the key version a ciphertext was made under."""
    if len(blob) < _HEADER.size + NONCE_BYTES + 16:
        raise DecryptionError("ciphertext is too short")
    fmt, version = _HEADER.unpack_from(blob)
    if fmt != CIPHERTEXT_FORMAT:
        raise DecryptionError("unknown ciphertext format")
    return int(version)


def decrypt(key: bytes, blob: bytes, ad: bytes) -> bytes:
    """Decrypt and authenticate; raise DecryptionError on any mismatch."""
    key_version_of(blob)
    header = blob[: _HEADER.size]
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], header + ad)
    except InvalidTag:
        raise DecryptionError("ciphertext failed authentication") from None


def wrap_ad(owner: str, kek_version: int) -> bytes:
    """Associated data for a wrapped data key: its owner and the versions involved."""
    return associated_data("datakey", owner, f"format={CIPHERTEXT_FORMAT}", f"kek={kek_version}")


def wrap_key(kek: bytes, kek_version: int, data_key: bytes, owner: str) -> bytes:
    """Wrap a data key under a key-encryption key."""
    return encrypt(kek, kek_version, data_key, wrap_ad(owner, kek_version))


def unwrap_key(kek: bytes, wrapped: bytes, owner: str) -> bytes:
    """Unwrap a data key, checking it belongs to `owner`."""
    return decrypt(kek, wrapped, wrap_ad(owner, key_version_of(wrapped)))


def subkey(root: bytes, purpose: str) -> bytes:
    """Derive an independent 256-bit key for one purpose from a root key (HKDF-SHA256)."""
    return HKDF(SHA256(), KEY_BYTES, salt=None, info=f"silta/{purpose}".encode()).derive(root)


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of a value, hex; for pseudonyms that must not be reversible without the key."""
    return hmac.new(key, value.encode("utf-8"), sha256).hexdigest()
