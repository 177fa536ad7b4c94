"""Configuration from `SILTA_*` environment variables, and the checks production start-up makes."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cases.retention.rules import PERSON_YEARS_MAX
from core import keyring

MIN_SECRET_KEY_LENGTH = 32


class ConfigError(Exception):
    """A setting is missing or unsafe; the message names the variable."""


def _env(environ: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    # Read as plain strings: Flask's from_prefixed_env would parse JSON, turning a digits-only
    # secret into an int.
    value = environ.get(f"SILTA_{name}")
    return default if value is None or value == "" else value


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _env(environ, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"SILTA_{name} must be a whole number") from None


#: The longest retention a city may set (the retention rules' own bound).
MAX_RETENTION_YEARS = PERSON_YEARS_MAX


def _retention_years(environ: Mapping[str, str]) -> int:
    value = _positive(environ, "RETENTION_PERSON_YEARS", 5)
    if value > MAX_RETENTION_YEARS:
        raise ConfigError(
            f"SILTA_RETENTION_PERSON_YEARS must be at most {MAX_RETENTION_YEARS} years"
        )
    return value


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _int(environ, name, default)
    if value < 1:
        raise ConfigError(f"SILTA_{name} must be a whole number of at least 1")
    return value


def _threshold(environ: Mapping[str, str]) -> int:
    """The small-cell threshold of the statistics (issue 13): counts 1 to threshold − 1 are
    suppressed, so below 2 nothing would be, and at 2 the CSV's `primary` mark would say
    "exactly 1"."""
    value = _int(environ, "STATISTICS_THRESHOLD", 5)
    if value < 3:
        raise ConfigError("SILTA_STATISTICS_THRESHOLD must be a whole number of at least 3")
    return value


def load(instance_path: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """Build the Flask configuration mapping from the environment."""
    env = _env(environ, "ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError("SILTA_ENV must be 'development' or 'production'")
    production = env == "production"
    default_db = f"sqlite:///{instance_path / 'silta.db'}"
    keyring_path = _env(environ, "KEYRING")
    if keyring_path is None and not production:
        keyring_path = str(instance_path / "keyring.json")
    return {
        "SILTA_ENV": env,
        "SECRET_KEY": _env(environ, "SECRET_KEY"),
        "SILTA_DATABASE_URL": _env(environ, "DATABASE_URL", default_db),
        "SILTA_KEYRING": keyring_path,
        "RATELIMIT_STORAGE_URI": _env(environ, "RATELIMIT_STORAGE_URI", "memory://"),
        "SILTA_LOGIN_RATE_LIMIT": _env(environ, "LOGIN_RATE_LIMIT", "60 per minute"),
        "SILTA_TRUSTED_PROXIES": _int(environ, "TRUSTED_PROXIES", 0),
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_CONTENT_LENGTH", 1024 * 1024),
        "SILTA_DEFAULT_LOCALE": _env(environ, "DEFAULT_LOCALE", "fi"),
        "SILTA_AUDIT_CHECKPOINT_DIR": _env(
            environ, "AUDIT_CHECKPOINT_DIR", str(instance_path / "audit-checkpoints")
        ),
        "SILTA_AUDIT_VOLUME_THRESHOLD": _int(environ, "AUDIT_VOLUME_THRESHOLD", 30),
        "SILTA_CONSENT_SELF_AGE": _positive(environ, "CONSENT_SELF_AGE", 15),
        "SILTA_CONSENT_MAX_YEARS": _positive(environ, "CONSENT_MAX_YEARS", 3),
        "SILTA_CONSENT_LATE_ENTRY_DAYS": _positive(environ, "CONSENT_LATE_ENTRY_DAYS", 30),
        "SILTA_DISCLOSURE_MAX_MONTHS": _positive(environ, "DISCLOSURE_MAX_MONTHS", 12),
        "SILTA_REFERRAL_ACKNOWLEDGE_DAYS": _positive(environ, "REFERRAL_ACKNOWLEDGE_DAYS", 1),
        "SILTA_REFERRAL_RESPONSE_DAYS_IMMEDIATE": _positive(
            environ, "REFERRAL_RESPONSE_DAYS_IMMEDIATE", 1
        ),
        "SILTA_REFERRAL_RESPONSE_DAYS_URGENT": _positive(
            environ, "REFERRAL_RESPONSE_DAYS_URGENT", 3
        ),
        "SILTA_REFERRAL_RESPONSE_DAYS_ROUTINE": _positive(
            environ, "REFERRAL_RESPONSE_DAYS_ROUTINE", 10
        ),
        "SILTA_REFERRAL_ASSESSMENT_START_DAYS": _positive(
            environ, "REFERRAL_ASSESSMENT_START_DAYS", 7
        ),
        "SILTA_REFERRAL_ASSESSMENT_MONTHS": _positive(environ, "REFERRAL_ASSESSMENT_MONTHS", 3),
        "SILTA_STATISTICS_THRESHOLD": _threshold(environ),
        "SILTA_STATISTICS_PROTECT": _statistics_protect(environ),
        "SILTA_RETENTION_PERSON_YEARS": _retention_years(environ),
        **_mail_settings(environ),
        **_metrics_settings(environ),
        "SILTA_ACCESSIBILITY_CONTACT": _accessibility_contact(environ),
        "SILTA_DEMO_ACCOUNTS": _env(
            environ, "DEMO_ACCOUNTS", str(instance_path / "demo-accounts.json")
        ),
        "SESSION_COOKIE_NAME": "__Host-session" if production else "silta_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SILTA_RATELIMIT_NAMESPACE": _env(environ, "RATELIMIT_NAMESPACE", "silta"),
        "BABEL_DEFAULT_LOCALE": "en",
        # Pages show days and times where the work is done, the zone the policy counts whole
        # days in (`CaseRules.timezone`): a consent valid from 2 December reads as 2 December.
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "TESTING": False,
    }


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
#: When a statistics table's protection is computed: `ahead` by `flask statistics prepare`
#: only (a page whose year is not prepared says so; the protection can outlast a worker's
#: timeout), or also `on_view`, by the page that needs it (one process, small data, tests).
STATISTICS_PROTECT = ("ahead", "on_view")


def _statistics_protect(environ: Mapping[str, str]) -> str:
    value = _env(environ, "STATISTICS_PROTECT", "ahead") or "ahead"
    if value not in STATISTICS_PROTECT:
        choices = ", ".join(STATISTICS_PROTECT)
        raise ConfigError(f"SILTA_STATISTICS_PROTECT must be one of: {choices}")
    return value


def _mail_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The optional notification mail: off unless `SILTA_SMTP_URL` is set."""
    url = _env(environ, "SMTP_URL")
    sender = _env(environ, "SMTP_FROM")
    base = _env(environ, "BASE_URL")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ConfigError(
                "SILTA_SMTP_URL must look like smtp://host:port, smtp+starttls://user:password@"
                "host:port or smtps://host:port"
            )
        try:
            parts.port  # noqa: B018 - parsing it raises on a bad port
        except ValueError:
            raise ConfigError("SILTA_SMTP_URL has a bad port") from None
        if sender is None or "@" not in sender:
            raise ConfigError(
                "SILTA_SMTP_FROM must be an e-mail address when SILTA_SMTP_URL is set"
            )
        if base is None or urlsplit(base).scheme not in ("http", "https"):
            raise ConfigError("SILTA_BASE_URL must be Silta's address when SILTA_SMTP_URL is set")
    return {"SILTA_SMTP_URL": url, "SILTA_SMTP_FROM": sender, "SILTA_BASE_URL": base}


def _accessibility_contact(environ: Mapping[str, str]) -> str | None:
    """Where the accessibility statement sends feedback (Act 306/2019, section 15): an e-mail
    address or an https:// form; unset, the statement names the user's own administrator."""
    value = _env(environ, "ACCESSIBILITY_CONTACT")
    if value is None:
        return None
    address = "@" in value and not value.startswith("@") and not value.endswith("@")
    if any(ch.isspace() for ch in value) or not (address or value.startswith("https://")):
        raise ConfigError(
            "SILTA_ACCESSIBILITY_CONTACT must be an e-mail address or an https:// address"
        )
    return value


#: Who may read `/metrics` without the token: loopback only unless the operator says otherwise.
DEFAULT_METRICS_NETWORKS = "127.0.0.1/32,::1/128"
MIN_METRICS_TOKEN_LENGTH = 32


def _metrics_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Who may scrape `/metrics`: client addresses in these networks, or the bearer token."""
    raw = _env(environ, "METRICS_NETWORKS", DEFAULT_METRICS_NETWORKS) or ""
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                "SILTA_METRICS_NETWORKS must be a comma-separated list of networks "
                "such as 127.0.0.1/32,10.0.0.0/8"
            ) from None
    token = _env(environ, "METRICS_TOKEN")
    if token is not None and len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"SILTA_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters"
        )
    return {
        "SILTA_METRICS_NETWORKS": tuple(networks),
        "SILTA_METRICS_TOKEN": token,
        # prometheus-client reads this variable itself; kept here so the endpoint knows the mode.
        "SILTA_METRICS_MULTIPROC_DIR": environ.get("PROMETHEUS_MULTIPROC_DIR") or None,
    }


def ensure_development_secret(config: dict[str, Any], instance_path: Path) -> None:
    """In development only, create and reuse a random secret key under instance/."""
    if config["SECRET_KEY"] or config["SILTA_ENV"] == "production":
        return
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    config["SECRET_KEY"] = path.read_text(encoding="ascii").strip()


def check_serving(config: Mapping[str, Any]) -> None:
    """Refuse to serve production traffic with an unsafe configuration."""
    if config["SILTA_ENV"] != "production":
        return
    secret = config.get("SECRET_KEY")
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SILTA_SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} characters"
        )
    path = config.get("SILTA_KEYRING")
    if not path:
        raise ConfigError("SILTA_KEYRING must name the keyring file")
    try:
        keyring.load(Path(path))
    except keyring.KeyringError as exc:
        raise ConfigError(f"SILTA_KEYRING: {exc}") from None
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        raise ConfigError(
            "SILTA_RATELIMIT_STORAGE_URI must point at shared storage (redis://) in production"
        )
    if config.get("SILTA_SMTP_URL") and not str(config.get("SILTA_BASE_URL") or "").startswith(
        "https://"
    ):
        raise ConfigError("SILTA_BASE_URL must be an https:// address when SILTA_SMTP_URL is set")
