"""Case work, named for callers: each use case lives in its own module of this package.

`cases` (opening), `team`, `notes`, `reading` (the case page), `consents`, `disclosures`,
`emergency`, `closure` and `queues`. Each service loads the case's facts afresh (a withdrawal
counts from the next request), asks the policy, then audits in the caller's transaction.
"""

from __future__ import annotations

from cases.casework.cases import get_case, open_case
from cases.casework.closure import decide_closure, reopen_case, request_closure
from cases.casework.consents import (
    ConsentInput,
    ConsentState,
    consent_state,
    expiring_consents,
    record_consent,
    withdraw_consent,
)
from cases.casework.disclosures import create_disclosure, disclosure_bases, disclosure_recipients
from cases.casework.emergency import (
    EMERGENCY_HOURS,
    request_emergency_access,
    review_emergency_access,
)
from cases.casework.notes import write_note
from cases.casework.queues import (
    CaseListing,
    closure_queue,
    emergency_reviews,
    list_closed_cases,
    list_my_cases,
    my_cases,
)
from cases.casework.reading import CASE_ACTIONS, CaseView, ReadableNote, view_case
from cases.casework.team import add_team_agency, add_team_user, team_candidates
from cases.inputs import InputError

__all__ = [
    "CASE_ACTIONS",
    "EMERGENCY_HOURS",
    "CaseListing",
    "CaseView",
    "ConsentInput",
    "ConsentState",
    "InputError",
    "ReadableNote",
    "add_team_agency",
    "add_team_user",
    "closure_queue",
    "consent_state",
    "create_disclosure",
    "decide_closure",
    "disclosure_bases",
    "disclosure_recipients",
    "emergency_reviews",
    "expiring_consents",
    "get_case",
    "list_closed_cases",
    "list_my_cases",
    "my_cases",
    "open_case",
    "record_consent",
    "reopen_case",
    "request_closure",
    "request_emergency_access",
    "review_emergency_access",
    "team_candidates",
    "view_case",
    "withdraw_consent",
    "write_note",
]
