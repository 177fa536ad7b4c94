"""Who is due for erasure and who waits (issue 14, points 1 and 3), on dates written out by hand
from the rule: due N years (default 5) after the later of registration and last closure, only
when no case is open or held; erased persons are never due again."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from cases.persons.erasure import shred
from cases.retention.due import PersonRetention, due_persons
from cases.retention.holds import lift_hold, set_hold
from cases.retention.rules import RetentionRules
from tests.cases.retention.scene import RetentionScene, noon, retention_scene
from tests.factories import OPERATOR, as_user

NOW = noon("2031-06-01")
FIVE = RetentionRules()


def _only(session: Session, rules: RetentionRules = FIVE, now: datetime = NOW) -> list[tuple]:
    return [(i.rule, i.due_on, i.waits) for i in due_persons(session, rules, now)]


def _registration_only(s: RetentionScene, registered: str) -> None:
    s.person(registered)


def _closed(s: RetentionScene, closed: str) -> None:
    s.case(s.person("2019-05-02"), "2019-05-02", closed)


def _open_beside_closed(s: RetentionScene) -> None:
    person = s.person("2019-05-02")
    s.case(person, "2019-05-02", "2021-02-11")
    s.case(person, "2026-12-01")


def _only_open(s: RetentionScene) -> None:
    s.case(s.person("2019-05-02"), "2019-05-02")


def _held(s: RetentionScene, ends_on: date | None, lift: bool = False) -> None:
    case = s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-11")
    hold = set_hold(
        s.session,
        as_user(s.helena),
        case,
        "Oikeudenkäynti kesken.",
        ends_on,
        now=noon("2029-01-05"),
    )
    if lift:
        lift_hold(s.session, as_user(s.helena), hold, "Käsittely päättyi.", now=noon("2030-03-01"))


def _erased(s: RetentionScene) -> None:
    person = s.person("2019-05-02")
    s.case(person, "2019-05-02", "2021-02-11")
    shred(s.session, OPERATOR, person, "test")


CLOSURE_RULE = "person-5y-after-last-closure"
REGISTRATION_RULE = "person-5y-after-registration"
# (what happened, what the 2031-06-01 list holds for that one person)
TABLE = [
    ("registered 2020-03-01, no case", lambda s: _registration_only(s, "2020-03-01"),
     [(REGISTRATION_RULE, date(2025, 3, 1), ())]),
    ("registered 2027-01-01, no case", lambda s: _registration_only(s, "2027-01-01"), []),
    ("closed 2021-02-11", lambda s: _closed(s, "2021-02-11"),
     [(CLOSURE_RULE, date(2026, 2, 11), ())]),
    ("closed 2028-01-01", lambda s: _closed(s, "2028-01-01"), []),
    ("a case open beside the closed one", _open_beside_closed,
     [(CLOSURE_RULE, date(2026, 2, 11), ("case open",))]),
    ("only an open case", _only_open, []),
    ("the closed case held, no end", lambda s: _held(s, None),
     [(CLOSURE_RULE, date(2026, 2, 11), ("case held",))]),
    ("the hold ended 2030-01-01", lambda s: _held(s, date(2030, 1, 1)),
     [(CLOSURE_RULE, date(2026, 2, 11), ())]),
    ("the hold ends 2031-06-01, today", lambda s: _held(s, date(2031, 6, 1)),
     [(CLOSURE_RULE, date(2026, 2, 11), ("case held",))]),
    ("the hold lifted", lambda s: _held(s, None, lift=True),
     [(CLOSURE_RULE, date(2026, 2, 11), ())]),
    ("erased already", _erased, []),
]  # fmt: skip


class TestDuePersons:
    @pytest.mark.parametrize(("story", "build", "expected"), TABLE, ids=[t[0] for t in TABLE])
    def test_one_person(self, domain_session: Session, story: str, build, expected) -> None:  # type: ignore[no-untyped-def]
        s = retention_scene(domain_session)
        build(s)
        assert _only(domain_session) == expected, story

    def test_the_due_day_is_a_helsinki_calendar_day(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        _closed(s, "2021-02-11")
        helsinki = ZoneInfo("Europe/Helsinki")
        eve = datetime(2026, 2, 10, 23, 30, tzinfo=helsinki).astimezone(UTC)
        morning = datetime(2026, 2, 11, 0, 30, tzinfo=helsinki).astimezone(UTC)
        assert _only(domain_session, now=eve) == []
        assert _only(domain_session, now=morning) == [(CLOSURE_RULE, date(2026, 2, 11), ())]

    def test_the_years_are_configuration(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        _closed(s, "2021-02-11")
        ten = RetentionRules(person_years=10)
        assert _only(domain_session, ten, noon("2031-02-10")) == []
        later = noon("2031-02-11")
        assert _only(domain_session, ten, later) == [
            ("person-10y-after-last-closure", date(2031, 2, 11), ())
        ]

    def test_the_latest_closure_starts_the_clock(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        person = s.person("2019-05-02")
        s.case(person, "2019-05-02", "2020-01-10")
        s.case(person, "2020-02-01", "2027-08-31")
        assert _only(domain_session) == []
        assert _only(domain_session, now=noon("2032-08-31")) == [
            (CLOSURE_RULE, date(2032, 8, 31), ())
        ]

    def test_a_leap_day_start_is_due_on_28_february(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        _closed(s, "2024-02-29")
        assert _only(domain_session, now=noon("2029-02-28")) == [
            (CLOSURE_RULE, date(2029, 2, 28), ())
        ]

    def test_several_persons_come_by_due_day_with_their_ids(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        later = s.person("2024-01-01")
        earlier = s.person("2020-01-01")
        found = due_persons(domain_session, FIVE, NOW)
        assert [i.person_id for i in found] == [earlier.id, later.id]
        assert all(isinstance(i, PersonRetention) and i.due for i in found)

    def test_a_rule_of_no_years_is_refused(self) -> None:
        with pytest.raises(ValueError, match="person_years"):
            RetentionRules(person_years=0)

    def test_a_rule_longer_than_a_hundred_years_is_refused(self) -> None:
        assert RetentionRules(person_years=100).due_on(date(2024, 2, 29)) == date(2124, 2, 29)
        with pytest.raises(ValueError, match="at most 100"):
            RetentionRules(person_years=101)
