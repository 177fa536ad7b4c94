"""The retention sweep (issue 14, point 3): it erases the persons due, each in a committed
transaction of their own, and afterwards nothing of them reads, nobody finds them, the database
file and its write-ahead log hold none of their text nor their data key, and the statistics
are as they were. A legal hold stops an erasure, even one set after the listing; a re-run
erases nothing twice; an interrupted sweep keeps what it erased and a re-run finishes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote, Consent
from cases.meetings.models import ActionItem, MinuteEntry
from cases.persons import services as persons
from cases.persons.models import Person, PersonIndexEntry, PersonVersion
from cases.referrals import services as referrals
from cases.referrals.models import Referral
from cases.retention import sweep as sweeping
from cases.retention.due import PersonRetention
from cases.retention.holds import set_hold
from cases.retention.rules import RetentionRules
from cases.statistics.models import StatisticsFact
from core import datakeys, keyring
from core.db import make_engine, make_session_factory, utcnow
from core.fields import KEYS_INFO
from tests.cases.meetings import scenario as meetings_scenario
from tests.cases.retention.scene import RetentionScene, noon, retention_scene
from tests.factories import OPERATOR, Builders, as_user

FIVE = RetentionRules()
NOW = noon("2031-06-01")
CLOSURE_RULE = "person-5y-after-last-closure"
# Distinctive plaintext of the erased person, looked for in the raw database files.
MARKERS = {
    "surname": "Poistettavainen",
    "given_names": "Unohdettu",
    "identity_code": "110203A312J",
    "note": "NOTE-MARKER-PLAINTEXT-7731",
    "referral": "REFERRAL-MARKER-PLAINTEXT-7731",
    "entry": "MINUTES-MARKER-PLAINTEXT-7731",
    "action": "ACTION-MARKER-PLAINTEXT-7731",
    "consent": "CONSENT-MARKER-PLAINTEXT-7731",
}


@dataclass
class Erasable:
    person: Person
    case: Case
    searcher: User
    later: datetime  # when the sweep runs: past the five years after the closure


def _erasable(session: Session) -> Erasable:
    """A person with a note, a referral, a meeting decision and an action item, whose case
    was closed today: due five years on."""
    build = Builders(session)
    users = {
        name: build.user(name, agency=a, role=r)
        for name, (a, r) in meetings_scenario.PEOPLE.items()
    }
    agencies = {u.agency.code: u.agency for u in users.values()}
    sanna = users["sanna"]
    person = build.person(
        sanna,
        surname=MARKERS["surname"],
        given_names=MARKERS["given_names"],
        birth_date=date(2003, 2, 11),
        identity_code=MARKERS["identity_code"],
    )
    case = build.case(sanna, person)
    consent = build.consent(
        case,
        sanna,
        recipients=[agencies["nuo"], agencies["pol"]],
        categories=("general", "education"),
        purpose=MARKERS["consent"],
    )
    for name in ("sakari", "noora", "nuutti", "pekka"):
        build.member(case, sanna, users[name])
    scene = meetings_scenario.Scene(session, build, users, agencies, case, consent)
    build.note(case, sanna, body=MARKERS["note"])
    referrals.send_referral(
        session,
        as_user(sanna),
        case,
        referrals.ReferralInput(
            to_agency=agencies["nuo"].id,
            urgency="routine",
            category="general",
            reason=MARKERS["referral"],
        ),
    )
    meeting = scene.meeting()
    item = scene.agenda(meeting)
    scene.held(meeting)
    scene.entry(meeting, item, body=MARKERS["entry"])
    scene.action(meeting, item, description=MARKERS["action"])
    request = casework.request_closure(session, as_user(sanna), case, "aged_out")
    casework.decide_closure(session, as_user(users["siiri"]), request, approve=True)
    session.flush()
    return Erasable(person, case, sanna, utcnow() + timedelta(days=6 * 366))


def _files(session: Session) -> bytes:
    path = Path(make_url(str(session.get_bind().url)).database or "")
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _facts(session: Session) -> Counter[tuple[str, str | None, str | None]]:
    return Counter(
        (fact.event, fact.age_band, fact.district)
        for fact in session.scalars(select(StatisticsFact))
    )


def _shredded_at(session: Session) -> dict[str, datetime]:
    query = select(datakeys.DataKey.owner, datakeys.DataKey.shredded_at)
    rows = session.execute(query.where(datakeys.DataKey.shredded_at.is_not(None)))
    return {owner: at for owner, at in rows}


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def erasable(domain_session: Session) -> Erasable:
    found = _erasable(domain_session)
    domain_session.commit()
    return found


class TestWhatTheSweepErases:
    def test_no_encrypted_field_of_the_person_decrypts(
        self, domain_session: Session, erasable: Erasable
    ) -> None:
        encrypted = [
            *(("given_names", v) for v in domain_session.scalars(select(PersonVersion))),
            *(("body", n) for n in domain_session.scalars(select(CaseNote))),
            *(("reason", r) for r in domain_session.scalars(select(Referral))),
            *(("body", e) for e in domain_session.scalars(select(MinuteEntry))),
            *(("description", a) for a in domain_session.scalars(select(ActionItem))),
            *(("purpose", c) for c in domain_session.scalars(select(Consent))),
        ]
        readable = {getattr(row, field) for field, row in encrypted}
        assert {MARKERS[k] for k in ("note", "referral", "entry", "action", "consent")} <= readable

        report = sweeping.sweep(domain_session, OPERATOR, FIVE, erasable.later)

        assert report.erased == (erasable.person.id,)
        datakeys.forget_unwrapped(domain_session)
        domain_session.expire_all()
        for field, row in encrypted:
            with pytest.raises(datakeys.DataKeyShredded):
                getattr(row, field)
        shown = persons.view(domain_session, as_user(erasable.searcher), erasable.person)
        assert shown.erased and shown.details is None

    def test_no_search_finds_the_person(self, domain_session: Session, erasable: Erasable) -> None:
        searcher = as_user(erasable.searcher)
        by_name = (MARKERS["surname"], date(2003, 2, 11))
        assert persons.search_by_name(domain_session, searcher, *by_name)
        assert persons.search_by_identity_code(domain_session, searcher, MARKERS["identity_code"])

        sweeping.sweep(domain_session, OPERATOR, FIVE, erasable.later)

        assert persons.search_by_name(domain_session, searcher, *by_name) == []
        code = MARKERS["identity_code"]
        assert persons.search_by_identity_code(domain_session, searcher, code) == []
        auditor = as_user(Builders(domain_session).user("aino2", role="auditor", agency="tur"))
        assert persons.lookup_for_audit(domain_session, auditor, code) is None
        entries = select(func.count()).select_from(PersonIndexEntry)
        assert domain_session.scalar(entries) == 0

    def test_the_files_hold_neither_the_text_nor_the_data_key(
        self, domain_session: Session, erasable: Erasable
    ) -> None:
        if domain_session.get_bind().dialect.name != "sqlite":
            pytest.skip("the raw files are SQLite's")
        owner = erasable.person.data_key_owner
        wrapped = domain_session.scalar(
            select(datakeys.DataKey.wrapped).where(datakeys.DataKey.owner == owner)
        )
        assert wrapped is not None and wrapped in _files(domain_session)  # the check can see

        sweeping.sweep(domain_session, OPERATOR, FIVE, erasable.later)

        raw = _files(domain_session)
        assert wrapped not in raw
        for marker in MARKERS.values():
            assert marker.encode() not in raw, marker
            assert marker.upper().encode() not in raw, marker

    def test_statistics_facts_are_kept_as_they_were(
        self, domain_session: Session, erasable: Erasable
    ) -> None:
        before = _facts(domain_session)
        assert before[("case_closed", "over_21", None)] == 1 and before.total() == 4

        sweeping.sweep(domain_session, OPERATOR, FIVE, erasable.later)

        assert _facts(domain_session) == before

    def test_one_event_names_the_rule_and_one_summary_counts(
        self, domain_session: Session, erasable: Erasable
    ) -> None:
        sweeping.sweep(domain_session, OPERATOR, FIVE, erasable.later)

        domain_session.expire_all()
        person = domain_session.get(Person, erasable.person.id)
        assert person is not None and person.erased_at is not None
        assert person.erasure_rule == CLOSURE_RULE
        [shredded] = _events(domain_session, "person:shred")
        assert shredded.subject_id == erasable.person.id
        assert shredded.details["reason"] == CLOSURE_RULE
        [summary] = _events(domain_session, "cli:retention:sweep")
        assert summary.details == {"erased": 1, "skipped": 0, "waiting": 0, "person_years": 5}
        assert summary.subject_id is None and summary.object_id is None


class TestHolds:
    def _two_due(self, s: RetentionScene) -> tuple[Person, Case, Person, Case]:
        first = s.person("2019-05-02")
        first_case = s.case(first, "2019-05-02", "2021-02-11")
        second = s.person("2019-05-02")
        second_case = s.case(second, "2019-05-02", "2021-02-12")
        return first, first_case, second, second_case

    def test_a_held_case_keeps_its_person(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        first, _case, second, second_case = self._two_due(s)
        set_hold(domain_session, as_user(s.helena), second_case, "Oikeudenkäynti.", now=NOW)

        report = sweeping.sweep(domain_session, OPERATOR, FIVE, NOW)

        assert report.erased == (first.id,) and report.skipped == () and report.waiting == 1
        assert datakeys.load_data_key(
            domain_session, keyring_of(domain_session), second.data_key_owner
        )

    @pytest.mark.parametrize("meanwhile", ["a hold", "a new case"])
    def test_what_happens_after_the_listing_stops_the_erasure(
        self, domain_session: Session, keyring_file: Path, meanwhile: str
    ) -> None:
        s = retention_scene(domain_session)
        first, _case, second, second_case = self._two_due(s)
        domain_session.commit()

        def another_request(found: Sequence[PersonRetention]) -> None:
            assert [item.person_id for item in found if item.due] == [first.id, second.id]
            with other_session(domain_session, keyring_file) as other:
                if meanwhile == "a hold":
                    case = other.get(Case, second_case.id)
                    helena = other.get(User, s.helena.id)
                    assert case is not None and helena is not None
                    set_hold(other, as_user(helena), case, "Uusi oikeudenkäynti.", now=NOW)
                else:
                    person = other.get(Person, second.id)
                    sanna = other.get(User, s.sanna.id)
                    assert person is not None and sanna is not None
                    casework.open_case(other, as_user(sanna), person, ["housing"])
                other.commit()

        report = sweeping.sweep(domain_session, OPERATOR, FIVE, NOW, listed=another_request)

        assert report.erased == (first.id,) and report.skipped == (second.id,)
        domain_session.expire_all()
        kept = domain_session.get(Person, second.id)
        assert kept is not None and kept.erased_at is None and kept.erasure_rule is None
        [summary] = _events(domain_session, "cli:retention:sweep")
        assert (summary.details["erased"], summary.details["skipped"]) == (1, 1)


class TestResumption:
    def test_a_second_sweep_erases_nothing_more(self, domain_session: Session) -> None:
        s = retention_scene(domain_session)
        erased = [s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-11").person_id]
        erased.append(s.person("2020-01-01").id)
        first = sweeping.sweep(domain_session, OPERATOR, FIVE, NOW)
        shredded_at = _shredded_at(domain_session)

        again = sweeping.sweep(domain_session, OPERATOR, FIVE, NOW)

        assert sorted(first.erased) == sorted(erased)
        assert again.listed == () and again.erased == () and again.skipped == ()
        assert len(_events(domain_session, "person:shred")) == 2
        assert len(shredded_at) == 2
        assert _shredded_at(domain_session) == shredded_at

    def test_an_interrupted_sweep_keeps_its_erasures_and_a_rerun_finishes(
        self, domain_session: Session, keyring_file: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        s = retention_scene(domain_session)
        first = s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-11").person_id
        second = s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-12").person_id
        third = s.person("2021-03-01").id
        calls: list[Person] = []
        real_shred = sweeping.shred

        def failing_second(session: Session, ctx: object, person: Person, reason: str) -> bool:
            calls.append(person)
            if len(calls) == 2:
                raise RuntimeError("power cut")
            return real_shred(session, ctx, person, reason)

        sqlite = domain_session.get_bind().dialect.name == "sqlite"
        first_owner = domain_session.get(Person, first)
        assert first_owner is not None
        first_key = domain_session.scalar(
            select(datakeys.DataKey.wrapped).where(
                datakeys.DataKey.owner == first_owner.data_key_owner
            )
        )
        domain_session.commit()  # the sweep commits its listing anyway
        assert first_key is not None and (not sqlite or first_key in _files(domain_session))
        monkeypatch.setattr(sweeping, "shred", failing_second)
        with pytest.raises(RuntimeError, match="power cut"):
            sweeping.sweep(domain_session, OPERATOR, FIVE, NOW)
        if sqlite:  # the first erasure's key is gone from the files too (attack on issue 14)
            assert first_key not in _files(domain_session)

        with other_session(domain_session, keyring_file) as other:
            erased = {
                p.id for p in other.scalars(select(Person).where(Person.erased_at.is_not(None)))
            }
            assert erased == {first}
            summaries = other.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "cli:retention:sweep")
            )
            assert summaries == 0

        monkeypatch.setattr(sweeping, "shred", real_shred)
        report = sweeping.sweep(domain_session, OPERATOR, FIVE, NOW)

        assert report.erased == (second, third)
        shredded = _events(domain_session, "person:shred")
        assert sorted(e.subject_id for e in shredded) == sorted([first, second, third])


def keyring_of(session: Session) -> keyring.KeyProvider:
    provider: keyring.KeyProvider = session.info[KEYS_INFO]
    return provider


@contextmanager
def other_session(session: Session, keyring_file: Path) -> Iterator[Session]:
    """A second connection to the same database: another request, or another process."""
    engine = make_engine(session.get_bind().url.render_as_string(hide_password=False))
    factory = make_session_factory(engine)
    factory.configure(info={KEYS_INFO: keyring.KeyringFile(keyring_file)})
    try:
        with factory() as other:
            yield other
    finally:
        engine.dispose()
