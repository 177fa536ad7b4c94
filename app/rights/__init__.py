"""The subject access report (issue 14, point 4): its parts' pages on one blueprint."""

from app.rights import routes
from app.rights.blueprint import bp

__all__ = ["bp", "routes"]
