"""Typed builders for domain tests: agencies, users, persons, cases, consents and notes.

Each builder goes through the real domain service (so the policy is asked and the audit events
are written, as in production) on a plain SQLAlchemy session without Flask; the session needs
only the key provider the encrypted columns use (`domain_session` in tests/conftest.py). Every
argument has a default, so a test names only what it is about::

    build = Builders(session)
    sanna = build.user("sanna", agency="sos")
    case = build.case(sanna)
    build.note(case, sanna, body="met at school")

The builders flush but never commit: the test decides when its transaction ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import count

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts import admin
from cases.accounts import services as accounts
from cases.accounts.models import Agency, User
from cases.accounts.passwords import Passwords
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote, Consent
from cases.persons import services as persons
from cases.persons.models import Person
from cases.policy import CliActor
from cases.policy.loading import case_facts

PASSWORD = "correct horse battery staple"
# Cheap argon2 parameters keep builders fast; production uses argon2-cffi's defaults.
FAST_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
KINDS = {
    "sos": "social_services",
    "nuo": "youth_work",
    "pol": "police",
    "ngo": "ngo",
    "tur": "coordination",
}
OPERATOR = AuditContext(CliActor("tests"))


def as_user(user: User) -> AuditContext:
    """The audit context of `user` acting (what a route would build for a signed-in user)."""
    return AuditContext(user, request_id="test")


@dataclass
class Builders:
    """Builders bound to one session; numbered defaults keep names and codes unique."""

    session: Session
    passwords: Passwords = FAST_PASSWORDS
    _serial: count[int] = field(default_factory=lambda: count(1))

    def agency(self, code: str = "sos", *, kind: str | None = None, name: str = "") -> Agency:
        """The agency with `code`, created by an operator when it does not exist yet."""
        found = accounts.get_agency_by_code(self.session, code)
        if found is not None:
            return found
        return admin.create_agency(
            self.session, OPERATOR, code, name or f"Agency {code}", kind or KINDS.get(code, "ngo")
        )

    def user(
        self,
        username: str | None = None,
        *,
        role: str = "caseworker",
        agency: str | Agency = "sos",
        password: str = PASSWORD,
    ) -> User:
        """An account with a known password, created by an operator (agency made if needed)."""
        username = username or f"user{next(self._serial)}"
        home = agency if isinstance(agency, Agency) else self.agency(agency)
        user, _ = admin.create_user(
            self.session,
            OPERATOR,
            self.passwords,
            username=username,
            display_name=username.title(),
            agency=home,
            role=role,
            password=password,
        )
        return user

    def person(
        self,
        by: User,
        *,
        surname: str | None = None,
        given_names: str = "Testi",
        birth_date: date = date(2009, 5, 17),
        identity_code: str | None = None,
        confirmed: bool = True,
    ) -> Person:
        """A young person registered by `by`'s agency (duplicates confirmed by default)."""
        details = persons.PersonDetails(
            given_names=given_names,
            surname=surname or f"Henkilö{next(self._serial)}",
            birth_date=birth_date,
            identity_code=identity_code,
        )
        return persons.register(self.session, as_user(by), details, confirmed=confirmed)

    def case(
        self,
        by: User,
        person: Person | None = None,
        *,
        concerns: Sequence[str] = ("school_absence",),
    ) -> Case:
        """A case led by `by`'s agency (on a new person registered by `by` unless given)."""
        return casework.open_case(
            self.session, as_user(by), person or self.person(by), list(concerns)
        )

    def consent(
        self,
        case: Case,
        by: User,
        *,
        recipients: Sequence[Agency | uuid.UUID] = (),
        categories: Sequence[str] = ("general",),
        given_by: str = "self",
        how_recorded: str = "written",
        purpose: str = "Yhteistyö nuoren tukemiseksi.",
        given_on: date | None = None,
        valid_until: date | None = None,
    ) -> Consent:
        """A consent recorded by `by` for the lead agency and `recipients` (today by default)."""
        lead = case.lead_agency_id
        ids = [r.id if isinstance(r, Agency) else r for r in recipients]
        return casework.record_consent(
            self.session,
            as_user(by),
            case,
            casework.ConsentInput(
                given_by=given_by,
                recipients=tuple(dict.fromkeys([lead, *ids])),
                categories=tuple(categories),
                purpose=purpose,
                how_recorded=how_recorded,
                given_on=given_on,
                valid_until=valid_until,
            ),
        )

    def member(self, case: Case, by: User, user: User) -> User:
        """Put `user` (and their agency, if it is not a member yet) on the team, as `by`."""
        facts = case_facts(self.session, case)
        if user.agency_id not in facts.member_agencies:
            casework.add_team_agency(self.session, as_user(by), case, user.agency)
        casework.add_team_user(self.session, as_user(by), case, user)
        return user

    def note(
        self,
        case: Case,
        by: User,
        *,
        body: str | None = None,
        category: str = "general",
        sensitivity: str = "normal",
        supersedes: CaseNote | None = None,
    ) -> CaseNote:
        """A note written by `by` for their agency."""
        return casework.write_note(
            self.session,
            as_user(by),
            case,
            category=category,
            sensitivity=sensitivity,
            body=body or f"Muistiinpano {next(self._serial)}",
            supersedes=supersedes,
        )
