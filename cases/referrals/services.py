"""Referrals, named for callers: each use case lives in its own module of this package.

`sending` (send), `transitions` (acknowledge, accept, decline, complete, withdraw, reopen, the
needs-assessment dates), `reading` (one referral, the listings' rows and queries, the overview),
`listings` (the pages' listings: paged inbox and sent list, a case's referrals, the weekly
flow), `options` (what the send form offers), `clocks` (working-day deadlines), `escalation`
(overdue referrals to the receiving agency's supervisors) and `notifying` (who is told of each
step). Each service loads the case's facts afresh, asks `cases.policy`, then audits in the
caller's transaction.
"""

from __future__ import annotations

from cases.referrals.clocks import DEFAULT_CLOCKS, ClockRules, deadlines
from cases.referrals.escalation import BATCH as ESCALATION_BATCH
from cases.referrals.escalation import Escalation, escalate_overdue
from cases.referrals.listings import (
    PAGE_SIZE,
    CaseReferral,
    CaseReferrals,
    ReferralPage,
    SupervisorOverview,
    WeekFlow,
    case_referrals,
    inbox_page,
    sent_page,
    supervisor_overview,
    weekly_flow,
)
from cases.referrals.loading import get_referral, has_referrals
from cases.referrals.options import SEND_CATEGORIES, AgencyOptions, SendOptions, send_options
from cases.referrals.reading import (
    LISTING_LIMIT,
    REFERRAL_ACTIONS,
    HistoryEntry,
    Overview,
    ReferralRow,
    ReferralView,
    overdue,
    overview,
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
    "LISTING_LIMIT",
    "PAGE_SIZE",
    "REFERRAL_ACTIONS",
    "SEND_CATEGORIES",
    "AgencyOptions",
    "CaseReferral",
    "CaseReferrals",
    "ClockRules",
    "Escalation",
    "HistoryEntry",
    "Overview",
    "ReferralInput",
    "ReferralPage",
    "ReferralRow",
    "ReferralView",
    "SendOptions",
    "SupervisorOverview",
    "WeekFlow",
    "accept",
    "acknowledge",
    "case_referrals",
    "complete",
    "deadlines",
    "decline",
    "escalate_overdue",
    "get_referral",
    "has_referrals",
    "inbox_page",
    "overdue",
    "overview",
    "record_assessment",
    "reopen",
    "send_options",
    "send_referral",
    "sent_page",
    "supervisor_overview",
    "view_referral",
    "weekly_flow",
    "withdraw",
]
