"""The keyring file: key-encryption keys, the blind-index root and audit signing keys.

The file never lives in the database or the repository. Its format is DESIGN.md §5:
``{"format": 1, "kek": {"1": b64}, "current_kek": 1, "index_root": b64,
"audit_signing": {"1": b64 Ed25519 private key}, "current_audit_signing": 1}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

FORMAT_VERSION = 1
KEY_BYTES = 32


class KeyringError(Exception):
    """The keyring is missing, malformed, unsafe or lacks a requested key."""


class KeyProvider(Protocol):
    """What the application needs from a key store; a KMS-backed store can implement it."""

    @property
    def current_kek_version(self) -> int: ...

    def kek(self, version: int) -> bytes: ...

    @property
    def index_root(self) -> bytes: ...

    @property
    def current_audit_signing_version(self) -> int: ...

    def audit_signing_key(self, version: int) -> Ed25519PrivateKey: ...


@dataclass(frozen=True)
class Keyring:
    """An immutable, validated keyring."""

    keks: dict[int, bytes]
    current_kek: int
    index_root: bytes
    audit_signing: dict[int, bytes] = field(repr=False)
    current_audit_signing: int

    def __repr__(self) -> str:
        return f"Keyring(kek_versions={sorted(self.keks)}, current_kek={self.current_kek})"

    @property
    def current_kek_version(self) -> int:
        return self.current_kek

    def kek(self, version: int) -> bytes:
        try:
            return self.keks[version]
        except KeyError:
            raise KeyringError(
                f"key-encryption key version {version} is not in the keyring"
            ) from None

    @property
    def current_audit_signing_version(self) -> int:
        return self.current_audit_signing

    def audit_signing_key(self, version: int) -> Ed25519PrivateKey:
        try:
            raw = self.audit_signing[version]
        except KeyError:
            raise KeyringError(
                f"audit signing key version {version} is not in the keyring"
            ) from None
        return Ed25519PrivateKey.from_private_bytes(raw)

    def to_json(self) -> str:
        """Serialise in the documented file format."""
        document = {
            "format": FORMAT_VERSION,
            "kek": {str(v): _b64(k) for v, k in sorted(self.keks.items())},
            "current_kek": self.current_kek,
            "index_root": _b64(self.index_root),
            "audit_signing": {str(v): _b64(k) for v, k in sorted(self.audit_signing.items())},
            "current_audit_signing": self.current_audit_signing,
        }
        return json.dumps(document, indent=2) + "\n"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _new_ed25519_raw() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )


def generate() -> Keyring:
    """Create a keyring with fresh random keys, version 1 of each."""
    return Keyring(
        keks={1: secrets.token_bytes(KEY_BYTES)},
        current_kek=1,
        index_root=secrets.token_bytes(KEY_BYTES),
        audit_signing={1: _new_ed25519_raw()},
        current_audit_signing=1,
    )


def _decode_key(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyringError(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes")
    return raw


def _decode_versions(value: Any, what: str) -> dict[int, bytes]:
    if not isinstance(value, dict) or not value:
        raise KeyringError(f"{what} must be a non-empty object of versions")
    versions: dict[int, bytes] = {}
    for version, key in value.items():
        if not (isinstance(version, str) and version.isdigit() and int(version) > 0):
            raise KeyringError(f"{what} versions must be positive integers")
        versions[int(version)] = _decode_key(key, f"{what} version {version}")
    return versions


def parse(text: str) -> Keyring:
    """Parse and validate keyring JSON; raise KeyringError naming what is wrong."""
    try:
        document = json.loads(text)
    except ValueError:
        raise KeyringError("keyring is not valid JSON") from None
    if not isinstance(document, dict):
        raise KeyringError("keyring must be a JSON object")
    if document.get("format") != FORMAT_VERSION:
        raise KeyringError(f"keyring format must be {FORMAT_VERSION}")
    keks = _decode_versions(document.get("kek"), "kek")
    signing = _decode_versions(document.get("audit_signing"), "audit_signing")
    current_kek = document.get("current_kek")
    if not isinstance(current_kek, int) or current_kek not in keks:
        raise KeyringError("current_kek must name a version present in kek")
    current_signing = document.get("current_audit_signing")
    if not isinstance(current_signing, int) or current_signing not in signing:
        raise KeyringError("current_audit_signing must name a version present in audit_signing")
    return Keyring(
        keks=keks,
        current_kek=current_kek,
        index_root=_decode_key(document.get("index_root"), "index_root"),
        audit_signing=signing,
        current_audit_signing=current_signing,
    )


def check_file_mode(path: Path) -> None:
    """Refuse a keyring that other users of the host can read or write."""
    mode = path.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH):
        raise KeyringError(f"keyring {path} is accessible to other users (chmod 600 it)")


def load(path: Path) -> Keyring:
    """Read, check and parse the keyring file."""
    try:
        check_file_mode(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(f"keyring {path} does not exist (run 'flask keys init')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyringError(f"keyring {path} cannot be read: {exc.__class__.__name__}") from None
    return parse(text)


def write_new(path: Path, keyring: Keyring) -> None:
    """Write a keyring to a file that must not exist yet, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyringError(f"keyring {path} already exists; refusing to overwrite it") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())


def with_new_kek(current: Keyring) -> Keyring:
    """Return the keyring with a fresh KEK version added and made current."""
    version = max(current.keks) + 1
    return replace(
        current, keks={**current.keks, version: secrets.token_bytes(KEY_BYTES)}, current_kek=version
    )


def without_kek(current: Keyring, version: int) -> Keyring:
    """Return the keyring without KEK `version` (never the current one)."""
    if version == current.current_kek:
        raise KeyringError(f"key-encryption key version {version} is current; rotate first")
    if version not in current.keks:
        raise KeyringError(f"key-encryption key version {version} is not in the keyring")
    return replace(current, keks={v: k for v, k in current.keks.items() if v != version})


def replace_file(path: Path, keyring: Keyring) -> None:
    """Atomically replace an existing keyring file, keeping it readable by the owner only.

    Workers that re-read the file see either the old or the new keyring, never half of one.
    """
    check_file_mode(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(keyring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class KeyringFile:
    """A KeyProvider over the keyring file that follows rotations on running workers.

    The file is looked at (one `stat`) at most once per `check_every` seconds and re-read when
    it changed; a request for a KEK version the loaded keyring lacks re-reads it at once, so a
    host that got the new file before its workers checked never fails a request for it.
    """

    def __init__(
        self,
        path: Path,
        check_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.check_every = check_every
        self._clock = clock
        self._lock = threading.Lock()
        self._keyring: Keyring | None = None
        self._signature: tuple[int, int, int] | None = None
        self._checked_at = 0.0

    def __repr__(self) -> str:
        return f"KeyringFile({str(self.path)!r})"

    def _stat_signature(self) -> tuple[int, int, int]:
        info = self.path.stat()
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def reload(self) -> Keyring:
        """Read the file now."""
        with self._lock:
            try:
                signature = self._stat_signature()
            except FileNotFoundError:
                raise KeyringError(
                    f"keyring {self.path} does not exist (run 'flask keys init')"
                ) from None
            self._keyring = load(self.path)
            self._signature = signature
            self._checked_at = self._clock()
            return self._keyring

    def current(self) -> Keyring:
        """The loaded keyring, re-read if the file changed since the last check."""
        keyring_now = self._keyring
        if keyring_now is None:
            return self.reload()
        if self._clock() - self._checked_at >= self.check_every:
            try:
                changed = self._stat_signature() != self._signature
            except OSError:
                changed = False  # keep serving with the keys we have; the next check retries
            self._checked_at = self._clock()
            if changed:
                return self.reload()
        return keyring_now

    @property
    def current_kek_version(self) -> int:
        return self.current().current_kek

    def kek(self, version: int) -> bytes:
        keyring_now = self.current()
        if version not in keyring_now.keks:
            keyring_now = self.reload()
        return keyring_now.kek(version)

    @property
    def index_root(self) -> bytes:
        return self.current().index_root

    @property
    def current_audit_signing_version(self) -> int:
        return self.current().current_audit_signing

    def audit_signing_key(self, version: int) -> Ed25519PrivateKey:
        keyring_now = self.current()
        if version not in keyring_now.audit_signing:
            keyring_now = self.reload()
        return keyring_now.audit_signing_key(version)
