"""Referrals, named for callers: each use case lives in its own module of this package.

`sending` (send), `transitions` (acknowledge, accept, decline, complete, withdraw, reopen, the
needs-assessment dates), `reading` (one referral, the inbox, the sent list, the overview),
`clocks` (working-day deadlines), `escalation` (overdue referrals to the receiving agency's
supervisors) and `notifying` (who is told of each step). Each service loads the case's facts
afresh, asks `cases.policy`, then audits in the caller's transaction.
"""

from __future__ import annotations

from cases.referrals.clocks import DEFAULT_CLOCKS, ClockRules, deadlines
from cases.referrals.escalation import BATCH as ESCALATION_BATCH
from cases.referrals.escalation import Escalation, escalate_overdue
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
    "ESCALATION_BATCH",
    "REFERRAL_ACTIONS",
    "ClockRules",
    "Escalation",
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
    "escalate_overdue",
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
