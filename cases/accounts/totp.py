"""Time-based one-time passwords (RFC 6238): 6 digits, 30-second steps, ±1 step, each step once."""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1
SECRET_BYTES = 20
ISSUER = "Silta"


def new_secret() -> bytes:
    """Return a fresh 160-bit TOTP secret (RFC 4226's recommended length)."""
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def _totp(secret: bytes) -> TOTP:
    # SHA-1 is what authenticator apps implement for TOTP; RFC 6238 HMAC use, not collision-bound.
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS)  # noqa: S303  # nosec B303  # RFC 6238 HMAC


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: bytes, moment: datetime) -> str:
    """Return the code an authenticator shows at `moment`."""
    return _totp(secret).generate(step_at(moment) * STEP_SECONDS).decode("ascii")


def provisioning_uri(secret: bytes, username: str) -> str:
    return _totp(secret).get_provisioning_uri(username, ISSUER)


def matching_step(
    secret: bytes, code: str, moment: datetime, last_used_step: int | None
) -> int | None:
    """Return the time step `code` belongs to, if it is within ±1 step and not yet used."""
    code = code.strip().replace(" ", "")
    # `isdigit` alone is true for any script's digits (Arabic-Indic, full-width, …).
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    current = step_at(moment)
    totp = _totp(secret)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate(step * STEP_SECONDS), code.encode("ascii")):
            return step
    return None
