"""Case work, named for callers: each use case lives in its own module of this package.

`cases` (opening), `team`, `notes`, `reading` (the case page), `consents`, `disclosures`,
`emergency`, `closure`, `queues` and `my_cases` (the "my cases" page). Each service loads the
case's facts afresh (a withdrawal counts from the next request), asks the policy, then audits in
the caller's transaction.
"""

from __future__ import annotations

from cases.casework.cases import (
    CaseReach,
    first_case,
    get_case,
    has_case,
    open_case,
    person_for_new_case,
    reach_case,
)
from cases.casework.closure import (
    decide_closure,
    get_closure_request,
    reopen_case,
    request_closure,
)
from cases.casework.consents import (
    ConsentInput,
    ConsentState,
    consent_in_case,
    consent_state,
    expiring_consents,
    record_consent,
    withdraw_consent,
)
from cases.casework.disclosures import create_disclosure, disclosure_bases, disclosure_recipients
from cases.casework.emergency import (
    EMERGENCY_HOURS,
    get_emergency_access,
    request_emergency_access,
    review_emergency_access,
)
from cases.casework.my_cases import CaseOrder, MyCasesPage, MyCasesQuery, my_cases_page
from cases.casework.notes import note_in_case, write_note
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
    "CaseOrder",
    "CaseReach",
    "CaseView",
    "ConsentInput",
    "ConsentState",
    "InputError",
    "MyCasesPage",
    "MyCasesQuery",
    "ReadableNote",
    "add_team_agency",
    "add_team_user",
    "closure_queue",
    "consent_in_case",
    "consent_state",
    "create_disclosure",
    "decide_closure",
    "disclosure_bases",
    "disclosure_recipients",
    "emergency_reviews",
    "expiring_consents",
    "first_case",
    "get_case",
    "get_closure_request",
    "get_emergency_access",
    "has_case",
    "list_closed_cases",
    "list_my_cases",
    "my_cases",
    "my_cases_page",
    "note_in_case",
    "open_case",
    "person_for_new_case",
    "reach_case",
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
