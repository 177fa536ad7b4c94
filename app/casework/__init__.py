"""Case work pages."""

from app.casework import decisions, routes
from app.casework.pages import bp

__all__ = ["bp", "decisions", "routes"]
