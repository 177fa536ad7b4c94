"""Translated texts of meetings: states, entry kinds, action item states and the error codes
the meeting services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.messages import TEXT_ERRORS

STATUS_LABELS = {
    "planned": _l("Planned"),
    "held": _l("Held: minutes being written"),
    "submitted": _l("Minutes awaiting approval"),
    "returned": _l("Minutes returned for correction"),
    "approved": _l("Minutes approved"),
    "cancelled": _l("Cancelled"),
}

KIND_LABELS = {
    "discussion": _l("Discussion"),
    "decision": _l("Decision"),
}

ACTION_STATUS_LABELS = {
    "open": _l("Open"),
    "done": _l("Done"),
}

MEETING_ERRORS = {
    **TEXT_ERRORS,
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "invalid_choice": _l("Choose from the list."),
    "invalid_date": _l("Enter a valid date and time."),
    "invalid_link": _l("The video link must be an https address."),
    "place_or_link": _l("Give a place or a video link."),
    "out_of_range": _l("This is out of the allowed range."),
    "chair_not_organiser": _l("The chair must be of the organising agency."),
    "meeting_changed": _l("The meeting was changed by someone else meanwhile. Open it again."),
    "not_yet": _l("The meeting has not begun yet."),
    "already_on_agenda": _l("This case is already on the meeting's agenda."),
    "not_correctable": _l("Only your agency's own entries of this item can be corrected."),
    "owner_not_on_team": _l("The owner must be on the case team."),
    "owner_cannot_read": _l(
        "The owner could not read this action item: choose another category or owner."
    ),
    "attendance_incomplete": _l("Mark every participant present or absent."),
    "attendance_missing": _l("Record the attendance before submitting the minutes."),
    "already_done": _l("This action item is already done."),
    "not_found": _l("The page was not found."),
    "erased": _l("This person's data has been erased."),
}


def meeting_error(code: str) -> str:
    return str(MEETING_ERRORS.get(code, code))
