"""Configuration from SILTA_* variables and the production start-up checks."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest

from app import create_app
from app.config import ConfigError, load
from core import keyring

GOOD_SECRET = "s" * 40


@pytest.fixture
def production_env(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keyring.json"
    keyring.write_new(path, keyring.generate())
    monkeypatch.setenv("SILTA_ENV", "production")
    monkeypatch.setenv("SILTA_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("SILTA_KEYRING", str(path))
    monkeypatch.setenv("SILTA_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    return path


def test_production_starts_with_good_settings(production_env: Path) -> None:
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SILTA_SECRET_KEY", None, "SILTA_SECRET_KEY"),
        ("SILTA_SECRET_KEY", "short", "SILTA_SECRET_KEY"),
        ("SILTA_KEYRING", None, "SILTA_KEYRING"),
        ("SILTA_KEYRING", "/nonexistent/keyring.json", "SILTA_KEYRING"),
        ("SILTA_RATELIMIT_STORAGE_URI", None, "SILTA_RATELIMIT_STORAGE_URI"),
        ("SILTA_RATELIMIT_STORAGE_URI", "memory://", "SILTA_RATELIMIT_STORAGE_URI"),
        # At 2 a primary mark says "exactly 1" (attack on issue 13).
        ("SILTA_STATISTICS_THRESHOLD", "2", "SILTA_STATISTICS_THRESHOLD"),
        ("SILTA_STATISTICS_THRESHOLD", "1", "SILTA_STATISTICS_THRESHOLD"),
        # Dates 100000 years on overflow (attack on issue 14: the sweep crashed).
        ("SILTA_RETENTION_PERSON_YEARS", "100000", "at most 100"),
        ("SILTA_RETENTION_PERSON_YEARS", "0", "SILTA_RETENTION_PERSON_YEARS"),
        ("SILTA_STATISTICS_PROTECT", "always", "SILTA_STATISTICS_PROTECT"),
    ],
)
def test_production_refuses_each_bad_setting(
    production_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str | None,
    message: str,
) -> None:
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_production_refuses_malformed_or_world_readable_keyring(production_env: Path) -> None:
    os.chmod(production_env, 0o644)
    with pytest.raises(ConfigError, match="other users"):
        create_app()
    os.chmod(production_env, 0o600)
    production_env.write_text("{}")
    with pytest.raises(ConfigError, match="format"):
        create_app()


def test_digits_only_secret_stays_a_string(
    production_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILTA_SECRET_KEY", "1" * 40)
    app = create_app()
    assert app.config["SECRET_KEY"] == "1" * 40


def test_cli_context_skips_serving_checks(
    production_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SILTA_SECRET_KEY")
    monkeypatch.setenv("SILTA_RATELIMIT_STORAGE_URI", "memory://")
    production_env.unlink()
    with click.Context(click.Command("keys")):
        app = create_app()
    assert app.config["SECRET_KEY"]  # an ephemeral one, never used to serve


def test_invalid_values_are_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILTA_ENV", "staging")
    with pytest.raises(ConfigError, match="SILTA_ENV"):
        create_app()
    monkeypatch.setenv("SILTA_ENV", "development")
    monkeypatch.setenv("SILTA_TRUSTED_PROXIES", "two")
    with pytest.raises(ConfigError, match="SILTA_TRUSTED_PROXIES"):
        create_app()


def test_development_defaults_and_generated_secret(clean_env: Path) -> None:
    settings = load(clean_env, {})
    assert settings["SILTA_DATABASE_URL"] == f"sqlite:///{clean_env / 'silta.db'}"
    assert settings["SILTA_KEYRING"] == str(clean_env / "keyring.json")
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SILTA_RATELIMIT_NAMESPACE"] == "silta"
    assert (
        load(clean_env, {"SILTA_RATELIMIT_NAMESPACE": "city-b"})["SILTA_RATELIMIT_NAMESPACE"]
        == "city-b"
    )
    assert settings["SESSION_COOKIE_NAME"] == "silta_session"
    first = create_app()
    second = create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert oct((clean_env / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_trusted_proxies_set_the_client_address(make_app) -> None:
    app = make_app(SILTA_TRUSTED_PROXIES=1, SILTA_LOGIN_RATE_LIMIT="2 per minute")
    from tests.helpers import post

    one = app.test_client()
    for _ in range(2):
        post(
            one,
            "/login",
            {"username": "a", "password": "b"},
            headers={"X-Forwarded-For": "10.0.0.1"},
        )
    blocked = post(
        one, "/login", {"username": "a", "password": "b"}, headers={"X-Forwarded-For": "10.0.0.1"}
    )
    other = post(
        one, "/login", {"username": "a", "password": "b"}, headers={"X-Forwarded-For": "10.0.0.2"}
    )
    assert blocked.status_code == 429 and other.status_code == 401
