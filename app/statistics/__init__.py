"""The statistics area's web side (issue 13): the analyst's tables with their chart and CSV,
and the back-fill command."""

from app.statistics import routes
from app.statistics.routes import bp

__all__ = ["bp", "routes"]
