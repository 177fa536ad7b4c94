"""The demo scenario as the case-work domain tests see it: the issue's marker table, the
young people's identity codes, and look-ups on a session without Flask."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.accounts.models import Agency
from cases.casework import services as casework
from cases.casework.models import Case, CaseStatus
from cases.persons import services as persons

# Issue 5: each marker is readable by exactly these agencies.
MARKERS = {
    "DEMO-P1-SOS-GENERAL": {"sos", "nuo", "pol"},
    "DEMO-P1-POL-OFFENCE": {"pol"},
    "DEMO-P1-NUO-EDUCATION": {"nuo", "sos", "pol"},
    "DEMO-P1-SOS-HEALTH": {"sos"},
    "DEMO-P2-SOS-FAMILY": {"sos", "ngo"},
    "DEMO-P2-NGO-GENERAL": {"ngo", "sos"},
    "DEMO-P3-NUO-GENERAL": {"nuo"},
    "DEMO-P3-POL-OFFENCE": {"pol"},
    "DEMO-P4-POL-OFFENCE": {"pol", "sos"},
    "DEMO-P4-SOS-FAMILY": {"sos"},
    # Issue 14: Aada Arkisto's closed case, sos alone.
    "DEMO-P5-SOS-GENERAL": {"sos"},
}
MARKER_RE = re.compile(r"DEMO-P\d-[A-Z]+-[A-Z]+")
P1, P2, P3, P4 = "140310A1230", "020612A2465", "090909A357W", "200411A4682"


@pytest.fixture
def scenario(demo_session: Session) -> Session:
    """The demo scenario on a session without Flask."""
    return demo_session


def ctx(session: Session, username: str) -> AuditContext:
    user = accounts.get_user_by_username(session, username)
    assert user is not None
    return AuditContext(user, request_id="test")


def case_of(session: Session, code: str) -> Case:
    person = persons.find_by_identity_code(session, code)
    assert person is not None
    return case_of_id(session, person.id)


def case_of_id(session: Session, person_id: uuid.UUID) -> Case:
    case = session.scalar(select(Case).where(Case.person_id == person_id))
    assert case is not None
    return case


def readable_markers(session: Session, username: str) -> set[str]:
    seen: set[str] = set()
    # Open and closed cases alike (issue 14's P5 has only a closed one).
    for status in CaseStatus:
        for listed in casework.list_my_cases(session, ctx(session, username), status):
            for shown in casework.view_case(session, ctx(session, username), listed.case).notes:
                seen.update(MARKER_RE.findall(shown.body))
    return seen


def agency(session: Session, code: str) -> Agency:
    found = accounts.get_agency_by_code(session, code)
    assert found is not None
    return found
