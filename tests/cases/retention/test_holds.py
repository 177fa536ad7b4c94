"""Legal holds (issue 14, point 2): set and lifted by a supervisor of the lead agency with a
reason kept encrypted, each audited in its own transaction and flagged to the auditors; bad
input is refused with an `InputError` and changes nothing; auditors list the holds in force."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from audit.queries import flagged_events
from cases.accounts.models import User
from cases.casework.models import Case
from cases.inputs import InputError
from cases.persons.erasure import shred
from cases.persons.models import Person
from cases.policy import PolicyDenied, Reason
from cases.retention.holds import active_hold, lift_hold, set_hold
from cases.retention.models import LegalHold
from cases.retention.queries import active_holds
from core.db import utcnow
from tests.cases.retention.scene import RetentionScene, retention_scene
from tests.factories import OPERATOR, as_user

REASON = "Poliisitutkinta kesken, säilytettävä."


def _events(session: Session, action: Action) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _state(session: Session) -> tuple[int, int, int]:
    holds = session.scalar(select(func.count()).select_from(LegalHold)) or 0
    lifted = session.scalar(select(func.count()).where(LegalHold.lifted_at.is_not(None))) or 0
    events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return holds, lifted, events


def _today() -> date:
    return utcnow().astimezone(ZoneInfo("Europe/Helsinki")).date()


@pytest.fixture
def s(domain_session: Session) -> RetentionScene:
    return retention_scene(domain_session)


@pytest.fixture
def case(s: RetentionScene) -> Case:
    """A sos case with nuo on its team (consent to nuo), closed: the usual case to hold."""
    person = s.person("2019-05-02")
    case = s.build.case(s.sanna, person)
    s.build.consent(case, s.sanna, recipients=[s.noora.agency])
    s.add_nuo(case)
    return case


class TestSettingAndLifting:
    def test_the_lead_supervisor_sets_a_hold_audited_and_flagged(
        self, s: RetentionScene, case: Case
    ) -> None:
        since = utcnow() - timedelta(minutes=1)
        hold = set_hold(s.session, as_user(s.helena), case, REASON, date(2040, 1, 1))
        assert hold.reason == REASON and hold.ends_on == date(2040, 1, 1)
        assert hold.set_by_user_id == s.helena.id and hold.lifted_at is None
        assert active_hold(s.session, case, utcnow()) is hold
        (event,) = _events(s.session, Action.HOLD_SET)
        assert event.subject_id == case.person_id and event.object_type == "legal_hold"
        assert event.object_id == str(hold.id) and event.actor_user_id == s.helena.id
        assert event.details == {"flagged": True, "has_end_date": True}
        assert event.bases == ["lead_supervisor"]
        assert event in flagged_events(s.session, since)

    def test_the_reasons_are_stored_encrypted(self, s: RetentionScene, case: Case) -> None:
        hold = set_hold(s.session, as_user(s.helena), case, REASON)
        lift_hold(s.session, as_user(s.helena), hold, "Tutkinta päättyi.")
        s.session.commit()
        table = LegalHold.__table__
        raw = s.session.execute(
            select(table.c.reason, table.c.lift_reason).where(table.c.id == hold.id)
        ).one()
        assert raw[0] and REASON.encode() not in raw[0]
        assert raw[1] and b"Tutkinta" not in raw[1]
        assert hold.lift_reason == "Tutkinta päättyi."

    def test_lifting_is_audited_and_flagged(self, s: RetentionScene, case: Case) -> None:
        hold = set_hold(s.session, as_user(s.helena), case, REASON)
        lift_hold(s.session, as_user(s.helena), hold, "Tutkinta päättyi.")
        assert hold.lifted_by_user_id == s.helena.id and hold.lifted_at is not None
        assert active_hold(s.session, case, utcnow()) is None
        (event,) = _events(s.session, Action.HOLD_LIFTED)
        assert event.details == {"flagged": True} and event.subject_id == case.person_id
        assert event.object_id == str(hold.id)

    def test_a_closed_case_can_be_held(self, s: RetentionScene) -> None:
        closed = s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-11")
        assert set_hold(s.session, as_user(s.helena), closed, REASON).case_id == closed.id


def _users(s: RetentionScene) -> dict[str, User]:
    return {"nelli": s.nelli, "sanna": s.sanna, "noora": s.noora, **s.staff}


# Who is refused, and why (issue 14: only a supervisor of the lead agency).
REFUSED = {
    "nelli": Reason.NOT_LEAD_SUPERVISOR,  # a supervisor of a member agency
    "sanna": Reason.NOT_LEAD_SUPERVISOR,  # a caseworker of the lead agency, on the team
    "noora": Reason.NOT_LEAD_SUPERVISOR,  # a caseworker of the member agency, on the team
    "admin": Reason.ROLE_NO_CONTENT,
    "aino": Reason.ROLE_NO_CONTENT,
    "timo": Reason.ROLE_NO_CONTENT,
}


class TestWhoMay:
    @pytest.mark.parametrize(("who", "reason"), REFUSED.items())
    def test_setting_is_refused(
        self, s: RetentionScene, case: Case, who: str, reason: Reason
    ) -> None:
        before = _state(s.session)
        with pytest.raises(PolicyDenied) as refused:
            set_hold(s.session, as_user(_users(s)[who]), case, REASON)
        assert refused.value.decision.reason == reason
        assert refused.value.subject_id == case.person_id
        assert _state(s.session) == before

    @pytest.mark.parametrize(("who", "reason"), REFUSED.items())
    def test_lifting_is_refused(
        self, s: RetentionScene, case: Case, who: str, reason: Reason
    ) -> None:
        hold = set_hold(s.session, as_user(s.helena), case, REASON)
        before = _state(s.session)
        with pytest.raises(PolicyDenied) as refused:
            lift_hold(s.session, as_user(_users(s)[who]), hold, "Ei enää tarpeen.")
        assert refused.value.decision.reason == reason
        assert _state(s.session) == before and hold.lifted_at is None

    def test_an_operator_command_may_not_hold(self, s: RetentionScene, case: Case) -> None:
        with pytest.raises(PolicyDenied):
            set_hold(s.session, OPERATOR, case, REASON)

    def test_no_hold_on_an_erased_person(self, s: RetentionScene) -> None:
        closed = s.case(s.person("2019-05-02"), "2019-05-02", "2021-02-11")
        shred(s.session, OPERATOR, s.session.get_one(Person, closed.person_id), "test")
        before = _state(s.session)
        with pytest.raises(PolicyDenied) as refused:
            set_hold(s.session, as_user(s.helena), closed, REASON)
        assert refused.value.decision.reason == Reason.PERSON_ERASED
        assert _state(s.session) == before


class TestBadInput:
    @pytest.mark.parametrize(
        ("reason", "ends_on", "code", "field"),
        [
            ("", None, "required", "reason"),
            ("   \n ", None, "required", "reason"),
            (REASON, date(2026, 1, 1), "date_in_past", "ends_on"),
        ],
    )
    def test_a_bad_hold_changes_nothing(
        self,
        s: RetentionScene,
        case: Case,
        reason: str,
        ends_on: date | None,
        code: str,
        field: str,
    ) -> None:
        before = _state(s.session)
        with pytest.raises(InputError) as refused:
            set_hold(s.session, as_user(s.helena), case, reason, ends_on)
        assert (refused.value.code, refused.value.field) == (code, field)
        assert _state(s.session) == before

    def test_an_end_date_of_today_is_accepted(self, s: RetentionScene, case: Case) -> None:
        today = _today()
        assert set_hold(s.session, as_user(s.helena), case, REASON, today).ends_on == today

    def test_a_second_hold_in_force_is_refused(self, s: RetentionScene, case: Case) -> None:
        set_hold(s.session, as_user(s.helena), case, REASON)
        before = _state(s.session)
        with pytest.raises(InputError) as refused:
            set_hold(s.session, as_user(s.helena), case, "Toinen syy.")
        assert refused.value.code == "hold_active"
        assert _state(s.session) == before

    def test_a_new_hold_after_the_first_is_lifted(self, s: RetentionScene, case: Case) -> None:
        first = set_hold(s.session, as_user(s.helena), case, REASON)
        lift_hold(s.session, as_user(s.helena), first, "Päättyi.")
        second = set_hold(s.session, as_user(s.helena), case, "Uusi tutkinta.")
        assert active_hold(s.session, case, utcnow()) is second

    def test_lifting_needs_a_reason(self, s: RetentionScene, case: Case) -> None:
        hold = set_hold(s.session, as_user(s.helena), case, REASON)
        before = _state(s.session)
        with pytest.raises(InputError) as refused:
            lift_hold(s.session, as_user(s.helena), hold, " ")
        assert (refused.value.code, refused.value.field) == ("required", "lift_reason")
        assert _state(s.session) == before and hold.lifted_at is None

    def test_lifting_a_lifted_hold_is_refused(self, s: RetentionScene, case: Case) -> None:
        hold = set_hold(s.session, as_user(s.helena), case, REASON)
        lift_hold(s.session, as_user(s.helena), hold, "Päättyi.")
        lifted_at = hold.lifted_at
        before = _state(s.session)
        with pytest.raises(InputError) as refused:
            lift_hold(s.session, as_user(s.helena), hold, "Uudestaan.")
        assert refused.value.code == "hold_lifted"
        assert _state(s.session) == before and hold.lifted_at == lifted_at
        assert hold.lift_reason == "Päättyi."

    def test_lifting_an_ended_hold_is_refused(self, s: RetentionScene, case: Case) -> None:
        now = utcnow()
        hold = set_hold(s.session, as_user(s.helena), case, REASON, _today() + timedelta(1))
        before = _state(s.session)
        with pytest.raises(InputError) as refused:
            lift_hold(s.session, as_user(s.helena), hold, "Myöhässä.", now=now + timedelta(10))
        assert refused.value.code == "hold_ended"
        assert _state(s.session) == before


class TestAuditorsList:
    def test_holds_in_force_only_without_reasons_and_audited(
        self, s: RetentionScene, case: Case
    ) -> None:
        other = s.build.case(s.sanna, s.person("2020-01-01"))
        third = s.build.case(s.sanna, s.person("2020-01-01"))
        held = set_hold(s.session, as_user(s.helena), case, REASON, date(2040, 1, 1))
        lifted = set_hold(s.session, as_user(s.helena), other, REASON)
        lift_hold(s.session, as_user(s.helena), lifted, "Päättyi.")
        ending = set_hold(s.session, as_user(s.helena), third, REASON, _today())
        later = utcnow() + timedelta(days=3)
        found = active_holds(s.session, as_user(s.staff["aino"]), now=later)
        assert [(h.hold_id, h.case_id, h.person_id) for h in found] == [
            (held.id, case.id, case.person_id)
        ]
        assert found[0].lead_agency_id == s.sanna.agency_id
        assert found[0].set_by_user_id == s.helena.id and found[0].ends_on == date(2040, 1, 1)
        assert not hasattr(found[0], "reason")
        assert {h.hold_id for h in active_holds(s.session, as_user(s.staff["aino"]))} == {
            held.id,
            ending.id,
        }
        events = _events(s.session, Action.AUDIT_HOLDS_READ)
        assert [e.details for e in events] == [{"holds": 1}, {"holds": 2}]

    @pytest.mark.parametrize("who", ["helena", "sanna", "admin", "timo"])
    def test_only_auditors_list_holds(self, s: RetentionScene, who: str) -> None:
        user = {"helena": s.helena, "sanna": s.sanna, **s.staff}[who]
        with pytest.raises(PolicyDenied):
            active_holds(s.session, as_user(user))
