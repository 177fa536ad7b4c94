"""AES-256-GCM field encryption and key wrapping."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import crypto

KEY = bytes(range(32))
ROW = uuid.UUID("12345678-1234-5678-1234-567812345678")


@given(st.binary(max_size=2048), st.text(max_size=20), st.text(max_size=20))
def test_round_trip_for_any_value_and_place(plaintext: bytes, table: str, column: str) -> None:
    ad = crypto.field_ad(table, column, ROW)
    blob = crypto.encrypt(KEY, 7, plaintext, ad)
    assert crypto.decrypt(KEY, blob, ad) == plaintext
    assert crypto.key_version_of(blob) == 7


def test_same_value_encrypts_differently_each_time() -> None:
    ad = crypto.field_ad("users", "totp_secret", ROW)
    assert crypto.encrypt(KEY, 1, b"x", ad) != crypto.encrypt(KEY, 1, b"x", ad)


@pytest.mark.parametrize(
    "other_ad",
    [
        crypto.field_ad("users", "demo_password", ROW),
        crypto.field_ad("persons", "totp_secret", ROW),
        crypto.field_ad("users", "totp_secret", uuid.uuid4()),
    ],
    ids=["other column", "other table", "other row"],
)
def test_ciphertext_moved_elsewhere_fails(other_ad: bytes) -> None:
    blob = crypto.encrypt(KEY, 1, b"secret", crypto.field_ad("users", "totp_secret", ROW))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(KEY, blob, other_ad)


@given(st.data())
def test_any_flipped_bit_fails(data: st.DataObject) -> None:
    ad = crypto.field_ad("t", "c", ROW)
    blob = bytearray(crypto.encrypt(KEY, 1, b"some personal text", ad))
    index = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    blob[index] ^= 1 << bit
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(KEY, bytes(blob), ad)


def test_truncated_or_unknown_format_fails_cleanly() -> None:
    with pytest.raises(crypto.DecryptionError, match="too short"):
        crypto.decrypt(KEY, b"\x01\x00\x01abc", b"")
    blob = bytearray(crypto.encrypt(KEY, 1, b"x", b""))
    blob[0] = 99
    with pytest.raises(crypto.DecryptionError, match="format"):
        crypto.decrypt(KEY, bytes(blob), b"")


def test_wrong_key_fails() -> None:
    blob = crypto.encrypt(KEY, 1, b"x", b"ad")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(32), blob, b"ad")


def test_associated_data_is_unambiguous() -> None:
    assert crypto.associated_data("ab", "c") != crypto.associated_data("a", "bc")


def test_wrapped_key_is_bound_to_its_owner() -> None:
    dek = crypto.new_data_key()
    wrapped = crypto.wrap_key(KEY, 3, dek, "system")
    assert crypto.unwrap_key(KEY, wrapped, "system") == dek
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(KEY, wrapped, "person:someone-else")
