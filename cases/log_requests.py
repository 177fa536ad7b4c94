"""What a request to read the audit log about one person says for itself: the days it may name,
why it reaches back further than two years (a reason from a fixed list) and the request's
reference number (the register's diary number, say).

Shared by the auditor's access report (`cases.oversight`) and the access-log part of a subject
access report (`cases.rights`): one vocabulary, so the reasons recorded in their audit events
are the same values. The reason and the reference are recorded in audit details, which take
counts, flags and names (`audit.events`): tokens, never free text that could name a person.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from cases.inputs import InputError, line_field

__all__ = ["EARLIEST_DAY", "LATEST_DAY", "REFERENCE_PATTERN", "OlderReason", "reference_token"]

# The log has nothing before Silta existed, and a bound keeps day arithmetic (the day after
# the last one) far from the calendar's end.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
REFERENCE_PATTERN = r"^[A-Za-z0-9_.:/-]{1,60}\Z"


class OlderReason(StrEnum):
    """Why a read of the log reaches further back than two years (the reason is recorded)."""

    SUBJECT_REQUEST = "subject_request"
    COMPLAINT = "complaint"
    SUPERVISORY_AUTHORITY = "supervisory_authority"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    INTERNAL_INVESTIGATION = "internal_investigation"


def reference_token(value: str | None) -> str | None:
    """The reference number as one token of at most 60 characters (None when empty), or
    `InputError` on the `reference` field."""
    reference = line_field(value, "reference", limit=60)
    if reference and not re.match(REFERENCE_PATTERN, reference):
        raise InputError("invalid_reference", "reference")
    return reference or None
