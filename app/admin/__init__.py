"""Administration of agencies and accounts. Admins never see case content."""

from app.admin.routes import bp

__all__ = ["bp"]
