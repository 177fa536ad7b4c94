"""Reading a case note: the policy against the reference table `tests/data/note_access.csv`.

The table (copied from the shared test data, see tests/data/README.md; regenerated for issue 9)
was written from DESIGN.md §3–§4 independently of this code; each row becomes facts for
`decide`, and both the outcome and the reason must match.

The facts are built here from the README's description of each value, not from the code's
tables: the author agency is a health agency (it may disclose under every basis but §11's
"authorities only" is irrelevant to notes), a non-police reader is social services, and the
young person's date of birth makes each consent value's ages true on NOW.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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


def _born(years: int, days: int) -> date:
    """A birth date `years` and `days` before NOW's day (days < 365)."""
    today = NOW.date()
    return today.replace(year=today.year - years) - timedelta(days=days)


# Given 30 days before NOW: born 14 years and 100 days ago, the young person was 14 then and is
# now; born 15 years and 10 days ago, 14 then and 15 now; born 16 years and 100 days ago, 16.
AGE_14, TURNED_15_SINCE, AGE_16 = _born(14, 100), _born(15, 10), _born(16, 100)


def _consent(kind: str, category: str) -> tuple[tuple[ConsentFacts, ...], date]:
    """The consent facts for a table value, and the young person's date of birth."""
    if kind == "none":
        return (), AGE_16
    given_by, age, born, recipients, categories = GivenBy.SELF, 16, AGE_16, {READER}, {category}
    valid_from, valid_until, withdrawn = NOW - 30 * DAY, NOW + 300 * DAY, None
    given_on = (NOW - 30 * DAY).date()
    match kind:
        case "valid_self_age16":
            pass
        case "valid_guardian_age14":
            given_by, age, born = GivenBy.GUARDIAN, 14, AGE_14
        case "valid_both_age14":
            given_by, age, born = GivenBy.BOTH, 14, AGE_14
        case "self_only_age14":
            age, born = 14, AGE_14
        case "guardian_only_age16":
            given_by = GivenBy.GUARDIAN
        case "guardian_lapsed_now15":
            given_by, age, born = GivenBy.GUARDIAN, 14, TURNED_15_SINCE
        case "valid_other_agency":
            recipients = {THIRD}
        case "valid_other_category":
            categories = {Category.EDUCATION if category != Category.EDUCATION else Category.FAMILY}
        case "expired":
            valid_from, valid_until = NOW - 400 * DAY, NOW - DAY
            given_on = valid_from.date()
        case "withdrawn":
            withdrawn = NOW - DAY
        case "not_yet_valid":
            valid_from = NOW + DAY
        case _:
            raise AssertionError(f"unknown consent state {kind}")
    consent = ConsentFacts(
        given_by=given_by,
        age_when_given=age,
        recipients=frozenset(recipients),
        categories=frozenset(categories),
        valid_from=valid_from,
        valid_until=valid_until,
        given_on=given_on,
        withdrawn_at=withdrawn,
        id=uuid.uuid4(),
    )
    return (consent,), born


def _disclosure(kind: str, category: str, reader_is_police: bool) -> tuple[DisclosureFacts, ...]:
    if kind == "none":
        return ()
    source, target, categories = AUTHOR, READER, {category}
    # Written from the README: `valid` is a basis whose recipient kind is the reader's, other
    # than §18 and §11 (the reader is social services: Child Welfare Act §25 from health).
    basis, expires = LegalBasis.CHILD_WELFARE_25, NOW + 10 * DAY
    match kind:
        case "valid":
            pass
        case "valid_812_18":
            basis = LegalBasis.POLICE_812_18
        case "basis_unfit":
            # §18 reaches only police, §25 only social services: either way, not the reader.
            basis = LegalBasis.CHILD_WELFARE_25 if reader_is_police else LegalBasis.POLICE_812_18
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
    police = row["reader_is_police"] == "yes"
    consents, born = _consent(row["consent"], category)
    case = CaseFacts(
        id=uuid.uuid4(),
        lead_agency=AUTHOR,
        member_agencies=frozenset({READER, AUTHOR} if on_team else {AUTHOR}),
        member_users=frozenset({READER_USER} if on_team else set()),
        agency_kinds={
            READER: "police" if police else "social_services",
            AUTHOR: "health",
            THIRD: "ngo",
        },
        consents=consents,
        disclosures=_disclosure(row["disclosure"], category, police),
        emergencies=_emergency(row["emergency_access"]),
        person_id=uuid.uuid4(),
        person_birth_date=born,
    )
    author = READER if row["note_author"] == "own_agency" else AUTHOR
    return NoteFacts(case, author, category, Sensitivity(row["sensitivity"]))


ROWS = _rows()


def test_the_table_is_the_whole_reference() -> None:
    assert len(ROWS) == 6051
    values = {row["consent"] for row in ROWS} | {row["disclosure"] for row in ROWS}
    assert {"guardian_lapsed_now15", "basis_unfit"} <= values
    assert {row["expected"] for row in ROWS} == {"allow", "deny"}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: "-".join(list(row.values())[:10]))
def test_note_access_matches_the_reference_table(row: dict[str, str]) -> None:
    decision = decide(Reader(row["reader_role"]), Permission.NOTE_READ, _facts(row), NOW)
    assert (decision.allowed, str(decision.reason)) == (row["expected"] == "allow", row["reason"])
    if decision.allowed:
        assert decision.basis and decision.basis[0].split(":")[0] == row["reason"]
