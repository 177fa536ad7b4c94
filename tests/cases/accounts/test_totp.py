"""TOTP against the RFC 6238 SHA-1 test vectors, the ±1 window and single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cases.accounts import totp

RFC_SECRET = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_rfc6238_vectors(unix_time: int, code: str) -> None:
    assert totp.code_at(RFC_SECRET, datetime.fromtimestamp(unix_time, UTC)) == code


def test_window_is_one_step_each_way() -> None:
    now = datetime(2026, 11, 28, 12, 0, 15, tzinfo=UTC)
    step = totp.step_at(now)
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.code_at(RFC_SECRET, now + timedelta(seconds=30 * offset))
        found = totp.matching_step(RFC_SECRET, code, now, None)
        assert (found == step + offset) if accepted else found is None


def test_used_steps_are_refused() -> None:
    now = datetime(2026, 11, 28, 12, 0, 15, tzinfo=UTC)
    code = totp.code_at(RFC_SECRET, now)
    step = totp.matching_step(RFC_SECRET, code, now, None)
    assert step is not None
    assert totp.matching_step(RFC_SECRET, code, now, step) is None
    assert totp.matching_step(RFC_SECRET, code[:3] + " " + code[3:], now, step - 1) == step


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes(bad: str) -> None:
    assert totp.matching_step(RFC_SECRET, bad, datetime.now(UTC), None) is None


def test_provisioning_uri_and_base32() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "sanna")
    assert uri.startswith("otpauth://totp/Silta:sanna?") and "issuer=Silta" in uri
    assert totp.to_base32(RFC_SECRET) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert len(totp.new_secret()) == 20
