"""Meeting pages: my meetings, a new meeting, the meeting page with its minutes and their
steps, its print view and calendar file, my action items, the supervisors' review queue and
putting a case on a meeting's agenda."""

from app.meetings import actions, routes
from app.meetings.pages import bp

__all__ = ["actions", "bp", "routes"]
