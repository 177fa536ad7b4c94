"""Signed checkpoints: tree size and Merkle root, signed with Ed25519, one JSON line each.

Version 2 lines also carry, under the same signature, the chain hash after the last covered
event (`hash`) and the Merkle frontier (`frontier`): what an incremental `audit verify` needs to
resume there. Version 1 lines (without them) still verify; they only cannot be resumed from.

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
from audit.merkle import Frontier
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
    head: bytes | None = None  # the chain hash after event `size` (version 2)
    frontier: tuple[bytes, ...] | None = None  # the Merkle frontier at `size` (version 2)

    @property
    def resumable(self) -> bool:
        return self.head is not None and self.frontier is not None

    def signed_part(self) -> dict[str, Any]:
        part: dict[str, Any] = {
            "v": 1,
            "size": self.size,
            "root": self.root.hex(),
            "time": self.time,
            "key": self.key_version,
            "host": self.host,
        }
        if self.head is not None and self.frontier is not None:
            part.update(v=2, hash=self.head.hex(), frontier=[node.hex() for node in self.frontier])
        return part


def _host() -> str:
    return (
        "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in socket.gethostname()) or "host"
    )


def sign(
    keys: KeyProvider,
    size: int,
    root: bytes,
    now: datetime | None = None,
    *,
    head: bytes | None = None,
    frontier: list[bytes] | None = None,
) -> Checkpoint:
    """Sign a checkpoint; with `head` and `frontier` (both or neither) a resumable version 2."""
    if (head is None) != (frontier is None):
        raise ValueError("a resumable checkpoint needs both the chain hash and the frontier")
    nodes = None if frontier is None else tuple(frontier)
    version = keys.current_audit_signing_version
    moment = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    unsigned = Checkpoint(size, root, moment, version, _host(), b"", "", head, nodes)
    signature = keys.audit_signing_key(version).sign(canonical(unsigned.signed_part()))
    return Checkpoint(size, root, moment, version, unsigned.host, signature, "", head, nodes)


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


def _resume_fields(data: dict[str, Any]) -> tuple[bytes | None, tuple[bytes, ...] | None]:
    """A version 2 line's chain hash and frontier; a version 1 line has (and may name) neither."""
    if data.get("v") == 1:
        return None, None
    frontier = data["frontier"]
    if not isinstance(frontier, list):
        raise TypeError("frontier")
    return bytes.fromhex(data["hash"]), tuple(bytes.fromhex(node) for node in frontier)


def _well_formed(checkpoint: Checkpoint) -> bool:
    if checkpoint.size < 1 or len(checkpoint.root) != 32:
        return False
    if checkpoint.head is None or checkpoint.frontier is None:
        return True
    return (
        len(checkpoint.head) == 32
        and all(len(node) == 32 for node in checkpoint.frontier)
        and len(checkpoint.frontier) == checkpoint.size.bit_count()
    )


def _parse(line: str, source: str) -> Checkpoint:
    try:
        data = json.loads(line)
        if data.get("v") not in (1, 2):
            raise ValueError("version")
        head, frontier = _resume_fields(data)
        checkpoint = Checkpoint(
            size=int(data["size"]),
            root=bytes.fromhex(data["root"]),
            time=str(data["time"]),
            key_version=int(data["key"]),
            host=str(data["host"]),
            signature=base64.b64decode(data["sig"], validate=True),
            source=source,
            head=head,
            frontier=frontier,
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise CheckpointError(f"{source}: malformed checkpoint line") from None
    if not _well_formed(checkpoint):
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
    if checkpoint.frontier is not None and (
        Frontier(checkpoint.size, list(checkpoint.frontier)).root() != checkpoint.root
    ):
        raise CheckpointError(
            f"{checkpoint.source}: checkpoint for size {checkpoint.size} has a frontier that"
            " does not match its root"
        )


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
