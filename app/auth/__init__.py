"""Sign-in with password and TOTP, sessions, password changes and re-authentication."""

from app.auth.routes import bp

__all__ = ["bp"]
