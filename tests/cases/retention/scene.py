"""A small retention scene for domain tests: sos (lead) with a caseworker and a supervisor, nuo
as a member agency, and persons whose registration and closures happen on named days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case
from cases.persons.models import Person
from tests.factories import Builders, as_user


def noon(day: str) -> datetime:
    """Noon UTC of an ISO day (14:00 in Helsinki: the same calendar day there)."""
    return datetime.combine(date.fromisoformat(day), time(12), UTC)


@dataclass
class RetentionScene:
    session: Session
    build: Builders
    sanna: User
    helena: User
    noora: User
    nelli: User
    staff: dict[str, User] = field(default_factory=dict)

    def person(self, registered: str) -> Person:
        person = self.build.person(self.sanna)
        person.registered_at = noon(registered)  # what `persons.register(registered_at=…)` sets
        self.session.flush()
        return person

    def case(self, person: Person, opened: str, closed: str | None = None) -> Case:
        case = self.build.case(self.sanna, person)
        case.opened_at = noon(opened)
        if closed is not None:
            request = casework.request_closure(self.session, as_user(self.sanna), case, "aged_out")
            casework.decide_closure(
                self.session, as_user(self.helena), request, approve=True, closed_at=noon(closed)
            )
        self.session.flush()
        return case

    def add_nuo(self, case: Case) -> None:
        self.build.member(case, self.sanna, self.noora)


def retention_scene(session: Session) -> RetentionScene:
    build = Builders(session)
    scene = RetentionScene(
        session=session,
        build=build,
        sanna=build.user("sanna", agency="sos"),
        helena=build.user("helena", role="supervisor", agency="sos"),
        noora=build.user("noora", agency="nuo"),
        nelli=build.user("nelli", role="supervisor", agency="nuo"),
    )
    scene.staff = {
        "admin": build.user("admin", role="admin", agency="tur"),
        "aino": build.user("aino", role="auditor", agency="tur"),
        "timo": build.user("timo", role="analyst", agency="tur"),
    }
    return scene
