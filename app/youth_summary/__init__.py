"""The young person's summary (issue 14, point 5): one printable page in Finnish, Swedish or
English, whatever the interface language."""

from app.youth_summary import routes
from app.youth_summary.routes import bp

__all__ = ["bp", "routes"]
