"""Signed checkpoints: tree size and Merkle root, signed with Ed25519, one JSON line each.

Lines are appended (one write each, after commit) to `checkpoints-<host>.jsonl` in the checkpoint
directory, which production ships off the database host: without it, someone with write access
to the database could rewrite the chain and recompute every hash.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from audit.canonical import canonical
from core.keyring import KeyProvider, KeyringError

FILE_PREFIX = "checkpoints-"
FILE_SUFFIX = ".jsonl"


class CheckpointError(Exception):
    """A checkpoint line is malformed or its signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: bytes
    time: str
    key_version: int
    host: str
    signature: bytes
    source: str

    def signed_part(self) -> dict[str, Any]:
        return {
            "v": 1,
            "size": self.size,
            "root": self.root.hex(),
            "time": self.time,
            "key": self.key_version,
            "host": self.host,
        }


def _host() -> str:
    return (
        "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in socket.gethostname()) or "host"
    )


def sign(keys: KeyProvider, size: int, root: bytes, now: datetime | None = None) -> Checkpoint:
    version = keys.current_audit_signing_version
    moment = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    unsigned = Checkpoint(size, root, moment, version, _host(), b"", "")
    signature = keys.audit_signing_key(version).sign(canonical(unsigned.signed_part()))
    return Checkpoint(size, root, moment, version, unsigned.host, signature, "")


def append(directory: Path, checkpoint: Checkpoint) -> Path:
    """Append one line with a single write, so concurrent writers never interleave."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{FILE_PREFIX}{checkpoint.host}{FILE_SUFFIX}"
    line = json.dumps(
        {**checkpoint.signed_part(), "sig": base64.b64encode(checkpoint.signature).decode()}
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return path


def _parse(line: str, source: str) -> Checkpoint:
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            size=int(data["size"]),
            root=bytes.fromhex(data["root"]),
            time=str(data["time"]),
            key_version=int(data["key"]),
            host=str(data["host"]),
            signature=base64.b64decode(data["sig"], validate=True),
            source=source,
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise CheckpointError(f"{source}: malformed checkpoint line") from None
    if data.get("v") != 1 or checkpoint.size < 1 or len(checkpoint.root) != 32:
        raise CheckpointError(f"{source}: malformed checkpoint line")
    return checkpoint


def check_signature(keys: KeyProvider, checkpoint: Checkpoint) -> None:
    try:
        public = keys.audit_signing_key(checkpoint.key_version).public_key()
        public.verify(checkpoint.signature, canonical(checkpoint.signed_part()))
    except (InvalidSignature, KeyringError):
        raise CheckpointError(
            f"{checkpoint.source}: checkpoint for size {checkpoint.size} has a bad signature"
        ) from None


def read_all(directory: Path) -> Iterator[Checkpoint]:
    """Every checkpoint line in every file of the directory, unverified."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}")):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _parse(line, f"{path.name}:{number}")


def latest(directory: Path) -> Checkpoint | None:
    best = None
    try:
        for checkpoint in read_all(directory):
            if best is None or checkpoint.size > best.size:
                best = checkpoint
    except (CheckpointError, OSError):
        return best
    return best
