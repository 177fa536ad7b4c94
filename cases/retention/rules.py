"""The retention rules, as configuration passed to the services (never a module global)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PERSON_YEARS_DEFAULT = 5
# The longest retention a city may set: beyond it the dates overflow (attack on issue 14:
# 100000 years crashed the sweep), and no data-protection assessment keeps a child's data longer.
PERSON_YEARS_MAX = 100


@dataclass(frozen=True)
class RetentionRules:
    """How long a person's data is kept: `person_years` after the later of their registration
    and their last case's closure (`SILTA_RETENTION_PERSON_YEARS`). Calendar days are those of
    the place the work is done."""

    person_years: int = PERSON_YEARS_DEFAULT
    timezone: str = "Europe/Helsinki"

    def __post_init__(self) -> None:
        if self.person_years < 1:
            raise ValueError("person_years must be at least 1")
        if self.person_years > PERSON_YEARS_MAX:
            raise ValueError(f"person_years must be at most {PERSON_YEARS_MAX}")

    def person_rule(self, after_closure: bool) -> str:
        """The token an erasure names: the rule and the event that started its clock."""
        start = "last-closure" if after_closure else "registration"
        return f"person-{self.person_years}y-after-{start}"

    def due_on(self, start: date) -> date:
        """The day `person_years` after `start` (29 February moves to 28 February)."""
        year = start.year + self.person_years
        try:
            return start.replace(year=year)
        except ValueError:
            return start.replace(year=year, day=28)


DEFAULT_RETENTION = RetentionRules()
