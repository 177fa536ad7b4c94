"""Legal holds through the pages (issue 14, point 2): the lead agency's supervisor places a hold
on a case with a reason and an optional end date and lifts it with a reason; everyone else is
refused (audited); bad input changes nothing; auditors list the holds in force, never a reason."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from app.extensions import db
from audit.models import AuditEvent
from cases.accounts.models import User
from cases.casework.models import Case
from cases.retention.models import LegalHold
from core.db import utcnow
from tests.app.casework_helpers import case_id_of, signed_in
from tests.budgets.counting import counting
from tests.helpers import post

P1 = "140310A1230"
MARKER = "HOLD-REASON-MARKER-7Q"
# Measured on SQLite, written down: the session (1), the holds in force with their cases' lead
# agencies' and their setters' names (1), the audit insert (2). No table of every agency or user.
HOLDS_BUDGET = 4


def _holds(app: Flask, case_id: uuid.UUID) -> list[LegalHold]:
    with app.app_context():
        return list(db().scalars(select(LegalHold).where(LegalHold.case_id == case_id)))


def _denials(app: Flask) -> int:
    with app.app_context():
        query = select(func.count()).where(AuditEvent.action == "policy:access:denied")
        return int(db().scalar(query) or 0)


def test_the_lead_supervisor_places_and_lifts_a_hold_and_auditors_list_it(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    page = helena.get(f"/cases/{p1}")
    assert "Place a legal hold" in page.text
    assert helena.get(f"/cases/{p1}/hold").status_code == 200
    until = (utcnow() + timedelta(days=400)).date()
    placed = post(helena, f"/cases/{p1}/hold", {"reason": MARKER, "ends_on": until.isoformat()})
    assert placed.status_code == 302, placed.text
    assert placed.headers["Location"].endswith(f"/cases/{p1}")
    (hold,) = _holds(demo_app, p1)
    assert hold.ends_on == until and hold.lifted_at is None
    page = helena.get(f"/cases/{p1}")
    assert "Lift the legal hold" in page.text and "Place a legal hold" not in page.text
    assert MARKER not in page.text  # the case page shows the dates, not the reason

    aino = signed_in(demo_app, demo_accounts, "aino")
    assert "Legal holds" in aino.get("/audit/").text  # reachable from the auditors' menu
    listed = aino.get("/audit/holds")
    assert listed.status_code == 200
    assert str(p1) in listed.text and str(hold.person_id) in listed.text
    assert "helena" in listed.text and "sosiaalipalvelut" in listed.text
    assert MARKER not in listed.text
    with demo_app.app_context():
        actions = set(db().scalars(select(AuditEvent.action)))
    assert {"case:hold:set", "audit:holds:read"} <= actions

    assert helena.get(f"/cases/{p1}/hold/lift").status_code == 200
    lifted = post(helena, f"/cases/{p1}/hold/lift", {"lift_reason": "Proceedings ended."})
    assert lifted.status_code == 302, lifted.text
    (hold,) = _holds(demo_app, p1)
    assert hold.lifted_at is not None
    assert "Place a legal hold" in helena.get(f"/cases/{p1}").text
    assert str(p1) not in aino.get("/audit/holds").text
    with demo_app.app_context():
        assert db().scalar(select(func.count()).where(AuditEvent.action == "case:hold:lift")) == 1


def test_a_hold_without_an_end_date_lasts_until_lifted(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert post(helena, f"/cases/{p1}/hold", {"reason": "Court case."}).status_code == 302
    (hold,) = _holds(demo_app, p1)
    assert hold.ends_on is None
    assert "until lifted" in helena.get(f"/cases/{p1}").text


# (user, status): who is refused, and how. Off the team the case answers like a missing one.
DENIED = [
    ("sanna", 403),  # the lead agency's caseworker
    ("nelli", 403),  # a supervisor on the team, not of the lead agency
    ("petri", 403),  # likewise, police
    ("jari", 404),  # not on the team at all
    ("aino", 403),  # auditor
    ("timo", 403),  # analyst
    ("admin", 403),
]


@pytest.mark.parametrize(("username", "status"), DENIED)
def test_only_the_lead_supervisor_may_set_or_lift_a_hold(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str, status: int
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert post(helena, f"/cases/{p1}/hold", {"reason": "Held."}).status_code == 302
    client = signed_in(demo_app, demo_accounts, username)
    before = _denials(demo_app)
    assert client.get(f"/cases/{p1}/hold").status_code == status
    assert post(client, f"/cases/{p1}/hold", {"reason": "x"}).status_code == status
    assert client.get(f"/cases/{p1}/hold/lift").status_code == status
    assert post(client, f"/cases/{p1}/hold/lift", {"lift_reason": "x"}).status_code == status
    assert _denials(demo_app) == before + 4  # every refusal is audited
    (hold,) = _holds(demo_app, p1)
    assert hold.lifted_at is None  # still held
    page = client.get(f"/cases/{p1}")
    assert "Lift the legal hold" not in page.text and "Place a legal hold" not in page.text


@pytest.mark.parametrize("username", ["sanna", "helena", "nelli", "timo", "admin", "jari"])
def test_only_auditors_list_the_holds(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    client = signed_in(demo_app, demo_accounts, username)
    before = _denials(demo_app)
    assert client.get("/audit/holds").status_code == 403
    assert _denials(demo_app) == before + 1


PAST = (utcnow() - timedelta(days=3)).date().isoformat()
BAD_HOLDS = [
    ({"reason": ""}, "Write the reason."),
    ({"reason": "   "}, "Write the reason."),
    ({"reason": "x", "ends_on": PAST}, "The end date cannot be in the past."),
    ({"reason": "x", "ends_on": "31.2.2027"}, "Not a valid date value."),
    ({"reason": "x" * 4001}, "Field cannot be longer than 4000 characters."),
]


@pytest.mark.parametrize(("data", "message"), BAD_HOLDS)
def test_bad_input_to_a_hold_changes_nothing(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], data: dict[str, str], message: str
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    response = post(helena, f"/cases/{p1}/hold", data)
    assert response.status_code == 400
    assert message in response.text
    assert _holds(demo_app, p1) == []


def test_a_second_hold_and_a_second_lifting_are_refused(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    nothing = post(helena, f"/cases/{p1}/hold/lift", {"lift_reason": "x"})
    assert nothing.status_code == 400
    assert "There is no legal hold in force on this case." in nothing.text
    assert post(helena, f"/cases/{p1}/hold", {"reason": "First."}).status_code == 302
    again = post(helena, f"/cases/{p1}/hold", {"reason": "Second."})
    assert again.status_code == 400
    assert "A legal hold is already in force on this case." in again.text
    empty = post(helena, f"/cases/{p1}/hold/lift", {"lift_reason": ""})
    assert empty.status_code == 400 and "Write the reason." in empty.text
    assert post(helena, f"/cases/{p1}/hold/lift", {"lift_reason": "Done."}).status_code == 302
    twice = post(helena, f"/cases/{p1}/hold/lift", {"lift_reason": "Again."})
    assert twice.status_code == 400
    assert "There is no legal hold in force on this case." in twice.text
    assert len(_holds(demo_app, p1)) == 1


P5 = "110203A312J"  # Aada Arkisto: her closed case makes her due under the default rules


def test_a_hold_set_on_the_page_keeps_aada_from_the_sweep_until_lifted(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p5 = case_id_of(demo_app, P5)
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert "Place a legal hold" in helena.get(f"/cases/{p5}").text  # closed cases too
    assert post(helena, f"/cases/{p5}/hold", {"reason": "Court order."}).status_code == 302
    runner = demo_app.test_cli_runner()
    result = runner.invoke(args=["retention", "sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "waits: case held" in result.output and "0 due, 1 waiting." in result.output
    assert (
        post(helena, f"/cases/{p5}/hold/lift", {"lift_reason": "Order ended."}).status_code == 302
    )
    result = runner.invoke(args=["retention", "sweep", "--dry-run"])
    assert "1 due, 0 waiting." in result.output


def test_no_hold_on_an_erased_young_person(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p5 = case_id_of(demo_app, P5)
    result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
    assert result.exit_code == 0, result.output
    helena = signed_in(demo_app, demo_accounts, "helena")
    before = _denials(demo_app)
    assert helena.get(f"/cases/{p5}/hold").status_code == 403
    assert post(helena, f"/cases/{p5}/hold", {"reason": "x"}).status_code == 403
    assert _denials(demo_app) == before + 2
    assert _holds(demo_app, p5) == []
    assert "Place a legal hold" not in helena.get(f"/cases/{p5}").text


def _hold_every_case(app: Flask, setters: list[uuid.UUID | None]) -> int:
    """A hold in force on each demo case not yet held, set by each of `setters` in turn."""
    with app.app_context():
        session = db()
        held = set(session.scalars(select(LegalHold.case_id)))
        cases = [c for c in session.scalars(select(Case)) if c.id not in held]
        session.execute(
            insert(LegalHold),
            [
                {
                    "id": uuid.uuid4(),
                    "person_id": case.person_id,
                    "case_id": case.id,
                    "set_by_user_id": setters[n % len(setters)],
                    "set_at": utcnow(),
                }
                for n, case in enumerate(cases)
            ],
        )
        session.commit()
        return len(cases)


def test_the_auditors_list_of_holds_sends_the_same_statements_however_many_holds(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1 = case_id_of(demo_app, P1)
    helena = signed_in(demo_app, demo_accounts, "helena")
    placed = post(helena, f"/cases/{p1}/hold", {"reason": MARKER})
    assert placed.status_code == 302, placed.text
    aino = signed_in(demo_app, demo_accounts, "aino")
    aino.get("/audit/holds")  # warm: the first request of a client loads what every one does
    engine = demo_app.extensions["silta"].engine
    with counting(engine) as one:
        assert aino.get("/audit/holds").status_code == 200
    with demo_app.app_context():
        setters: list[uuid.UUID | None] = [*db().scalars(select(User.id)), None]
    assert _hold_every_case(demo_app, setters) > 1
    with counting(engine) as many:
        listed = aino.get("/audit/holds")
    assert listed.status_code == 200
    with demo_app.app_context():
        cases = set(db().scalars(select(Case.id)))
    assert all(str(case_id) in listed.text for case_id in cases)
    assert one.count <= HOLDS_BUDGET, str(one)
    assert many.count == one.count, f"{one}\n---\n{many}"
