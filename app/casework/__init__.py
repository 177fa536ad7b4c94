"""Case work pages."""

from app.casework.routes import bp

__all__ = ["bp"]
