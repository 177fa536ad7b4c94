"""The demo's agencies and accounts, their TOTP enrolment and the demo logins file."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import TypedDict

from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts import admin as admin_services
from cases.accounts import release, totp
from cases.accounts import services as accounts
from cases.accounts.passwords import Passwords, password_problems
from cases.policy import credential_needs_release
from core.keyring import KeyProvider

DEMO_AGENCIES = [
    ("sos", "Helsingin kaupunki, sosiaalipalvelut", "social_services"),
    ("nuo", "Helsingin kaupunki, nuorisopalvelut", "youth_work"),
    ("pol", "Helsingin poliisilaitos", "police"),
    ("ngo", "Nuorten Tuki ry", "ngo"),
    ("tur", "Kaupunginkanslia, turvallisuus- ja valmiusyksikkö", "coordination"),
]


DEMO_USERS = [
    ("sanna", "Sanna Saarinen", "caseworker", "sos"),
    ("helena", "Helena Heikkilä", "supervisor", "sos"),
    ("noora", "Noora Nieminen", "caseworker", "nuo"),
    ("nelli", "Nelli Nurmi", "supervisor", "nuo"),
    ("pekka", "Pekka Peltonen", "caseworker", "pol"),
    ("petri", "Petri Pelkonen", "supervisor", "pol"),
    ("jari", "Jari Järvinen", "caseworker", "ngo"),
    ("aino", "Aino Aalto", "auditor", "tur"),
    ("timo", "Timo Turunen", "analyst", "tur"),
    ("admin", "Ylläpitäjä", "admin", "tur"),
]


class DemoAccount(TypedDict):
    username: str
    password: str
    totp_secret: str
    role: str
    agency: str


def _new_demo_password(username: str) -> str:
    while True:
        candidate = secrets.token_urlsafe(12)
        if not password_problems(candidate, username):
            return candidate


def seed_accounts(
    session: Session, ctx: AuditContext, keys: KeyProvider, passwords: Passwords
) -> tuple[int, int]:
    """Create the missing demo agencies and users; return how many of each were created."""
    agencies_created = users_created = 0
    for code, name, kind in DEMO_AGENCIES:
        if accounts.get_agency_by_code(session, code) is None:
            admin_services.create_agency(session, ctx, code, name, kind)
            agencies_created += 1
    for username, display_name, role, agency_code in DEMO_USERS:
        if accounts.get_user_by_username(session, username) is not None:
            continue
        agency = accounts.get_agency_by_code(session, agency_code)
        assert agency is not None  # noqa: S101 - created above
        password = _new_demo_password(username)
        user, _ = admin_services.create_user(
            session,
            ctx,
            passwords,
            username=username,
            display_name=display_name,
            agency=agency,
            role=role,
            password=password,
        )
        accounts.store_demo_password(session, keys, user, password)
        accounts.enrol_totp_secret(session, keys, user, totp.new_secret())
        if credential_needs_release(role):
            # Practitioners come released (by the seed command), so the demo logins work.
            release.record_seeded_release(session, ctx, user)
        users_created += 1
    return agencies_created, users_created


def demo_accounts(session: Session, keys: KeyProvider) -> list[DemoAccount]:
    """The demo logins, in the order the issue lists them."""
    order = {username: index for index, (username, *_rest) in enumerate(DEMO_USERS)}
    users = accounts.demo_users(session)
    listing: list[DemoAccount] = []
    for user in sorted(users, key=lambda u: (order.get(u.username, len(order)), u.username)):
        password = accounts.demo_password(session, keys, user)
        if password is None or user.totp_secret is None:
            continue
        listing.append(
            DemoAccount(
                username=user.username,
                password=password,
                totp_secret=totp.to_base32(accounts.totp_secret(session, keys, user)),
                role=user.role,
                agency=user.agency.code,
            )
        )
    return listing


def write_accounts_file(path: Path, listing: list[DemoAccount]) -> None:
    """Write the demo logins for the owner's eyes only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(listing, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
