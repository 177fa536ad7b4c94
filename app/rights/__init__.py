"""The subject access report (issue 14, point 4): its parts' pages on one blueprint."""

from app.rights import access_log_routes, routes
from app.rights.blueprint import bp

__all__ = ["access_log_routes", "bp", "routes"]
