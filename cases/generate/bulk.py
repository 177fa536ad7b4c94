"""Bulk inserts: PostgreSQL's COPY through psycopg 3 (`cursor.copy()`), elsewhere executemany
in large batches. Below the ORM and its type decorators: values arrive as the columns store
them (aware UTC datetimes, ids, ciphertext bytes, JSON-ready lists and dicts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table, insert

EXECUTEMANY_BATCH = 5000


class RowShapeError(ValueError):
    """The rows of one table do not all name the same columns."""


def _columns(table: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    columns = list(rows[0])
    wanted = set(columns)
    if any(set(row) != wanted for row in rows):
        raise RowShapeError(f"rows of {table.name} name different columns")
    return columns


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (each naming the same columns) into `table` in the caller's transaction."""
    if not rows:
        return
    columns = _columns(table, rows)
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), EXECUTEMANY_BATCH):
            connection.execute(insert(table), list(rows[start : start + EXECUTEMANY_BATCH]))
        return
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'  # nosec B608 - names from the model, no input
    driver = connection.connection.driver_connection
    assert driver is not None  # noqa: S101 - a live connection in a transaction
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in columns]
            for position, is_json in enumerate(as_json):
                if is_json:
                    values[position] = orjson.dumps(values[position]).decode()
            copy.write_row(values)
