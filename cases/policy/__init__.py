"""The access policy: the one place that knows who may do what (DESIGN.md §4).

- `permissions`: the vocabulary (permissions, reasons) and which roles hold what;
- `facts`: the plain values decisions are made on, and the settings (`CaseRules`) passed in;
- `loading`: those facts read from the database, for every area that asks;
- `decisions`: `decide` and `authorize`; `notes` reading a note; `referrals` the referral rules;
- `sharing` and `legal_bases`: the rules of consents and disclosures, and the basis table;
- `credentials`: the four-eyes release of practitioners' credentials;
- `scopes`: the same rules as SQL conditions, for listings and searches.
"""

from audit.events import Actor
from cases.policy.credentials import PendingCredential, credential_needs_release, works_on_cases
from cases.policy.decisions import PolicyDenied, authorize, decide, subject_of
from cases.policy.notes import on_team
from cases.policy.permissions import CliActor, Decision, Permission, Reason
from cases.policy.scopes import cases_worth_checking, visible_persons

__all__ = [
    "Actor",
    "CliActor",
    "Decision",
    "PendingCredential",
    "Permission",
    "PolicyDenied",
    "Reason",
    "authorize",
    "cases_worth_checking",
    "credential_needs_release",
    "decide",
    "on_team",
    "subject_of",
    "visible_persons",
    "works_on_cases",
]
