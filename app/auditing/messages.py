"""Translated texts of the auditor's workspace: the error codes its services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.log_requests import LOG_REQUEST_ERRORS

AUDIT_ERRORS = {
    **LOG_REQUEST_ERRORS,
    "reason_required": _l("Choose a reason to see more than the last two years."),
}


def audit_error(code: str) -> str:
    return str(AUDIT_ERRORS.get(code, code))
