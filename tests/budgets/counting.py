"""Count the SQL statements a request sends (SQLAlchemy's `before_cursor_execute` event)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    @property
    def reads(self) -> int:
        return sum(1 for s in self.sql if s.startswith("SELECT"))

    def __str__(self) -> str:
        return "\n".join(f"{n:3} {s[:160]}" for n, s in enumerate(self.sql, 1))


@contextmanager
def counting(engine: Engine) -> Iterator[Statements]:
    """Every statement sent on `engine` inside the block (COMMIT is not a statement)."""
    seen = Statements()

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.sql.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)
