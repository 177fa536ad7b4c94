"""Reading a case note: the policy against the reference table `tests/data/note_access.csv`.

The table (copied from the shared test data, see tests/data/README.md) was written from DESIGN.md
§4 independently of this code; each row becomes facts for `decide`, and both the outcome and the
reason must match.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cases.access import (
    CaseFacts,
    Category,
    ConsentFacts,
    DisclosureFacts,
    EmergencyFacts,
    GivenBy,
    LegalBasis,
    NoteFacts,
    Sensitivity,
)
from cases.policy import Permission, decide

TABLE = Path(__file__).parents[1] / "data" / "note_access.csv"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
READER, AUTHOR, THIRD = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
READER_USER = uuid.UUID(int=10)
DAY = timedelta(days=1)


@dataclass
class Reader:
    role: str
    id: uuid.UUID = READER_USER
    agency_id: uuid.UUID = READER
    active: bool = True


def _consent(kind: str, category: str) -> tuple[ConsentFacts, ...]:
    if kind == "none":
        return ()
    given_by, age, recipients, categories = GivenBy.SELF, 16, {READER}, {category}
    valid_from, valid_until, withdrawn = NOW - 30 * DAY, NOW + 300 * DAY, None
    match kind:
        case "valid_self_age16":
            pass
        case "valid_guardian_age14":
            given_by, age = GivenBy.GUARDIAN, 14
        case "valid_both_age14":
            given_by, age = GivenBy.BOTH, 14
        case "self_only_age14":
            age = 14
        case "guardian_only_age16":
            given_by = GivenBy.GUARDIAN
        case "valid_other_agency":
            recipients = {THIRD}
        case "valid_other_category":
            categories = {Category.EDUCATION if category != Category.EDUCATION else Category.FAMILY}
        case "expired":
            valid_from, valid_until = NOW - 400 * DAY, NOW - DAY
        case "withdrawn":
            withdrawn = NOW - DAY
        case "not_yet_valid":
            valid_from = NOW + DAY
        case _:
            raise AssertionError(f"unknown consent state {kind}")
    return (
        ConsentFacts(
            given_by=given_by,
            age_when_given=age,
            recipients=frozenset(recipients),
            categories=frozenset(categories),
            valid_from=valid_from,
            valid_until=valid_until,
            withdrawn_at=withdrawn,
            id=uuid.uuid4(),
        ),
    )


def _disclosure(kind: str, category: str) -> tuple[DisclosureFacts, ...]:
    if kind == "none":
        return ()
    source, target, categories = AUTHOR, READER, {category}
    basis, expires = LegalBasis.CHILD_WELFARE_25, NOW + 10 * DAY
    match kind:
        case "valid":
            pass
        case "valid_812_18":
            basis = LegalBasis.POLICE_812_18
        case "expired":
            expires = NOW - DAY
        case "other_category":
            categories = {Category.EDUCATION}
        case "other_author":
            source = THIRD
        case "other_recipient":
            target = THIRD
        case "812_18_other_recipient":
            basis, target = LegalBasis.POLICE_812_18, THIRD
        case "youth_act_11":
            basis = LegalBasis.YOUTH_ACT_11
        case _:
            raise AssertionError(f"unknown disclosure state {kind}")
    return (
        DisclosureFacts(
            from_agency=source,
            to_agency=target,
            categories=frozenset(categories),
            basis=basis,
            granted_at=NOW - 20 * DAY,
            expires_at=expires,
            id=uuid.uuid4(),
        ),
    )


def _emergency(kind: str) -> tuple[EmergencyFacts, ...]:
    if kind == "none":
        return ()
    start = NOW - timedelta(hours=1) if kind == "active" else NOW - timedelta(hours=5)
    return (EmergencyFacts(READER_USER, start, start + timedelta(hours=4), uuid.uuid4()),)


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _facts(row: dict[str, str]) -> NoteFacts:
    on_team = row["reader_on_case_team"] == "yes"
    category = row["category"]
    case = CaseFacts(
        id=uuid.uuid4(),
        lead_agency=AUTHOR,
        member_agencies=frozenset({READER, AUTHOR} if on_team else {AUTHOR}),
        member_users=frozenset({READER_USER} if on_team else set()),
        agency_kinds={
            READER: "police" if row["reader_is_police"] == "yes" else "social_services",
            AUTHOR: "social_services",
            THIRD: "ngo",
        },
        consents=_consent(row["consent"], category),
        disclosures=_disclosure(row["disclosure"], category),
        emergencies=_emergency(row["emergency_access"]),
    )
    author = READER if row["note_author"] == "own_agency" else AUTHOR
    return NoteFacts(case, author, category, Sensitivity(row["sensitivity"]))


ROWS = _rows()


def test_the_table_is_the_whole_reference() -> None:
    assert len(ROWS) == 4579
    assert {row["expected"] for row in ROWS} == {"allow", "deny"}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: "-".join(list(row.values())[:10]))
def test_note_access_matches_the_reference_table(row: dict[str, str]) -> None:
    decision = decide(Reader(row["reader_role"]), Permission.NOTE_READ, _facts(row), NOW)
    assert (decision.allowed, str(decision.reason)) == (row["expected"] == "allow", row["reason"])
    if decision.allowed:
        assert decision.basis and decision.basis[0].split(":")[0] == row["reason"]
