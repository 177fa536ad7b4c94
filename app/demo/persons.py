"""The demo's young people (issue 5's scenario), registered by the users the issue names."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.persons import services as persons
from cases.persons.models import MotherTongue
from cases.persons.services import Guardian, PersonDetails

# Issue 5's scenario: the young people and who registered them (cases, consents and notes are
# added with the case issue). Fictional people; the codes are valid test codes.
DEMO_PERSONS = [
    # (marker, given names, surname, birth date, identity code, registering user, guardians)
    ("P1", "Eetu", "Esimerkki", date(2010, 3, 14), "140310A1230", "sanna", ()),
    ("P2", "Venla", "Virtanen", date(2012, 6, 2), "020612A2465", "sanna", ("Mari Virtanen",)),
    ("P3", "Oskari", "Ojala", date(2009, 9, 9), "090909A357W", "noora", ()),
    ("P4", "Lumi", "Laine", date(2011, 4, 20), "200411A4682", "pekka", ()),
    # Issue 14: registered long ago, her case closed in 2021, so due under the default rules.
    ("P5", "Aada", "Arkisto", date(2003, 2, 11), "110203A312J", "sanna", ()),
]
# Registrations the scenario dates in the past (noon UTC of the day); the others are today.
REGISTERED_ON = {"110203A312J": date(2018, 9, 3)}


def seed_persons(session: Session) -> int:
    created = 0
    for _marker, given, surname, born, code, username, guardians in DEMO_PERSONS:
        if persons.find_by_identity_code(session, code) is not None:
            continue
        registrar = accounts.get_user_by_username(session, username)
        assert registrar is not None  # noqa: S101 - created above
        # The registering user is the actor so the person belongs to their agency; the request
        # id marks these events as the seed's.
        persons.register(
            session,
            AuditContext(registrar, request_id="demo-seed"),
            PersonDetails(
                given_names=given,
                surname=surname,
                birth_date=born,
                identity_code=code,
                municipality="Helsinki",
                guardians=tuple(Guardian(name) for name in guardians),
                mother_tongue=MotherTongue.FINNISH,
            ),
            confirmed=True,
            registered_at=_registered_at(code),
        )
        created += 1
    return created


def _registered_at(code: str) -> datetime | None:
    day = REGISTERED_ON.get(code)
    return None if day is None else datetime.combine(day, time(12), UTC)
