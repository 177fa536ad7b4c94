"""Case work pages."""

from app.casework import decisions, holds, routes
from app.casework.pages import bp

__all__ = ["bp", "decisions", "holds", "routes"]
