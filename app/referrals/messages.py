"""Translated texts of referrals: urgencies, states, decline reasons, Youth Act §11 grounds,
history steps, why an agency or category cannot be referred to, and the error codes the
referral services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.casework.messages import CATEGORY_LABELS
from app.messages import TEXT_ERRORS

URGENCY_LABELS = {
    "routine": _l("Routine"),
    "urgent": _l("Urgent"),
    "immediate": _l("Immediate"),
}

STATE_LABELS = {
    "sent": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}

DECLINE_REASON_LABELS = {
    "not_our_service": _l("Not our service"),
    "no_capacity": _l("No capacity"),
    "young_person_declined": _l("The young person declined"),
    "duplicate": _l("Duplicate"),
    "other": _l("Other"),
}

YOUTH_ACT_GROUND_LABELS = {
    "no_study_place_after_basic_education": _l("No study place after basic education"),
    "dropped_out_of_education": _l("Dropped out of education"),
    "exempt_from_military_service": _l("Exempted from military service"),
    "exempt_from_civilian_service": _l("Exempted from non-military service"),
    "needs_support_to_reach_services": _l("Needs support to reach services"),
}

EVENT_LABELS = {
    "sent": _l("Sent"),
    "acknowledged": _l("Acknowledged"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "reopened": _l("Reopened"),
    "assessment_started": _l("Needs assessment started"),
    "assessment_completed": _l("Needs assessment completed"),
    "escalated": _l("Escalated to the receiving agency's supervisors"),
}

# An escalation's reason code names the deadline that passed.
ESCALATION_LABELS = {
    "acknowledge": _l("the acknowledgement is overdue"),
    "response": _l("the answer is overdue"),
}

# The send form's category choice: a Youth Act §11 referral shares no category of notes.
YOUTH_ACT = "youth_act_11"
SEND_CATEGORY_LABELS = {
    **CATEGORY_LABELS,
    YOUTH_ACT: _l("Youth Act §11: identification and contact data only"),
}

# Why the send form does not offer an agency or a category (the policy's reason).
WHY_NOT = {
    "no_basis": _l("no consent or disclosure in effect covers it"),
    "police_compartment": _l(
        "health and social welfare data reach the police only under a disclosure (Act 812/2000 §18)"
    ),
    "restricted": _l("restricted"),
    "same_agency": _l("your own agency"),
    "not_on_team": _l("you are not on the case team"),
    "case_closed": _l("the case is closed"),
}


def why_not(reason: str) -> str:
    return str(WHY_NOT.get(reason, _l("no basis allows it")))


REFERRAL_ERRORS = {
    **TEXT_ERRORS,
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "invalid_choice": _l("Choose from the list."),
    "not_allowed": _l("A Youth Act §11 referral carries no reason text and no notes."),
    "not_found": _l("The page was not found."),
    "state_changed": _l("The referral was changed by someone else meanwhile. Open it again."),
    "already_sent": _l("This referral was already sent: the form was submitted twice."),
    "before_referral": _l("The date cannot be before the referral was sent."),
    "in_future": _l("The date cannot be in the future."),
    "already_recorded": _l("This date has already been recorded."),
    "before_start": _l("The assessment cannot be completed before it started."),
    "erased": _l("This person's data has been erased."),
}


def referral_error(code: str) -> str:
    return str(REFERRAL_ERRORS.get(code, code))
