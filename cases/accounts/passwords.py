"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

import gzip
from enum import StrEnum
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    CONTAINS_USERNAME = "contains_username"


@cache
def common_passwords() -> frozenset[str]:
    """Load the bundled list of common passwords, lower-cased."""
    data = resources.files("cases").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").lower().split())


def password_problems(password: str, username: str) -> list[PasswordProblem]:
    """Return every rule a proposed password breaks; empty means acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    if password.lower() in common_passwords():
        problems.append(PasswordProblem.COMMON)
    if username and username.lower() in password.lower():
        problems.append(PasswordProblem.CONTAINS_USERNAME)
    return problems


class Passwords:
    """Hash and verify passwords; a dummy hash keeps unknown usernames as slow as known ones."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash("silta-dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash, spend the same time and return False."""
        try:
            self.hasher.verify(password_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)
