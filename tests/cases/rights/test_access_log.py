"""The access-log part of the subject access report (issue 14, point 4), on a plain session.

Two young people, A (the meeting scene's Eetu Virtanen) and B (Kalle Korhonen), whose events
interleave over two and a half years: the part for A lists every event about A in its window
and nothing about B, nothing outside the window, and no content."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.casework import services as casework
from cases.casework.models import Case
from cases.inputs import InputError
from cases.persons.models import Person
from cases.policy import PolicyDenied
from cases.policy.facts import LegalBasis
from cases.referrals import services as referrals
from cases.rights.access_log import AccessLogPart, AccessLogRequest, document, produce_access_log
from tests.budgets.counting import counting
from tests.cases.meetings.scenario import Scene, scene
from tests.factories import as_user

NOW = datetime.now(UTC)
MARKERS = {
    "old_note": "ZZ-OLD-A-NOTE-7731",
    "a_note": "ZZ-A-NOTE-4410",
    "nuo_note": "ZZ-NUO-A-NOTE-5521",
    "justification": "ZZ-JUSTIFICATION-9902",
    "referral": "ZZ-REFERRAL-A-3318",
    "minutes": "ZZ-MINUTES-A-6604",
    "action": "ZZ-ACTION-A-2207",
    "b_note": "ZZ-B-NOTE-8815",
    "b_note_2": "ZZ-B-NOTE-1186",
}
NAMES = ("Virtanen", "Eetu", "Korhonen", "Kalle")


def at(days_ago: int) -> time_machine.travel:
    return time_machine.travel(NOW - timedelta(days=days_ago), tick=False)


class Story:
    """What happened, and the ids a test looks for."""

    def __init__(self, s: Scene, b_case: Case) -> None:
        self.s = s
        self.a: uuid.UUID = s.case.person_id
        self.b: uuid.UUID = b_case.person_id
        self.ids: dict[str, str] = {}


def _tell(s: Scene) -> Story:
    sanna, noora, session = s.users["sanna"], s.users["noora"], s.session
    with at(800):
        b_case = s.build.case(sanna, s.build.person(sanna, surname="Korhonen", given_names="Kalle"))
        story = Story(s, b_case)
        story.ids["old_note"] = str(s.build.note(s.case, sanna, body=MARKERS["old_note"]).id)
    with at(300):
        story.ids["a_note"] = str(s.build.note(s.case, sanna, body=MARKERS["a_note"]).id)
        s.build.consent(s.case, sanna, recipients=[s.agencies["nuo"]])
    with at(290):
        story.ids["b_note"] = str(s.build.note(b_case, sanna, body=MARKERS["b_note"]).id)
    with at(280):
        casework.view_case(session, as_user(noora), s.case)  # sanna's note, by consent
    with at(270):
        casework.view_case(session, as_user(sanna), b_case)
    with at(260):
        s.build.note(s.case, noora, body=MARKERS["nuo_note"])
        disclosure = casework.create_disclosure(
            session,
            as_user(noora),
            s.case,
            to_agency=s.agencies["sos"],
            categories=["general"],
            basis=LegalBasis.CHILD_WELFARE_25,
            justification=MARKERS["justification"],
            expires_on=(NOW - timedelta(days=200)).date(),
        )
        story.ids["disclosure"] = str(disclosure.id)
    with at(250):
        casework.view_case(session, as_user(sanna), s.case)  # noora's note, by the disclosure
    with at(240):
        referrals.send_referral(
            session,
            as_user(sanna),
            s.case,
            referrals.ReferralInput(
                to_agency=s.agencies["nuo"].id,
                urgency="urgent",
                category="general",
                reason=MARKERS["referral"],
            ),
        )
    with at(230):
        s.build.note(b_case, sanna, body=MARKERS["b_note_2"])
    with at(100):
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        s.entry(meeting, item, body=MARKERS["minutes"])
        s.action(
            meeting,
            item,
            description=MARKERS["action"],
            due_on=(NOW - timedelta(days=80)).date(),
        )
    with at(90):
        casework.view_case(session, as_user(sanna), b_case)
    session.flush()
    return story


@pytest.fixture
def story(domain_session: Session) -> Iterator[Story]:
    # The scene itself (A and B registered, A's case, consent and team, the old note) happened
    # 800 days ago: before the default window.
    with at(800):
        s = scene(domain_session)
    yield _tell(s)


def _produce(story: Story, fmt: str = "json", **given: object) -> AccessLogPart:
    request = AccessLogRequest(person_id=story.a, **given)  # type: ignore[arg-type]
    return produce_access_log(story.s.session, as_user(story.s.users["aino"]), request, fmt)


def _events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent)))


def _produced(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == Action.SUBJECT_ACCESS_LOG_PRODUCED)
    return list(session.scalars(query))


def _in_days(event: AuditEvent, first: date, last: date) -> bool:
    return first <= event.occurred_at.astimezone(UTC).date() <= last


class TestWhatThePartLists:
    def test_every_event_about_the_person_in_the_window_and_nothing_else(
        self, story: Story
    ) -> None:
        before = _events(story.s.session)
        part = _produce(story)
        first = (NOW - timedelta(days=730)).date()
        assert (part.first_day, part.last_day) == (first, NOW.date())
        expected = {
            e.id for e in before if e.subject_id == story.a and _in_days(e, first, NOW.date())
        }
        listed = [entry.event_id for entry in part.entries]
        assert len(listed) == len(set(listed)) and set(listed) == expected
        about_b = [e for e in before if e.subject_id == story.b]
        assert not {e.id for e in about_b} & set(listed)
        # B's events really do fall between A's: the test would catch a part sorted by person.
        times = [entry.occurred_at for entry in part.entries]
        assert times == sorted(times)
        assert any(times[0] < e.occurred_at < times[-1] for e in about_b)

    def test_the_events_the_story_made_are_there_and_the_old_ones_are_not(
        self, story: Story
    ) -> None:
        entries = _produce(story).entries
        objects = {(e.action, e.object_id) for e in entries}
        assert (Action.NOTE_WRITTEN, story.ids["a_note"]) in objects
        assert (Action.NOTE_WRITTEN, story.ids["old_note"]) not in objects
        assert (Action.NOTE_WRITTEN, story.ids["b_note"]) not in objects
        actions = {e.action for e in entries}
        assert {Action.REFERRAL_SENT, Action.MINUTE_ENTRY_WRITTEN, Action.DISCLOSURE_CREATED} <= (
            actions
        )
        assert Action.PERSON_CREATED not in actions  # A was registered 800 days ago

    def test_who_in_which_agency_and_on_what_basis(self, story: Story) -> None:
        entries = _produce(story).entries
        reads = [e for e in entries if e.action == Action.CASE_READ]
        by_noora = [e for e in reads if e.user_name == "Noora"]
        assert by_noora and all(e.agency_code == "nuo" and e.role == "caseworker" for e in by_noora)
        assert "consent" in {b.kind for e in by_noora for b in e.bases}
        by_sanna = [e for e in reads if e.user_name == "Sanna"]
        disclosed = [b for e in by_sanna for b in e.bases if b.kind == "disclosure"]
        assert [(b.record_id, b.legal_basis) for b in disclosed] == [
            (story.ids["disclosure"], LegalBasis.CHILD_WELFARE_25.value)
        ]
        assert all(e.agency_name == "Agency sos" for e in by_sanna)
        assert "own_agency" in {b.kind for e in by_sanna for b in e.bases}

    def test_no_content_reaches_the_part(self, story: Story) -> None:
        text = json.dumps(
            document(
                _produce(story, date_from=(NOW - timedelta(days=900)).date(), reason="complaint")
            )
        )
        for marker in (*MARKERS.values(), *NAMES):
            assert marker not in text


class TestTheWindow:
    def test_an_older_window_needs_a_reason_and_then_reaches_back(self, story: Story) -> None:
        old = (NOW - timedelta(days=900)).date()
        with pytest.raises(InputError) as refused:
            _produce(story, date_from=old)
        assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
        assert _produced(story.s.session) == []
        part = _produce(story, date_from=old, reason="subject_request", reference="DNRO/2026-44")
        assert (Action.NOTE_WRITTEN, story.ids["old_note"]) in {
            (e.action, e.object_id) for e in part.entries
        }
        assert Action.PERSON_CREATED in {e.action for e in part.entries}
        (event,) = _produced(story.s.session)
        assert event.details["older_than_two_years"] is True
        assert event.details["reason"] == "subject_request"
        assert event.details["reference"] == "DNRO/2026-44"

    def test_an_end_date_leaves_out_what_came_after(self, story: Story) -> None:
        part = _produce(story, date_to=(NOW - timedelta(days=245)).date())
        actions = {e.action for e in part.entries}
        assert Action.DISCLOSURE_CREATED in actions
        assert Action.REFERRAL_SENT not in actions and Action.MINUTE_ENTRY_WRITTEN not in actions

    @pytest.mark.parametrize(
        ("given", "code", "field"),
        [
            (
                {"date_from": date(1999, 12, 31), "reason": "complaint"},
                "date_out_of_range",
                "date_from",
            ),
            ({"date_to": date(2100, 1, 1)}, "date_out_of_range", "date_to"),
            ({"date_to": NOW.date() + timedelta(days=1)}, "date_in_future", "date_to"),
            (
                {"date_from": NOW.date() - timedelta(days=3), "date_to": NOW.date() - timedelta(5)},
                "date_to_before_from",
                "date_to",
            ),
            ({"date_from": date(2020, 1, 1), "reason": "because"}, "reason_required", "reason"),
            ({"reference": "a reference with spaces"}, "invalid_reference", "reference"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_recorded(
        self, story: Story, given: dict[str, object], code: str, field: str
    ) -> None:
        with pytest.raises(InputError) as refused:
            _produce(story, **given)
        assert (refused.value.code, refused.value.field) == (code, field)
        assert _produced(story.s.session) == []


class TestProducing:
    def test_producing_is_audited_with_its_window_and_count(self, story: Story) -> None:
        part = _produce(story, fmt="html")
        (event,) = _produced(story.s.session)
        assert event.subject_id == story.a and event.actor_user_id == story.s.users["aino"].id
        assert event.details == {
            "events": len(part.entries),
            "first_day": part.first_day.isoformat(),
            "last_day": part.last_day.isoformat(),
            "format": "html",
            "older_than_two_years": False,
        }
        # The next part lists the production of the first: the auditor's processing counts.
        again = _produce(story)
        assert event.id in {e.event_id for e in again.entries}

    def test_an_unknown_person_is_refused(self, story: Story) -> None:
        request = AccessLogRequest(person_id=uuid.uuid4())
        with pytest.raises(InputError) as refused:
            produce_access_log(story.s.session, as_user(story.s.users["aino"]), request, "json")
        assert refused.value.code == "unknown_person"
        assert _produced(story.s.session) == []

    @pytest.mark.parametrize("name", ["sanna", "siiri", "noora", "timo", "ylva"])
    def test_only_an_auditor_produces_it(self, story: Story, name: str) -> None:
        count = story.s.session.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(PolicyDenied):
            produce_access_log(
                story.s.session, as_user(story.s.users[name]), AccessLogRequest(story.a), "json"
            )
        assert story.s.session.scalar(select(func.count()).select_from(AuditEvent)) == count

    def test_an_erased_person_still_has_a_log(self, story: Story) -> None:
        person = story.s.session.get(Person, story.a)
        assert person is not None
        person.erased_at = NOW - timedelta(days=1)  # what the sweep sets (with the shredding)
        part = _produce(story)
        assert part.person_erased_at is not None and part.entries


class TestBudget:
    def test_a_longer_part_costs_no_more_statements(self, story: Story) -> None:
        session = story.s.session
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        # The auditor's own row may be expired by earlier work; loading it is not the part's cost.
        session.refresh(story.s.users["aino"])
        with counting(engine) as short:
            _produce(story)
        # Twenty more reads of A's case, by three users of two agencies.
        for name in ("sanna", "sakari", "noora") * 7:
            casework.view_case(session, as_user(story.s.users[name]), story.s.case)
        session.flush()
        session.refresh(story.s.users["aino"])
        with counting(engine) as long:
            part = _produce(story)
        assert len({e.user_id for e in part.entries}) >= 4
        assert long.count == short.count, f"{short}\n---\n{long}"
