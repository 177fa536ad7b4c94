"""Password rules and hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from cases.accounts.passwords import PasswordProblem, Passwords, common_passwords, password_problems


@pytest.mark.parametrize(
    ("password", "username", "problems"),
    [
        ("short", "anna", [PasswordProblem.TOO_SHORT]),
        ("a" * 257 + "Zq9!", "anna", [PasswordProblem.TOO_LONG]),
        ("qwertyqwerty", "anna", [PasswordProblem.COMMON]),
        ("QwertyQWERTY", "anna", [PasswordProblem.COMMON]),
        ("my-name-is-anna-ok", "anna", [PasswordProblem.CONTAINS_USERNAME]),
        ("My-Name-Is-ANNA-ok", "anna", [PasswordProblem.CONTAINS_USERNAME]),
        ("correct horse battery staple", "anna", []),
    ],
)
def test_password_rules(password: str, username: str, problems: list[PasswordProblem]) -> None:
    assert password_problems(password, username) == problems


def test_bundled_list_is_loaded() -> None:
    assert len(common_passwords()) > 10_000
    assert "123456" in common_passwords()


def test_hash_verify_and_rehash() -> None:
    weak = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    stored = weak.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert weak.verify(stored, "correct horse battery staple")
    assert not weak.verify(stored, "wrong")
    assert not weak.verify("not-a-hash", "x")
    assert not weak.verify(None, "silta-dummy-password-for-timing")
    assert not weak.needs_rehash(stored)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.needs_rehash(stored)
