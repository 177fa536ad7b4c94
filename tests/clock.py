"""Today as the services see it: the calendar day where the work is done (Europe/Helsinki by
default), not the machine's UTC day. Between 21:00/22:00 and 24:00 UTC the two differ, and a
test that used `date.today()` then asked for a date one day off."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cases.policy.facts import DEFAULT_RULES
from cases.policy.sharing import local_day


def work_day() -> date:
    return local_day(datetime.now(UTC), DEFAULT_RULES)
