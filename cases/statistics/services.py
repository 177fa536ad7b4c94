"""The statistics area's use cases, for `app/` (issue 13)."""

from cases.statistics.backfill import backfill
from cases.statistics.demo import add_demo_facts, has_demo_facts
from cases.statistics.stored import NotPrepared
from cases.statistics.tables import (
    UNKNOWN,
    Breakdown,
    Granularity,
    StatisticsView,
    TableRequest,
    prepare_releases,
    statistics_table,
)

__all__ = [
    "UNKNOWN",
    "Breakdown",
    "Granularity",
    "NotPrepared",
    "StatisticsView",
    "TableRequest",
    "add_demo_facts",
    "backfill",
    "has_demo_facts",
    "prepare_releases",
    "statistics_table",
]
