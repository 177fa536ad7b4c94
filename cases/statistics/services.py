"""The statistics area's use cases, for `app/` (issue 13)."""

from cases.statistics.backfill import backfill
from cases.statistics.demo import add_demo_facts, has_demo_facts

__all__ = ["add_demo_facts", "backfill", "has_demo_facts"]
