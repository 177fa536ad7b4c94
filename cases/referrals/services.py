"""Referrals, named for callers: each use case lives in its own module of this package.

`sending` (send), `transitions` (acknowledge, accept, decline, complete, withdraw, reopen, the
needs-assessment dates), `reading` (one referral, the inbox, the sent list, the overview) and
`clocks` (working-day deadlines). Each service loads the case's facts afresh, asks
`cases.policy`, then audits in the caller's transaction.
"""

from __future__ import annotations

from cases.referrals.clocks import DEFAULT_CLOCKS, ClockRules, deadlines
from cases.referrals.loading import get_referral, has_referrals
from cases.referrals.reading import (
    REFERRAL_ACTIONS,
    HistoryEntry,
    Overview,
    ReferralRow,
    ReferralView,
    inbox,
    overdue,
    overview,
    sent,
    view_referral,
)
from cases.referrals.sending import ReferralInput, send_referral
from cases.referrals.transitions import (
    accept,
    acknowledge,
    complete,
    decline,
    record_assessment,
    reopen,
    withdraw,
)

__all__ = [
    "DEFAULT_CLOCKS",
    "REFERRAL_ACTIONS",
    "ClockRules",
    "HistoryEntry",
    "Overview",
    "ReferralInput",
    "ReferralRow",
    "ReferralView",
    "accept",
    "acknowledge",
    "complete",
    "deadlines",
    "decline",
    "get_referral",
    "has_referrals",
    "inbox",
    "overdue",
    "overview",
    "record_assessment",
    "reopen",
    "send_referral",
    "sent",
    "view_referral",
    "withdraw",
]
