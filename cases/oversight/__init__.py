"""Oversight: the auditor's workspace over the audit log (log, reports, flags, integrity,
person look-up). Metadata of the log only, never case content."""
