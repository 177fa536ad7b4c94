"""Rotation on disk, and running workers following the keyring file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core import keyring


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _write(path: Path, ring: keyring.Keyring) -> None:
    if path.exists():
        keyring.replace_file(path, ring)
    else:
        keyring.write_new(path, ring)


def test_rotate_adds_a_current_version_and_keeps_the_old(tmp_path: Path) -> None:
    ring = keyring.generate()
    rotated = keyring.with_new_kek(ring)
    assert rotated.current_kek == 2 and rotated.keks[1] == ring.keks[1]
    assert rotated.keks[2] != ring.keks[1] and rotated.index_root == ring.index_root
    with pytest.raises(keyring.KeyringError, match="current"):
        keyring.without_kek(rotated, 2)
    with pytest.raises(keyring.KeyringError, match="not in the keyring"):
        keyring.without_kek(rotated, 5)
    assert sorted(keyring.without_kek(rotated, 1).keks) == [2]


def test_replace_file_is_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    keyring.write_new(path, keyring.generate())
    rotated = keyring.with_new_kek(keyring.load(path))
    keyring.replace_file(path, rotated)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keyring.load(path).current_kek == 2
    assert [p.name for p in tmp_path.iterdir()] == ["keyring.json"]
    os.chmod(path, 0o644)
    with pytest.raises(keyring.KeyringError, match="other users"):
        keyring.replace_file(path, rotated)


def test_workers_reread_a_changed_file_at_most_once_a_minute(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    _write(path, keyring.generate())
    clock = Clock()
    provider = keyring.KeyringFile(path, check_every=60, clock=clock)
    assert provider.current_kek_version == 1
    _write(path, keyring.with_new_kek(keyring.load(path)))
    clock.now += 59
    assert provider.current_kek_version == 1  # not looked at yet
    clock.now += 1
    assert provider.current_kek_version == 2


def test_an_unknown_version_rereads_at_once(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    _write(path, keyring.generate())
    clock = Clock()
    provider = keyring.KeyringFile(path, check_every=60, clock=clock)
    assert provider.current_kek_version == 1
    rotated = keyring.with_new_kek(keyring.load(path))
    _write(path, rotated)
    assert provider.kek(2) == rotated.keks[2]  # no clock movement needed
    with pytest.raises(keyring.KeyringError, match="version 3"):
        provider.kek(3)
    assert provider.audit_signing_key(1) is not None
    assert provider.index_root == rotated.index_root and "KeyringFile" in repr(provider)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(keyring.KeyringError, match="does not exist"):
        keyring.KeyringFile(tmp_path / "nope.json").current()
