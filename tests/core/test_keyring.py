"""The keyring file: format, validation, permissions and refusal to overwrite."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from core import keyring


def test_generated_keyring_matches_the_documented_format(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    keyring.write_new(path, keyring.generate())
    document = json.loads(path.read_text())
    assert set(document) == {
        "format",
        "kek",
        "current_kek",
        "index_root",
        "audit_signing",
        "current_audit_signing",
    }
    assert document["format"] == 1
    assert document["current_kek"] == 1 and len(base64.b64decode(document["kek"]["1"])) == 32
    assert len(base64.b64decode(document["index_root"])) == 32
    assert len(base64.b64decode(document["audit_signing"]["1"])) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = keyring.load(path)
    assert loaded.kek(1) == base64.b64decode(document["kek"]["1"])
    assert loaded.current_kek_version == 1
    signature = loaded.audit_signing_key(1).sign(b"m")
    loaded.audit_signing_key(1).public_key().verify(signature, b"m")
    assert "kek_versions=[1]" in repr(loaded) and document["kek"]["1"] not in repr(loaded)


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    keyring.write_new(path, keyring.generate())
    before = path.read_text()
    with pytest.raises(keyring.KeyringError, match="already exists"):
        keyring.write_new(path, keyring.generate())
    assert path.read_text() == before


def test_world_readable_keyring_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    keyring.write_new(path, keyring.generate())
    os.chmod(path, 0o644)
    with pytest.raises(keyring.KeyringError, match="other users"):
        keyring.load(path)


def test_missing_keyring_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(keyring.KeyringError, match="keys init"):
        keyring.load(tmp_path / "absent.json")


def test_unreadable_keyring(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_bytes(b"\xff\xfe")
    os.chmod(path, 0o600)
    with pytest.raises(keyring.KeyringError, match="cannot be read"):
        keyring.load(path)


def _valid() -> dict[str, object]:
    return json.loads(keyring.generate().to_json())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "not json", "not valid JSON"),
        (lambda d: [], "JSON object"),
        (lambda d: {**d, "format": 2}, "format"),
        (lambda d: {**d, "kek": {}}, "non-empty"),
        (lambda d: {**d, "kek": {"x": d["kek"]["1"]}}, "positive integers"),
        (lambda d: {**d, "kek": {"1": "***"}}, "base64"),
        (lambda d: {**d, "kek": {"1": base64.b64encode(b"short").decode()}}, "32 bytes"),
        (lambda d: {**d, "kek": {"1": 5}}, "base64 string"),
        (lambda d: {**d, "current_kek": 2}, "current_kek"),
        (lambda d: {**d, "current_audit_signing": "1"}, "current_audit_signing"),
        (lambda d: {k: v for k, v in d.items() if k != "index_root"}, "index_root"),
    ],
)
def test_malformed_keyrings_are_refused_with_a_reason(mutate, message: str) -> None:
    document = mutate(_valid())
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(keyring.KeyringError, match=message):
        keyring.parse(text)


def test_unknown_versions_are_errors() -> None:
    ring = keyring.generate()
    with pytest.raises(keyring.KeyringError, match="version 9"):
        ring.kek(9)
    with pytest.raises(keyring.KeyringError, match="version 9"):
        ring.audit_signing_key(9)
