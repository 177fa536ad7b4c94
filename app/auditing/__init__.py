"""The auditor's workspace: log search, access reports, flagged events, integrity, export."""

from app.auditing.routes import bp

__all__ = ["bp"]
